/**
 * Every URL a provider builds from a model id stays on the provider's path: a hostile id is refused
 * with a 400 before any request exists, or is sent as one percent-encoded segment of the right path
 * (and, where the model travels in the body, the URL does not depend on it at all).
 */
import { describe, expect, test } from "bun:test";
import type { ChatRequest } from "../../src/canonical/chat.ts";
import { GatewayError } from "../../src/canonical/errors.ts";
import { anthropic } from "../../src/providers/anthropic/index.ts";
import { azure } from "../../src/providers/azure/index.ts";
import { buildBedrockEmbeddings } from "../../src/providers/bedrock/embeddings.ts";
import { buildBedrockRequest } from "../../src/providers/bedrock/request.ts";
import { buildGeminiEmbeddings } from "../../src/providers/gemini/embeddings.ts";
import { buildGeminiRequest } from "../../src/providers/gemini/request.ts";
import { openai } from "../../src/providers/openai/index.ts";
import type { PassthroughInput, Target, UpstreamRequest } from "../../src/providers/types.ts";
import { anthropicOnVertex } from "../../src/providers/vertex/anthropic.ts";
import { geminiOnVertex } from "../../src/providers/vertex/gemini.ts";
import { HOSTILE } from "../support/model-names.ts";

const STRICT = { dropParams: false };
const chat = (stream: boolean): ChatRequest => ({ model: "client-name", messages: [{ role: "user", content: [{ type: "text", text: "Hi" }] }], stream, maxTokens: 8, extra: {} });
const passthrough = (body: Record<string, unknown>, stream = false): PassthroughInput => ({ raw: JSON.stringify(body), parsed: body, stream });
const messagesBody = (stream = false) => ({ model: "client-name", max_tokens: 8, messages: [{ role: "user", content: "Hi" }], ...(stream ? { stream } : {}) });
const openAIBody = (stream = false) => ({ model: "client-name", messages: [{ role: "user", content: "Hi" }], ...(stream ? { stream } : {}) });

const GEMINI: Target = { model: "", apiBase: "https://generativelanguage.googleapis.com/v1beta", apiKey: "AIza-test" };
const VERTEX: Target = { model: "", apiBase: "https://europe-west4-aiplatform.googleapis.com", project: "my-project", region: "europe-west4", googleCredentials: "{}" };
const BEDROCK: Target = { model: "", apiBase: "", region: "us-east-1", aws: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" } };
const AZURE: Target = { model: "", apiBase: "https://acme.openai.azure.com", apiKey: "azure-key" };
const VERTEX_PREFIX = "/v1/projects/my-project/locations/europe-west4/publishers";

/** One URL-building call of a provider: the path around the model segment, and the query it must keep. */
interface Case {
  name: string;
  build: (model: string) => UpstreamRequest;
  /** Path before the model's segment, and after it; undefined: the model is not in the URL (the path is `before` exactly). */
  before: string;
  after?: string;
  query?: Record<string, string>;
  /** What a legitimate name must start with for the provider's own model checks (an embedding family) to let it through. */
  embeds?: string;
}

const CASES: Case[] = [
  { name: "Gemini generateContent", build: (model) => buildGeminiRequest(chat(false), { ...GEMINI, model }, STRICT).upstream, before: "/v1beta/models/", after: ":generateContent" },
  { name: "Gemini streamGenerateContent", build: (model) => buildGeminiRequest(chat(true), { ...GEMINI, model }, STRICT).upstream, before: "/v1beta/models/", after: ":streamGenerateContent", query: { alt: "sse" } },
  { name: "Gemini batchEmbedContents", build: (model) => buildGeminiEmbeddings({ input: "hi" }, { ...GEMINI, model }, STRICT).upstreams[0] as UpstreamRequest, before: "/v1beta/models/", after: ":batchEmbedContents" },
  { name: "Vertex AI Gemini generateContent", build: (model) => geminiOnVertex.chat.buildRequest(chat(false), { ...VERTEX, model }, STRICT).upstream, before: `${VERTEX_PREFIX}/google/models/`, after: ":generateContent" },
  { name: "Vertex AI Gemini streamGenerateContent", build: (model) => geminiOnVertex.chat.buildRequest(chat(true), { ...VERTEX, model }, STRICT).upstream, before: `${VERTEX_PREFIX}/google/models/`, after: ":streamGenerateContent", query: { alt: "sse" } },
  { name: "Vertex AI embeddings :predict", build: (model) => geminiOnVertex.embeddings?.buildRequests({ input: "hi" }, { ...VERTEX, model }, STRICT).upstreams[0] as UpstreamRequest, before: `${VERTEX_PREFIX}/google/models/`, after: ":predict" },
  { name: "Vertex AI Claude rawPredict (translated)", build: (model) => anthropicOnVertex.chat.buildRequest(chat(false), { ...VERTEX, model }, STRICT).upstream, before: `${VERTEX_PREFIX}/anthropic/models/`, after: ":rawPredict" },
  { name: "Vertex AI Claude streamRawPredict (translated)", build: (model) => anthropicOnVertex.chat.buildRequest(chat(true), { ...VERTEX, model }, STRICT).upstream, before: `${VERTEX_PREFIX}/anthropic/models/`, after: ":streamRawPredict" },
  { name: "Vertex AI Claude rawPredict (as sent)", build: (model) => anthropicOnVertex.buildPassthrough?.("chat", passthrough(messagesBody()), { ...VERTEX, model }, STRICT) as UpstreamRequest, before: `${VERTEX_PREFIX}/anthropic/models/`, after: ":rawPredict" },
  { name: "Vertex AI Claude streamRawPredict (as sent)", build: (model) => anthropicOnVertex.buildPassthrough?.("chat", passthrough(messagesBody(true), true), { ...VERTEX, model }, STRICT) as UpstreamRequest, before: `${VERTEX_PREFIX}/anthropic/models/`, after: ":streamRawPredict" },
  { name: "Bedrock Converse", build: (model) => buildBedrockRequest(chat(false), { ...BEDROCK, model }, STRICT).upstream, before: "/model/", after: "/converse" },
  { name: "Bedrock ConverseStream", build: (model) => buildBedrockRequest(chat(true), { ...BEDROCK, model }, STRICT).upstream, before: "/model/", after: "/converse-stream" },
  { name: "Bedrock InvokeModel (embeddings)", build: (model) => buildBedrockEmbeddings({ input: "hi" }, { ...BEDROCK, model }).upstreams[0] as UpstreamRequest, before: "/model/", after: "/invoke", embeds: "amazon.titan-embed-text-v2:0" },
  { name: "Azure deployments chat (translated)", build: (model) => azure.chat.buildRequest(chat(false), { ...AZURE, model }, STRICT).upstream, before: "/openai/deployments/", after: "/chat/completions", query: { "api-version": "2024-10-21" } },
  { name: "Azure deployments chat (as sent)", build: (model) => azure.buildPassthrough?.("chat", passthrough(openAIBody()), { ...AZURE, model }, STRICT) as UpstreamRequest, before: "/openai/deployments/", after: "/chat/completions", query: { "api-version": "2024-10-21" } },
  { name: "Azure deployments embeddings", build: (model) => azure.buildPassthrough?.("embeddings", passthrough({ model: "x", input: "hi" }), { ...AZURE, model }, STRICT) as UpstreamRequest, before: "/openai/deployments/", after: "/embeddings", query: { "api-version": "2024-10-21" } },
  { name: "Azure v1 chat (model in the body)", build: (model) => azure.buildPassthrough?.("chat", passthrough(openAIBody()), { ...AZURE, apiBase: "https://acme.openai.azure.com/openai/v1", model }, STRICT) as UpstreamRequest, before: "/openai/v1/chat/completions" },
  { name: "Azure Foundry chat (model in the body)", build: (model) => azure.chat.buildRequest(chat(false), { ...AZURE, apiBase: "https://acme.services.ai.azure.com/models", model }, STRICT).upstream, before: "/models/chat/completions", query: { "api-version": "2024-05-01-preview" } },
  { name: "Anthropic Messages (model in the body)", build: (model) => anthropic.chat.buildRequest(chat(false), { model, apiBase: "https://api.anthropic.com/v1", apiKey: "sk-ant" }, STRICT).upstream, before: "/v1/messages" },
  { name: "Anthropic Messages as sent (model in the body)", build: (model) => anthropic.buildPassthrough?.("chat", passthrough(messagesBody()), { model, apiBase: "https://api.anthropic.com/v1", apiKey: "sk-ant" }, STRICT) as UpstreamRequest, before: "/v1/messages" },
  { name: "OpenAI chat (model in the body)", build: (model) => openai.chat.buildRequest(chat(true), { model, apiBase: "https://api.openai.com/v1", apiKey: "sk" }, STRICT).upstream, before: "/v1/chat/completions" },
  { name: "OpenAI embeddings as sent (model in the body)", build: (model) => openai.buildPassthrough?.("embeddings", passthrough({ model: "x", input: "hi" }), { model, apiBase: "https://api.openai.com/v1", apiKey: "sk" }, STRICT) as UpstreamRequest, before: "/v1/embeddings" },
];

/** What building with `model` gave: the request, or the GatewayError it was refused with. */
function attempt<T>(build: (model: string) => T, model: string): T | GatewayError {
  try {
    return build(model);
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
}

/** The request stayed on the provider's path: the model is one segment there (or only in the body), the query is the provider's own, no fragment. */
function expectOnPath(upstream: UpstreamRequest, c: Case, model: string): void {
  const url = new URL(upstream.url);
  expect(url.hash).toBe("");
  expect(Object.fromEntries(url.searchParams)).toEqual(c.query ?? {});
  if (c.after === undefined) {
    expect(url.pathname).toBe(c.before);
    expect(JSON.parse(upstream.body).model).toBe(model);
    return;
  }
  expect(url.pathname.startsWith(c.before)).toBe(true);
  expect(url.pathname.endsWith(c.after)).toBe(true);
  const segment = url.pathname.slice(c.before.length, url.pathname.length - c.after.length);
  expect(segment).not.toMatch(/[/?#\\]/);
  expect(decodeURIComponent(segment)).toBe(model);
}

for (const c of CASES) {
  describe(c.name, () => {
    for (const hostile of HOSTILE) {
      const model = hostile;
      test(`${JSON.stringify(hostile)}: refused with a 400 on model, or kept on the path`, () => {
        const built = attempt(c.build, model);
        if (built instanceof GatewayError) {
          expect([built.code, built.status, built.details.param]).toEqual(["caller.invalid_request", 400, "model"]);
          return;
        }
        // Only a provider that does not put the model in its URL may take a name no provider has.
        expect(c.after).toBeUndefined();
        expectOnPath(built, c, model);
      });
    }

    if (c.after !== undefined) {
      test("a URL provider refuses every hostile name", () => {
        for (const hostile of HOSTILE) expect(attempt(c.build, hostile)).toBeInstanceOf(GatewayError);
      });
    }

    test("a name with spaces and other reserved characters is one encoded segment", () => {
      const model = `${c.embeds ?? ""}my model (v2) & more+;=,!*'~`;
      const built = attempt(c.build, model);
      expect(built).not.toBeInstanceOf(GatewayError);
      expectOnPath(built as UpstreamRequest, c, model);
    });
  });
}

describe("legitimate odd ids keep their form", () => {
  test("Bedrock: an inference-profile ARN is one segment, ':' and '/' encoded as AWS's SDK does", () => {
    const arn = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0";
    for (const stream of [false, true]) {
      const { url } = buildBedrockRequest(chat(stream), { ...BEDROCK, model: arn }, STRICT).upstream;
      expect(url).toBe(`https://bedrock-runtime.us-east-1.amazonaws.com/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.anthropic.claude-sonnet-4-5-20250929-v1%3A0/${stream ? "converse-stream" : "converse"}`);
    }
  });

  test("Vertex AI: the @version stays literal", () => {
    expect(anthropicOnVertex.chat.buildRequest(chat(false), { ...VERTEX, model: "claude-sonnet-4-5@20250929" }, STRICT).upstream.url).toEndWith("/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict");
    expect(geminiOnVertex.chat.buildRequest(chat(false), { ...VERTEX, model: "gemini-2.0-flash-001" }, STRICT).upstream.url).toEndWith("/publishers/google/models/gemini-2.0-flash-001:generateContent");
  });

  test("Gemini: models/ and tunedModels/ resource names keep their one '/'; the body names the same resource", () => {
    for (const [model, path] of [
      ["gemini-2.5-flash", "/v1beta/models/gemini-2.5-flash:generateContent"],
      ["models/gemini-2.5-flash", "/v1beta/models/gemini-2.5-flash:generateContent"],
      ["tunedModels/my-tune-abc123", "/v1beta/tunedModels/my-tune-abc123:generateContent"],
    ] as const) {
      expect(new URL(buildGeminiRequest(chat(false), { ...GEMINI, model }, STRICT).upstream.url).pathname).toBe(path);
    }
    const embedded = buildGeminiEmbeddings({ input: "hi" }, { ...GEMINI, model: "models/text-embedding-004" }, STRICT).upstreams[0] as UpstreamRequest;
    expect(new URL(embedded.url).pathname).toBe("/v1beta/models/text-embedding-004:batchEmbedContents");
    expect(JSON.parse(embedded.body).requests[0].model).toBe("models/text-embedding-004");
  });

  test("Gemini and Vertex AI ids are one name: another '/' is refused, saying what an id looks like", () => {
    for (const build of [
      () => buildGeminiRequest(chat(false), { ...GEMINI, model: "models/a/b" }, STRICT),
      () => buildGeminiRequest(chat(false), { ...GEMINI, model: "files/abc" }, STRICT),
      () => geminiOnVertex.chat.buildRequest(chat(false), { ...VERTEX, model: "google/gemini-2.5-flash" }, STRICT),
      () => anthropicOnVertex.chat.buildRequest(chat(false), { ...VERTEX, model: "anthropic/claude-sonnet-4-5@20250929" }, STRICT),
    ]) {
      const refused = attempt(build, "");
      expect(refused).toBeInstanceOf(GatewayError);
      expect((refused as GatewayError).status).toBe(400);
      expect((refused as GatewayError).message).toMatch(/one name without '\/' \(e\.g\. (gemini|claude)-/);
    }
    const empty = attempt(() => buildGeminiRequest(chat(false), { ...GEMINI, model: "models/" }, STRICT), "");
    expect((empty as GatewayError).message).toContain("is blank");
  });
});
