/**
 * Model names from requests never move an upstream URL off its path (issue 12: a key allowed
 * `gemini/*` sent `x/../../upload/v1beta/files?x=` and the gateway POSTed elsewhere on Google's host
 * with the operator's key). Through a real gateway, with the official OpenAI and Anthropic SDKs, to
 * one mock server that plays every provider and records each request's raw path and query:
 * hostile names are a 400 on `model` before any upstream call (the mock sees nothing), names with
 * odd but harmless characters arrive as one encoded segment, and legitimate odd ids (a Bedrock ARN,
 * signed as AWS verifies it; Vertex's `@` versions; Gemini's `models/` names) keep working.
 */
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import type { Config } from "../../src/config/schema.ts";
import { clearSharedGoogleTokenSources } from "../../src/providers/vertex/token-source.ts";
import { converseBody, encodeEvents, streamEvents, type Answer } from "../conformance/providers/bedrock-answers.ts";
import { checkSigV4, type AwsTestCredentials } from "../conformance/providers/bedrock-sigv4.ts";
import { makeAccount, tokenEndpoint } from "../fixtures/vertex/google-mock.ts";
import { startGateway, type TestGateway } from "../support/build-test-app.ts";
import { HOSTILE } from "../support/model-names.ts";

interface Seen {
  /** Path and query exactly as they arrived (percent-escapes kept). */
  target: string;
  body: Record<string, unknown>;
  /** What AWS's own signer says of the SigV4 signature (Bedrock requests only); undefined when it verifies. */
  sigv4?: string | undefined;
}

const REGION = "us-east-1";
const AWS: AwsTestCredentials = { accessKeyId: "ASIAMODELPATHS0TEST0", secretAccessKey: "model/paths+Secret0123456789EXAMPLEKEY00", sessionToken: "IQoJb3JpZ2luX2VjEModelPaths//////////token/with+slashes==" };
const ARN = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0";
const ARN_SEGMENT = "arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.anthropic.claude-sonnet-4-5-20250929-v1%3A0";
const VERTEX_PREFIX = "/v1/projects/test-project/locations/europe-west4/publishers";

const seen: Seen[] = [];
let server: ReturnType<typeof Bun.serve>;
let gateway: TestGateway;
let openai: OpenAI;
let anthropic: Anthropic;
let token: ReturnType<typeof tokenEndpoint>;

/** Server-sent events; Anthropic's carry their type as the event name too. */
const sse = (events: Record<string, unknown>[]) =>
  new Response(events.map((event) => `${typeof event.type === "string" ? `event: ${event.type}\n` : ""}data: ${JSON.stringify(event)}\n\n`).join(""), { headers: { "content-type": "text/event-stream" } });
const geminiAnswer = { candidates: [{ content: { role: "model", parts: [{ text: "ok" }] }, finishReason: "STOP", index: 0 }], usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 1, totalTokenCount: 4 } };
const claudeAnswer = { id: "msg_paths", type: "message", role: "assistant", model: "claude", content: [{ type: "text", text: "ok" }], stop_reason: "end_turn", stop_sequence: null, usage: { input_tokens: 3, output_tokens: 1 } };
const claudeEvents = [
  { type: "message_start", message: { ...claudeAnswer, content: [], stop_reason: null, usage: { input_tokens: 3, output_tokens: 0 } } },
  { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
  { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "ok" } },
  { type: "content_block_stop", index: 0 },
  { type: "message_delta", delta: { stop_reason: "end_turn", stop_sequence: null }, usage: { output_tokens: 1 } },
  { type: "message_stop" },
];
const bedrockAnswer: Answer = { blocks: [{ text: "ok" }], stopReason: "end_turn", usage: { inputTokens: 3, outputTokens: 1, totalTokens: 4 } };
const chatAnswer = (model: unknown) => ({ id: "chatcmpl-paths", object: "chat.completion", created: 1, model, choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }], usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 } });

/** Answers as the provider the path names would, once the request is recorded. */
function answer(path: string, body: Record<string, unknown>): Response {
  if (path.endsWith(":streamGenerateContent")) return sse([geminiAnswer]);
  if (path.endsWith(":generateContent")) return Response.json(geminiAnswer);
  if (path.endsWith(":batchEmbedContents")) return Response.json({ embeddings: [{ values: [0.5, 0.25] }] });
  if (path.endsWith(":predict")) return Response.json({ predictions: [{ embeddings: { statistics: { token_count: 1 }, values: [0.5, 0.25] } }] });
  if (path.endsWith(":streamRawPredict")) return sse(claudeEvents);
  if (path.endsWith(":rawPredict") || path.endsWith("/v1/messages")) return body.stream ? sse(claudeEvents) : Response.json(claudeAnswer);
  if (path.endsWith("/converse")) return Response.json(converseBody(bedrockAnswer, 10));
  if (path.endsWith("/converse-stream")) return new Response(encodeEvents(streamEvents(bedrockAnswer, 10), () => 0.5), { headers: { "content-type": "application/vnd.amazon.eventstream" } });
  if (path.endsWith("/invoke")) return Response.json({ embedding: [0.5, 0.25], inputTextTokenCount: 1 });
  if (path.endsWith("/embeddings")) return Response.json({ object: "list", data: [{ object: "embedding", index: 0, embedding: [0.5, 0.25] }], model: body.model, usage: { prompt_tokens: 1, total_tokens: 1 } });
  if (path.endsWith("/chat/completions")) {
    if (!body.stream) return Response.json(chatAnswer(body.model));
    const chunk = { id: "chatcmpl-paths", object: "chat.completion.chunk", created: 1, model: body.model, choices: [{ index: 0, delta: { role: "assistant", content: "ok" }, finish_reason: "stop" }] };
    return new Response(`data: ${JSON.stringify(chunk)}\n\ndata: [DONE]\n\n`, { headers: { "content-type": "text/event-stream" } });
  }
  return new Response("no such path", { status: 404 });
}

beforeAll(async () => {
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const url = new URL(request.url);
      if (url.pathname === "/token") return token.fetch(request.url, { method: "POST", headers: request.headers, body: await request.text() });
      const bytes = new Uint8Array(await request.arrayBuffer());
      const body = JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
      const record: Seen = { target: url.pathname + url.search, body };
      if (url.pathname.startsWith("/model/")) {
        const headers: Record<string, string> = {};
        request.headers.forEach((value, name) => (headers[name] = value));
        record.sigv4 = await checkSigV4({ method: request.method, url, headers, body: bytes }, AWS, REGION, "bedrock");
      }
      seen.push(record);
      return answer(url.pathname, body);
    },
  });
  const origin = `http://127.0.0.1:${server.port}`;
  const account = await makeAccount("paths", `${origin}/token`);
  token = tokenEndpoint({ account, now: Date.now });
  clearSharedGoogleTokenSources();
  const aws = { aws_region_name: REGION, aws_access_key_id: AWS.accessKeyId, aws_secret_access_key: AWS.secretAccessKey, aws_session_token: AWS.sessionToken };
  const vertex = { api_base: origin, vertex_credentials: account.json, vertex_location: "europe-west4" };
  const config = {
    settings: { mock_models: false, env_provider_models: false },
    router: { num_retries: 0 },
    models: [
      { model_name: "gemini/*", model: "gemini/*", api_base: `${origin}/v1beta`, api_key: "AIza-paths" },
      { model_name: "vertex_ai/*", model: "vertex_ai/*", ...vertex },
      { model_name: "claude-vertex", model: "vertex_ai/claude-sonnet-4-5@20250929", ...vertex },
      { model_name: "bedrock/*", model: "bedrock/*", api_base: origin, ...aws },
      { model_name: "azure/*", model: "azure/*", api_base: origin, api_key: "azure-key" },
      { model_name: "azure-v1/*", model: "azure/*", api_base: `${origin}/openai/v1`, api_key: "azure-key" },
      { model_name: "azure-foundry/*", model: "azure/*", api_base: `${origin}/models`, api_key: "azure-key" },
      { model_name: "openai/*", model: "openai/*", api_base: `${origin}/v1`, api_key: "sk-paths" },
      { model_name: "anthropic/*", model: "anthropic/*", api_base: `${origin}/v1`, api_key: "sk-ant-paths" },
    ],
  } as Config;
  gateway = await startGateway(config);
  openai = new OpenAI({ baseURL: gateway.baseURL, apiKey: "sk-test", maxRetries: 0 });
  anthropic = new Anthropic({ baseURL: gateway.origin, apiKey: "sk-test", maxRetries: 0 });
});

afterAll(async () => {
  await gateway?.stop();
  server?.stop(true);
});

beforeEach(() => {
  seen.length = 0;
});

const WILDCARDS = ["gemini", "vertex_ai", "bedrock", "azure", "azure-v1", "azure-foundry", "openai", "anthropic"] as const;
/** `gemini/` itself matches no wildcard (a 404, tested elsewhere): every other hostile name. */
const NAMES = HOSTILE.filter((name) => name !== "");
const messages = [{ role: "user" as const, content: "Hi" }];

/** The error a call ends with (fails the test if it succeeds). */
async function failure(call: () => Promise<unknown>): Promise<{ status: number | undefined; error: Record<string, unknown> }> {
  try {
    await call();
  } catch (error) {
    if (error instanceof OpenAI.APIError || error instanceof Anthropic.APIError) return { status: error.status, error: (error.error ?? {}) as Record<string, unknown> };
    throw error;
  }
  throw new Error("the call succeeded");
}

/** The caller's 400 for the model, booked as the caller's error: no upstream attempt, nothing to retry. */
function expectCallerRefusal(result: { status: number | undefined; error: Record<string, unknown> }, name: string): void {
  expect({ name, status: result.status }).toEqual({ name, status: 400 });
  const detail = (result.error.error ?? result.error) as Record<string, unknown>;
  expect(String(detail.message)).toContain("cannot be sent");
  const record = gateway.records.at(-1);
  expect(record?.errorCode).toBe("caller.invalid_request");
  expect(record?.failedAttempts ?? []).toEqual([]);
}

describe("hostile model names are a 400 before any upstream call, on every provider", () => {
  for (const prefix of WILDCARDS) {
    test(`${prefix}/*: chat (OpenAI SDK, buffered and streamed)`, async () => {
      for (const name of NAMES) {
        for (const stream of [false, true]) {
          const result = await failure(() => openai.chat.completions.create({ model: `${prefix}/${name}`, messages, stream }));
          expectCallerRefusal(result, name);
          expect(result.error).toMatchObject({ param: "model", code: "invalid_request", type: "invalid_request_error" });
        }
      }
      expect(seen).toEqual([]);
    });

    test(`${prefix}/*: messages (Anthropic SDK)`, async () => {
      for (const name of NAMES) {
        const result = await failure(() => anthropic.messages.create({ model: `${prefix}/${name}`, max_tokens: 8, messages }));
        expectCallerRefusal(result, name);
        expect(result.error).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
      }
      expect(seen).toEqual([]);
    });
  }

  for (const prefix of ["gemini", "vertex_ai", "bedrock", "azure", "openai"] as const) {
    test(`${prefix}/*: embeddings (OpenAI SDK)`, async () => {
      for (const name of NAMES) {
        const result = await failure(() => openai.embeddings.create({ model: `${prefix}/${name}`, input: "hi" }));
        expectCallerRefusal(result, name);
        expect(result.error).toMatchObject({ param: "model" });
      }
      expect(seen).toEqual([]);
    });
  }

  test("anthropic/*: count_tokens (Anthropic SDK)", async () => {
    for (const name of NAMES) expectCallerRefusal(await failure(() => anthropic.messages.countTokens({ model: `anthropic/${name}`, messages })), name);
    expect(seen).toEqual([]);
  });

  test("the issue's own request: the message says what is wrong, without echoing the name", async () => {
    const result = await failure(() => openai.chat.completions.create({ model: "gemini/x/../../upload/v1beta/files?x=", messages }));
    expect(result.error.message).toBe(
      "The model cannot be sent upstream: its id has a '..' path segment. Model ids have no '?', '#', backslash, control character, percent-escape or '.'/'..' segment; send the model id as the provider names it.",
    );
    expect(seen).toEqual([]);
  });

  test("Gemini and Vertex AI ids with a '/' are refused by the provider: a 400, no upstream call, no retry", async () => {
    for (const model of ["gemini/files/abc", "gemini/models/a/b", "vertex_ai/google/gemini-2.5-flash"]) {
      const result = await failure(() => openai.chat.completions.create({ model, messages }));
      expect(result.status).toBe(400);
      expect(result.error).toMatchObject({ param: "model", code: "invalid_request" });
      expect(String(result.error.message)).toContain("one name without '/'");
      const record = gateway.records.at(-1);
      expect(record?.errorCode).toBe("caller.invalid_request");
      expect(record?.failedAttempts ?? []).toEqual([]);
    }
    expect(seen).toEqual([]);
  });
});

describe("odd but harmless names arrive as one encoded segment of the provider's path", () => {
  const NAME = "my model (v2)";
  const ENCODED = "my%20model%20%28v2%29";
  const cases: [string, string][] = [
    ["gemini", `/v1beta/models/${ENCODED}:generateContent`],
    ["vertex_ai", `${VERTEX_PREFIX}/google/models/${ENCODED}:generateContent`],
    ["bedrock", `/model/${ENCODED}/converse`],
    ["azure", `/openai/deployments/${ENCODED}/chat/completions?api-version=2024-10-21`],
    ["azure-v1", "/openai/v1/chat/completions"],
    ["azure-foundry", "/models/chat/completions?api-version=2024-05-01-preview"],
    ["openai", "/v1/chat/completions"],
  ];
  for (const [prefix, target] of cases) {
    test(`${prefix}/${NAME}`, async () => {
      const answer = await openai.chat.completions.create({ model: `${prefix}/${NAME}`, messages });
      expect(answer.choices[0]?.message.content).toBe("ok");
      expect(seen.map((s) => s.target)).toEqual([target]);
      // Where the model travels in the body (or Azure's deployments style, where it is both), it is the name as sent.
      if (!target.includes(":generateContent") && !target.startsWith("/model/")) expect(seen[0]?.body.model).toBe(NAME);
      if (prefix === "bedrock") expect(seen[0]?.sigv4).toBeUndefined();
    });
  }

  test("anthropic/my model (v2): the Messages path, the name in the body", async () => {
    const answer = await anthropic.messages.create({ model: `anthropic/${NAME}`, max_tokens: 8, messages });
    expect(answer.content.map((block) => (block.type === "text" ? block.text : block.type))).toEqual(["ok"]);
    expect(seen.map((s) => [s.target, s.body.model])).toEqual([["/v1/messages", NAME]]);
  });

  test("a wildcard's match is put in verbatim ('$&' is not a replacement pattern)", async () => {
    await openai.chat.completions.create({ model: "gemini/a$&b", messages });
    expect(seen.map((s) => s.target)).toEqual(["/v1beta/models/a%24%26b:generateContent"]);
  });
});

describe("legitimate odd ids keep working", () => {
  test("Bedrock inference-profile ARN: Converse and ConverseStream, one encoded segment, signed as AWS's own signer verifies", async () => {
    const buffered = await openai.chat.completions.create({ model: `bedrock/${ARN}`, messages });
    expect(buffered.choices[0]?.message.content).toBe("ok");
    let text = "";
    for await (const chunk of await openai.chat.completions.create({ model: `bedrock/${ARN}`, messages, stream: true })) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe("ok");
    const viaAnthropic = await anthropic.messages.create({ model: `bedrock/${ARN}`, max_tokens: 8, messages });
    expect(viaAnthropic.content.map((block) => (block.type === "text" ? block.text : block.type))).toEqual(["ok"]);
    expect(seen.map((s) => [s.target, s.sigv4])).toEqual([
      [`/model/${ARN_SEGMENT}/converse`, undefined],
      [`/model/${ARN_SEGMENT}/converse-stream`, undefined],
      [`/model/${ARN_SEGMENT}/converse`, undefined],
    ]);
  });

  test("Bedrock embeddings on a Titan id: InvokeModel, ':' encoded, signed", async () => {
    const answer = await openai.embeddings.create({ model: "bedrock/amazon.titan-embed-text-v2:0", input: "hi", encoding_format: "float" });
    expect(answer.data[0]?.embedding).toEqual([0.5, 0.25]);
    expect(seen.map((s) => [s.target, s.sigv4])).toEqual([["/model/amazon.titan-embed-text-v2%3A0/invoke", undefined]]);
  });

  test("Vertex AI Claude: the @version stays literal, buffered and streamed (Anthropic SDK, fast path)", async () => {
    await anthropic.messages.create({ model: "claude-vertex", max_tokens: 8, messages });
    let text = "";
    for await (const event of anthropic.messages.stream({ model: "claude-vertex", max_tokens: 8, messages })) if (event.type === "content_block_delta" && event.delta.type === "text_delta") text += event.delta.text;
    expect(text).toBe("ok");
    expect(seen.map((s) => s.target)).toEqual([`${VERTEX_PREFIX}/anthropic/models/claude-sonnet-4-5@20250929:rawPredict`, `${VERTEX_PREFIX}/anthropic/models/claude-sonnet-4-5@20250929:streamRawPredict`]);
    expect(token.state.problems).toEqual([]);
  });

  test("Gemini: models/ names and embeddings, on their own paths", async () => {
    await openai.chat.completions.create({ model: "gemini/models/gemini-2.5-flash", messages });
    for await (const _ of await openai.chat.completions.create({ model: "gemini/gemini-2.5-flash", messages, stream: true })) void _;
    await openai.embeddings.create({ model: "gemini/models/text-embedding-004", input: "hi" });
    await openai.embeddings.create({ model: "vertex_ai/text-embedding-005", input: "hi" });
    expect(seen.map((s) => s.target)).toEqual([
      "/v1beta/models/gemini-2.5-flash:generateContent",
      "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse",
      "/v1beta/models/text-embedding-004:batchEmbedContents",
      `${VERTEX_PREFIX}/google/models/text-embedding-005:predict`,
    ]);
  });
});
