/**
 * The official OpenAI SDK against a real gateway socket, served by the built-in mock provider.
 * Mock usage is exact: one token per whitespace-separated word (src/providers/mock/text.ts).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI, { APIError, AuthenticationError, BadRequestError, InternalServerError, NotFoundError, RateLimitError } from "openai";
import type { ChatCompletionChunk, ChatCompletionTool } from "openai/resources/chat/completions";
import { MOCK_MODELS } from "../../src/providers/mock/catalogue.ts";
import { lastRecordFor, rawHttpRequest, recordsSettled, startGateway, type TestGateway } from "../support/build-test-app.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let gateway: TestGateway;
let client: OpenAI;

beforeAll(async () => {
  gateway = await startGateway({});
  client = new OpenAI({ baseURL: gateway.baseURL, apiKey: "x", maxRetries: 0 });
});
afterAll(async () => {
  await gateway?.stop();
});

/** Collects a streamed completion: the chunks, the reassembled text and the usage chunk (if any). */
async function collect(stream: AsyncIterable<ChatCompletionChunk>) {
  const chunks: ChatCompletionChunk[] = [];
  let content = "";
  for await (const chunk of stream) {
    chunks.push(chunk);
    content += chunk.choices[0]?.delta.content ?? "";
  }
  return { chunks, content, usageChunks: chunks.filter((c) => c.usage != null) };
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

const user = (content: string) => [{ role: "user" as const, content }];

describe("chat completions", () => {
  test("plain completion: exact echo text and exact usage", async () => {
    const completion = await client.chat.completions.create({
      model: "mock/echo",
      messages: [{ role: "system", content: "be brief" }, ...user("hello there world")],
    });
    expect(completion.object).toBe("chat.completion");
    expect(completion.model).toBe("mock/echo");
    expect(completion.choices).toHaveLength(1);
    expect(completion.choices[0]!.message.role).toBe("assistant");
    expect(completion.choices[0]!.message.content).toBe("Echo: hello there world");
    expect(completion.choices[0]!.finish_reason).toBe("stop");
    // prompt: "be brief" (2) + "hello there world" (3); completion: "Echo: hello there world" (4)
    expect(completion.usage).toEqual({ prompt_tokens: 5, completion_tokens: 4, total_tokens: 9 });

    const record = lastRecordFor(gateway, "mock/echo");
    expect(record).toMatchObject({ operation: "chat", stream: false, status: 200, outcome: "ok", deploymentId: "mock/echo", provider: "mock", finishReason: "stop" });
    expect(record.usage).toEqual({ input: 5, output: 4 });
  });

  test("gateway headers on a successful call", async () => {
    const { response } = await client.chat.completions.create({ model: "mock/echo", messages: user("headers please") }).withResponse();
    const callId = response.headers.get("x-switchboard-call-id");
    expect(callId).toMatch(UUID);
    expect(response.headers.get("x-switchboard-model-id")).toBe("mock/echo");
    const overhead = response.headers.get("x-switchboard-overhead-duration-ms");
    expect(overhead).toMatch(/^\d+\.\d{2}$/);
    expect(Number(overhead)).toBeGreaterThanOrEqual(0);
    expect(gateway.records.some((r) => r.callId === callId)).toBe(true);
  });

  test("streaming: several chunks that reassemble to the non-stream content, no usage chunk unless asked", async () => {
    const messages = user("stream these four words");
    const plain = await client.chat.completions.create({ model: "mock/echo", messages });
    const before = gateway.records.length;
    const { chunks, content, usageChunks } = await collect(await client.chat.completions.create({ model: "mock/echo", messages, stream: true }));

    expect(content).toBe(plain.choices[0]!.message.content!);
    expect(content).toBe("Echo: stream these four words");
    // role chunk + one chunk per word (5) + finish chunk
    expect(chunks.length).toBe(7);
    expect(chunks.every((c) => c.object === "chat.completion.chunk" && c.id === chunks[0]!.id)).toBe(true);
    expect(chunks[0]!.choices[0]!.delta.role).toBe("assistant");
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe("stop");
    expect(usageChunks).toHaveLength(0);
    expect(chunks.some((c) => c.choices.length === 0)).toBe(false);

    // The gateway still learned the exact usage (it asks the upstream for it on every stream).
    const [record] = (await recordsSettled(gateway, before + 1)).slice(before);
    expect(record).toMatchObject({ model: "mock/echo", stream: true, status: 200, outcome: "ok", finishReason: "stop" });
    expect(record!.usage).toEqual({ input: plain.usage!.prompt_tokens, output: plain.usage!.completion_tokens });
  });

  test("streaming with stream_options.include_usage: one final usage chunk with the exact usage", async () => {
    const messages = user("count my tokens please");
    const plain = await client.chat.completions.create({ model: "mock/echo", messages });
    const { chunks, content, usageChunks } = await collect(
      await client.chat.completions.create({ model: "mock/echo", messages, stream: true, stream_options: { include_usage: true } }),
    );
    expect(content).toBe(plain.choices[0]!.message.content!);
    expect(usageChunks).toHaveLength(1);
    expect(chunks.at(-1)).toBe(usageChunks[0]!);
    expect(usageChunks[0]!.choices).toEqual([]);
    expect(usageChunks[0]!.usage).toEqual(plain.usage!);
    expect(plain.usage).toEqual({ prompt_tokens: 4, completion_tokens: 5, total_tokens: 9 });
  });

  test("mock/slow streams the same content as mock/echo", async () => {
    const { content, chunks } = await collect(await client.chat.completions.create({ model: "mock/slow", messages: user("a b"), stream: true }));
    expect(content).toBe("Echo: a b");
    expect(chunks.length).toBe(5);
  });
});

describe("tool calls", () => {
  const tools: ChatCompletionTool[] = [
    {
      type: "function",
      function: {
        name: "get_weather",
        description: "Weather for a city",
        parameters: {
          type: "object",
          properties: {
            city: { type: "string" },
            days: { type: "integer" },
            unit: { type: "string", enum: ["celsius", "fahrenheit"] },
            tags: { type: "array", items: { type: "string" } },
          },
          required: ["city", "days", "unit", "tags"],
        },
      },
    },
  ];
  // What the mock fills in from the schema: strings get the user text, integers 1, enums their first value.
  const expectedArgs = { city: "weather in Paris", days: 1, unit: "celsius", tags: ["weather in Paris"] };

  test("non-stream: one call with id, name and JSON arguments matching the schema", async () => {
    const completion = await client.chat.completions.create({ model: "mock/tool-call", messages: user("weather in Paris"), tools });
    const choice = completion.choices[0]!;
    expect(choice.finish_reason).toBe("tool_calls");
    expect(choice.message.content).toBeNull();
    const calls = choice.message.tool_calls!;
    expect(calls).toHaveLength(1);
    const call = calls[0]!;
    expect(call.type).toBe("function");
    expect(call.id).toMatch(/^call_[0-9a-z]{12}$/);
    if (call.type !== "function") throw new Error("not a function call");
    expect(call.function.name).toBe("get_weather");
    expect(JSON.parse(call.function.arguments)).toEqual(expectedArgs);
  });

  test("stream: id and name first, then argument fragments that join to the same JSON", async () => {
    const messages = user("weather in Paris");
    const plain = await client.chat.completions.create({ model: "mock/tool-call", messages, tools });
    const plainCall = plain.choices[0]!.message.tool_calls![0]!;
    if (plainCall.type !== "function") throw new Error("not a function call");

    const { chunks } = await collect(await client.chat.completions.create({ model: "mock/tool-call", messages, tools, stream: true }));
    const deltas = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(deltas.length).toBeGreaterThan(2);
    const [first, ...rest] = deltas;
    expect(first!.index).toBe(0);
    expect(first!.id).toBe(plainCall.id);
    expect(first!.function?.name).toBe("get_weather");
    expect(rest.every((d) => d.index === 0 && d.id === undefined && d.function?.name === undefined)).toBe(true);
    const args = deltas.map((d) => d.function?.arguments ?? "").join("");
    expect(rest.filter((d) => (d.function?.arguments ?? "") !== "").length).toBeGreaterThan(1);
    expect(args).toBe(plainCall.function.arguments);
    expect(JSON.parse(args)).toEqual(expectedArgs);
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe("tool_calls");
  });
});

describe("embeddings", () => {
  const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));

  test("float: one unit vector per input, dimensions honoured, deterministic, exact usage", async () => {
    const first = await client.embeddings.create({ model: "mock/embed", input: ["alpha beta", "gamma"], encoding_format: "float", dimensions: 8 });
    expect(first.object).toBe("list");
    expect(first.model).toBe("mock/embed");
    expect(first.data.map((d) => d.index)).toEqual([0, 1]);
    for (const item of first.data) {
      expect(item.object).toBe("embedding");
      expect(item.embedding).toHaveLength(8);
      expect(item.embedding.every((x) => typeof x === "number" && Number.isFinite(x))).toBe(true);
      expect(norm(item.embedding)).toBeCloseTo(1, 5);
    }
    expect(first.data[0]!.embedding).not.toEqual(first.data[1]!.embedding);
    expect(first.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });

    const again = await client.embeddings.create({ model: "mock/embed", input: ["alpha beta", "gamma"], encoding_format: "float", dimensions: 8 });
    expect(again.data).toEqual(first.data);

    const record = lastRecordFor(gateway, "mock/embed");
    expect(record).toMatchObject({ operation: "embeddings", status: 200, outcome: "ok", usage: { input: 3, output: 0 } });
  });

  test("SDK default (base64 on the wire) decodes to the same floats", async () => {
    const floats = await client.embeddings.create({ model: "mock/embed", input: "alpha beta", encoding_format: "float", dimensions: 12 });
    const decoded = await client.embeddings.create({ model: "mock/embed", input: "alpha beta", dimensions: 12 });
    expect(decoded.data[0]!.embedding).toHaveLength(12);
    expect(decoded.data[0]!.embedding).toEqual(floats.data[0]!.embedding);
  });

  test("base64 really is what the gateway returns when asked; default size is 16", async () => {
    const response = await fetch(`${gateway.baseURL}/embeddings`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer x" },
      body: JSON.stringify({ model: "mock/embed", input: "alpha beta", encoding_format: "base64" }),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data: { embedding: unknown }[] };
    const encoded = body.data[0]!.embedding;
    expect(typeof encoded).toBe("string");
    const bytes = Buffer.from(encoded as string, "base64");
    expect(bytes.length).toBe(16 * 4);
    const vector = Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, 16));
    expect(norm(vector)).toBeCloseTo(1, 5);
  });
});

describe("models", () => {
  test("list contains every mock model", async () => {
    const page = await client.models.list();
    const ids = page.data.map((m) => m.id);
    for (const model of MOCK_MODELS) expect(ids).toContain(model.id);
    const echo = page.data.find((m) => m.id === "mock/echo")!;
    expect(echo).toMatchObject({ object: "model", owned_by: "mock" });
    expect(Number.isInteger(echo.created)).toBe(true);
  });

  test("retrieve a model (the SDK percent-encodes the slash)", async () => {
    const model = await client.models.retrieve("mock/echo");
    expect(model).toMatchObject({ id: "mock/echo", object: "model", owned_by: "mock" });
  });

  test("retrieve an unknown model -> NotFoundError", async () => {
    const error = await thrown(() => client.models.retrieve("no-such-model"));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.status).toBe(404);
    expect(error.code).toBe("model_not_found");
  });
});

describe("errors in OpenAI's shape", () => {
  test("unknown model -> 404 NotFoundError naming the model, with a call id", async () => {
    const error = await thrown(() => client.chat.completions.create({ model: "no-such-model", messages: user("hi") }));
    expect(error).toBeInstanceOf(NotFoundError);
    expect(error.status).toBe(404);
    expect(error.error).toEqual({ message: expect.stringContaining("'no-such-model'"), type: "not_found_error", param: "model", code: "model_not_found" });
    expect(error.headers.get("x-switchboard-call-id")).toMatch(UUID);
    expect(lastRecordFor(gateway, "no-such-model")).toMatchObject({ status: 404, outcome: "error", errorCode: "caller.model_not_found" });
  });

  test("bad role -> 400 BadRequestError with param messages.0.role", async () => {
    const error = await thrown(() => client.chat.completions.create({ model: "mock/echo", messages: [{ role: "wizard", content: "hi" }] as never }));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.status).toBe(400);
    expect(error.param).toBe("messages.0.role");
    expect(error.type).toBe("invalid_request_error");
    expect(error.code).toBe("invalid_request");
    expect(error.error.message).toContain("messages.0.role");
  });

  test("missing messages -> 400 with param messages", async () => {
    const error = await thrown(() => client.chat.completions.create({ model: "mock/echo" } as never));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.param).toBe("messages");
  });

  test("out-of-range temperature -> 400 with param temperature", async () => {
    const error = await thrown(() => client.chat.completions.create({ model: "mock/echo", messages: user("hi"), temperature: 7 }));
    expect(error).toBeInstanceOf(BadRequestError);
    expect(error.param).toBe("temperature");
  });

  test("invalid JSON -> 400 invalid_json in OpenAI's shape", async () => {
    const response = await fetch(`${gateway.baseURL}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer x" },
      body: '{"model": "mock/echo", "messages": [',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toContain("application/json");
    const body = (await response.json()) as { error: Record<string, unknown> };
    expect(body).toEqual({ error: { message: expect.stringContaining("not valid JSON"), type: "invalid_request_error", param: null, code: "invalid_json" } });
  });

  test("429 -> RateLimitError with retry-after and rate-limit headers", async () => {
    const error = await thrown(() => client.chat.completions.create({ model: "mock/error-429", messages: user("hi") }));
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error.status).toBe(429);
    expect(error.headers.get("retry-after")).toBe("1");
    expect(error.headers.get("x-ratelimit-remaining-requests")).toBe("0");
    expect(error.type).toBe("rate_limit_error");
    expect(error.code).toBe("rate_limited");
    expect(error.error.message).toContain("Rate limit reached");
    expect(lastRecordFor(gateway, "mock/error-429")).toMatchObject({ status: 429, outcome: "error", errorCode: "provider.rate_limited" });
  });

  test("upstream 500 -> InternalServerError", async () => {
    const error = await thrown(() => client.chat.completions.create({ model: "mock/error-500", messages: user("hi") }));
    expect(error).toBeInstanceOf(InternalServerError);
    expect(error.status).toBe(500);
    expect(error.type).toBe("api_error");
  });

  test("stream that breaks mid-way: SDK iteration throws an APIError after the first words, nothing repeated", async () => {
    const before = gateway.records.length;
    const stream = await client.chat.completions.create({ model: "mock/fail-mid-stream", messages: user("hello brave new world"), stream: true });
    let content = "";
    let contentChunks = 0;
    let error: any;
    try {
      for await (const chunk of stream) {
        const piece = chunk.choices[0]?.delta.content;
        if (piece) contentChunks++;
        content += piece ?? "";
      }
    } catch (e) {
      error = e;
    }
    // The SDK turns the gateway's in-stream `{"error": ...}` frame into an APIError (no HTTP status: headers were 200).
    expect(error).toBeInstanceOf(APIError);
    expect(error.status).toBeUndefined();
    expect(error.message).toContain("Lost the connection to Mock provider");
    expect(error.error).toMatchObject({ type: "api_error", code: "unreachable" });
    expect(content).toBe("Echo: hello");
    expect(contentChunks).toBe(2);

    const [record] = (await recordsSettled(gateway, before + 1)).slice(before);
    expect(record).toMatchObject({ model: "mock/fail-mid-stream", stream: true, outcome: "error", errorCode: "provider.unreachable" });
  });

  test("Host header that is not host[:port] -> 400 JSON (raw socket)", async () => {
    const response = await rawHttpRequest(gateway.port, "GET /v1/models HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n");
    expect(response.status).toBe(400);
    expect(response.headers["content-type"]).toContain("application/json");
    expect(JSON.parse(response.body)).toEqual({ error: { message: expect.stringContaining("Host"), type: "invalid_request_error", param: null, code: "invalid_host" } });
  });

  test("a well-formed Host header over the same raw socket path works (control)", async () => {
    const response = await rawHttpRequest(gateway.port, `GET /health/liveness HTTP/1.1\r\nHost: 127.0.0.1:${gateway.port}\r\nConnection: close\r\n\r\n`);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ status: "alive" });
  });
});

describe("body size limit", () => {
  const LIMIT = 4096;
  let small: TestGateway;
  let smallClient: OpenAI;
  beforeAll(async () => {
    small = await startGateway({}, { maxBodyBytes: LIMIT });
    smallClient = new OpenAI({ baseURL: small.baseURL, apiKey: "x", maxRetries: 0 });
  });
  afterAll(async () => {
    await small?.stop();
  });

  test("a body under the limit is served", async () => {
    const completion = await smallClient.chat.completions.create({ model: "mock/echo", messages: user("x".repeat(LIMIT / 2)) });
    expect(completion.choices[0]!.message.content).toBe(`Echo: ${"x".repeat(LIMIT / 2)}`);
  });

  test("a body over the limit -> 413 in OpenAI's shape", async () => {
    const error = await thrown(() => smallClient.chat.completions.create({ model: "mock/echo", messages: user("x".repeat(LIMIT + 500)) }));
    expect(error).toBeInstanceOf(APIError);
    expect(error.status).toBe(413);
    expect(error.type).toBe("invalid_request_error");
    expect(error.code).toBe("body_too_large");
  });

  test("a chunked body (no content-length) over the limit in bytes but not in characters -> 413", async () => {
    // 2000 euro signs: 2000 UTF-16 code units but 6000 UTF-8 bytes, over the 4096-byte limit.
    const body = JSON.stringify({ model: "mock/echo", messages: user("€".repeat(2000)) });
    expect(Buffer.byteLength(body)).toBeGreaterThan(LIMIT);
    expect(Buffer.byteLength(body)).toBeLessThan(LIMIT * 2);
    const bytes = new TextEncoder().encode(body);
    const response = await fetch(`${small.baseURL}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer x" },
      body: new ReadableStream({
        start(controller) {
          controller.enqueue(bytes);
          controller.close();
        },
      }),
    });
    expect(response.status).toBe(413);
  });
});

describe("master key", () => {
  const MASTER = "sk-switchboard-master-7f3a";
  let locked: TestGateway;
  beforeAll(async () => {
    locked = await startGateway({}, { masterKey: MASTER });
  });
  afterAll(async () => {
    await locked?.stop();
  });
  const clientWith = (apiKey: string, extra: Partial<ConstructorParameters<typeof OpenAI>[0]> = {}) =>
    new OpenAI({ baseURL: locked.baseURL, apiKey, maxRetries: 0, ...extra });

  test("no key -> 401 AuthenticationError", async () => {
    // A null default header removes the SDK's Authorization header entirely.
    const anonymous = clientWith("unused", { defaultHeaders: { Authorization: null } as never });
    const error = await thrown(() => anonymous.chat.completions.create({ model: "mock/echo", messages: user("hi") }));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.status).toBe(401);
    expect(error.error).toEqual({ message: expect.stringContaining("Missing API key"), type: "authentication_error", param: null, code: "unauthenticated" });
  });

  test("wrong key -> 401 AuthenticationError", async () => {
    const error = await thrown(() => clientWith("sk-wrong").chat.completions.create({ model: "mock/echo", messages: user("hi") }));
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error.status).toBe(401);
    expect(error.error.message).toBe("Invalid API key.");
  });

  test("wrong key on models.list -> 401 too", async () => {
    const error = await thrown(() => clientWith("sk-wrong").models.list());
    expect(error).toBeInstanceOf(AuthenticationError);
  });

  test("right key -> 200", async () => {
    const completion = await clientWith(MASTER).chat.completions.create({ model: "mock/echo", messages: user("let me in") });
    expect(completion.choices[0]!.message.content).toBe("Echo: let me in");
  });

  test("no key and a malformed body -> still 401 (authentication before parsing)", async () => {
    const response = await fetch(`${locked.baseURL}/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: "{not json" });
    expect(response.status).toBe(401);
  });
});
