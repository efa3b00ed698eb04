/**
 * Tool names an OpenAI-wire upstream rejects (outside `^[a-zA-Z0-9_-]{1,64}$`: dotted, slashed, or
 * 65-128 characters, which Anthropic clients may send) through the official SDKs, both client
 * dialects, buffered and streamed. The OpenAI-wire mock (test/support/mock-upstream.ts) rejects
 * such a name wherever OpenAI does and calls back the tools it was offered by the names it received,
 * so the client must see its own names restored.
 */
import Anthropic from "@anthropic-ai/sdk";
import type { Tool } from "@anthropic-ai/sdk/resources/messages";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import type { ChatCompletionTool } from "openai/resources/chat/completions";
import type { Config } from "../../src/config/schema.ts";
import { startGateway, type TestGateway } from "../support/build-test-app.ts";
import { startMockUpstream, TOOL_CALL, type MockUpstream, type RecordedRequest } from "../support/mock-upstream.ts";

const UPSTREAM_KEY = "sk-openai-upstream-secret-0987654321";
const CLIENT_KEY = "x";

/** Valid for Anthropic (and so sent by Anthropic clients), rejected by OpenAI: 90 characters. */
const LONG = `mcp__github-enterprise__list_workflow_runs_for_repository_with_filters_and_${"p".repeat(15)}`;
const DOTTED = "files.read";
const SLASHED = "actions/download-job-logs";
const PLAIN = "get_weather";
const NAMES = [LONG, DOTTED, SLASHED, PLAIN];
const OPENAI_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

let upstream: MockUpstream;
let gateway: TestGateway;
let anthropic: Anthropic;
let openai: OpenAI;

beforeAll(async () => {
  upstream = await startMockUpstream();
  const config: Config = {
    models: [{ model_name: "gpt-up/*", model: "openai/*", api_base: upstream.url, api_key: UPSTREAM_KEY }],
    router: { num_retries: 0 },
  };
  gateway = await startGateway(config);
  anthropic = new Anthropic({ baseURL: gateway.origin, apiKey: CLIENT_KEY, maxRetries: 0 });
  openai = new OpenAI({ baseURL: gateway.baseURL, apiKey: CLIENT_KEY, maxRetries: 0 });
});

afterAll(async () => {
  await gateway?.stop();
  await upstream?.stop();
});

let seq = 0;
/** A unique user message, so a test can find exactly its own upstream request. */
const marker = (label: string) => `${label} #${++seq} ${crypto.randomUUID()}`;

/** The one upstream request carrying `mark`; fails with the mock's reason if it was rejected. */
function upstreamRequestWith(mark: string): RecordedRequest {
  const found = upstream.requests.filter((r) => r.bodyText.includes(mark));
  if (found.length !== 1) throw new Error(`expected exactly one upstream request with '${mark}', got ${found.length}`);
  const request = found[0]!;
  if (request.invalid !== undefined) throw new Error(`the mock rejected the gateway's request: ${request.invalid}`);
  return request;
}

/** The function names of an upstream body's `tools`. */
const upstreamToolNames = (body: any): string[] => body.tools.map((tool: any) => tool.function.name);

const schema = { type: "object" as const, properties: { path: { type: "string" } } };
const anthropicTools: Tool[] = NAMES.map((name) => ({ name, description: `the ${name} tool`, input_schema: schema }));
const openAITools: ChatCompletionTool[] = NAMES.map((name) => ({ type: "function", function: { name, description: `the ${name} tool`, parameters: schema } }));

describe("Anthropic SDK -> OpenAI-wire model (translated)", () => {
  test("buffered: names OpenAI rejects go up valid and unique, and the tool_use blocks carry the client's names", async () => {
    const mark = marker("anthropic-buffered");
    const message = await anthropic.messages.create({ model: "gpt-up/each-tool", max_tokens: 128, tools: anthropicTools, messages: [{ role: "user", content: mark }] });
    const sent = upstreamToolNames(upstreamRequestWith(mark).body);
    expect(sent.every((name) => OPENAI_NAME.test(name))).toBe(true);
    expect(new Set(sent).size).toBe(NAMES.length);
    expect(sent).toEqual([LONG.slice(0, 64), "files_read", "actions_download-job-logs", PLAIN]);
    expect(message.content.map((block) => (block.type === "tool_use" ? block.name : block.type))).toEqual(NAMES);
    expect(message.stop_reason).toBe("tool_use");
  });

  test("streamed: every content_block_start and the final message carry the client's names", async () => {
    const mark = marker("anthropic-stream");
    const stream = anthropic.messages.stream({ model: "gpt-up/each-tool", max_tokens: 128, tools: anthropicTools, messages: [{ role: "user", content: mark }] });
    const starts: string[] = [];
    for await (const event of stream) if (event.type === "content_block_start" && event.content_block.type === "tool_use") starts.push(event.content_block.name);
    expect(starts).toEqual(NAMES);
    expect((await stream.finalMessage()).content.map((block) => (block.type === "tool_use" ? block.name : block.type))).toEqual(NAMES);
    upstreamRequestWith(mark);
  });

  test("a named tool_choice and earlier tool_use blocks in the history are renamed the same way", async () => {
    const mark = marker("anthropic-history");
    const message = await anthropic.messages.create({
      model: "gpt-up/tool",
      max_tokens: 128,
      tools: [anthropicTools[0]!, anthropicTools[1]!],
      tool_choice: { type: "tool", name: LONG },
      messages: [
        { role: "user", content: "read it" },
        { role: "assistant", content: [{ type: "tool_use", id: "toolu_01Hist0000000000000000001", name: DOTTED, input: { path: "/a" } }] },
        { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_01Hist0000000000000000001", content: "hello" }, { type: "text", text: mark }] },
      ],
    });
    const body = upstreamRequestWith(mark).body;
    expect(body.tool_choice).toEqual({ type: "function", function: { name: LONG.slice(0, 64) } });
    expect(body.messages[1].tool_calls[0].function.name).toBe("files_read");
    expect<unknown>(message.content).toEqual([{ type: "tool_use", id: TOOL_CALL.id, name: LONG, input: JSON.parse(TOOL_CALL.arguments) }]);
  });
});

describe("OpenAI SDK -> OpenAI-wire model (same-format fast path)", () => {
  test("buffered: only `tools` is rewritten (the rest of the body byte for byte), and the tool_calls carry the client's names", async () => {
    const mark = marker("openai-buffered");
    const request = { model: "gpt-up/each-tool", messages: [{ role: "user" as const, content: mark }], tools: openAITools, temperature: 0.5 };
    const answer = await openai.chat.completions.create(request);
    const received = upstreamRequestWith(mark);
    expect(upstreamToolNames(received.body)).toEqual([LONG.slice(0, 64), "files_read", "actions_download-job-logs", PLAIN]);
    const { tools: _tools, ...rest } = received.body;
    expect(rest).toEqual({ model: "each-tool", messages: request.messages, temperature: 0.5 });
    expect(received.body.tools.map((tool: any) => tool.function.description)).toEqual(NAMES.map((name) => `the ${name} tool`));
    expect(answer.choices[0]!.message.tool_calls!.map((call) => (call.type === "function" ? call.function.name : call.type))).toEqual(NAMES);
    expect(answer.choices[0]!.finish_reason).toBe("tool_calls");
  });

  test("streamed: the tool-call chunks carry the client's names; arguments and ids are relayed as sent", async () => {
    const mark = marker("openai-stream");
    const stream = await openai.chat.completions.create({ model: "gpt-up/each-tool", messages: [{ role: "user", content: mark }], tools: openAITools, stream: true });
    const calls = new Map<number, { id?: string; name: string; args: string }>();
    for await (const chunk of stream) {
      for (const call of chunk.choices[0]?.delta.tool_calls ?? []) {
        const entry = calls.get(call.index) ?? { name: "", args: "" };
        if (call.id) entry.id = call.id;
        entry.name += call.function?.name ?? "";
        entry.args += call.function?.arguments ?? "";
        calls.set(call.index, entry);
      }
    }
    expect([...calls.values()]).toEqual(NAMES.map((name, i) => ({ id: `call_each_${i}`, name, args: "{}" })));
    upstreamRequestWith(mark);
  });

  test("a named tool_choice and earlier tool_calls in the history are renamed the same way", async () => {
    const mark = marker("openai-history");
    const answer = await openai.chat.completions.create({
      model: "gpt-up/tool",
      tools: [openAITools[1]!, openAITools[0]!],
      tool_choice: { type: "function", function: { name: DOTTED } },
      messages: [
        { role: "user", content: "read it" },
        { role: "assistant", content: null, tool_calls: [{ id: "call_prev", type: "function", function: { name: LONG, arguments: '{"path":"/a"}' } }] },
        { role: "tool", tool_call_id: "call_prev", content: "hello" },
        { role: "user", content: mark },
      ],
    });
    const body = upstreamRequestWith(mark).body;
    expect(body.tool_choice).toEqual({ type: "function", function: { name: "files_read" } });
    expect(body.messages[1].tool_calls[0].function.name).toBe(LONG.slice(0, 64));
    expect(answer.choices[0]!.message.tool_calls).toEqual([{ id: TOOL_CALL.id, type: "function", function: { name: DOTTED, arguments: TOOL_CALL.arguments } }]);
  });

  test("valid names: the body goes up byte for byte but for the model", async () => {
    const mark = marker("openai-valid");
    const raw = JSON.stringify({ model: "gpt-up/each-tool", messages: [{ role: "user", content: mark }], tools: [openAITools[3]] });
    const response = await fetch(`${gateway.baseURL}/chat/completions`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${CLIENT_KEY}` }, body: raw });
    expect(response.status).toBe(200);
    expect(upstreamRequestWith(mark).bodyText).toBe(raw.replace('"gpt-up/each-tool"', '"each-tool"'));
  });
});

test("self-check: the OpenAI-wire mock rejects the names OpenAI rejects, wherever they appear", async () => {
  const post = (body: unknown) => fetch(`${upstream.url}/chat/completions`, { method: "POST", headers: { "content-type": "application/json", authorization: "Bearer k" }, body: JSON.stringify(body) });
  const user = [{ role: "user", content: "hi" }];
  const tool = (name: string) => ({ type: "function", function: { name, parameters: schema } });
  for (const body of [
    { model: "ok", messages: user, tools: [tool(DOTTED)] },
    { model: "ok", messages: user, tools: [tool(LONG)] },
    { model: "ok", messages: user, tools: [tool(PLAIN)], tool_choice: { type: "function", function: { name: SLASHED } } },
    { model: "ok", messages: [{ role: "assistant", content: null, tool_calls: [{ id: "c", type: "function", function: { name: DOTTED, arguments: "{}" } }] }, { role: "tool", tool_call_id: "c", content: "x" }] },
  ]) {
    const response = await post(body);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain("does not match pattern");
  }
  expect((await post({ model: "ok", messages: user, tools: [tool("x".repeat(64))] })).status).toBe(200);
});
