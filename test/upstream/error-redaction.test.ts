/**
 * Every error text an upstream sends goes through the same redaction before it reaches a client, a
 * call record, the access log or a span: the call's own credentials removed exactly (the keys here
 * are not key-shaped, so only exact removal catches them), and anything key-shaped (`Bearer sk-proj-…`)
 * too. Covered: errors mid-stream and as a stream's first event on the same-format path (OpenAI and
 * Anthropic clients), the same through translation, OpenRouter-style error chunks, and buffered errors.
 */
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Config, ModelEntry } from "../../src/config/schema.ts";
import { accessLog } from "../../src/telemetry/access-log.ts";
import { Tracing } from "../../src/telemetry/tracing.ts";
import { startGateway, type TestGateway } from "../support/build-test-app.ts";
import { anthropicEvent, anthropicStreamHead, openAIChunk, sseAnswer, startHostileUpstream, type HostileUpstream } from "../support/hostile-upstream.ts";
import { startOtlpReceiver, type OtlpReceiver } from "../support/otlp-receiver.ts";

/** Deployment credentials that look like no known key format. */
const OPENAI_KEY = "tenant7f3a9c-upstream-credential-openai";
const ANTHROPIC_KEY = "tenant7f3a9c-upstream-credential-anthropic";
/** A key-shaped string an upstream echoes (another key: only the pattern catches it). */
const BEARER = `Bearer sk-proj-${"Ab12".repeat(8)}`;
const SECRET_PARTS = [OPENAI_KEY, ANTHROPIC_KEY, "sk-proj-Ab12", "Ab12Ab12Ab12"];

const echo = (key: string) => `Incorrect API key provided: ${key}. You sent ${BEARER}.`;

let upstream: HostileUpstream;
let receiver: OtlpReceiver;
let tracing: Tracing;
let gateway: TestGateway;
let openai: OpenAI;
let anthropic: Anthropic;
const logLines: string[] = [];
const log = accessLog((text) => void logLines.push(text));

beforeAll(async () => {
  upstream = startHostileUpstream();
  receiver = startOtlpReceiver();
  const openAIError = { error: { message: echo(OPENAI_KEY), type: "invalid_request_error", param: null, code: "invalid_api_key" } };
  const anthropicError = { error: { type: "authentication_error", message: echo(ANTHROPIC_KEY) } };
  upstream.on("oa-mid", () => sseAnswer([openAIChunk({ role: "assistant", content: "" }), openAIChunk({ content: "Hello" }), `data: ${JSON.stringify(openAIError)}\n\n`, "data: [DONE]\n\n"]));
  upstream.on("oa-first", (_request, body) =>
    JSON.parse(body).stream ? sseAnswer([`data: ${JSON.stringify(openAIError)}\n\n`, "data: [DONE]\n\n"]) : Response.json(openAIError, { status: 401 }),
  );
  // OpenRouter's mid-stream error: a chunk with an `error` member among the usual ones and finish_reason "error".
  upstream.on("oa-router", () =>
    sseAnswer([
      openAIChunk({ role: "assistant", content: "" }),
      openAIChunk({ content: "Hello" }),
      `data: ${JSON.stringify({ id: "gen-1", object: "chat.completion.chunk", created: 1, model: "up-model", provider: "Upstream", error: { code: 502, message: `Provider returned error: ${echo(OPENAI_KEY)}` }, choices: [{ index: 0, delta: { content: "" }, finish_reason: "error" }] })}\n\n`,
      "data: [DONE]\n\n",
    ]),
  );
  // An error chunk whose `error` member comes after others and that carries no finish_reason.
  upstream.on("oa-late", () =>
    sseAnswer([openAIChunk({ role: "assistant", content: "" }), openAIChunk({ content: "Hello" }), `data: ${JSON.stringify({ id: "c-1", object: "chat.completion.chunk", ...openAIError })}\n\n`, "data: [DONE]\n\n"]),
  );
  upstream.on("an-mid", () =>
    sseAnswer([...anthropicStreamHead(), anthropicEvent("content_block_delta", { index: 0, delta: { type: "text_delta", text: "Hello" } }), `event: error\ndata: ${JSON.stringify({ type: "error", ...anthropicError })}\n\n`]),
  );
  upstream.on("an-first", (_request, body) =>
    JSON.parse(body).stream ? sseAnswer([`event: error\ndata: ${JSON.stringify({ type: "error", ...anthropicError })}\n\n`]) : Response.json({ type: "error", ...anthropicError }, { status: 401 }),
  );
  const openAIWire = (name: string): ModelEntry => ({ model_name: `gpt-${name.slice(3)}`, model: "openai/up-model", api_base: `${upstream.base(name)}/v1`, api_key: OPENAI_KEY });
  const anthropicWire = (name: string): ModelEntry => ({ model_name: `claude-${name.slice(3)}`, model: "anthropic/claude-up", api_base: `${upstream.base(name)}/v1`, api_key: ANTHROPIC_KEY });
  const config = {
    settings: { mock_models: false, env_provider_models: false },
    router: { num_retries: 0 },
    models: [openAIWire("oa-mid"), openAIWire("oa-first"), openAIWire("oa-router"), openAIWire("oa-late"), anthropicWire("an-mid"), anthropicWire("an-first")],
  } as Config;
  tracing = new Tracing({ endpoint: `${receiver.url}/v1/traces`, headers: {}, serviceName: "switchboard-redaction-test", redact: false, intervalMs: 20, exportTimeoutMs: 1_000 });
  gateway = await startGateway(config, { tracing, observers: [log] });
  openai = new OpenAI({ baseURL: gateway.baseURL, apiKey: "anything", maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: gateway.origin, apiKey: "anything", maxRetries: 0 });
});

afterAll(async () => {
  log.stop();
  await gateway?.stop();
  await upstream?.stop();
  await receiver?.stop();
});

/** Fails the test if any secret is in `text`. */
function expectNoSecret(text: string, where: string): void {
  for (const secret of SECRET_PARTS) if (text.includes(secret)) throw new Error(`${where} holds '${secret}': ${text.slice(0, 2000)}`);
}

/** The raw answer (status and whole body) to a request in a client dialect. */
async function raw(dialect: "openai" | "anthropic", model: string, stream: boolean): Promise<{ status: number; text: string; callId: string | null }> {
  const path = dialect === "openai" ? "/v1/chat/completions" : "/v1/messages";
  const response = await fetch(`${gateway.origin}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
    body: JSON.stringify({ model, max_tokens: 16, stream, messages: [{ role: "user", content: "hi" }] }),
  });
  return { status: response.status, text: await response.text(), callId: response.headers.get("x-switchboard-call-id") };
}

/** The error an official SDK raised for a call (streams read to the end). */
async function sdkError(run: () => Promise<unknown>): Promise<Error> {
  try {
    const result = await run();
    if (result && typeof result === "object" && Symbol.asyncIterator in result) for await (const _ of result as AsyncIterable<unknown>);
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the call to fail");
}

const CASES: { dialect: "openai" | "anthropic"; model: string; stream: boolean; what: string }[] = [
  { dialect: "openai", model: "gpt-mid", stream: true, what: "same-format stream, error chunk mid-stream" },
  { dialect: "openai", model: "gpt-router", stream: true, what: "same-format stream, OpenRouter-style error chunk mid-stream" },
  { dialect: "openai", model: "gpt-late", stream: true, what: "same-format stream, error chunk whose error member is not its first" },
  { dialect: "openai", model: "gpt-first", stream: true, what: "same-format stream, error as the first event" },
  { dialect: "openai", model: "gpt-first", stream: false, what: "same-format buffered 401" },
  { dialect: "openai", model: "claude-mid", stream: true, what: "translated stream, error event mid-stream" },
  { dialect: "openai", model: "claude-first", stream: false, what: "translated buffered 401" },
  { dialect: "anthropic", model: "claude-mid", stream: true, what: "same-format stream, error event mid-stream" },
  { dialect: "anthropic", model: "claude-first", stream: true, what: "same-format stream, error as the first event" },
  { dialect: "anthropic", model: "claude-first", stream: false, what: "same-format buffered 401" },
  { dialect: "anthropic", model: "gpt-mid", stream: true, what: "translated stream, error chunk mid-stream" },
  { dialect: "anthropic", model: "gpt-first", stream: false, what: "translated buffered 401" },
];

describe("upstream error texts are redacted wherever they go", () => {
  const callIds: string[] = [];

  for (const { dialect, model, stream, what } of CASES) {
    test(`${dialect} client, ${model}: ${what}`, async () => {
      const answer = await raw(dialect, model, stream);
      if (answer.callId) callIds.push(answer.callId);
      expectNoSecret(answer.text, "the client's answer");
      expect(answer.text).toContain("[redacted]");
      // The official SDK sees an error in its dialect, with the redacted message.
      const error = await sdkError(() =>
        dialect === "openai"
          ? openai.chat.completions.create({ model, max_tokens: 16, messages: [{ role: "user", content: "hi" }], ...(stream ? { stream: true as const } : {}) })
          : anthropic.messages.create({ model, max_tokens: 16, messages: [{ role: "user", content: "hi" }], ...(stream ? { stream: true as const } : {}) }),
      );
      expect(error).toBeInstanceOf(dialect === "openai" ? OpenAI.APIError : Anthropic.APIError);
      expectNoSecret(error.message, "the SDK's error");
      expect(error.message).toContain("[redacted]");
    });
  }

  test("call records, the access log and the exported spans hold no secret", async () => {
    expect(callIds.length).toBe(CASES.length);
    for (let i = 0; i < 200 && !callIds.every((id) => receiver.spans.some((s) => s.attributes["switchboard.call_id"] === id)); i++) {
      await tracing.flush();
      await Bun.sleep(10);
    }
    const spans = receiver.spans.filter((s) => callIds.includes(String(s.attributes["switchboard.call_id"])));
    expect(new Set(spans.map((s) => s.attributes["switchboard.call_id"])).size).toBe(CASES.length);
    // Every span of those traces (attempt spans included), with its status message.
    const traces = new Set(spans.map((s) => s.traceId));
    const everything = receiver.spans.filter((s) => traces.has(s.traceId));
    expectNoSecret(JSON.stringify(everything.map((s) => ({ a: s.attributes, st: s.status, n: s.name })), (_k, v) => (typeof v === "bigint" ? String(v) : v)), "the spans");
    // The spans do carry the (redacted) errors.
    expect(everything.some((s) => (s.status.message ?? "").includes("[redacted]") || JSON.stringify(s.attributes).includes("[redacted]"))).toBe(true);
    expectNoSecret(JSON.stringify(gateway.records), "the call records");
    log.flush();
    expect(logLines.join("").length).toBeGreaterThan(0);
    expectNoSecret(logLines.join(""), "the access log");
    expectNoSecret(JSON.stringify(gateway.loggedErrors.map((e) => [e.message, String(e.error)])), "the error log");
  });
});
