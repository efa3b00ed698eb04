/**
 * Streams the client aborts, and streams the upstream cuts, are billed for what was generated:
 * the call record's usage is completed from estimates (input from message_start or the request's
 * length, output from the text relayed) and marked `usageEstimated`, and a priced model costs > 0.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import type { Config } from "../../src/config/schema.ts";
import { estimateTokens } from "../../src/canonical/estimate.ts";
import type { CallRecord } from "../../src/telemetry/calls.ts";
import { sseData, startGateway, type TestGateway } from "../support/build-test-app.ts";
import { startMockAnthropic, type MockAnthropic } from "../support/mock-anthropic.ts";
import { OK_USAGE, startMockUpstream, waitFor, type MockUpstream } from "../support/mock-upstream.ts";

// $2.50 / $10 / $1.25 cached / $3.75 cache write per million tokens, in nano-dollars per token.
const RATES = { input: 2_500, output: 10_000, cacheRead: 1_250, cacheWrite: 3_750 };
const price = { input: 2.5, output: 10, cache_read: 1.25, cache_write: 3.75, context_window: 128_000, max_output_tokens: 16_384 };

let upstream: MockUpstream;
let anthropic: MockAnthropic;
let gateway: TestGateway;

beforeAll(async () => {
  upstream = await startMockUpstream();
  anthropic = await startMockAnthropic();
  const config: Config = {
    models: [
      // `stall`: the role chunk and "Hello", then nothing until the caller goes away.
      { model_name: "priced-stall", model: "openai/stall", api_base: upstream.url, api_key: "sk-up", price },
      // `die-mid-stream`: the role chunk and "Hello", then the connection is destroyed.
      { model_name: "priced-die", model: "openai/die-mid-stream", api_base: upstream.url, api_key: "sk-up", price },
      { model_name: "priced-ok", model: "openai/ok", api_base: upstream.url, api_key: "sk-up", price },
      // Anthropic `stall`: message_start (9 input tokens) and "Waiting", then nothing; `error-event`: message_start, "Partial", an error event.
      { model_name: "claude-stall", model: "anthropic/stall", api_base: anthropic.url, api_key: "sk-ant-up", price },
      { model_name: "claude-error-event", model: "anthropic/error-event", api_base: anthropic.url, api_key: "sk-ant-up", price },
    ],
  };
  gateway = await startGateway(config);
});

afterAll(async () => {
  await gateway?.stop();
  await upstream?.stop();
  await anthropic?.stop();
});

let seq = 0;
/** A request body with a unique user message, and its length (the gateway's input estimate reads the body's characters). */
function bodyFor(model: string, anthropicWire: boolean): string {
  const messages = [{ role: "user", content: `partial billing #${++seq} ${crypto.randomUUID()}` }];
  return JSON.stringify(anthropicWire ? { model, max_tokens: 64, stream: true, messages } : { model, stream: true, messages });
}

const HEADERS = {
  openai: { "content-type": "application/json", authorization: "Bearer sk-client" },
  anthropic: { "content-type": "application/json", "x-api-key": "sk-client", "anthropic-version": "2023-06-01" },
};

/** Streams `body` to the gateway and aborts the request as soon as `needle` has arrived. */
async function abortAfter(path: string, headers: Record<string, string>, body: string, needle: string): Promise<void> {
  const controller = new AbortController();
  const response = await fetch(`${gateway.origin}${path}`, { method: "POST", headers, body, signal: controller.signal });
  expect(response.status).toBe(200);
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!text.includes(needle)) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`stream ended before '${needle}': ${text}`);
    text += decoder.decode(value, { stream: true });
  }
  controller.abort();
}

/** Reads a whole stream (which may end in an in-stream error frame). */
async function drain(path: string, headers: Record<string, string>, body: string): Promise<string> {
  const response = await fetch(`${gateway.origin}${path}`, { method: "POST", headers, body });
  expect(response.status).toBe(200);
  return response.text();
}

/** The record of the one call whose request was `count` records ago, once it has landed. */
async function recordAfter(before: number): Promise<CallRecord> {
  expect(await waitFor(() => gateway.records.length > before, 2000)).toBe(true);
  return gateway.records[before]!;
}

const costOf = (usage: { input: number; output: number; cacheRead?: number }) =>
  (usage.input - (usage.cacheRead ?? 0)) * RATES.input + (usage.cacheRead ?? 0) * RATES.cacheRead + usage.output * RATES.output;

describe("the client aborts mid-stream", () => {
  test("OpenAI client, OpenAI upstream (same format): input from the request length, output from the relayed text, priced", async () => {
    const before = gateway.records.length;
    const body = bodyFor("priced-stall", false);
    await abortAfter("/v1/chat/completions", HEADERS.openai, body, '"Hello"');
    const record = await recordAfter(before);
    const usage = { input: estimateTokens(body.length), output: estimateTokens("Hello".length) };
    expect(usage.output).toBe(2);
    expect(record).toMatchObject({ model: "priced-stall", stream: true, outcome: "cancelled", usage, usageEstimated: true, costNano: costOf(usage) });
    expect(record.costNano).toBeGreaterThan(0);
  });

  test("Anthropic client, OpenAI upstream (translated): the same estimate", async () => {
    const before = gateway.records.length;
    const body = bodyFor("priced-stall", true);
    await abortAfter("/v1/messages", HEADERS.anthropic, body, '"Hello"');
    const record = await recordAfter(before);
    const usage = { input: estimateTokens(body.length), output: 2 };
    expect(record).toMatchObject({ model: "priced-stall", stream: true, outcome: "cancelled", usage, usageEstimated: true, costNano: costOf(usage) });
  });

  test("Anthropic client, Anthropic upstream (same format): input from message_start, output from the relayed text", async () => {
    const before = gateway.records.length;
    await abortAfter("/v1/messages", HEADERS.anthropic, bodyFor("claude-stall", true), '"Waiting"');
    const record = await recordAfter(before);
    const usage = { input: 9, output: estimateTokens("Waiting".length) };
    expect(record).toMatchObject({ model: "claude-stall", stream: true, outcome: "cancelled", usage, usageEstimated: true, costNano: costOf(usage) });
  });

  test("OpenAI client, Anthropic upstream (translated): input from message_start, output from the relayed text", async () => {
    const before = gateway.records.length;
    await abortAfter("/v1/chat/completions", HEADERS.openai, bodyFor("claude-stall", false), '"Waiting"');
    const record = await recordAfter(before);
    const usage = { input: 9, output: 2 };
    expect(record).toMatchObject({ model: "claude-stall", stream: true, outcome: "cancelled", usage, usageEstimated: true, costNano: costOf(usage) });
  });

  test("the official OpenAI SDK's controller.abort() on mock/slow: estimated, non-zero usage, billed at the mock's nominal price", async () => {
    const before = gateway.records.length;
    const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: "sk-client", maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: "mock/slow", messages: [{ role: "user", content: "one two three four five six" }], stream: true });
    let content = "";
    for await (const chunk of stream) {
      content += chunk.choices[0]?.delta.content ?? "";
      if (content.length > 0) break; // Leaving the loop aborts the request (the SDK's controller).
    }
    expect(stream.controller.signal.aborted).toBe(true);
    const record = await recordAfter(before);
    expect(record).toMatchObject({ model: "mock/slow", stream: true, outcome: "cancelled", usageEstimated: true });
    expect(record.usage!.input).toBeGreaterThan(0);
    expect(record.usage!.output).toBeGreaterThanOrEqual(estimateTokens(content.length));
    // $0.001 a token, input and output alike.
    expect(record.costNano).toBe((record.usage!.input + record.usage!.output) * 1_000_000);
  });
});

describe("the upstream cuts the stream", () => {
  test("OpenAI upstream destroys the connection after two chunks: estimated and priced", async () => {
    const before = gateway.records.length;
    const body = bodyFor("priced-die", false);
    const text = await drain("/v1/chat/completions", HEADERS.openai, body);
    expect(text).toContain('"code":"unreachable"');
    // Usually "Hello" arrives before the reset; under load the reset can overtake it (the socket's
    // unread bytes are dropped), and then nothing was relayed: output is billed for what arrived.
    const relayed = sseData(text).filter((d) => d !== "[DONE]").map((d) => JSON.parse(d).choices?.[0]?.delta?.content ?? "").join("");
    expect(["", "Hello"]).toContain(relayed);
    const record = await recordAfter(before);
    const usage = { input: estimateTokens(body.length), output: estimateTokens(relayed.length) };
    expect(record).toMatchObject({ model: "priced-die", stream: true, outcome: "error", errorCode: "provider.unreachable", usage, usageEstimated: true, costNano: costOf(usage) });
  });

  test("built-in mock/fail-mid-stream through the SDK: estimated from the two words it streamed", async () => {
    const before = gateway.records.length;
    const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: "sk-client", maxRetries: 0 });
    const stream = await client.chat.completions.create({ model: "mock/fail-mid-stream", messages: [{ role: "user", content: "hello brave new world" }], stream: true });
    let content = "";
    await expect(
      (async () => {
        for await (const chunk of stream) content += chunk.choices[0]?.delta.content ?? "";
      })(),
    ).rejects.toThrow();
    expect(content).toBe("Echo: hello");
    const record = await recordAfter(before);
    expect(record).toMatchObject({ model: "mock/fail-mid-stream", outcome: "error", usage: { output: estimateTokens(content.length) }, usageEstimated: true });
    expect(record.usage!.input).toBeGreaterThan(0);
  });

  test("Anthropic in-band error event: message_start's input and the partial text, priced", async () => {
    const before = gateway.records.length;
    const text = await drain("/v1/messages", HEADERS.anthropic, bodyFor("claude-error-event", true));
    expect(text).toContain("overloaded_error");
    const record = await recordAfter(before);
    const usage = { input: 9, output: estimateTokens("Partial".length) };
    expect(record).toMatchObject({ model: "claude-error-event", outcome: "error", errorCode: "provider.overloaded", usage, usageEstimated: true, costNano: costOf(usage) });
  });
});

describe("a stream that finishes with the provider's usage", () => {
  test("is billed exactly as reported, with no estimate flag", async () => {
    const before = gateway.records.length;
    await drain("/v1/chat/completions", HEADERS.openai, bodyFor("priced-ok", false));
    const record = await recordAfter(before);
    const usage = { input: OK_USAGE.prompt_tokens, output: OK_USAGE.completion_tokens, cacheRead: OK_USAGE.prompt_tokens_details.cached_tokens };
    expect(record).toMatchObject({ model: "priced-ok", outcome: "ok", usage, costNano: costOf(usage) });
    expect("usageEstimated" in record).toBe(false);
  });
});
