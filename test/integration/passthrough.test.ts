/**
 * The same-format fast path against a real OpenAI-wire upstream (test/support/mock-upstream.ts):
 * what the upstream receives, what the client gets back, what the gateway records.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI, { AuthenticationError } from "openai";
import type { Config } from "../../src/config/schema.ts";
import { lastRecordFor, recordsSettled, sseData, startGateway, type TestGateway } from "../support/build-test-app.ts";
import { closedPortUrl, OK_TEXT, OK_USAGE, startMockUpstream, TOOL_CALL, waitFor, type MockUpstream, type RecordedRequest } from "../support/mock-upstream.ts";

const UPSTREAM_KEY = "sk-upstream-secret-123456";
/** A key no redaction pattern recognises: only exact-secret scrubbing can hide it. */
const PLAIN_KEY = "plaintoken0123456789abc";
const CLIENT_KEY = "sk-client-own-key-999999";

let upstream: MockUpstream;
let gateway: TestGateway;
let unreachableBase: string;

beforeAll(async () => {
  upstream = await startMockUpstream();
  unreachableBase = await closedPortUrl();
  const api_base = upstream.url;
  const config: Config = {
    models: [
      { model_name: "gpt-test", model: "openai/ok", api_base, api_key: UPSTREAM_KEY },
      { model_name: "up/*", model: "openai/*", api_base, api_key: UPSTREAM_KEY },
      { model_name: "plainkey/*", model: "openai/*", api_base, api_key: PLAIN_KEY },
      { model_name: "mistral-x", model: "mistral/ok", api_base, api_key: UPSTREAM_KEY },
      { model_name: "hang-1s", model: "openai/hang", api_base, api_key: UPSTREAM_KEY, timeout_seconds: 1 },
      { model_name: "stall-1s", model: "openai/stall", api_base, api_key: UPSTREAM_KEY, timeout_seconds: 1 },
      { model_name: "down", model: "openai/ok", api_base: unreachableBase, api_key: UPSTREAM_KEY },
    ],

    // These tests check how one upstream answer is mapped; the router's retries are tested in test/router.
    router: { num_retries: 0 },
  };
  gateway = await startGateway(config);
});

afterAll(async () => {
  await gateway?.stop();
  await upstream?.stop();
});

/** POSTs a raw body (exact bytes) to the gateway, as a client with its own key. */
function post(path: string, body: string, init: { signal?: AbortSignal; headers?: Record<string, string> } = {}): Promise<Response> {
  return fetch(`${gateway.baseURL}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${CLIENT_KEY}`, ...init.headers },
    body,
    ...(init.signal ? { signal: init.signal } : {}),
  });
}

let seq = 0;
/** A unique user message, so a test can find exactly its own upstream request. */
const marker = (label: string) => `${label} #${++seq} ${crypto.randomUUID()}`;

/** The one upstream request whose body carries `mark`. */
function upstreamRequestWith(mark: string): RecordedRequest {
  const found = upstream.requests.filter((r) => r.bodyText.includes(mark));
  if (found.length !== 1) throw new Error(`expected exactly one upstream request with '${mark}', got ${found.length}`);
  return found[0]!;
}

/** The parsed `data:` payloads of an SSE response, `[DONE]` excluded, plus whether `[DONE]` ended it. */
async function readChunks(response: Response): Promise<{ chunks: any[]; done: boolean; content: string }> {
  const data = sseData(await response.text());
  const done = data.at(-1) === "[DONE]";
  const chunks = data.filter((d) => d !== "[DONE]").map((d) => JSON.parse(d));
  const content = chunks.map((c) => c.choices?.[0]?.delta?.content ?? "").join("");
  return { chunks, done, content };
}

/** OpenAI's error object has exactly these members. */
const ERROR_KEYS = ["code", "message", "param", "type"];

describe("request body", () => {
  test("forwarded byte for byte with only model rewritten: vendor fields, number spelling and key order survive", async () => {
    const mark = marker("bytes");
    const raw =
      `{"temperature":0.50,"model":"gpt-test","messages":[{"role":"user","content":"${mark}"}],` +
      `"vendor_field":{"a":[1,2]},"seed":12345678901234567890,"metadata":{"z":1,"a":"\\u00e9"}}`;
    const response = await post("/chat/completions", raw);
    expect(response.status).toBe(200);
    const received = upstreamRequestWith(mark);
    expect(received.path).toBe("/v1/chat/completions");
    expect(received.bodyText).toBe(raw.replace('"model":"gpt-test"', '"model":"ok"'));
    expect(Object.keys(received.body)).toEqual(["temperature", "model", "messages", "vendor_field", "seed", "metadata"]);
    expect(received.body.vendor_field).toEqual({ a: [1, 2] });
  });

  test("wildcard: up/<name> reaches the upstream as <name>", async () => {
    const mark = marker("wildcard");
    const raw = JSON.stringify({ model: "up/ok", messages: [{ role: "user", content: mark }], vendor_field: { a: [1, 2] } });
    const response = await post("/chat/completions", raw);
    expect(response.status).toBe(200);
    expect(upstreamRequestWith(mark).bodyText).toBe(raw.replace('"model":"up/ok"', '"model":"ok"'));
    expect(response.headers.get("x-switchboard-model-id")).toBe("up/*");
  });

  test("a body with Python-style separators (', ' and ': ') is also forwarded byte for byte", async () => {
    const mark = marker("python");
    // What `json.dumps(body)` (requests/httpx `json=`) sends.
    const raw = `{"model": "gpt-test", "messages": [{"role": "user", "content": "${mark}"}], "vendor_field": {"a": [1, 2]}, "top_p": 1.0}`;
    const response = await post("/chat/completions", raw);
    expect(response.status).toBe(200);
    expect(upstreamRequestWith(mark).bodyText).toBe(raw.replace('"model": "gpt-test"', '"model": "ok"'));
  });

  test("api_base, base_url and api_key in the client body are not forwarded; the upstream gets the server's key", async () => {
    const mark = marker("strip");
    const client = {
      api_base: "http://evil.invalid/v1",
      model: "gpt-test",
      messages: [{ role: "user", content: mark }],
      base_url: "http://evil.invalid",
      vendor_field: { a: [1, 2] },
      api_key: "sk-client-body-key-424242",
    };
    const response = await post("/chat/completions", JSON.stringify(client));
    expect(response.status).toBe(200);
    // It reached the configured upstream (this mock), not the api_base the client named.
    const received = upstreamRequestWith(mark);
    const { api_base, base_url, api_key, ...kept } = client;
    expect(received.bodyText).toBe(JSON.stringify({ ...kept, model: "ok" }));
    expect(received.bodyText).not.toContain("evil.invalid");
    expect(received.bodyText).not.toContain("sk-client-body-key");
    expect(received.headers.authorization).toBe(`Bearer ${UPSTREAM_KEY}`);
    expect(JSON.stringify(received.headers)).not.toContain(CLIENT_KEY);
  });

  test("embeddings: body forwarded with model rewritten, float and base64 answers relayed untouched", async () => {
    for (const encoding_format of ["float", "base64"] as const) {
      const mark = marker("embed");
      const raw = JSON.stringify({ model: "up/embed", input: [mark, "second input"], encoding_format, dimensions: 6 });
      const response = await post("/embeddings", raw);
      expect(response.status).toBe(200);
      const received = upstreamRequestWith(mark);
      expect(received.path).toBe("/v1/embeddings");
      expect(received.bodyText).toBe(raw.replace('"model":"up/embed"', '"model":"embed"'));
      const body = (await response.json()) as any;
      expect(body.data).toHaveLength(2);
      const first = body.data[0].embedding;
      if (encoding_format === "float") expect(first).toHaveLength(6);
      else expect(Buffer.from(first, "base64").length).toBe(6 * 4);
      expect(response.headers.get("x-ratelimit-remaining-requests")).toBe("9999");
    }
  });
});

describe("streaming usage", () => {
  test("client did not ask: upstream still gets include_usage, client sees no usage chunk, record has exact usage", async () => {
    const mark = marker("stream-no-usage");
    const raw = JSON.stringify({ model: "gpt-test", messages: [{ role: "user", content: mark }], stream: true });
    const before = gateway.records.length;
    const response = await post("/chat/completions", raw);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const { chunks, done, content } = await readChunks(response);

    const received = upstreamRequestWith(mark);
    expect(received.body.stream_options).toEqual({ include_usage: true });
    expect(received.bodyText).toBe(`${raw.slice(0, -1).replace('"model":"gpt-test"', '"model":"ok"')},"stream_options":{"include_usage":true}}`);
    expect(received.headers.accept).toBe("text/event-stream");

    expect(done).toBe(true);
    expect(content).toBe(OK_TEXT);
    expect(chunks.filter((c) => c.choices.length === 0)).toEqual([]);
    expect(chunks.filter((c) => c.usage != null)).toEqual([]);
    expect(chunks.at(-1).choices[0].finish_reason).toBe("stop");

    const [record] = (await recordsSettled(gateway, before + 1)).slice(before);
    expect(record).toMatchObject({ model: "gpt-test", stream: true, status: 200, outcome: "ok", deploymentId: "gpt-test", provider: "openai", finishReason: "stop" });
    expect(record!.usage).toEqual({ input: OK_USAGE.prompt_tokens, output: OK_USAGE.completion_tokens, cacheRead: OK_USAGE.prompt_tokens_details.cached_tokens });
  });

  test("client asked include_usage: false -> upstream gets true, client still sees no usage chunk", async () => {
    const mark = marker("stream-usage-false");
    const raw = JSON.stringify({ model: "gpt-test", messages: [{ role: "user", content: mark }], stream: true, stream_options: { include_usage: false } });
    const response = await post("/chat/completions", raw);
    const { chunks, content } = await readChunks(response);
    expect(upstreamRequestWith(mark).body.stream_options).toEqual({ include_usage: true });
    expect(content).toBe(OK_TEXT);
    expect(chunks.filter((c) => c.usage != null)).toEqual([]);
  });

  test("client asked include_usage: true -> body untouched but for model, client gets the upstream's usage chunk verbatim", async () => {
    const mark = marker("stream-usage");
    const raw = JSON.stringify({ model: "gpt-test", messages: [{ role: "user", content: mark }], stream: true, stream_options: { include_usage: true } });
    const before = gateway.records.length;
    const response = await post("/chat/completions", raw);
    const { chunks, done, content } = await readChunks(response);
    expect(upstreamRequestWith(mark).bodyText).toBe(raw.replace('"model":"gpt-test"', '"model":"ok"'));
    expect(done).toBe(true);
    expect(content).toBe(OK_TEXT);
    const usageChunks = chunks.filter((c) => c.usage != null);
    expect(usageChunks).toHaveLength(1);
    expect(usageChunks[0]).toBe(chunks.at(-1));
    expect(usageChunks[0].choices).toEqual([]);
    expect(usageChunks[0].usage).toEqual(OK_USAGE);

    const [record] = (await recordsSettled(gateway, before + 1)).slice(before);
    expect(record!.usage).toEqual({ input: 19, output: 5, cacheRead: 12 });
  });

  test("streamed tool call relayed intact through the SDK", async () => {
    const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: CLIENT_KEY, maxRetries: 0 });
    const stream = await client.chat.completions.create({
      model: "up/tool",
      messages: [{ role: "user", content: marker("tool") }],
      tools: [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }],
      stream: true,
    });
    let id: string | undefined;
    let name: string | undefined;
    let args = "";
    let fragments = 0;
    for await (const chunk of stream) {
      for (const call of chunk.choices[0]?.delta.tool_calls ?? []) {
        id ??= call.id;
        name ??= call.function?.name;
        if (call.function?.arguments) fragments++;
        args += call.function?.arguments ?? "";
      }
    }
    expect(id).toBe(TOOL_CALL.id);
    expect(name).toBe(TOOL_CALL.name);
    expect(fragments).toBeGreaterThan(1);
    expect(JSON.parse(args)).toEqual(JSON.parse(TOOL_CALL.arguments));
  });

  test("non-stream: record has the exact usage including cached tokens", async () => {
    const response = await post("/chat/completions", JSON.stringify({ model: "up/ok", messages: [{ role: "user", content: marker("plain") }] }));
    const body = (await response.json()) as any;
    expect(body.choices[0].message.content).toBe(OK_TEXT);
    expect(body.usage).toEqual(OK_USAGE);
    expect(lastRecordFor(gateway, "up/ok")).toMatchObject({ status: 200, outcome: "ok", usage: { input: 19, output: 5, cacheRead: 12 }, finishReason: "stop" });
  });
});

describe("vendor preset (mistral)", () => {
  test("stream: no stream_options sent, max_completion_tokens renamed max_tokens, rest byte for byte", async () => {
    const mark = marker("mistral-stream");
    const raw = JSON.stringify({ model: "mistral-x", messages: [{ role: "user", content: mark }], max_completion_tokens: 50, stream: true, vendor_field: { a: [1, 2] } });
    const response = await post("/chat/completions", raw);
    expect(response.status).toBe(200);
    const { content, done } = await readChunks(response);
    expect(content).toBe(OK_TEXT);
    expect(done).toBe(true);
    const received = upstreamRequestWith(mark);
    expect(received.body).not.toHaveProperty("stream_options");
    expect(received.body).not.toHaveProperty("max_completion_tokens");
    expect(received.body.max_tokens).toBe(50);
    expect(received.bodyText).toBe(raw.replace('"model":"mistral-x"', '"model":"ok"').replace('"max_completion_tokens":50', '"max_tokens":50'));
  });

  test("non-stream: max_completion_tokens renamed max_tokens", async () => {
    const mark = marker("mistral");
    const response = await post("/chat/completions", JSON.stringify({ model: "mistral-x", messages: [{ role: "user", content: mark }], max_completion_tokens: 7 }));
    expect(response.status).toBe(200);
    const received = upstreamRequestWith(mark);
    expect(received.body).toEqual({ model: "ok", messages: [{ role: "user", content: mark }], max_tokens: 7 });
  });

  test("a parameter Mistral rejects -> 400 naming it, nothing sent upstream", async () => {
    const mark = marker("mistral-user");
    const response = await post("/chat/completions", JSON.stringify({ model: "mistral-x", messages: [{ role: "user", content: mark }], user: "u-1" }));
    expect(response.status).toBe(400);
    const body = (await response.json()) as any;
    expect(body.error).toMatchObject({ type: "invalid_request_error", param: "user", code: "invalid_request" });
    expect(upstream.requests.some((r) => r.bodyText.includes(mark))).toBe(false);
  });
});

describe("response headers", () => {
  test("upstream x-ratelimit-* headers reach the client, with the gateway's own headers (non-stream and stream)", async () => {
    for (const stream of [false, true]) {
      const response = await post("/chat/completions", JSON.stringify({ model: "gpt-test", messages: [{ role: "user", content: marker("headers") }], stream }));
      await response.arrayBuffer();
      expect(response.headers.get("x-ratelimit-limit-requests")).toBe("10000");
      expect(response.headers.get("x-ratelimit-remaining-requests")).toBe("9999");
      expect(response.headers.get("x-ratelimit-reset-requests")).toBe("6ms");
      expect(response.headers.get("x-switchboard-call-id")).toMatch(/^[0-9a-f-]{36}$/);
      expect(response.headers.get("x-switchboard-model-id")).toBe("gpt-test");
      expect(Number(response.headers.get("x-switchboard-overhead-duration-ms"))).toBeGreaterThanOrEqual(0);
    }
  });
});

describe("upstream errors", () => {
  test("429 -> 429 with retry-after and rate-limit headers, OpenAI shape", async () => {
    const response = await post("/chat/completions", JSON.stringify({ model: "up/error-429", messages: [{ role: "user", content: marker("429") }] }));
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("2");
    expect(response.headers.get("x-ratelimit-remaining-requests")).toBe("0");
    const body = (await response.json()) as any;
    expect(Object.keys(body.error).sort()).toEqual(ERROR_KEYS);
    expect(body.error).toMatchObject({ type: "rate_limit_error", code: "rate_limited" });
    expect(body.error.message).toContain("Rate limit reached");
    expect(lastRecordFor(gateway, "up/error-429")).toMatchObject({ status: 429, outcome: "error", errorCode: "provider.rate_limited" });
  });

  test("a failed upstream call is attributed to its deployment (record and x-switchboard-model-id)", async () => {
    const response = await post("/chat/completions", JSON.stringify({ model: "up/error-429", messages: [{ role: "user", content: marker("429-attr") }] }));
    expect(response.status).toBe(429);
    expect(response.headers.get("x-switchboard-call-id")).toMatch(/^[0-9a-f-]{36}$/);
    expect(response.headers.get("x-switchboard-model-id")).toBe("up/*");
    expect(lastRecordFor(gateway, "up/error-429")).toMatchObject({ deploymentId: "up/*", outcome: "error", errorCode: "provider.rate_limited" });
  });

  test("401 whose message echoes the upstream key -> 401 without the key", async () => {
    // The mock really does echo the key it receives.
    const direct = await fetch(`${upstream.url}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${UPSTREAM_KEY}` },
      body: JSON.stringify({ model: "error-401", messages: [{ role: "user", content: "direct" }] }),
    });
    expect(((await direct.json()) as any).error.message).toContain(UPSTREAM_KEY);

    const response = await post("/chat/completions", JSON.stringify({ model: "up/error-401", messages: [{ role: "user", content: marker("401") }] }));
    expect(response.status).toBe(401);
    const text = await response.text();
    expect(text).not.toContain(UPSTREAM_KEY);
    expect(text).not.toContain("secret-123456");
    const body = JSON.parse(text);
    expect(body.error).toMatchObject({ type: "authentication_error", code: "unauthenticated" });
    expect(body.error.message).toContain("Incorrect API key provided");
  });

  test("401 echoing a key of no known shape -> still redacted (exact-secret scrubbing)", async () => {
    const response = await post("/chat/completions", JSON.stringify({ model: "plainkey/error-401", messages: [{ role: "user", content: marker("401-plain") }] }));
    expect(response.status).toBe(401);
    const text = await response.text();
    expect(text).toContain("Incorrect API key provided");
    expect(text).not.toContain(PLAIN_KEY);
    expect(text).not.toContain(PLAIN_KEY.slice(4, -4));
  });

  test("401 through the SDK is an AuthenticationError", async () => {
    const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: CLIENT_KEY, maxRetries: 0 });
    const error = await client.chat.completions.create({ model: "up/error-401", messages: [{ role: "user", content: "x" }] }).catch((e) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(String(error.message)).not.toContain(UPSTREAM_KEY);
  });

  test("context length 400 -> 400 context_length_exceeded", async () => {
    const response = await post("/chat/completions", JSON.stringify({ model: "up/error-400-context", messages: [{ role: "user", content: marker("ctx") }] }));
    expect(response.status).toBe(400);
    const body = (await response.json()) as any;
    expect(body.error).toMatchObject({ type: "invalid_request_error", code: "context_length_exceeded", param: "messages" });
    expect(body.error.message).toContain("maximum context length");
  });

  test("500 -> 500 server_error in OpenAI shape", async () => {
    const response = await post("/chat/completions", JSON.stringify({ model: "up/error-500", messages: [{ role: "user", content: marker("500") }] }));
    expect(response.status).toBe(500);
    const body = (await response.json()) as any;
    expect(body.error).toMatchObject({ type: "api_error", code: "server_error" });
  });

  test("upstream down (closed port) -> 502 unreachable, no key in the message", async () => {
    const response = await post("/chat/completions", JSON.stringify({ model: "down", messages: [{ role: "user", content: "anyone?" }] }));
    expect(response.status).toBe(502);
    const text = await response.text();
    expect(text).not.toContain(UPSTREAM_KEY);
    expect(JSON.parse(text).error).toMatchObject({ type: "api_error", code: "unreachable" });
    expect(lastRecordFor(gateway, "down")).toMatchObject({ status: 502, outcome: "error", errorCode: "provider.unreachable" });
  });

  test("deployment timeout_seconds: 1 with a hanging upstream -> 504, and the upstream call is aborted", async () => {
    const mark = marker("timeout");
    const response = await post("/chat/completions", JSON.stringify({ model: "hang-1s", messages: [{ role: "user", content: mark }] }));
    expect(response.status).toBe(504);
    const body = (await response.json()) as any;
    expect(body.error).toMatchObject({ type: "timeout_error", code: "timeout" });
    expect(await waitFor(() => upstreamRequestWith(mark).aborted, 500)).toBe(true);
    expect(lastRecordFor(gateway, "hang-1s")).toMatchObject({ status: 504, outcome: "error", errorCode: "provider.timeout" });
  });

  test("a stream that stalls past the deployment timeout ends with an in-stream timeout error, and the upstream is aborted", async () => {
    const mark = marker("stall-timeout");
    const response = await post("/chat/completions", JSON.stringify({ model: "stall-1s", messages: [{ role: "user", content: mark }], stream: true }));
    expect(response.status).toBe(200);
    const data = sseData(await response.text());
    expect(data.at(-1)).toBe("[DONE]");
    const error = JSON.parse(data.at(-2)!).error;
    expect(error).toMatchObject({ type: "timeout_error", code: "timeout" });
    expect(error.message).toContain("did not finish within 1 s");
    expect(await waitFor(() => upstreamRequestWith(mark).aborted, 500)).toBe(true);
    expect(lastRecordFor(gateway, "stall-1s")).toMatchObject({ stream: true, outcome: "error", errorCode: "provider.timeout" });
  });

  test("upstream connection dies mid-stream -> in-stream error frame then [DONE], content not repeated", async () => {
    const before = gateway.records.length;
    const response = await post("/chat/completions", JSON.stringify({ model: "up/die-mid-stream", messages: [{ role: "user", content: marker("die") }], stream: true }));
    expect(response.status).toBe(200);
    const data = sseData(await response.text());
    expect(data.at(-1)).toBe("[DONE]");
    const frames = data.slice(0, -1).map((d) => JSON.parse(d));
    const errorFrame = frames.at(-1);
    expect(errorFrame.error).toMatchObject({ type: "api_error", code: "unreachable" });
    expect(JSON.stringify(errorFrame)).not.toContain(UPSTREAM_KEY);
    const content = frames.slice(0, -1).map((c) => c.choices[0].delta.content ?? "").join("");
    expect(content).toBe("Hello");
    const [record] = (await recordsSettled(gateway, before + 1)).slice(before);
    expect(record).toMatchObject({ model: "up/die-mid-stream", outcome: "error", errorCode: "provider.unreachable" });
  });
});

describe("client disconnects", () => {
  test("abort after the first chunk: the upstream request is aborted within 500 ms", async () => {
    const mark = marker("abort-mid-stream");
    const before = gateway.records.length;
    const controller = new AbortController();
    const response = await post("/chat/completions", JSON.stringify({ model: "up/stall", messages: [{ role: "user", content: mark }], stream: true }), { signal: controller.signal });
    expect(response.status).toBe(200);
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    expect(new TextDecoder().decode(first.value)).toContain("chat.completion.chunk");
    const received = upstreamRequestWith(mark);
    expect(received.aborted).toBe(false);

    controller.abort();
    expect(await waitFor(() => received.aborted, 500)).toBe(true);
    const [record] = (await recordsSettled(gateway, before + 1)).slice(before);
    expect(record).toMatchObject({ model: "up/stall", stream: true, outcome: "cancelled" });
  });

  test("abort before the first byte (upstream hangs): the upstream request is aborted within 500 ms", async () => {
    const mark = marker("abort-hang");
    const controller = new AbortController();
    const pending = post("/chat/completions", JSON.stringify({ model: "up/hang", messages: [{ role: "user", content: mark }], stream: true }), { signal: controller.signal }).catch((e) => e);
    expect(await waitFor(() => upstream.requests.some((r) => r.bodyText.includes(mark)), 2000)).toBe(true);
    const received = upstreamRequestWith(mark);
    expect(received.aborted).toBe(false);

    controller.abort();
    expect((await pending).name).toBe("AbortError");
    expect(await waitFor(() => received.aborted, 500)).toBe(true);
    expect(await waitFor(() => gateway.records.some((r) => r.model === "up/hang"), 500)).toBe(true);
    expect(lastRecordFor(gateway, "up/hang")).toMatchObject({ outcome: "cancelled" });
  });
});

describe("slow first token vs the server idle timeout", () => {
  // Bun sweeps idle connections on a 4 s tick, so with idleTimeout 1 an unexempted connection whose
  // response has started is cut within 4 s of going quiet. A 5 s pause therefore always crosses a
  // sweep. (Bun 1.4.5 does not idle-cut a POST whose response has not started at all, so the pause
  // before any byte — `slow-first-token`, the non-stream call — passes even without the exemption;
  // `slow-after-role`, a pause after the first chunk, is the case that fails if the gateway stops
  // calling server.timeout(request, 0) for proxied calls.)
  const FIRST_TOKEN_MS = 5000;
  let slowUpstream: MockUpstream;
  let strict: TestGateway;
  beforeAll(async () => {
    slowUpstream = await startMockUpstream({ slowFirstTokenMs: FIRST_TOKEN_MS });
    strict = await startGateway({ models: [{ model_name: "slow/*", model: "openai/*", api_base: slowUpstream.url, api_key: UPSTREAM_KEY }] }, { idleTimeout: 1 });
  });
  afterAll(async () => {
    await strict?.stop();
    await slowUpstream?.stop();
  });

  test(
    "idleTimeout 1 s, first token after 5 s: streams (pause before the first chunk, and after the role chunk) and non-stream all complete",
    async () => {
      const call = (model: string, stream: boolean) =>
        fetch(`${strict.baseURL}/chat/completions`, {
          method: "POST",
          headers: { "content-type": "application/json", authorization: "Bearer x" },
          body: JSON.stringify({ model, messages: [{ role: "user", content: "take your time" }], stream }),
        });
      const streamed = (model: string) => call(model, true).then(async (r) => ({ status: r.status, ...(await readChunks(r)) }));
      const [beforeFirst, afterRole, plain] = await Promise.all([
        streamed("slow/slow-first-token"),
        streamed("slow/slow-after-role"),
        call("slow/slow-first-token", false).then(async (r) => ({ status: r.status, body: (await r.json()) as any })),
      ]);
      for (const result of [beforeFirst, afterRole]) {
        expect(result.status).toBe(200);
        expect(result.content).toBe(OK_TEXT);
        expect(result.done).toBe(true);
      }
      expect(plain.status).toBe(200);
      expect(plain.body.choices[0].message.content).toBe(OK_TEXT);
      expect(strict.records.map((r) => r.outcome)).toEqual(["ok", "ok", "ok"]);
    },
    15_000,
  );
});

test("self-check: the mock upstream answers malformed OpenAI requests with a 400 and records why", async () => {
  const strictUpstream = await startMockUpstream();
  try {
    const send = (body: string, headers: Record<string, string> = {}, path = "/chat/completions") =>
      fetch(`${strictUpstream.url}${path}`, { method: "POST", headers: { "content-type": "application/json", authorization: "Bearer k", ...headers }, body });
    const good = JSON.stringify({ model: "ok", messages: [{ role: "user", content: "hi" }] });
    const cases: [string, Promise<Response>][] = [
      ["no bearer", send(good, { authorization: "" })],
      ["wrong content-type", send(good, { "content-type": "text/plain" })],
      ["not JSON", send("{")],
      ["no model", send(JSON.stringify({ messages: [{ role: "user", content: "hi" }] }))],
      ["empty messages", send(JSON.stringify({ model: "ok", messages: [] }))],
      ["bad role", send(JSON.stringify({ model: "ok", messages: [{ role: "wizard", content: "hi" }] }))],
      ["stream_options without stream", send(JSON.stringify({ model: "ok", messages: [{ role: "user", content: "hi" }], stream_options: { include_usage: true } }))],
      ["embeddings without input", send(JSON.stringify({ model: "embed" }), {}, "/embeddings")],
    ];
    for (const [label, pending] of cases) {
      const response = await pending;
      expect({ label, status: response.status }).toEqual({ label, status: 400 });
      expect(((await response.json()) as any).error.message).toContain("malformed");
    }
    expect(strictUpstream.requests.filter((r) => r.invalid)).toHaveLength(cases.length);
    expect((await send(good)).status).toBe(200);
  } finally {
    await strictUpstream.stop();
  }
});

test("the upstream never received a malformed request", () => {
  const invalid = upstream.requests.filter((r) => r.invalid).map((r) => `${r.path}: ${r.invalid}`);
  expect(invalid).toEqual([]);
  expect(upstream.requests.length).toBeGreaterThan(20);
});
