import { describe, expect, test } from "bun:test";
import { vertexEmbeddings } from "../../../src/providers/vertex/embeddings.ts";
import type { Target } from "../../../src/providers/types.ts";
import { GatewayError } from "../../../src/canonical/errors.ts";

const target = (model: string): Target => ({ model, apiBase: "https://us-central1-aiplatform.googleapis.com", project: "proj-1", region: "us-central1" });
const STRICT = { dropParams: false };
/** A recorded-shape `:predict` answer of a text-embedding model. */
const predictions = (vectors: number[][], tokens: number[]) =>
  JSON.stringify({ predictions: vectors.map((values, i) => ({ embeddings: { statistics: { truncated: false, token_count: tokens[i] }, values } })), metadata: { billableCharacterCount: 42 } });

describe("Vertex AI embeddings", () => {
  test("one :predict call carries every input as an instance, with dimensions and task type", () => {
    const { upstreams } = vertexEmbeddings.buildRequests({ model: "x", input: ["a", "bb"], dimensions: 256, task_type: "RETRIEVAL_QUERY" }, target("text-embedding-005"), STRICT);
    expect(upstreams).toHaveLength(1);
    expect(upstreams[0]?.url).toBe("https://us-central1-aiplatform.googleapis.com/v1/projects/proj-1/locations/us-central1/publishers/google/models/text-embedding-005:predict");
    expect(JSON.parse(upstreams[0]?.body ?? "")).toEqual({
      instances: [
        { content: "a", task_type: "RETRIEVAL_QUERY" },
        { content: "bb", task_type: "RETRIEVAL_QUERY" },
      ],
      parameters: { outputDimensionality: 256 },
    });
    expect(upstreams[0]?.headers["content-type"]).toBe("application/json");
  });

  test("Gemini embedding models take one instance per call; text models 250", () => {
    expect(vertexEmbeddings.buildRequests({ input: ["a", "b", "c"] }, target("gemini-embedding-001"), STRICT).upstreams).toHaveLength(3);
    expect(vertexEmbeddings.buildRequests({ input: Array.from({ length: 251 }, () => "x") }, target("text-embedding-005"), STRICT).upstreams).toHaveLength(2);
  });

  test("answers become one OpenAI list in input order, usage summed from token_count, base64 on request", () => {
    const built = vertexEmbeddings.buildRequests({ input: ["a", "b", "c"], encoding_format: "base64" }, target("gemini-embedding-001"), STRICT);
    const answers = [predictions([[0.5, -1]], [3]), predictions([[1, 2]], [4]), predictions([[0, 0.25]], [5])].map((body) => ({ body, headers: new Headers() }));
    const out = vertexEmbeddings.parseResponses(answers, built.state, "emb") as { data: { index: number; embedding: string }[]; usage: unknown; model: string };
    expect(out.model).toBe("emb");
    expect(out.usage).toEqual({ prompt_tokens: 12, total_tokens: 12 });
    expect(out.data.map((d) => d.index)).toEqual([0, 1, 2]);
    expect([...new Float32Array(Buffer.from(out.data[0]?.embedding ?? "", "base64").buffer.slice(0))]).toEqual([0.5, -1]);
  });

  test("token arrays, bad dimensions and unknown parameters are refused; an error body is thrown as the error", () => {
    expect(() => vertexEmbeddings.buildRequests({ input: [[1, 2]] }, target("m"), STRICT)).toThrow(GatewayError);
    expect(() => vertexEmbeddings.buildRequests({ input: "a", dimensions: -1 }, target("m"), STRICT)).toThrow("dimensions");
    expect(() => vertexEmbeddings.buildRequests({ input: "a", frobnicate: 1 }, target("m"), STRICT)).toThrow("frobnicate");
    expect(vertexEmbeddings.buildRequests({ input: "a", frobnicate: 1 }, target("m"), { dropParams: true }).upstreams).toHaveLength(1);
    const error = { body: JSON.stringify({ error: { code: 429, message: "Quota exceeded", status: "RESOURCE_EXHAUSTED" } }), headers: new Headers() };
    expect(() => vertexEmbeddings.parseResponses([error], { base64: false }, "m")).toThrow(GatewayError);
  });
});
