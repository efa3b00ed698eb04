/**
 * Gemini, Cohere, Mistral and OpenAI's Responses API through their pass-through routes (raw fetch,
 * as their SDKs send it): where the key is presented and that it never goes up, where the model is
 * named, usage from each wire's answers and streams, headers in both directions, upstream errors.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Config } from "../../src/config/schema.ts";
import { recordsSettled, startGateway, type TestGateway } from "../support/build-test-app.ts";
import { COHERE_TEXT, GEMINI_TEXT, RESPONSES_TEXT, startMockNative, type MockNative } from "../support/mock-native.ts";
import { closedPortUrl, waitFor } from "../support/mock-upstream.ts";

const GEMINI_KEY = "AIzaSyUpstreamGeminiKey0123456789ab";
const COHERE_KEY = "cohere-upstream-key-0123456789";
const MISTRAL_KEY = "mistral-upstream-key-0123456789";
const OPENAI_KEY = "sk-openai-upstream-native-0123456789";
const MASTER = "sk-master-native-wires-0123456789";

let mock: MockNative;
let gateway: TestGateway;

beforeAll(async () => {
  mock = await startMockNative();
  const config: Config = {
    models: [
      { model_name: "flash", model: "gemini/gemini-2.0-flash", api_base: `${mock.url}/v1beta`, api_key: GEMINI_KEY },
      { model_name: "small", model: "mistral/mistral-small-latest", api_base: `${mock.url}/v1`, api_key: MISTRAL_KEY, use_in_pass_through: true },
      { model_name: "o4", model: "openai/o4-mini", api_base: `${mock.url}/v1`, api_key: OPENAI_KEY },
    ],
  };
  // The environment's Gemini base is a port nothing listens on: calls there fail without leaving the machine.
  const nowhere = await closedPortUrl();
  gateway = await startGateway(config, { masterKey: MASTER, env: { COHERE_API_KEY: COHERE_KEY, COHERE_API_BASE: mock.url, GEMINI_API_KEY: "AIzaSyEnvironmentKeyNotForThisModel00", GEMINI_API_BASE: nowhere } });
});
afterAll(async () => {
  await gateway.stop();
  await mock.stop();
});

const post = (path: string, body: unknown, headers: Record<string, string> = { authorization: `Bearer ${MASTER}` }) =>
  fetch(`${gateway.origin}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
const lastRecord = async () => (await recordsSettled(gateway, gateway.records.length)).at(-1);
const GEMINI_BODY = { contents: [{ role: "user", parts: [{ text: "Hello" }] }], generationConfig: { maxOutputTokens: 100 } };

describe("Gemini at /gemini", () => {
  test("x-goog-api-key authenticates; the model in the path picks the deployment and its key", async () => {
    const before = mock.requests.length;
    const response = await post("/gemini/v1beta/models/gemini-2.0-flash:generateContent", GEMINI_BODY, { "x-goog-api-key": MASTER });
    expect(response.status).toBe(200);
    expect(((await response.json()) as any).candidates[0].content.parts[0].text).toBe(GEMINI_TEXT);
    const received = mock.requests[before];
    expect(received?.path).toBe("/v1beta/models/gemini-2.0-flash:generateContent");
    expect(received?.headers["x-goog-api-key"]).toBe(GEMINI_KEY);
    expect(JSON.stringify(received)).not.toContain(MASTER);
    expect(await lastRecord()).toMatchObject({ model: "flash", upstreamModel: "gemini-2.0-flash", provider: "gemini", usage: { input: 31, output: 13, cacheRead: 16, reasoning: 4 }, responseId: "gem-1", finishReason: "STOP" });
  });

  test("?key= authenticates too, and never goes upstream; the rest of the query does", async () => {
    const before = mock.requests.length;
    const response = await post(`/gemini/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse&key=${MASTER}`, GEMINI_BODY, {});
    expect(response.headers.get("content-type")).toStartWith("text/event-stream");
    const text = await response.text();
    expect(text).toContain("the mock Gemini.");
    expect(mock.requests[before]?.search).toBe("?alt=sse");
    expect(JSON.stringify(mock.requests[before])).not.toContain(MASTER);
    expect(await waitFor(() => gateway.records.at(-1)?.stream === true, 2000)).toBe(true);
    expect(gateway.records.at(-1)).toMatchObject({ usage: { input: 31, output: 13 }, outcome: "ok" });
  });

  test("the JSON-array stream (no alt=sse) is relayed as it comes and booked from its last element", async () => {
    const response = await post("/gemini/v1beta/models/gemini-2.0-flash:streamGenerateContent", GEMINI_BODY, { "x-goog-api-key": MASTER });
    const chunks: string[] = [];
    const decoder = new TextDecoder();
    for await (const chunk of response.body as ReadableStream<Uint8Array>) chunks.push(decoder.decode(chunk));
    expect(chunks.length).toBeGreaterThan(1);
    const array = JSON.parse(chunks.join("")) as unknown[];
    expect(array).toHaveLength(2);
    expect(await waitFor(() => gateway.records.at(-1)?.stream === true && gateway.records.at(-1)?.usage?.input === 31, 2000)).toBe(true);
  });

  test("a model no configured deployment serves goes where <provider>/* does (the environment's key)", async () => {
    const before = mock.requests.length;
    const response = await post("/gemini/v1beta/models/gemini-2.5-pro:countTokens", GEMINI_BODY, { "x-goog-api-key": MASTER });
    expect(response.status).toBe(502);
    // The environment's base is a closed port: the call went there, not to the mock.
    expect(mock.requests.length).toBe(before);
    expect(await lastRecord()).toMatchObject({ model: "gemini/gemini-2.5-pro", deploymentId: "gemini/*", outcome: "error", errorCode: "provider.unreachable" });
  });
});

describe("Cohere at /cohere (environment credential)", () => {
  test("v2 chat: a bearer key from COHERE_API_KEY; billed units as usage", async () => {
    const before = mock.requests.length;
    const response = await post("/cohere/v2/chat", { model: "command-r-plus", messages: [{ role: "user", content: "hi" }] });
    expect(((await response.json()) as any).message.content[0].text).toBe(COHERE_TEXT);
    expect(mock.requests[before]?.headers.authorization).toBe(`Bearer ${COHERE_KEY}`);
    expect(await lastRecord()).toMatchObject({ model: "cohere/command-r-plus", deploymentId: "cohere/environment", usage: { input: 14, output: 7 }, responseId: "co-1", finishReason: "COMPLETE" });
  });

  test("a v2 chat stream: usage from message-end", async () => {
    const response = await post("/cohere/v2/chat", { model: "command-r-plus", messages: [{ role: "user", content: "hi" }], stream: true });
    expect(await response.text()).toContain("event: message-end");
    expect(await waitFor(() => gateway.records.at(-1)?.stream === true, 2000)).toBe(true);
    expect(gateway.records.at(-1)).toMatchObject({ usage: { input: 14, output: 7 }, outcome: "ok" });
  });

  test("rerank names a model but is not priced: passed through, cost unknown", async () => {
    const response = await post("/cohere/v2/rerank", { model: "rerank-v3.5", query: "q", documents: ["a"] });
    expect(response.status).toBe(200);
    const record = await lastRecord();
    expect(record).toMatchObject({ model: "cohere/rerank-v3.5", outcome: "ok" });
    expect(record?.costNano).toBeUndefined();
  });
});

describe("Mistral at /mistral and the Responses API at /openai", () => {
  test("Mistral chat: the deployment's key and usage", async () => {
    const before = mock.requests.length;
    const response = await post("/mistral/v1/chat/completions", { model: "mistral-small-latest", messages: [{ role: "user", content: "hi" }] });
    expect(response.status).toBe(200);
    expect(mock.requests[before]?.headers.authorization).toBe(`Bearer ${MISTRAL_KEY}`);
    expect(await lastRecord()).toMatchObject({ model: "small", usage: { input: 23, output: 6, cacheRead: 10 } });
  });

  test("Responses API, whole and streamed: usage with cached and reasoning tokens", async () => {
    const whole = await post("/openai/v1/responses", { model: "o4-mini", input: "hi" });
    expect(((await whole.json()) as any).output[0].content[0].text).toBe(RESPONSES_TEXT);
    expect(await lastRecord()).toMatchObject({ model: "o4", usage: { input: 40, output: 11, cacheRead: 32, reasoning: 3 }, responseId: "resp_native_1" });
    const streamed = await post("/openai/v1/responses", { model: "o4-mini", input: "hi", stream: true });
    expect(await streamed.text()).toContain("response.completed");
    expect(await waitFor(() => gateway.records.at(-1)?.stream === true, 2000)).toBe(true);
    expect(gateway.records.at(-1)).toMatchObject({ usage: { input: 40, output: 11, cacheRead: 32, reasoning: 3 } });
  });
});

describe("headers and errors", () => {
  test("hop-by-hop, forwarding and gateway headers never go up; the client's own headers do", async () => {
    const before = mock.requests.length;
    await fetch(`${gateway.origin}/mistral/v1/models`, {
      headers: { authorization: `Bearer ${MASTER}`, "x-api-key": "other", "x-forwarded-for": "10.0.0.1", "x-switchboard-redact": "true", cookie: "session=1", "openai-beta": "assistants=v2", "x-custom": "kept", te: "trailers", connection: "keep-alive, x-hop", "x-hop": "1" },
    });
    const headers = mock.requests[before]?.headers ?? {};
    for (const name of ["x-api-key", "x-forwarded-for", "x-switchboard-redact", "cookie", "te", "x-hop"]) expect(`${name}: ${headers[name] ?? "absent"}`).toBe(`${name}: absent`);
    expect(headers["openai-beta"]).toBe("assistants=v2");
    expect(headers["x-custom"]).toBe("kept");
    expect(headers.host).toBe(new URL(mock.url).host);
  });

  test("the upstream's answer headers come back, less cookies; the gateway's are added", async () => {
    const response = await fetch(`${gateway.origin}/mistral/v1/models`, { headers: { authorization: `Bearer ${MASTER}` } });
    expect(response.headers.get("x-request-id")).toBe("req-native-1");
    expect(response.headers.get("set-cookie")).toBeNull();
    expect(response.headers.get("x-switchboard-call-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  test("an upstream error is answered as the upstream sent it, its status kept and the credential taken out", async () => {
    const response = await post("/mistral/v1/error-echo", {});
    expect(response.status).toBe(401);
    expect(response.headers.get("x-upstream-error")).toBe("yes");
    const text = await response.text();
    expect(text).toContain("Invalid credentials");
    expect(text).not.toContain(MISTRAL_KEY);
    expect(text).not.toContain(MASTER);
    expect(await lastRecord()).toMatchObject({ status: 401, outcome: "error", errorCode: "provider.unauthenticated" });
  });

  test("?key= and x-goog-api-key are keys on /gemini only; `key` never goes up on any route", async () => {
    const before = mock.requests.length;
    await fetch(`${gateway.origin}/mistral/v1/models?limit=2&key=${MASTER}`, { headers: { authorization: `Bearer ${MASTER}` } });
    expect(mock.requests[before]?.search).toBe("?limit=2");
    expect((await fetch(`${gateway.origin}/mistral/v1/models?key=${MASTER}`)).status).toBe(401);
    expect((await fetch(`${gateway.origin}/mistral/v1/models`, { headers: { "x-goog-api-key": MASTER } })).status).toBe(401);
    expect((await fetch(`${gateway.origin}/v1/models`, { headers: { "x-goog-api-key": MASTER } })).status).toBe(401);
  });

  test("a model call that names no model is refused: the key's access could not be checked", async () => {
    const response = await post("/cohere/v2/chat", { messages: [{ role: "user", content: "hi" }] });
    expect(response.status).toBe(400);
    expect(((await response.json()) as any).error.message).toContain("names none");
  });
});
