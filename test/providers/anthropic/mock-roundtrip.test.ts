import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import { anthropic } from "../../../src/providers/anthropic/index.ts";
import type { Target, TranslationState, UpstreamRequest } from "../../../src/providers/types.ts";
import type { ChatRequest, ChatResult, ContentPart, StreamPart } from "../../../src/canonical/chat.ts";
import { GatewayError } from "../../../src/canonical/errors.ts";
import { toOpenAIErrorResponse } from "../../../src/dialects/openai/errors.ts";
import { SseParser } from "../../../src/streams/sse-parser.ts";
import {
  JSON_ANSWER,
  startMockAnthropic,
  TEXT_ANSWER,
  THINKING_ANSWER,
  THINKING_SIGNATURE,
  THINKING_TEXT,
  TOOL_INPUTS,
  TOOL_USE_IDS,
  TOOLS_PREAMBLE,
  type MockAnthropic,
} from "../../support/mock-anthropic.ts";
import { chatRequest, DROP, STRICT } from "./helpers.ts";

let mock: MockAnthropic;
beforeAll(async () => {
  mock = await startMockAnthropic();
});
afterAll(async () => {
  await mock.stop();
});
/** Requests sent before the current test; each test looks only at its own. */
let seen = 0;
beforeEach(() => {
  seen = mock.requests.length;
});

const target = (model: string): Target => ({ model, apiBase: mock.url, apiKey: "sk-ant-api03-mock" });

const send = (upstream: UpstreamRequest) => fetch(upstream.url, { method: "POST", headers: upstream.headers, body: upstream.body });

/** Builds, sends and reads a non-streamed call; fails with the mock's reason when it rejected the request. */
async function call(request: ChatRequest, model: string): Promise<ChatResult> {
  const { upstream, state } = anthropic.chat.buildRequest({ ...request, stream: false }, target(model), STRICT);
  const response = await send(upstream);
  const text = await response.text();
  if (!response.ok) throw anthropic.mapError(response.status, text, response.headers);
  return anthropic.chat.parseResponse(text, state);
}

/** Builds, sends and reads a streamed call into spec parts. */
async function stream(request: ChatRequest, model: string): Promise<StreamPart[]> {
  const { upstream, state } = anthropic.chat.buildRequest({ ...request, stream: true }, target(model), STRICT);
  const response = await send(upstream);
  if (!response.ok) throw anthropic.mapError(response.status, await response.text(), response.headers);
  return readStream(response, state);
}

async function readStream(response: Response, state: TranslationState): Promise<StreamPart[]> {
  const parser = new SseParser();
  const reader = anthropic.chat.streamReader(state);
  const parts: StreamPart[] = [];
  for await (const chunk of response.body as ReadableStream<Uint8Array>) for (const event of parser.push(chunk)) parts.push(...reader.event(event));
  for (const event of parser.end()) parts.push(...reader.event(event));
  parts.push(...reader.end());
  return parts;
}

const invalidRequests = () => mock.requests.slice(seen).filter((request) => request.invalid !== undefined).map((request) => request.invalid);

/** A conversation with everything the translation must make valid for Anthropic. */
const RICH: ChatRequest = chatRequest({
  messages: [
    { role: "system", content: [{ type: "text", text: "You are a weather bot." }] },
    { role: "system", content: [{ type: "text", text: "Use metric units.", cacheControl: { type: "ephemeral" } }] },
    { role: "system", content: [{ type: "text", text: "" }] },
    {
      role: "user",
      content: [
        { type: "text", text: "Here is a map and a report." },
        { type: "image", source: { kind: "url", url: "https://example.com/map.png" }, detail: "low" },
        { type: "image", source: { kind: "base64", mediaType: "image/png", data: "iVBORw0KGgo=" } },
        { type: "document", source: { kind: "base64", mediaType: "application/pdf", data: "JVBERi0xLjQ=" }, title: "Report" },
      ],
    },
    { role: "user", content: [{ type: "text", text: "" }] },
    {
      role: "assistant",
      content: [
        { type: "thinking", text: "Two lookups.", signature: "EqQBCgIYAhIMsig" },
        { type: "text", text: " " },
        { type: "tool-call", id: "call_abc123", name: "files.read", arguments: '{"path":"/tmp/report.txt"}' },
        { type: "tool-call", id: "toolu_01B", name: "weather/get", arguments: "" },
      ],
    },
    { role: "tool", content: [{ type: "tool-result", toolCallId: "call_abc123", content: "" }] },
    { role: "tool", content: [{ type: "tool-result", toolCallId: "toolu_01B", content: [{ type: "text", text: "18°C" }], isError: false }] },
    { role: "user", content: [{ type: "text", text: "  " }] },
    { role: "assistant", content: [{ type: "text", text: "" }] },
    { role: "user", content: [{ type: "text", text: "So, umbrella?", cacheControl: { type: "ephemeral" } }] },
  ],
  tools: [
    { name: "files.read", description: "Read a file", parameters: { type: "object", properties: { path: { type: "string" } } } },
    { name: "weather/get", parameters: {} },
    { name: "weather_get", parameters: { type: "object", properties: {} }, cacheControl: { type: "ephemeral" } },
  ],
  hostedTools: [{ type: "web_search_20250305", name: "web_search", max_uses: 1 }],
  toolChoice: { type: "auto" },
  parallelToolCalls: false,
  temperature: 0.2,
  topP: 0.9,
  topK: 20,
  stop: ["\n\nHuman:", "  "],
  user: "user-42",
  extra: { service_tier: "auto", n: 1 },
});

describe("translated requests are valid Anthropic requests (the mock validates strictly)", () => {
  test("a rich conversation, not streamed and streamed", async () => {
    const { upstream } = anthropic.chat.buildRequest(RICH, target("text"), DROP);
    const response = await send(upstream);
    expect({ status: response.status, body: response.status === 200 ? "" : await response.text() }).toEqual({ status: 200, body: "" });
    const result = anthropic.chat.parseResponse(await response.text(), undefined);
    expect(result.content).toEqual([{ type: "text", text: TEXT_ANSWER }]);
    expect(result.usage).toEqual({ input: 1881, output: 12, cacheRead: 1860 });

    const streamed = anthropic.chat.buildRequest({ ...RICH, stream: true }, target("text"), DROP);
    const parts = await readStream(await send(streamed.upstream), streamed.state);
    expect(parts.filter((part) => part.type === "text-delta").map((part) => (part as { text: string }).text).join("")).toBe(TEXT_ANSWER);
    expect(parts.at(-1)).toEqual({ type: "finish", finishReason: "stop", providerMetadata: { anthropic: { stop_reason: "end_turn", stop_sequence: null } } });
    expect(invalidRequests()).toEqual([]);
  });

  test("extended thinking: answer with a signature, then the signed thinking goes back in the next turn", async () => {
    const request = chatRequest({ messages: [{ role: "user", content: [{ type: "text", text: "27 * 453?" }] }], reasoning: { effort: "medium" }, temperature: 1, topP: 0.97 });
    const result = await call(request, "thinking");
    expect(result.content).toEqual([
      { type: "thinking", text: THINKING_TEXT, signature: THINKING_SIGNATURE },
      { type: "text", text: THINKING_ANSWER },
    ]);
    expect(result.usage).toEqual({ input: 1960, output: 96, cacheWrite: 1912 });

    const parts = await stream(request, "thinking");
    expect(parts.filter((part) => part.type === "reasoning-delta").map((part) => (part as { text: string }).text).join("")).toBe(THINKING_TEXT);
    expect(parts.filter((part) => part.type === "reasoning-signature")).toEqual([{ type: "reasoning-signature", signature: THINKING_SIGNATURE }]);

    const followUp = await call({ ...request, messages: [...request.messages, { role: "assistant", content: result.content }, { role: "user", content: [{ type: "text", text: "Times two?" }] }] }, "text");
    expect(followUp.content).toEqual([{ type: "text", text: TEXT_ANSWER }]);
    expect(invalidRequests()).toEqual([]);
  });

  test("parallel tool calls come back under the client's tool names, streamed and not, and their results go back", async () => {
    const request = chatRequest({
      messages: [{ role: "user", content: [{ type: "text", text: "Weather in Paris and Tokyo?" }] }],
      tools: [
        { name: "actions/download-job-logs", parameters: { type: "object", properties: { city: { type: "string" } } } },
        { name: "weather.get", parameters: { type: "object", properties: { city: { type: "string" } } } },
      ],
    });
    const result = await call(request, "tools");
    expect(result.content).toEqual([
      { type: "text", text: TOOLS_PREAMBLE },
      { type: "tool-call", id: TOOL_USE_IDS[0], name: "actions/download-job-logs", arguments: JSON.stringify(TOOL_INPUTS[0]) },
      { type: "tool-call", id: TOOL_USE_IDS[1], name: "weather.get", arguments: JSON.stringify(TOOL_INPUTS[1]) },
    ]);
    expect(result.finishReason).toBe("tool-calls");

    const parts = await stream(request, "tools");
    expect(parts.filter((part) => part.type === "tool-call-start")).toEqual([
      { type: "tool-call-start", index: 1, id: TOOL_USE_IDS[0], name: "actions/download-job-logs" },
      { type: "tool-call-start", index: 2, id: TOOL_USE_IDS[1], name: "weather.get" },
    ]);
    const args = (index: number) =>
      parts
        .filter((part): part is Extract<StreamPart, { type: "tool-call-delta" }> => part.type === "tool-call-delta" && part.index === index)
        .map((part) => part.argumentsDelta)
        .join("");
    expect([JSON.parse(args(1)), JSON.parse(args(2))]).toEqual([TOOL_INPUTS[0], TOOL_INPUTS[1]]);

    const results: ContentPart[] = [
      { type: "tool-result", toolCallId: TOOL_USE_IDS[0], content: "18°C" },
      { type: "tool-result", toolCallId: TOOL_USE_IDS[1], content: "24°C" },
    ];
    const followUp = await call({ ...request, messages: [...request.messages, { role: "assistant", content: result.content }, { role: "tool", content: results }] }, "text");
    expect(followUp.content).toEqual([{ type: "text", text: TEXT_ANSWER }]);
    const sent = mock.requests.at(-1)?.body;
    expect(sent.messages[1].content.map((block: { name?: string }) => block.name)).toEqual([undefined, "actions_download-job-logs", "weather_get"]);
    expect(invalidRequests()).toEqual([]);
  });

  test("response_format: the forced tool's answer comes back as text", async () => {
    const request = chatRequest({ responseFormat: { type: "json_schema", name: "answer", schema: { type: "object", properties: { answer: { type: "number" } } } } });
    const result = await call(request, "json");
    expect(result.content).toEqual([{ type: "text", text: JSON.stringify(JSON_ANSWER) }]);
    expect(result.finishReason).toBe("stop");
    const parts = await stream(request, "json");
    expect(JSON.parse(parts.filter((part) => part.type === "text-delta").map((part) => (part as { text: string }).text).join(""))).toEqual(JSON_ANSWER);
    expect(parts.some((part) => part.type === "tool-call-start")).toBe(false);
    expect(parts.at(-1)).toMatchObject({ type: "finish", finishReason: "stop" });
    expect(invalidRequests()).toEqual([]);
  });
});

describe("errors from the mock", () => {
  const failure = async (promise: Promise<unknown>): Promise<GatewayError> => {
    try {
      await promise;
    } catch (error) {
      if (error instanceof GatewayError) return error;
      throw error;
    }
    throw new Error("expected a GatewayError");
  };

  test("429 with retry-after, streamed and not", async () => {
    for (const run of [call, stream]) {
      const error = await failure(run(chatRequest(), "error-429"));
      expect([error.code, error.status, error.details.retryAfter, error.details.headers?.["anthropic-ratelimit-requests-remaining"]]).toEqual(["provider.rate_limited", 429, 7, "0"]);
    }
  });

  test("529 overloaded keeps its status (OpenAI clients see 503), streamed and not", async () => {
    for (const run of [call, stream]) {
      const error = await failure(run(chatRequest(), "error-529"));
      expect([error.code, error.status, error.retry, toOpenAIErrorResponse(error).status]).toEqual(["provider.overloaded", 529, "try-next", 503]);
    }
  });

  test("an error event mid-stream throws after the first text; not streamed it is a 500", async () => {
    const streamed = await failure(stream(chatRequest(), "error-event"));
    expect([streamed.code, streamed.message]).toEqual(["provider.overloaded", "Anthropic sent an error mid-stream (overloaded_error): Overloaded"]);
    const buffered = await failure(call(chatRequest(), "error-event"));
    expect([buffered.code, buffered.status]).toEqual(["provider.server_error", 500]);
  });
});
