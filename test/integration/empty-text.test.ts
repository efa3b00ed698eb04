/**
 * Blank text (empty or whitespace-only) on `/v1/messages` to an Anthropic model, the same-format fast
 * path, through the official Anthropic SDK against the strict Anthropic mock (test/support/mock-anthropic.ts),
 * which answers 400 to blank text wherever Anthropic does. The rule (src/providers/anthropic/empty-text.ts):
 * a blank block with a cache breakpoint becomes the placeholder in its place, keeping the breakpoint;
 * other blank blocks are dropped; a turn left with nothing holds one placeholder; a blank final
 * assistant turn (a prefill of nothing) is dropped; a blank system prompt is not sent. Only `messages`
 * and `system` are re-serialised, and only when something in them is blank.
 */
import Anthropic from "@anthropic-ai/sdk";
import type { MessageCreateParamsNonStreaming } from "@anthropic-ai/sdk/resources/messages";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import type { Config } from "../../src/config/schema.ts";
import { EMPTY_TEXT_PLACEHOLDER } from "../../src/providers/anthropic/empty-text.ts";
import { startGateway, type TestGateway } from "../support/build-test-app.ts";
import { startMockAnthropic, TEXT_ANSWER, type MockAnthropic, type RecordedAnthropicRequest } from "../support/mock-anthropic.ts";

const UPSTREAM_KEY = "sk-ant-upstream-secret-1234567890";
const PLACEHOLDER = { type: "text", text: EMPTY_TEXT_PLACEHOLDER };
const CACHE = { type: "ephemeral" } as const;

let mock: MockAnthropic;
let gateway: TestGateway;
let client: Anthropic;
/** Every request body the Anthropic SDK sent, exactly as it went on the wire. */
const sentBodies: string[] = [];

beforeAll(async () => {
  mock = await startMockAnthropic();
  const config: Config = { models: [{ model_name: "claude/*", model: "anthropic/*", api_base: mock.url, api_key: UPSTREAM_KEY }], router: { num_retries: 0 } };
  gateway = await startGateway(config);
  client = new Anthropic({
    baseURL: gateway.origin,
    apiKey: "x",
    maxRetries: 0,
    fetch: async (url, init) => {
      if (typeof init?.body === "string") sentBodies.push(init.body);
      return fetch(url, init);
    },
  });
});

afterAll(async () => {
  await gateway?.stop();
  await mock?.stop();
});

let seq = 0;
/** A unique user message, so a test can find exactly its own upstream request. */
const marker = (label: string) => `${label} #${++seq} ${crypto.randomUUID()}`;

/** The one request to the mock whose body carries `mark`; fails with the mock's reason if it was rejected. */
function upstreamWith(mark: string): RecordedAnthropicRequest {
  const found = mock.requests.filter((r) => r.bodyText.includes(mark));
  if (found.length !== 1) throw new Error(`expected exactly one upstream request with '${mark}', got ${found.length}`);
  const request = found[0]!;
  if (request.invalid !== undefined) throw new Error(`the mock rejected the gateway's request: ${request.invalid}`);
  return request;
}

/** What the SDK sent with `mark`, parsed. */
function sentWith(mark: string): Record<string, unknown> {
  const found = sentBodies.filter((body) => body.includes(mark));
  if (found.length !== 1) throw new Error(`expected exactly one SDK request with '${mark}', got ${found.length}`);
  return JSON.parse(found[0]!);
}

/** Sends `params` (messages ending in a user turn holding `mark`) and returns what the upstream got, after checking the answer. */
async function sendThrough(params: Omit<MessageCreateParamsNonStreaming, "model">, mark: string): Promise<Record<string, any>> {
  const message = await client.messages.create({ model: "claude/text", ...params } as MessageCreateParamsNonStreaming);
  expect<unknown>(message.content).toEqual([{ type: "text", text: TEXT_ANSWER }]);
  return upstreamWith(mark).body;
}

describe("Anthropic SDK -> Anthropic model: blank text is made valid, nothing else changes", () => {
  test("content '' and whitespace-only string content become the placeholder; every other member is as sent", async () => {
    const mark = marker("strings");
    const params = {
      max_tokens: 64,
      metadata: { user_id: "user-7" },
      messages: [
        { role: "user" as const, content: "" },
        { role: "assistant" as const, content: " \n\t" },
        { role: "user" as const, content: mark },
      ],
    };
    const body = await sendThrough(params, mark);
    expect(body.messages).toEqual([
      { role: "user", content: EMPTY_TEXT_PLACEHOLDER },
      { role: "assistant", content: EMPTY_TEXT_PLACEHOLDER },
      { role: "user", content: mark },
    ]);
    const { messages: _sent, ...rest } = sentWith(mark);
    const { messages: _received, ...received } = body;
    expect(received).toEqual({ ...rest, model: "text" });
  });

  test("a blank block with a cache breakpoint becomes the placeholder in its place, keeping the breakpoint; other blank blocks are dropped", async () => {
    const mark = marker("blocks");
    const body = await sendThrough(
      {
        max_tokens: 64,
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "" },
              { type: "text", text: mark },
              { type: "text", text: "  ", cache_control: CACHE },
              { type: "text", text: "after" },
            ],
          },
        ],
      },
      mark,
    );
    expect(body.messages).toEqual([{ role: "user", content: [{ type: "text", text: mark }, { ...PLACEHOLDER, cache_control: CACHE }, { type: "text", text: "after" }] }]);
  });

  test("a turn of only blank blocks, or of none, keeps one placeholder (turns must alternate); a breakpoint stays on it", async () => {
    const mark = marker("only-blank");
    const body = await sendThrough(
      {
        max_tokens: 64,
        messages: [
          { role: "user", content: [{ type: "text", text: "" }, { type: "text", text: " " }] },
          { role: "assistant", content: [] },
          { role: "user", content: [{ type: "text", text: "\n" }, { type: "text", text: "", cache_control: CACHE }] },
          { role: "assistant", content: "ok" },
          { role: "user", content: mark },
        ],
      },
      mark,
    );
    expect(body.messages.slice(0, 3)).toEqual([
      { role: "user", content: [PLACEHOLDER] },
      { role: "assistant", content: [PLACEHOLDER] },
      { role: "user", content: [{ ...PLACEHOLDER, cache_control: CACHE }] },
    ]);
  });

  test("tool turns: a blank text beside a tool_use is dropped; blank tool results lose their content, or hold the placeholder when is_error", async () => {
    const mark = marker("tools");
    const body = await sendThrough(
      {
        max_tokens: 64,
        tools: [{ name: "get_weather", input_schema: { type: "object", properties: {} } }],
        messages: [
          { role: "user", content: "weather?" },
          {
            role: "assistant",
            content: [
              { type: "text", text: " " },
              { type: "tool_use", id: "toolu_01A", name: "get_weather", input: {} },
              { type: "tool_use", id: "toolu_01B", name: "get_weather", input: {} },
              { type: "tool_use", id: "toolu_01C", name: "get_weather", input: {} },
            ],
          },
          {
            role: "user",
            content: [
              { type: "tool_result", tool_use_id: "toolu_01A", content: "" },
              { type: "tool_result", tool_use_id: "toolu_01B", content: [{ type: "text", text: " " }, { type: "text", text: "18C" }] },
              { type: "tool_result", tool_use_id: "toolu_01C", content: [{ type: "text", text: "  " }], is_error: true },
              { type: "text", text: mark },
            ],
          },
        ],
      },
      mark,
    );
    expect(body.messages[1].content.map((block: { type: string }) => block.type)).toEqual(["tool_use", "tool_use", "tool_use"]);
    expect(body.messages[2].content.slice(0, 3)).toEqual([
      { type: "tool_result", tool_use_id: "toolu_01A" },
      { type: "tool_result", tool_use_id: "toolu_01B", content: [{ type: "text", text: "18C" }] },
      { type: "tool_result", tool_use_id: "toolu_01C", content: [PLACEHOLDER], is_error: true },
    ]);
  });

  test("system: a blank string is not sent; blank blocks follow the block rule (a cached one stays as the placeholder)", async () => {
    const dropped = marker("system-string");
    expect("system" in (await sendThrough({ max_tokens: 64, system: "  ", messages: [{ role: "user", content: dropped }] }, dropped))).toBe(false);
    const onlyBlank = marker("system-blank-blocks");
    expect("system" in (await sendThrough({ max_tokens: 64, system: [{ type: "text", text: "" }], messages: [{ role: "user", content: onlyBlank }] }, onlyBlank))).toBe(false);
    const cached = marker("system-cached");
    const body = await sendThrough(
      {
        max_tokens: 64,
        system: [
          { type: "text", text: "Be brief." },
          { type: "text", text: "\n" },
          { type: "text", text: " ", cache_control: CACHE },
        ],
        messages: [{ role: "user", content: cached }],
      },
      cached,
    );
    expect(body.system).toEqual([{ type: "text", text: "Be brief." }, { ...PLACEHOLDER, cache_control: CACHE }]);
  });

  test("a blank final assistant turn (a prefill of nothing) is dropped; a prefill's blank blocks are dropped, their breakpoint moving to the block before", async () => {
    const empty = marker("prefill-empty");
    const body = await sendThrough(
      { max_tokens: 64, messages: [{ role: "user", content: empty }, { role: "assistant", content: [{ type: "text", text: " " }] }] },
      empty,
    );
    expect(body.messages).toEqual([{ role: "user", content: empty }]);
    const partial = marker("prefill-partial");
    const kept = await sendThrough(
      {
        max_tokens: 64,
        messages: [
          { role: "user", content: partial },
          { role: "assistant", content: [{ type: "text", text: "Sure" }, { type: "text", text: "", cache_control: CACHE }] },
        ],
      },
      partial,
    );
    expect(kept.messages[1]).toEqual({ role: "assistant", content: [{ type: "text", text: "Sure", cache_control: CACHE }] });
  });

  test("streamed: the same rule, and the stream is relayed", async () => {
    const mark = marker("stream");
    const stream = client.messages.stream({ model: "claude/text", max_tokens: 64, messages: [{ role: "user", content: [{ type: "text", text: "" }, { type: "text", text: mark }] }] });
    expect<unknown>((await stream.finalMessage()).content).toEqual([{ type: "text", text: TEXT_ANSWER }]);
    expect(upstreamWith(mark).body.messages).toEqual([{ role: "user", content: [{ type: "text", text: mark }] }]);
  });

  test("count_tokens gets the same rule", async () => {
    const mark = marker("count");
    const counted = await client.messages.countTokens({ model: "claude/text", messages: [{ role: "user", content: "" }, { role: "assistant", content: "ok" }, { role: "user", content: mark }] });
    expect(counted.input_tokens).toBeGreaterThan(0);
    expect(upstreamWith(mark).body.messages[0]).toEqual({ role: "user", content: EMPTY_TEXT_PLACEHOLDER });
  });

  test("raw bytes: only `messages` is re-serialised; spacing, number spelling and unknown members elsewhere go as sent", async () => {
    const mark = marker("bytes");
    const messages = `[{"role": "user", "content": [{"type": "text", "text": ""}, {"type": "text", "text": "${mark}"}]}]`;
    const raw = `{"model": "claude/text", "max_tokens": 64.0, "messages": ${messages}, "metadata": {"user_id": "u-1"}}`;
    const response = await fetch(`${gateway.origin}/v1/messages`, { method: "POST", headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" }, body: raw });
    expect(response.status).toBe(200);
    const cleaned = JSON.stringify([{ role: "user", content: [{ type: "text", text: mark }] }]);
    expect(upstreamWith(mark).bodyText).toBe(raw.replace('"claude/text"', '"text"').replace(messages, cleaned));
  });

  test("nothing blank: the body goes up byte for byte but for the model", async () => {
    const mark = marker("clean");
    const raw = `{"model": "claude/text", "max_tokens": 64, "system": "Be brief.", "messages": [{"role": "user", "content": [{"type": "text", "text": "${mark}"}]}]}`;
    const response = await fetch(`${gateway.origin}/v1/messages`, { method: "POST", headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" }, body: raw });
    expect(response.status).toBe(200);
    expect(upstreamWith(mark).bodyText).toBe(raw.replace('"claude/text"', '"text"'));
  });
});

describe("OpenAI SDK -> Anthropic model (translated): the same rule", () => {
  test("empty content beside tool calls sends just the tool_use; an empty user turn holds the placeholder", async () => {
    const openai = new OpenAI({ baseURL: gateway.baseURL, apiKey: "x", maxRetries: 0 });
    const mark = marker("openai");
    const answer = await openai.chat.completions.create({
      model: "claude/text",
      messages: [
        { role: "system", content: "" },
        { role: "user", content: "" },
        { role: "assistant", content: "", tool_calls: [{ id: "toolu_01X", type: "function", function: { name: "get_weather", arguments: "{}" } }] },
        { role: "tool", tool_call_id: "toolu_01X", content: "18C" },
        { role: "user", content: mark },
      ],
      tools: [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: {} } } }],
    });
    expect(answer.choices[0]!.message.content).toBe(TEXT_ANSWER);
    const body = upstreamWith(mark).body;
    expect("system" in body).toBe(false);
    expect(body.messages[0]).toEqual({ role: "user", content: [PLACEHOLDER] });
    expect(body.messages[1]).toEqual({ role: "assistant", content: [{ type: "tool_use", id: "toolu_01X", name: "get_weather", input: {} }] });
  });
});
