/**
 * Tracing end to end: the official SDKs call a gateway whose spans go over OTLP/HTTP protobuf to a
 * receiver in this test, which decodes them with its own protobuf reader (test/support/otlp-receiver.ts).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import type { Config } from "../../src/config/schema.ts";
import { Tracing } from "../../src/telemetry/tracing.ts";
import { startGateway, type TestGateway } from "../support/build-test-app.ts";
import { startMockAnthropic, TEXT_ANSWER, type MockAnthropic } from "../support/mock-anthropic.ts";
import { OK_TEXT, startMockUpstream, TOOL_CALL, type MockUpstream } from "../support/mock-upstream.ts";
import { callTraceContext } from "../../src/telemetry/trace-context.ts";
import { startOtlpReceiver, type DecodedSpan, type OtlpReceiver } from "../support/otlp-receiver.ts";

const UPSTREAM_KEY = "sk-upstream-trace-secret-0001";
const CLIENT_KEY = "sk-client-trace-secret-0002";
const OTLP_KEY = "otlp-collector-secret-0003";
const PROMPT = "What is the capital of France? (a private prompt)";

let receiver: OtlpReceiver;
let upstream: MockUpstream;
let anthropicMock: MockAnthropic;
const gateways: TestGateway[] = [];

const config = (): Config => ({
  settings: { mock_models: false, env_provider_models: false },
  models: [
    { model_name: "gpt-test", model: "openai/ok", api_base: upstream.url, api_key: UPSTREAM_KEY, price: { input: 2, output: 8, cache_read: 1, context_window: 1000, max_output_tokens: 100 } },
    { model_name: "up/*", model: "openai/*", api_base: upstream.url, api_key: UPSTREAM_KEY },
    { model_name: "claude/*", model: "anthropic/*", api_base: anthropicMock.url, api_key: UPSTREAM_KEY },
  ],
  router: { num_retries: 0 },
});

async function tracedGateway(redact = false): Promise<{ gateway: TestGateway; tracing: Tracing; openai: OpenAI; anthropic: Anthropic }> {
  const tracing = new Tracing({ endpoint: `${receiver.url}/v1/traces`, headers: { "x-otlp-key": OTLP_KEY }, serviceName: "switchboard-test", redact, intervalMs: 20, exportTimeoutMs: 1_000 });
  const gateway = await startGateway(config(), { tracing, masterKey: CLIENT_KEY });
  gateways.push(gateway);
  return {
    gateway,
    tracing,
    openai: new OpenAI({ baseURL: gateway.baseURL, apiKey: CLIENT_KEY, maxRetries: 0 }),
    anthropic: new Anthropic({ baseURL: gateway.origin, apiKey: CLIENT_KEY, maxRetries: 0 }),
  };
}

let plain: Awaited<ReturnType<typeof tracedGateway>>;

beforeAll(async () => {
  receiver = startOtlpReceiver();
  upstream = await startMockUpstream();
  anthropicMock = await startMockAnthropic();
  plain = await tracedGateway();
});
afterAll(async () => {
  await Promise.all(gateways.map((g) => g.stop()));
  await upstream.stop();
  await anthropicMock.stop();
  await receiver.stop();
});

/** The call's span (by the call id the gateway answered with), after the trace thread exported it. */
async function spanOf(tracing: Tracing, callId: string | null): Promise<DecodedSpan> {
  expect(callId).toBeTruthy();
  for (let i = 0; i < 200; i++) {
    await tracing.flush();
    const span = receiver.spans.find((s) => s.attributes["switchboard.call_id"] === callId);
    if (span) return span;
    await Bun.sleep(10);
  }
  throw new Error(`no span for call ${callId}`);
}

const childrenOf = (span: DecodedSpan) => receiver.spans.filter((s) => s.parentSpanId === span.spanId && s.traceId === span.traceId);
const everything = () => JSON.stringify(receiver.spans.map((s) => ({ a: s.attributes, r: s.resource, st: s.status, n: s.name })), (_k, v) => (typeof v === "bigint" ? String(v) : v));

describe("spans and OpenInference attributes", () => {
  test("plain chat: kind, model, messages, tokens with cached tokens, cost, user and gateway attributes", async () => {
    const { data, response } = await plain.openai.chat.completions.create({ model: "gpt-test", user: "end-user-7", messages: [{ role: "system", content: "Be brief." }, { role: "user", content: PROMPT }], temperature: 0.2 }).withResponse();
    expect(data.choices[0]?.message.content).toBe(OK_TEXT);
    const span = await spanOf(plain.tracing, response.headers.get("x-switchboard-call-id"));
    const a = span.attributes;
    expect(span.name).toBe("ChatCompletion");
    expect(a["openinference.span.kind"]).toBe("LLM");
    expect(a["llm.provider"]).toBe("openai");
    expect(a["llm.model_name"]).toBe("ok");
    expect(a["llm.input_messages.0.message.role"]).toBe("system");
    expect(a["llm.input_messages.1.message.content"]).toBe(PROMPT);
    expect(a["llm.output_messages.0.message.content"]).toBe(OK_TEXT);
    expect(a["output.value"]).toBe(OK_TEXT);
    expect(JSON.parse(a["llm.invocation_parameters"] as string)).toMatchObject({ temperature: 0.2 });
    expect(a["llm.token_count.prompt"]).toBe(19);
    expect(a["llm.token_count.completion"]).toBe(5);
    expect(a["llm.token_count.prompt_details.cache_read"]).toBe(12);
    expect(a["llm.cost.total"]).toBeGreaterThan(0);
    expect(a["user.id"]).toBe("end-user-7");
    expect(a["session.id"]).toBeUndefined();
    expect(a["switchboard.deployment"]).toBe("gpt-test");
    expect(span.resource["service.name"]).toBe("switchboard-test");
    // One upstream attempt, as a child span.
    expect(childrenOf(span).map((c) => c.attributes["switchboard.deployment"])).toEqual(["gpt-test"]);
  });

  test("a tool call with no text: output.value summarises the calls; tool results in the history keep their ids", async () => {
    const { response } = await plain.openai.chat.completions
      .create({
        model: "up/tool",
        messages: [
          { role: "user", content: "Weather in Paris?" },
          { role: "assistant", content: null, tool_calls: [{ id: "call_prev", type: "function", function: { name: "get_weather", arguments: '{"city":"Lyon"}' } }] },
          { role: "tool", tool_call_id: "call_prev", content: "12 C and rain" },
        ],
        tools: [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }],
      })
      .withResponse();
    const a = (await spanOf(plain.tracing, response.headers.get("x-switchboard-call-id"))).attributes;
    expect(a["openinference.span.kind"]).toBe("LLM");
    expect(a["llm.input_messages.1.message.tool_calls.0.tool_call.function.name"]).toBe("get_weather");
    expect(a["llm.input_messages.2.message.tool_call_id"]).toBe("call_prev");
    expect(a["llm.output_messages.0.message.tool_calls.0.tool_call.function.name"]).toBe(TOOL_CALL.name);
    expect(String(a["output.value"])).toContain(TOOL_CALL.name);
    expect(a["llm.tools.0.tool.json_schema"]).toContain("get_weather");
  });

  test("Anthropic client, multimodal input and cache-read tokens; session id only from the header", async () => {
    const png = Buffer.from("not really a png").toString("base64");
    const message = await plain.anthropic.messages
      .create(
        {
          model: "claude/text",
          max_tokens: 64,
          messages: [{ role: "user", content: [{ type: "text", text: PROMPT }, { type: "image", source: { type: "base64", media_type: "image/png", data: png } }] }],
        },
        { headers: { "x-session-id": "session-42" } },
      )
      .withResponse();
    const span = await spanOf(plain.tracing, message.response.headers.get("x-switchboard-call-id"));
    const a = span.attributes;
    expect(span.name).toBe("Messages");
    expect(a["llm.input_messages.0.message.contents.1.message_content.image.image.url"]).toBe(`data:image/png;base64,${png}`);
    expect(a["llm.output_messages.0.message.content"]).toBe(TEXT_ANSWER);
    expect(a["llm.token_count.prompt_details.cache_read"]).toBe(1860);
    expect(a["session.id"]).toBe("session-42");
  });

  test("a stream: the output is what was streamed; embeddings are EMBEDDING spans", async () => {
    const stream = await plain.openai.chat.completions.create({ model: "gpt-test", messages: [{ role: "user", content: PROMPT }], stream: true, stream_options: { include_usage: true } }).withResponse();
    let text = "";
    for await (const part of stream.data) text += part.choices[0]?.delta.content ?? "";
    expect(text).toBe(OK_TEXT);
    const a = (await spanOf(plain.tracing, stream.response.headers.get("x-switchboard-call-id"))).attributes;
    expect(a["llm.output_messages.0.message.content"]).toBe(OK_TEXT);
    expect(a["llm.token_count.completion"]).toBe(5);

    const embedded = await plain.openai.embeddings.create({ model: "up/embed", input: ["first text", "second text"] }).withResponse();
    const e = await spanOf(plain.tracing, embedded.response.headers.get("x-switchboard-call-id"));
    expect(e.attributes["openinference.span.kind"]).toBe("EMBEDDING");
    expect(e.name).toBe("Embeddings");
  });

  test("an upstream error: the span and its attempt are errors; a client abort mid-stream keeps the partial output", async () => {
    const failed = await fetch(`${plain.gateway.baseURL}/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${CLIENT_KEY}`, "content-type": "application/json" }, body: JSON.stringify({ model: "up/error-500", messages: [{ role: "user", content: "x" }] }) });
    expect(failed.status).toBeGreaterThanOrEqual(500);
    const span = await spanOf(plain.tracing, failed.headers.get("x-switchboard-call-id"));
    expect(span.status.code).toBe(2);
    expect(span.attributes["openinference.span.kind"]).toBe("LLM");
    expect(childrenOf(span)[0]?.status.code).toBe(2);

    const controller = new AbortController();
    const response = await fetch(`${plain.gateway.baseURL}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${CLIENT_KEY}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "up/stall", messages: [{ role: "user", content: "x" }], stream: true }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    const aborted = await spanOf(plain.tracing, response.headers.get("x-switchboard-call-id"));
    expect(aborted.status.code).toBe(2);
    expect(String(aborted.attributes["llm.output_messages.0.message.content"] ?? "")).not.toBe("");
  });
});

describe("context, redaction and secrets", () => {
  test("an inbound traceparent is joined, and the upstream gets one of the same trace", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const response = await fetch(`${plain.gateway.baseURL}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${CLIENT_KEY}`, "content-type": "application/json", traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
      body: JSON.stringify({ model: "gpt-test", messages: [{ role: "user", content: "traced" }] }),
    });
    expect(response.status).toBe(200);
    const span = await spanOf(plain.tracing, response.headers.get("x-switchboard-call-id"));
    expect(span.traceId).toBe(traceId);
    expect(span.parentSpanId).toBe("00f067aa0ba902b7");
    const sent = upstream.requests.at(-1)?.headers.traceparent ?? "";
    expect(sent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    expect(childrenOf(span).map((c) => c.spanId)).toContain(sent.split("-")[2] ?? "none");
  });

  test("sampling: a caller's unsampled traceparent is not traced under the default sampler; a ratio keeps about its share, decided per trace id", async () => {
    const call = (traceparent?: string) =>
      fetch(`${plain.gateway.baseURL}/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${CLIENT_KEY}`, "content-type": "application/json", ...(traceparent ? { traceparent } : {}) },
        body: JSON.stringify({ model: "gpt-test", messages: [{ role: "user", content: "sampled?" }] }),
      });
    const unsampled = await call("00-5bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
    expect(unsampled.status).toBe(200);
    expect(upstream.requests.at(-1)?.headers.traceparent).toBeUndefined();
    const sampled = await call();
    await spanOf(plain.tracing, sampled.headers.get("x-switchboard-call-id"));
    expect(receiver.spans.some((s) => s.traceId === "5bf92f3577b34da6a3ce929d0e0e4736")).toBe(false);

    const sampler = new Tracing({ endpoint: `${receiver.url}/v1/traces`, headers: {}, serviceName: "s", redact: false, sampling: { ratio: 0.25, parentBased: true } });
    try {
      let kept = 0;
      for (let i = 0; i < 4000; i++) if (sampler.samples(callTraceContext(null).traceId, undefined)) kept++;
      expect(kept).toBeGreaterThan(800);
      expect(kept).toBeLessThan(1200);
      const id = callTraceContext(null).traceId;
      expect(new Set(Array.from({ length: 5 }, () => sampler.samples(id, undefined))).size).toBe(1);
      expect(sampler.samples(id, true)).toBe(true);
      expect(sampler.samples(id, false)).toBe(false);
    } finally {
      await sampler.stop();
    }
  });

  test("redaction (config or header) removes prompt and completion text; keys never appear", async () => {
    const redacted = await tracedGateway(true);
    const { response } = await redacted.openai.chat.completions.create({ model: "gpt-test", messages: [{ role: "user", content: PROMPT }] }).withResponse();
    const a = (await spanOf(redacted.tracing, response.headers.get("x-switchboard-call-id"))).attributes;
    expect(a["llm.token_count.prompt"]).toBe(19);
    expect(a["llm.model_name"]).toBe("ok");
    const byHeader = await plain.openai.chat.completions.create({ model: "gpt-test", messages: [{ role: "user", content: PROMPT }] }, { headers: { "x-switchboard-redact": "true" } }).withResponse();
    await spanOf(plain.tracing, byHeader.response.headers.get("x-switchboard-call-id"));
    const redactedSpans = receiver.spans.filter((s) => s.attributes["switchboard.call_id"] === response.headers.get("x-switchboard-call-id") || s.attributes["switchboard.call_id"] === byHeader.response.headers.get("x-switchboard-call-id"));
    const text = JSON.stringify(redactedSpans.map((s) => s.attributes));
    expect(text).not.toContain("capital of France");
    expect(text).not.toContain(OK_TEXT);
    // Across everything exported so far: no upstream, client or collector key.
    for (const secret of [UPSTREAM_KEY, CLIENT_KEY, OTLP_KEY]) expect(everything()).not.toContain(secret);
    // The collector got its header.
    expect(receiver.requests.some((r) => r.headers.get("x-otlp-key") === OTLP_KEY)).toBe(true);
  });

  test("a dead collector never fails a call; what it refuses is counted", async () => {
    const own = await tracedGateway();
    receiver.setMode("fail");
    try {
      const answer = await own.openai.chat.completions.create({ model: "gpt-test", messages: [{ role: "user", content: "still served" }] });
      expect(answer.choices[0]?.message.content).toBe(OK_TEXT);
      await own.tracing.flush();
      expect(own.tracing.status().dropped).toBeGreaterThan(0);
    } finally {
      receiver.setMode("ok");
    }
  });
});
