/**
 * Embeddings through the gateway with the official OpenAI SDK to the providers whose embeddings wire
 * is not OpenAI's: Gemini (batchEmbedContents), Vertex AI (:predict, OAuth token from a service
 * account) and Bedrock (InvokeModel, SigV4). One mock server plays all three upstreams and checks
 * what each receives.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import type { Config } from "../../src/config/schema.ts";
import { clearSharedGoogleTokenSources } from "../../src/providers/vertex/token-source.ts";
import { makeAccount, tokenEndpoint } from "../fixtures/vertex/google-mock.ts";
import { startGateway, type TestGateway } from "../support/build-test-app.ts";

interface Seen {
  path: string;
  headers: Headers;
  body: Record<string, unknown>;
}

const seen: Seen[] = [];
let server: ReturnType<typeof Bun.serve>;
let gateway: TestGateway;
let client: OpenAI;
let token: ReturnType<typeof tokenEndpoint>;

const vector = (seed: number) => [seed, seed / 2, -seed];

beforeAll(async () => {
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const url = new URL(request.url);
      if (url.pathname === "/token") {
        return token.fetch(request.url, { method: "POST", headers: request.headers, body: await request.text() });
      }
      const body = (await request.json()) as Record<string, unknown>;
      seen.push({ path: url.pathname, headers: request.headers, body });
      if (url.pathname.endsWith(":batchEmbedContents")) {
        const requests = body.requests as unknown[];
        return Response.json({ embeddings: requests.map((_, i) => ({ values: vector(i + 1) })) });
      }
      if (url.pathname.endsWith(":predict")) {
        const instances = body.instances as unknown[];
        return Response.json({ predictions: instances.map((_, i) => ({ embeddings: { statistics: { truncated: false, token_count: 3 }, values: vector(i + 1) } })), metadata: { billableCharacterCount: 9 } });
      }
      if (url.pathname.endsWith("/invoke")) {
        return Response.json({ embedding: vector(7), embeddingsByType: { float: vector(7) }, inputTextTokenCount: 4 }, { headers: { "x-amzn-bedrock-input-token-count": "4" } });
      }
      return new Response("not found", { status: 404 });
    },
  });
  const origin = `http://127.0.0.1:${server.port}`;
  const account = await makeAccount("embeddings", `${origin}/token`);
  token = tokenEndpoint({ account, now: Date.now });
  clearSharedGoogleTokenSources();
  const config = {
    settings: { mock_models: false, env_provider_models: false },
    models: [
      { model_name: "gemini-embed", model: "gemini/text-embedding-004", api_base: `${origin}/v1beta`, api_key: "gm-key" },
      { model_name: "vertex-embed", model: "vertex_ai/text-embedding-005", api_base: origin, vertex_credentials: account.json, vertex_location: "europe-west4" },
      {
        model_name: "titan-embed",
        model: "bedrock/amazon.titan-embed-text-v2:0",
        api_base: origin,
        aws_region_name: "us-east-1",
        aws_access_key_id: "AKIDEXAMPLE",
        aws_secret_access_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
      },
    ],
  } as Config;
  gateway = await startGateway(config);
  client = new OpenAI({ baseURL: gateway.baseURL, apiKey: "sk-test", maxRetries: 0 });
});

afterAll(async () => {
  await gateway?.stop();
  server?.stop(true);
});

describe("embeddings to providers with their own wire", () => {
  test("Gemini: one batchEmbedContents call with the key header; vectors in input order; usage estimated", async () => {
    seen.length = 0;
    const answer = await client.embeddings.create({ model: "gemini-embed", input: ["alpha", "beta"], dimensions: 3, encoding_format: "float" });
    expect(answer.data.map((d) => d.embedding)).toEqual([vector(1), vector(2)]);
    expect(answer.data.map((d) => d.index)).toEqual([0, 1]);
    expect(answer.usage.prompt_tokens).toBeGreaterThan(0);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.path).toBe("/v1beta/models/text-embedding-004:batchEmbedContents");
    expect(seen[0]?.headers.get("x-goog-api-key")).toBe("gm-key");
    expect(seen[0]?.body).toEqual({
      requests: [
        { model: "models/text-embedding-004", content: { parts: [{ text: "alpha" }] }, outputDimensionality: 3 },
        { model: "models/text-embedding-004", content: { parts: [{ text: "beta" }] }, outputDimensionality: 3 },
      ],
    });
  });

  test("Vertex AI: :predict with an OAuth token from the service account; usage from token_count", async () => {
    seen.length = 0;
    const answer = await client.embeddings.create({ model: "vertex-embed", input: ["alpha", "beta"], encoding_format: "float" });
    expect(answer.data.map((d) => d.embedding)).toEqual([vector(1), vector(2)]);
    expect(answer.usage).toEqual({ prompt_tokens: 6, total_tokens: 6 });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.path).toBe("/v1/projects/test-project/locations/europe-west4/publishers/google/models/text-embedding-005:predict");
    expect(seen[0]?.headers.get("authorization")).toMatch(/^Bearer ya29\.test-token-\d+$/);
    expect(seen[0]?.body).toEqual({ instances: [{ content: "alpha" }, { content: "beta" }] });
    expect(token.state.problems).toEqual([]);
  });

  test("Bedrock Titan: one signed InvokeModel call per input; usage summed from Titan's counts", async () => {
    seen.length = 0;
    const answer = await client.embeddings.create({ model: "titan-embed", input: ["alpha", "beta"], encoding_format: "float" });
    expect(answer.data.map((d) => d.embedding)).toEqual([vector(7), vector(7)]);
    expect(answer.usage).toEqual({ prompt_tokens: 8, total_tokens: 8 });
    expect(seen.map((s) => s.path)).toEqual(["/model/amazon.titan-embed-text-v2%3A0/invoke", "/model/amazon.titan-embed-text-v2%3A0/invoke"]);
    expect(seen[0]?.headers.get("authorization")).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/us-east-1\/bedrock\/aws4_request, SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$/);
    expect(seen[0]?.headers.get("x-amz-date")).toMatch(/^\d{8}T\d{6}Z$/);
    expect(seen.map((s) => s.body.inputText)).toEqual(["alpha", "beta"]);
  });

  test("token-id input is refused with a 400 naming the field, before any upstream call", async () => {
    seen.length = 0;
    const error = await client.embeddings.create({ model: "gemini-embed", input: [[1, 2, 3]] }).catch((e: unknown) => e);
    expect((error as { status?: number }).status).toBe(400);
    expect(String((error as Error).message)).toContain("input");
    expect(seen).toHaveLength(0);
  });
});
