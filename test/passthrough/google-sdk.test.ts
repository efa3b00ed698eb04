/**
 * Google's Gen AI SDK (`@google/genai`) as the client of `/gemini` and `/vertex_ai`, with a virtual
 * key as its key. The mocks check the wire: Gemini's API gets the deployment's key, Vertex AI a
 * bearer token its own token endpoint issued for the deployment's service account (the RS256
 * assertion verified); neither ever sees the virtual key; bodies arrive byte for byte; streams flow;
 * each call leaves one ledger row priced from `usageMetadata`.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import { ApiError, GoogleGenAI, type GoogleGenAIOptions } from "@google/genai";
import type { GeneratedKeyJson, SpendLogJson } from "../../src/admin/responses.ts";
import type { TestAccount } from "../fixtures/vertex/google-mock.ts";
import { startAccountsGateway, type AccountsGateway } from "../support/accounts.ts";
import { GEMINI_CALL, GEMINI_TEXT, GEMINI_USAGE, startMockNative, type MockNative, type NativeRequest } from "../support/mock-native.ts";
import { startMockVertex, type MockVertex } from "../support/mock-vertex.ts";
import { useTempDir } from "../support/temp-dir.ts";

const tmp = useTempDir("switchboard-google-sdk-");
const GEMINI_KEY = "AIza-upstream-gemini-0123456789abcdef";
/** Gemini 2.0 Flash's rates per million, set on the deployments so the expected cost is plain arithmetic. */
const FLASH_PRICE = { input: 0.1, output: 0.4, cache_read: 0.025 };
/** GEMINI_USAGE at FLASH_PRICE: 15 uncached and 16 cached in, 9 + 4 (thoughts) out. */
const FLASH_SPEND = (15 * 0.1 + 16 * 0.025 + 13 * 0.4) / 1e6;

let native: MockNative;
let vertex: MockVertex;
let gateway: AccountsGateway;
let key: GeneratedKeyJson;
let account: TestAccount;
/** Bodies as the SDK sent them, in order. */
const sent: string[] = [];
/** Paths the SDK asked the gateway for, in order. */
const asked: string[] = [];

/** A fetch that keeps each request body and path the SDK sends. */
const capturing = (async (url: string | URL | Request, init?: RequestInit) => {
  if (typeof init?.body === "string") sent.push(init.body);
  asked.push(new URL(url instanceof Request ? url.url : url).pathname);
  return fetch(url, init);
}) as typeof fetch;

beforeAll(async () => {
  native = await startMockNative();
  vertex = await startMockVertex();
  account = await vertex.account("sdk-deploy");
  const place = { vertex_credentials: account.json, vertex_project: "deploy-project", vertex_location: "europe-west4", api_base: vertex.url };
  gateway = await startAccountsGateway(
    {
      models: [
        { model_name: "flash", model: "gemini/gemini-2.0-flash", api_base: `${native.url}/v1beta`, api_key: GEMINI_KEY, price: FLASH_PRICE },
        { model_name: "vx-flash", model: "vertex_ai/gemini-2.0-flash", ...place, price: FLASH_PRICE },
      ],
    },
    { dataDir: dirname(await tmp.file("marker", "")) },
  );
  key = (await gateway.admin<GeneratedKeyJson>("POST", "/key/generate", { key_alias: "google-sdk", models: ["flash", "vx-flash"] })).body;
});
afterAll(async () => {
  await gateway?.stop();
  await native?.stop();
  await vertex?.stop();
});

/** The ledger row of a call, once the ledger has it. */
async function rowOf(callId: string | null): Promise<SpendLogJson> {
  let row: SpendLogJson | undefined;
  for (let i = 0; i < 100 && !row; i++) {
    row = (await gateway.admin<SpendLogJson[]>("GET", "/spend/logs")).body.find((entry) => entry.call_id === callId);
    if (!row) await Bun.sleep(20);
  }
  if (!row) throw new Error(`no ledger row for ${callId}`);
  return row;
}

/** The call id the gateway answered the SDK's last request with. */
const lastCallId = () => gateway.records.at(-1)?.callId ?? null;

/** No header the upstream received carries the client's key, and none is a client credential header. */
function expectNoClientKey(request: NativeRequest | undefined): void {
  expect(JSON.stringify(request?.headers ?? {})).not.toContain(key.key);
  expect(request?.search ?? "").not.toContain(key.key);
  for (const name of ["x-litellm-api-key", "x-switchboard-api-key", "cookie"]) expect(request?.headers[name]).toBeUndefined();
}

/** The text parts of an answer (the SDK's `.text` warns when function calls ride along, as the mock's do). */
const textOf = (answer: { candidates?: { content?: { parts?: { text?: string }[] } }[] }) => (answer.candidates?.[0]?.content?.parts ?? []).map((part) => part.text ?? "").join("");

const CONTENTS = [{ role: "user", parts: [{ text: "Say hello." }] }];
const CONFIG = { temperature: 0.3, maxOutputTokens: 64, systemInstruction: "Be brief." };

describe("@google/genai (Gemini API) at /gemini", () => {
  const client = () => new GoogleGenAI({ apiKey: key.key, httpOptions: { baseUrl: `${gateway.origin}/gemini`, fetch: capturing } });

  test("generateContent: the deployment's key goes up as x-goog-api-key, the body byte for byte; booked from usageMetadata", async () => {
    const before = native.requests.length;
    const answer = await client().models.generateContent({ model: "gemini-2.0-flash", contents: CONTENTS, config: CONFIG });
    expect(textOf(answer)).toBe(GEMINI_TEXT);
    expect(answer.functionCalls?.[0]).toMatchObject(GEMINI_CALL);
    const received = native.requests[before];
    // The SDK's own API version (v1 in 3.x), as it asked: the path goes up unchanged under the deployment's root.
    expect(asked.at(-1)).toMatch(/^\/gemini\/v1(beta)?\/models\/gemini-2\.0-flash:generateContent$/);
    expect(received?.path).toBe((asked.at(-1) as string).slice("/gemini".length));
    expect(received?.headers["x-goog-api-key"]).toBe(GEMINI_KEY);
    expect(received?.headers.authorization).toBeUndefined();
    expectNoClientKey(received);
    expect(received?.bodyText).toBe(sent.at(-1) as string);
    expect(JSON.parse(received?.bodyText ?? "{}")).toMatchObject({ generationConfig: { temperature: 0.3, maxOutputTokens: 64 } });
    const row = await rowOf(lastCallId());
    expect(row).toMatchObject({ call_type: "pass_through_endpoint", model: "flash", upstream_model: "gemini-2.0-flash", custom_llm_provider: "gemini", key_alias: "google-sdk", prompt_tokens: 31, completion_tokens: 13, cache_read_input_tokens: 16 });
    expect(row.spend).toBeCloseTo(FLASH_SPEND, 12);
  });

  test("generateContentStream: SSE (the SDK asks alt=sse) flows chunk by chunk and is booked from the last chunk's usage", async () => {
    const before = native.requests.length;
    const stream = await client().models.generateContentStream({ model: "gemini-2.0-flash", contents: CONTENTS, config: CONFIG });
    let text = "";
    let usage: unknown;
    for await (const chunk of stream) {
      text += textOf(chunk);
      usage = chunk.usageMetadata ?? usage;
    }
    expect(text).toBe(GEMINI_TEXT);
    expect(usage).toMatchObject(GEMINI_USAGE);
    const received = native.requests[before];
    expect(asked.at(-1)).toMatch(/^\/gemini\/v1(beta)?\/models\/gemini-2\.0-flash:streamGenerateContent$/);
    expect(received?.path).toBe((asked.at(-1) as string).slice("/gemini".length));
    expect(received?.search).toBe("?alt=sse");
    expect(received?.headers["x-goog-api-key"]).toBe(GEMINI_KEY);
    expectNoClientKey(received);
    expect(received?.bodyText).toBe(sent.at(-1) as string);
    const row = await rowOf(lastCallId());
    expect(row).toMatchObject({ model: "flash", prompt_tokens: 31, completion_tokens: 13, cache_read_input_tokens: 16 });
    expect(gateway.records.at(-1)).toMatchObject({ stream: true, outcome: "ok" });
  });
});

describe("@google/genai (Vertex AI) at /vertex_ai", () => {
  const vertexClient = (options: Partial<GoogleGenAIOptions>) =>
    new GoogleGenAI({ vertexai: true, ...options, httpOptions: { baseUrl: `${gateway.origin}/vertex_ai`, fetch: capturing, ...options.httpOptions } });

  /** The upstream got a token its endpoint issued, at the deployment's place, and nothing of the client's key. */
  function expectVertexWire(received: NativeRequest | undefined, method: string): void {
    expect(received?.invalid).toBeUndefined();
    expect(received?.path).toBe(`/v1beta1/projects/deploy-project/locations/europe-west4/publishers/google/models/gemini-2.0-flash:${method}`);
    const bearer = /^Bearer (\S+)$/.exec(received?.headers.authorization ?? "")?.[1];
    expect(vertex.issued.get(bearer as string)).toBe(account.email);
    expect(received?.headers["x-goog-api-key"]).toBeUndefined();
    expectNoClientKey(received);
    expect(received?.bodyText).toBe(sent.at(-1) as string);
  }

  test("vertexai with project, location and the virtual key as apiKey: generateContent at the deployment's project and location, with its service account's token", async () => {
    const before = vertex.requests.length;
    const answer = await vertexClient({ project: "client-project", location: "us-central1", apiKey: key.key }).models.generateContent({ model: "gemini-2.0-flash", contents: CONTENTS, config: CONFIG });
    expect(textOf(answer)).toBe(GEMINI_TEXT);
    expectVertexWire(vertex.requests[before], "generateContent");
    expect(vertex.tokenProblems).toEqual([]);
    const row = await rowOf(lastCallId());
    expect(row).toMatchObject({ call_type: "pass_through_endpoint", model: "vx-flash", upstream_model: "gemini-2.0-flash", custom_llm_provider: "vertex_ai", model_id: "vx-flash", prompt_tokens: 31, completion_tokens: 13, cache_read_input_tokens: 16 });
    expect(row.spend).toBeCloseTo(FLASH_SPEND, 12);
  });

  test("generateContentStream: streamGenerateContent?alt=sse, relayed chunk by chunk, booked as a stream", async () => {
    const before = vertex.requests.length;
    const stream = await vertexClient({ project: "client-project", location: "us-central1", apiKey: key.key }).models.generateContentStream({ model: "gemini-2.0-flash", contents: CONTENTS, config: CONFIG });
    const texts: string[] = [];
    for await (const chunk of stream) texts.push(textOf(chunk));
    expect(texts.length).toBeGreaterThan(1);
    expect(texts.join("")).toBe(GEMINI_TEXT);
    expectVertexWire(vertex.requests[before], "streamGenerateContent");
    expect(vertex.requests[before]?.search).toBe("?alt=sse");
    const row = await rowOf(lastCallId());
    expect(row).toMatchObject({ model: "vx-flash", prompt_tokens: 31, completion_tokens: 13, cache_read_input_tokens: 16 });
    expect(gateway.records.at(-1)).toMatchObject({ stream: true, outcome: "ok" });
  });

  test("express mode (apiKey, no project): the SDK sends no place; the gateway adds the credential's", async () => {
    const before = vertex.requests.length;
    const answer = await vertexClient({ apiKey: key.key }).models.generateContent({ model: "gemini-2.0-flash", contents: CONTENTS });
    expect(textOf(answer)).toBe(GEMINI_TEXT);
    expectVertexWire(vertex.requests[before], "generateContent");
  });

  test("Google auth of the client's own (ADC) with the virtual key in x-litellm-api-key, as LiteLLM documents: the client's token never goes up", async () => {
    const ownToken = "ya29.the-clients-own-google-token";
    // What google-auth-library's client gives the SDK on a machine with application default credentials.
    const authClient = { getRequestHeaders: async () => new Headers({ authorization: `Bearer ${ownToken}` }) } as unknown as NonNullable<GoogleGenAIOptions["googleAuthOptions"]>["authClient"];
    const before = vertex.requests.length;
    const client = vertexClient({ project: "client-project", location: "us-central1", googleAuthOptions: { authClient }, httpOptions: { headers: { "x-litellm-api-key": key.key } } });
    const answer = await client.models.generateContent({ model: "gemini-2.0-flash", contents: CONTENTS });
    expect(textOf(answer)).toBe(GEMINI_TEXT);
    expectVertexWire(vertex.requests[before], "generateContent");
    expect(JSON.stringify(vertex.requests[before]?.headers)).not.toContain(ownToken);
  });

  test("a model outside the key's list is refused before anything goes upstream, and the SDK reads the error", async () => {
    const before = vertex.requests.length;
    const error = await vertexClient({ project: "client-project", location: "us-central1", apiKey: key.key })
      .models.generateContent({ model: "gemini-2.5-pro", contents: CONTENTS })
      .catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(403);
    expect((error as ApiError).message).toContain("key_model_access_denied");
    expect(vertex.requests.length).toBe(before);
  });
});
