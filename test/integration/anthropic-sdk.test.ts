/**
 * The official `@anthropic-ai/sdk` (and the `openai` SDK) against a real gateway socket, with the
 * strict Anthropic mock (test/support/mock-anthropic.ts), the OpenAI-wire mock
 * (test/support/mock-upstream.ts) and the built-in mock models behind it:
 *
 * - Anthropic SDK -> Anthropic model: the same-format fast path (body forwarded except `model`).
 * - Anthropic SDK -> OpenAI-format model: translated both ways, streaming included.
 * - OpenAI SDK -> Anthropic model: translated both ways.
 * - Errors in each client's own shape, and a client that goes away mid-stream.
 */
import Anthropic, {
  APIError as AnthropicAPIError,
  AuthenticationError as AnthropicAuthenticationError,
  BadRequestError as AnthropicBadRequestError,
  NotFoundError as AnthropicNotFoundError,
  OverloadedError,
  RateLimitError as AnthropicRateLimitError,
} from "@anthropic-ai/sdk";
import type { Message, MessageCreateParamsNonStreaming, MessageStreamEvent, Tool } from "@anthropic-ai/sdk/resources/messages";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI, { APIError as OpenAIAPIError, RateLimitError as OpenAIRateLimitError } from "openai";
import type { ChatCompletionChunk, ChatCompletionTool } from "openai/resources/chat/completions";
import type { Config } from "../../src/config/schema.ts";
import { lastRecordFor, recordsSettled, sseData, startGateway, type TestGateway } from "../support/build-test-app.ts";
import {
  countTokens,
  MESSAGE_IDS,
  startMockAnthropic,
  TEXT_ANSWER,
  TEXT_USAGE,
  TEXT_WORDS,
  THINKING_ANSWER,
  THINKING_SIGNATURE,
  THINKING_TEXT,
  THINKING_TOOL_SIGNATURE,
  THINKING_TOOL_TEXT,
  THINKING_TOOL_USE_ID,
  THINKING_USAGE,
  TOOL_INPUTS,
  TOOL_USE_IDS,
  TOOLS_PREAMBLE,
  TOOLS_USAGE,
  type MockAnthropic,
  type RecordedAnthropicRequest,
} from "../support/mock-anthropic.ts";
import { startMockUpstream, TOOL_CALL, TOOL_USAGE, waitFor, type MockUpstream } from "../support/mock-upstream.ts";

const UPSTREAM_KEY = "sk-ant-upstream-secret-1234567890";
const OPENAI_UPSTREAM_KEY = "sk-openai-upstream-secret-0987654321";
const MASTER_KEY = "sk-switchboard-master-5555555555";
/** What the SDK clients present; it must never reach an upstream. */
const CLIENT_KEY = "x";
/** What the mock's `error-429` says. */
const RATE_LIMIT_MESSAGE = "Number of request tokens has exceeded your per-minute rate limit (https://docs.anthropic.com/en/api/rate-limits); see the response headers for current usage.";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let mock: MockAnthropic;
let upstream: MockUpstream;
let gateway: TestGateway;
let guarded: TestGateway;
let client: Anthropic;
let openai: OpenAI;

/** Every request body the Anthropic SDK sent, exactly as it went on the wire. */
const sentBodies: string[] = [];

beforeAll(async () => {
  mock = await startMockAnthropic();
  upstream = await startMockUpstream();
  const config: Config = {
    models: [
      { model_name: "claude-test", model: "anthropic/text", api_base: mock.url, api_key: UPSTREAM_KEY },
      { model_name: "claude/*", model: "anthropic/*", api_base: mock.url, api_key: UPSTREAM_KEY },
      { model_name: "gpt-up/*", model: "openai/*", api_base: upstream.url, api_key: OPENAI_UPSTREAM_KEY },
    ],

    // These tests check how one upstream answer is mapped; the router's retries are tested in test/router.
    router: { num_retries: 0 },
  };
  gateway = await startGateway(config);
  guarded = await startGateway(config, { masterKey: MASTER_KEY });
  client = new Anthropic({
    baseURL: gateway.origin,
    apiKey: CLIENT_KEY,
    maxRetries: 0,
    fetch: async (url, init) => {
      if (typeof init?.body === "string") sentBodies.push(init.body);
      return fetch(url, init);
    },
  });
  openai = new OpenAI({ baseURL: gateway.baseURL, apiKey: CLIENT_KEY, maxRetries: 0 });
});

afterAll(async () => {
  await gateway?.stop();
  await guarded?.stop();
  await mock?.stop();
  await upstream?.stop();
});

let seq = 0;
/** A unique user message, so a test can find exactly its own upstream request. */
const marker = (label: string) => `${label} #${++seq} ${crypto.randomUUID()}`;

/** The one request to the Anthropic mock whose body carries `mark`; fails with the mock's reason if it was rejected. */
function anthropicRequestWith(mark: string): RecordedAnthropicRequest {
  const found = mock.requests.filter((r) => r.bodyText.includes(mark));
  if (found.length !== 1) throw new Error(`expected exactly one upstream request with '${mark}', got ${found.length}`);
  const request = found[0]!;
  if (request.invalid !== undefined) throw new Error(`the mock rejected the gateway's request: ${request.invalid}`);
  return request;
}

/** The one body the SDK sent that carries `mark`. */
function sentBodyWith(mark: string): string {
  const found = sentBodies.filter((body) => body.includes(mark));
  if (found.length !== 1) throw new Error(`expected exactly one SDK request with '${mark}', got ${found.length}`);
  return found[0]!;
}

/** Runs `fn` and returns the error it throws (failing if it does not). */
async function thrown(fn: () => Promise<unknown>): Promise<any> {
  try {
    await fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to throw");
}

/** Runs `fn`: what it returned, or what it threw. */
async function thrownOrValue<T>(fn: () => Promise<T>): Promise<{ value?: T; error?: unknown }> {
  try {
    return { value: await fn() };
  } catch (error) {
    return { error };
  }
}

/** Iterates an SDK stream to its end; returns the events and what it threw (if anything). */
async function drain<T>(stream: AsyncIterable<T>): Promise<{ events: T[]; error: unknown }> {
  const events: T[] = [];
  try {
    for await (const event of stream) events.push(event);
  } catch (error) {
    return { events, error };
  }
  return { events, error: undefined };
}

/** The streamed text of one block index, and the input_json_delta fragments of each tool block. */
function deltasOf(events: MessageStreamEvent[]) {
  const text: string[] = [];
  const thinking: string[] = [];
  const json = new Map<number, string[]>();
  for (const event of events) {
    if (event.type !== "content_block_delta") continue;
    if (event.delta.type === "text_delta") text.push(event.delta.text);
    else if (event.delta.type === "thinking_delta") thinking.push(event.delta.thinking);
    else if (event.delta.type === "input_json_delta") json.set(event.index, [...(json.get(event.index) ?? []), event.delta.partial_json]);
  }
  return { text, thinking, json };
}

/** An SDK message without the SDK's own `parsed_output` (structured outputs), which no wire carries. */
function plain(message: Message): Record<string, unknown> {
  const { parsed_output: _parsed, ...rest } = message as Message & { parsed_output?: unknown };
  return rest;
}

const user = (content: string) => [{ role: "user" as const, content }];

const WEATHER_TOOL: Tool = {
  name: "get_weather",
  description: "Weather for a city",
  input_schema: {
    type: "object",
    properties: { city: { type: "string" }, days: { type: "integer" }, unit: { type: "string", enum: ["celsius", "fahrenheit"] } },
    required: ["city", "days", "unit"],
  },
};

describe("Anthropic SDK -> Anthropic model (same-format fast path)", () => {
  test("non-stream: the upstream gets the client's body byte for byte except model, the server's key and the client's beta", async () => {
    const mark = marker("fast-path");
    // `service_tier` and `context_management` are fields the gateway's schema does not know; cache_control sits on a system block and a message block.
    const params = {
      model: "claude-test",
      max_tokens: 256,
      system: [{ type: "text", text: "Be brief.", cache_control: { type: "ephemeral" } }],
      messages: [{ role: "user", content: [{ type: "text", text: mark, cache_control: { type: "ephemeral", ttl: "5m" } }] }],
      metadata: { user_id: "user-7" },
      service_tier: "standard_only",
      context_management: { edits: [{ type: "clear_tool_uses_20250919", keep: { type: "tool_uses", value: 3 } }] },
    } as unknown as MessageCreateParamsNonStreaming;
    const before = gateway.records.length;
    const { data: message, response } = await client.messages.create(params, { headers: { "anthropic-beta": "context-management-2025-06-27" } }).withResponse();

    expect(plain(message)).toEqual({
      id: MESSAGE_IDS.text,
      type: "message",
      role: "assistant",
      // The fast path forwards the upstream's answer as it came: the model is the upstream's name for it.
      model: "text",
      content: [{ type: "text", text: TEXT_ANSWER }],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: TEXT_USAGE,
    });
    expect(response.headers.get("x-switchboard-call-id")).toMatch(UUID);
    expect(response.headers.get("x-switchboard-model-id")).toBe("claude-test");

    const received = anthropicRequestWith(mark);
    expect(received.path).toBe("/v1/messages");
    const sent = sentBodyWith(mark);
    expect(sent).toContain('"model":"claude-test"');
    expect(received.bodyText).toBe(sent.replace('"model":"claude-test"', '"model":"text"'));
    expect(received.body.service_tier).toBe("standard_only");
    expect(received.body.context_management).toEqual({ edits: [{ type: "clear_tool_uses_20250919", keep: { type: "tool_uses", value: 3 } }] });
    expect(received.body.messages[0].content[0].cache_control).toEqual({ type: "ephemeral", ttl: "5m" });
    expect(received.headers["x-api-key"]).toBe(UPSTREAM_KEY);
    expect(received.headers.authorization).toBeUndefined();
    expect(received.headers["anthropic-beta"]).toBe("context-management-2025-06-27");
    // The version the SDK speaks is the version the upstream is asked for.
    expect(received.headers["anthropic-version"]).toBe("2026-10-21");
    expect(JSON.stringify(received.headers)).not.toContain(`Bearer ${CLIENT_KEY}`);

    const [record] = (await recordsSettled(gateway, before + 1)).slice(before);
    expect(record).toMatchObject({ model: "claude-test", operation: "chat", stream: false, status: 200, outcome: "ok", deploymentId: "claude-test", provider: "anthropic", finishReason: "end_turn" });
    expect(record!.usage).toEqual({ input: TEXT_USAGE.input_tokens + TEXT_USAGE.cache_read_input_tokens, output: TEXT_USAGE.output_tokens, cacheRead: TEXT_USAGE.cache_read_input_tokens });
  });

  test("stream: finalMessage() equals the non-stream answer; one text delta per word; the upstream body is the client's", async () => {
    const mark = marker("fast-stream");
    const before = gateway.records.length;
    const stream = client.messages.stream({ model: "claude-test", max_tokens: 256, messages: user(mark) });
    const { events, error } = await drain(stream);
    expect(error).toBeUndefined();
    const message = await stream.finalMessage();

    expect(plain(message)).toEqual({
      id: MESSAGE_IDS.text,
      type: "message",
      role: "assistant",
      model: "text",
      content: [{ type: "text", text: TEXT_ANSWER }],
      stop_reason: "end_turn",
      stop_sequence: null,
      usage: TEXT_USAGE,
    });
    expect(deltasOf(events).text).toEqual([...TEXT_WORDS]);
    expect(events.map((e) => e.type)).toEqual([
      "message_start",
      "content_block_start",
      ...TEXT_WORDS.map(() => "content_block_delta" as const),
      "content_block_stop",
      "message_delta",
      "message_stop",
    ]);

    const received = anthropicRequestWith(mark);
    expect(received.body.stream).toBe(true);
    expect(received.bodyText).toBe(sentBodyWith(mark).replace('"model":"claude-test"', '"model":"text"'));
    expect(received.headers["x-api-key"]).toBe(UPSTREAM_KEY);
    expect(received.headers.accept).toBe("text/event-stream");

    const [record] = (await recordsSettled(gateway, before + 1)).slice(before);
    expect(record).toMatchObject({ model: "claude-test", stream: true, status: 200, outcome: "ok", finishReason: "end_turn" });
    expect(record!.usage).toEqual({ input: TEXT_USAGE.input_tokens + TEXT_USAGE.cache_read_input_tokens, output: TEXT_USAGE.output_tokens, cacheRead: TEXT_USAGE.cache_read_input_tokens });
  });

  const THINKING_MESSAGE = {
    id: MESSAGE_IDS.thinking,
    type: "message",
    role: "assistant",
    model: "thinking",
    content: [
      { type: "thinking", thinking: THINKING_TEXT, signature: THINKING_SIGNATURE },
      { type: "text", text: THINKING_ANSWER },
    ],
    stop_reason: "end_turn",
    stop_sequence: null,
    usage: THINKING_USAGE,
  };
  const THINKING_RECORD_USAGE = {
    input: THINKING_USAGE.input_tokens + THINKING_USAGE.cache_creation_input_tokens,
    output: THINKING_USAGE.output_tokens,
    cacheWrite: THINKING_USAGE.cache_creation_input_tokens,
  };

  test("thinking, non-stream: thinking block with its signature, then the text; cache write recorded", async () => {
    const mark = marker("thinking");
    const message = await client.messages.create({ model: "claude/thinking", max_tokens: 4096, thinking: { type: "enabled", budget_tokens: 2048 }, messages: user(mark) });
    expect(plain(message)).toEqual(THINKING_MESSAGE);
    const received = anthropicRequestWith(mark);
    expect(received.body.thinking).toEqual({ type: "enabled", budget_tokens: 2048 });
    expect(received.body.model).toBe("thinking");
    expect(lastRecordFor(gateway, "claude/thinking")).toMatchObject({ stream: false, status: 200, outcome: "ok", deploymentId: "claude/*", usage: THINKING_RECORD_USAGE });
  });

  test("thinking, stream: the signature survives, deltas reassemble, exact usage recorded", async () => {
    const mark = marker("thinking-stream");
    const before = gateway.records.length;
    const stream = client.messages.stream({ model: "claude/thinking", max_tokens: 4096, thinking: { type: "enabled", budget_tokens: 2048 }, messages: user(mark) });
    const { events, error } = await drain(stream);
    expect(error).toBeUndefined();
    expect(plain(await stream.finalMessage())).toEqual(THINKING_MESSAGE);
    expect(deltasOf(events).thinking.join("")).toBe(THINKING_TEXT);
    expect(events.filter((e) => e.type === "content_block_delta" && e.delta.type === "signature_delta").map((e) => (e as { delta: { signature: string } }).delta.signature)).toEqual([THINKING_SIGNATURE]);
    const [record] = (await recordsSettled(gateway, before + 1)).slice(before);
    expect(record).toMatchObject({ model: "claude/thinking", stream: true, outcome: "ok", finishReason: "end_turn", usage: THINKING_RECORD_USAGE });
  });

  test("a follow-up turn sends the thinking block and signature back byte for byte", async () => {
    const mark = marker("thinking-history");
    const params = {
      model: "claude/thinking",
      max_tokens: 4096,
      thinking: { type: "enabled", budget_tokens: 2048 },
      messages: [
        { role: "user", content: "What is 27 * 453?" },
        { role: "assistant", content: THINKING_MESSAGE.content },
        { role: "user", content: mark },
      ],
    } as MessageCreateParamsNonStreaming;
    await client.messages.create(params);
    const received = anthropicRequestWith(mark);
    expect(received.bodyText).toBe(sentBodyWith(mark).replace('"model":"claude/thinking"', '"model":"thinking"'));
    expect(received.body.messages[1].content[0]).toEqual({ type: "thinking", thinking: THINKING_TEXT, signature: THINKING_SIGNATURE });
  });

  test("a tool loop with thinking on: the streamed thinking block goes back with its signature and the upstream accepts the turn", async () => {
    const thinking = { type: "enabled", budget_tokens: 2048 } as const;
    const first = await client.messages.stream({ model: "claude/thinking-tools", max_tokens: 4096, thinking, tools: [WEATHER_TOOL], messages: user("weather in Paris?") }).finalMessage();
    expect<unknown>(first.content).toEqual([
      { type: "thinking", thinking: THINKING_TOOL_TEXT, signature: THINKING_TOOL_SIGNATURE },
      { type: "tool_use", id: THINKING_TOOL_USE_ID, name: "get_weather", input: TOOL_INPUTS[0] },
    ]);
    const mark = marker("thinking-tool-loop");
    const second = await client.messages.create({
      model: "claude/thinking",
      max_tokens: 4096,
      thinking,
      tools: [WEATHER_TOOL],
      messages: [
        { role: "user", content: "weather in Paris?" },
        { role: "assistant", content: first.content },
        { role: "user", content: [{ type: "tool_result", tool_use_id: THINKING_TOOL_USE_ID, content: mark }] },
      ],
    });
    expect(second.content.map((block) => block.type)).toEqual(["thinking", "text"]);
    expect(anthropicRequestWith(mark).body.messages[1].content[0]).toEqual({ type: "thinking", thinking: THINKING_TOOL_TEXT, signature: THINKING_TOOL_SIGNATURE });
  });

  const PARALLEL_TOOLS: Tool[] = [
    { name: "get_weather", description: "Weather for a city", input_schema: { type: "object", properties: { city: { type: "string" }, unit: { type: "string" } } } },
    { name: "get_time", input_schema: { type: "object", properties: { city: { type: "string" } } } },
  ];
  const parallelContent = (names: [string, string]) => [
    { type: "text", text: TOOLS_PREAMBLE },
    { type: "tool_use", id: TOOL_USE_IDS[0], name: names[0], input: TOOL_INPUTS[0] },
    { type: "tool_use", id: TOOL_USE_IDS[1], name: names[1], input: TOOL_INPUTS[1] },
  ];

  test("parallel tool calls, non-stream and stream: complete inputs, ids kept, stop_reason tool_use", async () => {
    const messages = user(marker("parallel"));
    const message = await client.messages.create({ model: "claude/tools", max_tokens: 512, tools: PARALLEL_TOOLS, messages });
    expect<unknown>(message.content).toEqual(parallelContent(["get_weather", "get_time"]));
    expect(message.stop_reason).toBe("tool_use");
    expect<unknown>(message.usage).toEqual(TOOLS_USAGE);

    const stream = client.messages.stream({ model: "claude/tools", max_tokens: 512, tools: PARALLEL_TOOLS, messages: user(marker("parallel-stream")) });
    const { events, error } = await drain(stream);
    expect(error).toBeUndefined();
    const final = await stream.finalMessage();
    expect<unknown>(final.content).toEqual(message.content);
    expect(final.stop_reason).toBe("tool_use");
    // Each call's input arrives as several input_json_delta fragments that join to its JSON.
    const { json } = deltasOf(events);
    expect([...json.keys()]).toEqual([1, 2]);
    for (const [index, input] of [[1, TOOL_INPUTS[0]], [2, TOOL_INPUTS[1]]] as const) {
      expect(json.get(index)!.filter((piece) => piece !== "").length).toBeGreaterThan(1);
      expect(JSON.parse(json.get(index)!.join(""))).toEqual(input);
    }
  });

  const ODD_TOOLS: Tool[] = [
    { name: "files.read", description: "Read a file", input_schema: { type: "object", properties: { path: { type: "string" } } } },
    { name: "actions/download-job-logs", input_schema: { type: "object", properties: { job: { type: "integer" } } } },
  ];

  test("tool names Anthropic rejects reach the upstream sanitised and come back as the client sent them (non-stream)", async () => {
    const mark = marker("names");
    const message = await client.messages.create({ model: "claude/tools", max_tokens: 512, tools: ODD_TOOLS, tool_choice: { type: "auto" }, messages: user(mark) });
    expect<unknown>(message.content).toEqual(parallelContent(["files.read", "actions/download-job-logs"]));
    const received = anthropicRequestWith(mark);
    expect(received.body.tools.map((tool: { name: string }) => tool.name)).toEqual(["files_read", "actions_download-job-logs"]);
    // Everything else in each tool, and the rest of the body, is as sent.
    expect(received.body.tools).toEqual([
      { ...ODD_TOOLS[0], name: "files_read" },
      { ...ODD_TOOLS[1], name: "actions_download-job-logs" },
    ]);
    const sent = JSON.parse(sentBodyWith(mark));
    expect({ ...received.body, tools: sent.tools }).toEqual({ ...sent, model: "tools" });
    expect(received.bodyText).not.toContain("files.read");
  });

  test("tool names come back as the client sent them when streaming too", async () => {
    const mark = marker("names-stream");
    const stream = client.messages.stream({ model: "claude/tools", max_tokens: 512, tools: ODD_TOOLS, messages: user(mark) });
    const { events, error } = await drain(stream);
    expect(error).toBeUndefined();
    expect<unknown>((await stream.finalMessage()).content).toEqual(parallelContent(["files.read", "actions/download-job-logs"]));
    const starts = events.filter((e) => e.type === "content_block_start" && e.content_block.type === "tool_use").map((e) => (e as { content_block: { name: string } }).content_block.name);
    expect(starts).toEqual(["files.read", "actions/download-job-logs"]);
    expect(anthropicRequestWith(mark).body.tools.map((tool: { name: string }) => tool.name)).toEqual(["files_read", "actions_download-job-logs"]);
  });

  test("a renamed tool in the history and a named tool_choice are sanitised as well", async () => {
    const mark = marker("names-history");
    const message = await client.messages.create({
      model: "claude/json",
      max_tokens: 512,
      tools: ODD_TOOLS,
      tool_choice: { type: "tool", name: "files.read" },
      messages: [
        { role: "user", content: "read it" },
        { role: "assistant", content: [{ type: "tool_use", id: "toolu_01Hist0000000000000000001", name: "files.read", input: { path: "/a" } }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_01Hist0000000000000000001", content: "hello" }, { type: "text", text: mark }] },
      ],
    });
    const received = anthropicRequestWith(mark);
    expect(received.body.tool_choice).toEqual({ type: "tool", name: "files_read" });
    expect(received.body.messages[1].content[0].name).toBe("files_read");
    expect<unknown>(message.content).toEqual([{ type: "tool_use", id: "toolu_01JsonAnswer0000000000001", name: "files.read", input: { answer: 42, unit: "none" } }]);
  });

  test("count_tokens is forwarded: exact count, the server's key, the body as sent except model", async () => {
    const mark = marker("count");
    const params = { model: "claude-test", system: "be brief", messages: user(`count ${mark}`), tools: [WEATHER_TOOL] };
    const before = gateway.records.length;
    const counted = await client.messages.countTokens(params);
    // "be brief" (2) + "count", the label, "#n", the uuid (4) + 3 per message + 10 per tool
    expect(counted).toEqual({ input_tokens: 2 + 4 + 3 + 10 });
    expect(counted.input_tokens).toBe(countTokens(params));
    const received = anthropicRequestWith(mark);
    expect(received.path).toBe("/v1/messages/count_tokens");
    expect(received.bodyText).toBe(sentBodyWith(mark).replace('"model":"claude-test"', '"model":"text"'));
    expect(received.headers["x-api-key"]).toBe(UPSTREAM_KEY);
    const [record] = (await recordsSettled(gateway, before + 1)).slice(before);
    expect(record).toMatchObject({ model: "claude-test", operation: "count_tokens", status: 200, outcome: "ok", provider: "anthropic" });
  });

  test("count_tokens the upstream rejects comes back as the upstream's 400", async () => {
    const error = await thrown(() =>
      client.messages.countTokens({ model: "claude-test", tool_choice: { type: "any" }, messages: [{ role: "user", content: "hi" }] }),
    );
    expect(error).toBeInstanceOf(AnthropicBadRequestError);
    expect(error.error.error.type).toBe("invalid_request_error");
    expect(error.error.error.message).toContain("tool_choice may only be specified while providing tools");
  });
});

describe("Anthropic SDK -> OpenAI-format model (translated)", () => {
  test("mock/echo, non-stream: Anthropic message with exact usage", async () => {
    const before = gateway.records.length;
    const message = await client.messages.create({ model: "mock/echo", max_tokens: 64, system: "be brief", messages: user("hello there world") });
    expect(plain(message)).toEqual({
      id: expect.stringMatching(/^msg_chatcmpl_mock_[0-9a-z]{12}$/),
      type: "message",
      role: "assistant",
      model: "mock/echo",
      content: [{ type: "text", text: "Echo: hello there world" }],
      stop_reason: "end_turn",
      stop_sequence: null,
      // prompt: "be brief" (2) + "hello there world" (3); completion: "Echo: hello there world" (4)
      usage: { input_tokens: 5, output_tokens: 4, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    });
    const [record] = (await recordsSettled(gateway, before + 1)).slice(before);
    expect(record).toMatchObject({ model: "mock/echo", stream: false, status: 200, outcome: "ok", provider: "mock", finishReason: "stop", usage: { input: 5, output: 4 } });
  });

  test("mock/echo, stream: one text delta per word; finalMessage() equals the non-stream answer", async () => {
    const params = { model: "mock/echo", max_tokens: 64, system: "be brief", messages: user("stream these four words") };
    const plainAnswer = await client.messages.create(params);
    const before = gateway.records.length;
    const stream = client.messages.stream(params);
    const { events, error } = await drain(stream);
    expect(error).toBeUndefined();
    const final = await stream.finalMessage();
    expect(plain(final)).toEqual(plain(plainAnswer));
    expect<unknown>(final.usage).toEqual({ input_tokens: 6, output_tokens: 5, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
    expect(deltasOf(events).text).toEqual(["Echo:", " stream", " these", " four", " words"]);
    expect(events[0]!.type).toBe("message_start");
    expect(events.at(-1)!.type).toBe("message_stop");
    const [record] = (await recordsSettled(gateway, before + 1)).slice(before);
    expect(record).toMatchObject({ model: "mock/echo", stream: true, status: 200, outcome: "ok", finishReason: "stop", usage: { input: 6, output: 5 } });
  });

  // What the mock fills in from the schema: strings get the user text, integers 1, enums their first value.
  const MOCK_INPUT = { city: "weather in Paris", days: 1, unit: "celsius" };

  test("mock/tool-call, non-stream: a tool_use block whose input is the complete object", async () => {
    const message = await client.messages.create({ model: "mock/tool-call", max_tokens: 64, tools: [WEATHER_TOOL], messages: user("weather in Paris") });
    expect(message.stop_reason).toBe("tool_use");
    expect<unknown>(message.content).toEqual([{ type: "tool_use", id: expect.stringMatching(/^call_[0-9a-z]{12}$/), name: "get_weather", input: MOCK_INPUT }]);
  });

  test("mock/tool-call, stream: input streamed as input_json_delta fragments; the final block holds the complete input", async () => {
    const params = { model: "mock/tool-call", max_tokens: 64, tools: [WEATHER_TOOL], messages: user("weather in Paris") };
    const plainAnswer = await client.messages.create(params);
    const stream = client.messages.stream(params);
    const { events, error } = await drain(stream);
    expect(error).toBeUndefined();
    const final = await stream.finalMessage();
    expect<unknown>(final.content).toEqual(plainAnswer.content);
    expect(final.stop_reason).toBe("tool_use");
    const pieces = deltasOf(events).json.get(0)!;
    expect(pieces.length).toBeGreaterThan(1);
    expect(JSON.parse(pieces.join(""))).toEqual(MOCK_INPUT);
  });

  test("an OpenAI-wire upstream streaming a tool call: tool_use with the complete input, exact usage, the upstream's key", async () => {
    const mark = marker("openai-upstream");
    const stream = client.messages.stream({ model: "gpt-up/tool", max_tokens: 128, tools: [WEATHER_TOOL], messages: user(mark) });
    const { events, error } = await drain(stream);
    expect(error).toBeUndefined();
    const final = await stream.finalMessage();
    expect(final.model).toBe("gpt-up/tool");
    expect<unknown>(final.content).toEqual([{ type: "tool_use", id: TOOL_CALL.id, name: TOOL_CALL.name, input: JSON.parse(TOOL_CALL.arguments) }]);
    expect(final.stop_reason).toBe("tool_use");
    expect<unknown>(final.usage).toEqual({ input_tokens: TOOL_USAGE.prompt_tokens, output_tokens: TOOL_USAGE.completion_tokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
    expect(deltasOf(events).json.get(0)!.join("")).toBe(TOOL_CALL.arguments);

    const received = upstream.requests.filter((r) => r.bodyText.includes(mark));
    expect(received).toHaveLength(1);
    expect(received[0]!.invalid).toBeUndefined();
    expect(received[0]!.path).toBe("/v1/chat/completions");
    expect(received[0]!.headers.authorization).toBe(`Bearer ${OPENAI_UPSTREAM_KEY}`);
    expect(received[0]!.body).toMatchObject({ model: "tool", stream: true, stream_options: { include_usage: true }, max_completion_tokens: 128 });
    expect(received[0]!.body.tools).toEqual([{ type: "function", function: { name: "get_weather", description: "Weather for a city", parameters: WEATHER_TOOL.input_schema } }]);
  });

  test("count_tokens for an OpenAI-format model: 400 in Anthropic's shape naming the limitation", async () => {
    const error = await thrown(() => client.messages.countTokens({ model: "mock/echo", messages: user("hi") }));
    expect(error).toBeInstanceOf(AnthropicBadRequestError);
    expect(error.status).toBe(400);
    expect(error.error).toEqual({ type: "error", error: { type: "invalid_request_error", message: "Token counting is not available for 'mock/echo': Mock provider has no token-counting API." } });
    expect(lastRecordFor(gateway, "mock/echo")).toMatchObject({ operation: "count_tokens", status: 400, outcome: "error", errorCode: "caller.invalid_request" });
  });
});

describe("errors in Anthropic's shape through the SDK", () => {
  test("unknown model -> NotFoundError, not_found_error", async () => {
    const error = await thrown(() => client.messages.create({ model: "no-such-model", max_tokens: 16, messages: user("hi") }));
    expect(error).toBeInstanceOf(AnthropicNotFoundError);
    expect(error.status).toBe(404);
    expect(error.type).toBe("not_found_error");
    expect(error.error).toEqual({
      type: "error",
      error: { type: "not_found_error", message: "The model 'no-such-model' does not exist on this gateway. GET /v1/models lists the models you can use." },
    });
    expect(error.headers.get("x-switchboard-call-id")).toMatch(UUID);
  });

  test("missing max_tokens -> BadRequestError naming the field; nothing reaches the upstream", async () => {
    const mark = marker("no-max-tokens");
    const error = await thrown(() => client.messages.create({ model: "claude-test", messages: user(mark) } as unknown as MessageCreateParamsNonStreaming));
    expect(error).toBeInstanceOf(AnthropicBadRequestError);
    expect(error.status).toBe(400);
    expect(error.type).toBe("invalid_request_error");
    expect(error.error).toEqual({ type: "error", error: { type: "invalid_request_error", message: "Missing required field 'max_tokens' (expected required property)." } });
    expect(mock.requests.filter((r) => r.bodyText.includes(mark))).toEqual([]);
  });

  test("upstream 429 -> RateLimitError with retry-after and the rate-limit headers", async () => {
    const error = await thrown(() => client.messages.create({ model: "claude/error-429", max_tokens: 16, messages: user("hi") }));
    expect(error).toBeInstanceOf(AnthropicRateLimitError);
    expect(error.status).toBe(429);
    expect(error.type).toBe("rate_limit_error");
    expect(error.headers.get("retry-after")).toBe("7");
    expect(error.headers.get("anthropic-ratelimit-requests-remaining")).toBe("0");
    expect(error.error).toEqual({ type: "error", error: { type: "rate_limit_error", message: `Anthropic returned 429 (rate_limit_error): ${RATE_LIMIT_MESSAGE}` } });
    expect(lastRecordFor(gateway, "claude/error-429")).toMatchObject({ status: 429, outcome: "error", errorCode: "provider.rate_limited" });
  });

  test("upstream 529 -> status 529 overloaded_error (streaming request too)", async () => {
    for (const stream of [false, true]) {
      const error = await thrown(async () => {
        const answer = await client.messages.create({ model: "claude/error-529", max_tokens: 16, messages: user("hi"), stream });
        if (stream) for await (const _ of answer as AsyncIterable<unknown>);
      });
      expect(error).toBeInstanceOf(OverloadedError);
      expect(error.status).toBe(529);
      expect(error.type).toBe("overloaded_error");
      expect(error.error).toEqual({ type: "error", error: { type: "overloaded_error", message: "Anthropic returned 529 (overloaded_error): Overloaded" } });
    }
  });

  test("with a master key: missing or wrong key -> AuthenticationError; the right key works and never reaches the upstream", async () => {
    const wrong = new Anthropic({ baseURL: guarded.origin, apiKey: "sk-wrong-key", maxRetries: 0 });
    const error = await thrown(() => wrong.messages.create({ model: "claude-test", max_tokens: 16, messages: user("hi") }));
    expect(error).toBeInstanceOf(AnthropicAuthenticationError);
    expect(error.status).toBe(401);
    expect(error.error).toEqual({ type: "error", error: { type: "authentication_error", message: "Invalid API key." } });

    const missing = await fetch(`${guarded.origin}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ model: "claude-test", max_tokens: 16, messages: user("hi") }),
    });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ type: "error", error: { type: "authentication_error", message: expect.stringContaining("Missing API key") } });

    // Claude Code's way: the master key in x-api-key.
    const mark = marker("master-key");
    const viaHeader = new Anthropic({ baseURL: guarded.origin, apiKey: null, defaultHeaders: { "x-api-key": MASTER_KEY }, maxRetries: 0 });
    const message = await viaHeader.messages.create({ model: "claude-test", max_tokens: 16, messages: user(mark) });
    expect<unknown>(message.content).toEqual([{ type: "text", text: TEXT_ANSWER }]);
    const received = anthropicRequestWith(mark);
    expect(received.headers["x-api-key"]).toBe(UPSTREAM_KEY);
    expect(JSON.stringify(received.headers)).not.toContain(MASTER_KEY);

    const bearer = new Anthropic({ baseURL: guarded.origin, apiKey: MASTER_KEY, maxRetries: 0 });
    const mark2 = marker("master-bearer");
    await bearer.messages.create({ model: "claude-test", max_tokens: 16, messages: user(mark2) });
    expect(JSON.stringify(anthropicRequestWith(mark2).headers)).not.toContain(MASTER_KEY);
  });

  test("an error event mid-stream: the SDK stream throws the upstream's error after the partial text, nothing duplicated", async () => {
    const before = gateway.records.length;
    const stream = client.messages.stream({ model: "claude/error-event", max_tokens: 64, messages: user(marker("error-event")) });
    const { events, error } = await drain(stream);
    expect(events.map((e) => e.type)).toEqual(["message_start", "content_block_start", "content_block_delta"]);
    expect(deltasOf(events).text).toEqual(["Partial"]);
    expect(error).toBeInstanceOf(AnthropicAPIError);
    expect((error as AnthropicAPIError).type).toBe("overloaded_error");
    // The gateway's own error event (its message redacted like every upstream error text), not the upstream's as sent.
    const overloaded = { type: "error", error: { type: "overloaded_error", message: "Anthropic sent an error mid-stream (overloaded_error): Overloaded" } };
    expect((error as AnthropicAPIError).error).toEqual(overloaded);
    const [record] = (await recordsSettled(gateway, before + 1)).slice(before);
    expect(record).toMatchObject({ model: "claude/error-event", stream: true, status: 200, outcome: "error", errorCode: "provider.overloaded" });

    // On the wire: the upstream's frames once each, one error event, and nothing after it.
    const response = await fetch(`${gateway.origin}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": CLIENT_KEY, "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ model: "claude/error-event", max_tokens: 64, stream: true, messages: user(marker("error-event-raw")) }),
    });
    const text = await response.text();
    expect(text.match(/^event: .+$/gm)).toEqual(["event: message_start", "event: content_block_start", "event: content_block_delta", "event: error"]);
    expect(JSON.parse(sseData(text).at(-1)!)).toEqual(overloaded);
  });

  test("a translated model's upstream breaking mid-stream: the partial text, then one Anthropic error event and nothing after it", async () => {
    const before = gateway.records.length;
    const stream = client.messages.stream({ model: "mock/fail-mid-stream", max_tokens: 64, messages: user("one two three four") });
    const { events, error } = await drain(stream);
    expect(events.map((e) => e.type)).toEqual(["message_start", "content_block_start", "content_block_delta", "content_block_delta"]);
    expect(deltasOf(events).text).toEqual(["Echo:", " one"]);
    expect(error).toBeInstanceOf(AnthropicAPIError);
    expect((error as AnthropicAPIError).error).toEqual({
      type: "error",
      error: { type: "api_error", message: "Lost the connection to Mock provider (deployment mock/fail-mid-stream): mock upstream: connection reset" },
    });
    const [record] = (await recordsSettled(gateway, before + 1)).slice(before);
    expect(record).toMatchObject({ model: "mock/fail-mid-stream", stream: true, status: 200, outcome: "error", errorCode: "provider.unreachable" });
  });
});

describe("OpenAI SDK -> Anthropic model (translated)", () => {
  test("non-stream text: content, finish reason, usage with cache read counted in prompt_tokens", async () => {
    const mark = marker("openai-text");
    const completion = await openai.chat.completions.create({ model: "claude-test", messages: [{ role: "system", content: "be brief" }, { role: "user", content: mark }] });
    expect(completion.object).toBe("chat.completion");
    expect(completion.model).toBe("claude-test");
    expect<unknown>(completion.choices).toEqual([{ index: 0, message: { role: "assistant", content: TEXT_ANSWER, refusal: null }, logprobs: null, finish_reason: "stop" }]);
    expect(completion.usage).toEqual({
      prompt_tokens: TEXT_USAGE.input_tokens + TEXT_USAGE.cache_read_input_tokens,
      completion_tokens: TEXT_USAGE.output_tokens,
      total_tokens: TEXT_USAGE.input_tokens + TEXT_USAGE.cache_read_input_tokens + TEXT_USAGE.output_tokens,
      prompt_tokens_details: { cached_tokens: TEXT_USAGE.cache_read_input_tokens },
    });
    const received = anthropicRequestWith(mark);
    expect(received.body).toEqual({ model: "text", max_tokens: 4096, system: [{ type: "text", text: "be brief" }], messages: [{ role: "user", content: [{ type: "text", text: mark }] }] });
    expect(received.headers["x-api-key"]).toBe(UPSTREAM_KEY);
    expect(received.headers["anthropic-version"]).toBe("2023-06-01");
  });

  test("thinking -> reasoning_content; cache creation counted in prompt_tokens and kept as its own field", async () => {
    const mark = marker("openai-thinking");
    const completion = await openai.chat.completions.create({ model: "claude/thinking", reasoning_effort: "low", messages: [{ role: "user", content: mark }] });
    const message = completion.choices[0]!.message as typeof completion.choices[0]["message"] & { reasoning_content?: string };
    expect(message.content).toBe(THINKING_ANSWER);
    expect(message.reasoning_content).toBe(THINKING_TEXT);
    expect<unknown>(completion.usage).toEqual({
      prompt_tokens: THINKING_USAGE.input_tokens + THINKING_USAGE.cache_creation_input_tokens,
      completion_tokens: THINKING_USAGE.output_tokens,
      total_tokens: THINKING_USAGE.input_tokens + THINKING_USAGE.cache_creation_input_tokens + THINKING_USAGE.output_tokens,
      prompt_tokens_details: { cached_tokens: 0, cache_creation_tokens: THINKING_USAGE.cache_creation_input_tokens },
    });
    expect(anthropicRequestWith(mark).body.thinking).toEqual({ type: "enabled", budget_tokens: 1024 });

    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of await openai.chat.completions.create({ model: "claude/thinking", reasoning_effort: "low", messages: [{ role: "user", content: marker("openai-thinking-stream") }], stream: true })) chunks.push(chunk);
    const deltas = chunks.map((c) => c.choices[0]?.delta as ({ reasoning_content?: string; content?: string | null } | undefined));
    expect(deltas.map((d) => d?.reasoning_content ?? "").join("")).toBe(THINKING_TEXT);
    expect(deltas.map((d) => d?.content ?? "").join("")).toBe(THINKING_ANSWER);
  });

  test("a tool loop with reasoning on: the client sends the assistant message back as received, and Anthropic gets its signed thinking block", async () => {
    // Anthropic requires the assistant turn whose tool calls are being answered to start with its
    // signed thinking block while thinking is on (the mock enforces it). An OpenAI client can only
    // send back what the gateway gave it, so the signature must travel in that message.
    const weather: ChatCompletionTool[] = [{ type: "function", function: { name: "get_weather", parameters: WEATHER_TOOL.input_schema } }];
    const first = await openai.chat.completions.create({ model: "claude/thinking-tools", reasoning_effort: "low", tools: weather, messages: [{ role: "user", content: "weather in Paris?" }] });
    const assistant = first.choices[0]!.message;
    expect((assistant as typeof assistant & { reasoning_content?: string }).reasoning_content).toBe(THINKING_TOOL_TEXT);
    expect(assistant.tool_calls!.map((call) => call.id)).toEqual([THINKING_TOOL_USE_ID]);

    const mark = marker("openai-thinking-tool-loop");
    const second = await thrownOrValue(() =>
      openai.chat.completions.create({
        model: "claude/thinking",
        reasoning_effort: "low",
        tools: weather,
        messages: [
          { role: "user", content: "weather in Paris?" },
          assistant,
          { role: "tool", tool_call_id: THINKING_TOOL_USE_ID, content: mark },
        ],
      }),
    );
    const received = mock.requests.filter((r) => r.bodyText.includes(mark));
    expect(received.map((r) => r.invalid)).toEqual([undefined]);
    expect(received[0]!.body.messages[1].content[0]).toEqual({ type: "thinking", thinking: THINKING_TOOL_TEXT, signature: THINKING_TOOL_SIGNATURE });
    expect(second.error).toBeUndefined();
  });

  const tools: ChatCompletionTool[] = [
    { type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" }, unit: { type: "string" } } } } },
    { type: "function", function: { name: "get_time", parameters: { type: "object", properties: { city: { type: "string" } } } } },
  ];

  test("stream with parallel tool calls: dense indexes 0 and 1, ids and names first, arguments that parse; the usage chunk when asked", async () => {
    const before = gateway.records.length;
    const chunks: ChatCompletionChunk[] = [];
    const stream = await openai.chat.completions.create({ model: "claude/tools", messages: [{ role: "user", content: marker("openai-tools") }], tools, stream: true, stream_options: { include_usage: true } });
    for await (const chunk of stream) chunks.push(chunk);

    expect(chunks.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe(TOOLS_PREAMBLE);
    const calls = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(calls.filter((c) => c.id !== undefined).map((c) => [c.index, c.id, c.function?.name])).toEqual([
      [0, TOOL_USE_IDS[0], "get_weather"],
      [1, TOOL_USE_IDS[1], "get_time"],
    ]);
    expect([...new Set(calls.map((c) => c.index))]).toEqual([0, 1]);
    for (const index of [0, 1]) {
      const args = calls.filter((c) => c.index === index).map((c) => c.function?.arguments ?? "").join("");
      expect(JSON.parse(args)).toEqual(TOOL_INPUTS[index]!);
    }
    const finish = chunks.filter((c) => c.choices[0]?.finish_reason);
    expect(finish.map((c) => c.choices[0]!.finish_reason)).toEqual(["tool_calls"]);
    const usageChunks = chunks.filter((c) => c.usage != null);
    expect(usageChunks).toHaveLength(1);
    expect(chunks.at(-1)).toBe(usageChunks[0]!);
    expect(usageChunks[0]!.choices).toEqual([]);
    expect(usageChunks[0]!.usage).toEqual({ prompt_tokens: TOOLS_USAGE.input_tokens, completion_tokens: TOOLS_USAGE.output_tokens, total_tokens: TOOLS_USAGE.input_tokens + TOOLS_USAGE.output_tokens });

    const [record] = (await recordsSettled(gateway, before + 1)).slice(before);
    expect(record).toMatchObject({ model: "claude/tools", stream: true, status: 200, outcome: "ok", provider: "anthropic", usage: { input: TOOLS_USAGE.input_tokens, output: TOOLS_USAGE.output_tokens } });
  });

  test("tool names Anthropic rejects: sanitised upstream, the client's names in the stream", async () => {
    const mark = marker("openai-names");
    const odd: ChatCompletionTool[] = [
      { type: "function", function: { name: "files.read", parameters: { type: "object", properties: { path: { type: "string" } } } } },
      { type: "function", function: { name: "actions/download-job-logs", parameters: { type: "object", properties: {} } } },
    ];
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of await openai.chat.completions.create({ model: "claude/tools", messages: [{ role: "user", content: mark }], tools: odd, stream: true })) chunks.push(chunk);
    const names = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []).filter((c) => c.function?.name).map((c) => c.function!.name);
    expect(names).toEqual(["files.read", "actions/download-job-logs"]);
    expect(anthropicRequestWith(mark).body.tools.map((tool: { name: string }) => tool.name)).toEqual(["files_read", "actions_download-job-logs"]);
  });

  test("upstream 429 -> RateLimitError with retry-after", async () => {
    const error = await thrown(() => openai.chat.completions.create({ model: "claude/error-429", messages: [{ role: "user", content: "hi" }] }));
    expect(error).toBeInstanceOf(OpenAIRateLimitError);
    expect(error.status).toBe(429);
    expect(error.headers.get("retry-after")).toBe("7");
    expect(error.error).toEqual({ message: `Anthropic returned 429 (rate_limit_error): ${RATE_LIMIT_MESSAGE}`, type: "rate_limit_error", param: null, code: "rate_limited" });
  });

  test("an error event mid-stream -> an APIError during iteration, after the partial text", async () => {
    const stream = await openai.chat.completions.create({ model: "claude/error-event", messages: [{ role: "user", content: "hi" }], stream: true });
    const { events, error } = await drain(stream);
    expect(events.map((c) => c.choices[0]?.delta.content ?? "").join("")).toBe("Partial");
    expect(events.some((c) => c.choices[0]?.finish_reason)).toBe(false);
    expect(error).toBeInstanceOf(OpenAIAPIError);
    expect((error as OpenAIAPIError).error).toEqual({ message: "Anthropic sent an error mid-stream (overloaded_error): Overloaded", type: "api_error", param: null, code: "overloaded" });
  });
});

describe("client disconnects", () => {
  /** Opens a stream, reads up to its first delta, aborts, and waits (at most 500 ms) for the upstream to notice. */
  async function abortMidStream(url: string, headers: Record<string, string>, body: unknown, upstreamAborted: () => boolean): Promise<boolean> {
    const controller = new AbortController();
    const response = await fetch(url, { method: "POST", headers, body: JSON.stringify(body), signal: controller.signal });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let received = "";
    while (!received.includes("event: content_block_delta")) {
      const { done, value } = await reader.read();
      if (done) throw new Error(`the stream ended before its first delta: ${received}`);
      received += decoder.decode(value, { stream: true });
    }
    expect(received.startsWith("event: message_start\n")).toBe(true);
    controller.abort();
    return waitFor(upstreamAborted, 500);
  }

  test("/v1/messages to an Anthropic model (fast path): the upstream is aborted within 500 ms", async () => {
    const mark = marker("abort-fast");
    const before = gateway.records.length;
    const aborted = await abortMidStream(
      `${gateway.origin}/v1/messages`,
      { "content-type": "application/json", "x-api-key": CLIENT_KEY, "anthropic-version": "2023-06-01" },
      { model: "claude/stall", max_tokens: 64, stream: true, messages: user(mark) },
      () => mock.aborted.some((r) => r.bodyText.includes(mark)),
    );
    expect(aborted).toBe(true);
    const [record] = (await recordsSettled(gateway, before + 1)).slice(before);
    expect(record).toMatchObject({ model: "claude/stall", stream: true, outcome: "cancelled" });
  });

  test("/v1/messages to an OpenAI-format model (translated): the upstream is aborted within 500 ms", async () => {
    const mark = marker("abort-translated");
    const aborted = await abortMidStream(
      `${gateway.origin}/v1/messages`,
      { "content-type": "application/json", "x-api-key": CLIENT_KEY, "anthropic-version": "2023-06-01" },
      { model: "gpt-up/stall", max_tokens: 64, stream: true, messages: user(mark) },
      () => upstream.aborted.some((r) => r.bodyText.includes(mark)),
    );
    expect(aborted).toBe(true);
  });
});
