import { describe, expect, test } from "bun:test";
import { buildBedrockEmbeddings, inputTokenCount, parseBedrockEmbeddings } from "../../../src/providers/bedrock/embeddings.ts";
import type { Target } from "../../../src/providers/types.ts";
import { DROP, refused, TARGET } from "./helpers.ts";

const TITAN: Target = { ...TARGET, model: "amazon.titan-embed-text-v2:0" };
const TITAN_V1: Target = { ...TARGET, model: "amazon.titan-embed-text-v1" };
const COHERE: Target = { ...TARGET, model: "cohere.embed-english-v3" };
const COHERE_V4: Target = { ...TARGET, model: "cohere.embed-v4:0" };
const bodies = (upstreams: { body: string }[]) => upstreams.map((upstream) => JSON.parse(upstream.body));

describe("buildBedrockEmbeddings", () => {
  test("Titan v2: one InvokeModel call per input, with dimensions and normalize", () => {
    const { upstreams, state } = buildBedrockEmbeddings({ model: "titan", input: ["first", "second"], dimensions: 512 }, TITAN);
    expect(upstreams.map((upstream) => upstream.url)).toEqual([
      "https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.titan-embed-text-v2%3A0/invoke",
      "https://bedrock-runtime.us-east-1.amazonaws.com/model/amazon.titan-embed-text-v2%3A0/invoke",
    ]);
    expect(upstreams[0]?.headers).toEqual({ "content-type": "application/json", accept: "application/json" });
    expect(bodies(upstreams)).toEqual([
      { inputText: "first", dimensions: 512, normalize: true },
      { inputText: "second", dimensions: 512, normalize: true },
    ]);
    expect(state).toEqual({ encodingFormat: "float" });
  });

  test("Titan v1 takes only inputText; dimensions it cannot change are refused, or dropped", () => {
    expect(bodies(buildBedrockEmbeddings({ input: "hi" }, TITAN_V1).upstreams)).toEqual([{ inputText: "hi" }]);
    expect(refused(() => buildBedrockEmbeddings({ input: "hi", dimensions: 256 }, TITAN_V1)).details.param).toBe("dimensions");
    expect(refused(() => buildBedrockEmbeddings({ input: "hi", dimensions: 300 }, TITAN)).message).toContain("256, 512, 1024");
    expect(bodies(buildBedrockEmbeddings({ input: "hi", dimensions: 300 }, TITAN, DROP).upstreams)).toEqual([{ inputText: "hi", normalize: true }]);
  });

  test("Cohere: texts in batches of 96 with input_type (search_document unless the client names one)", () => {
    const texts = Array.from({ length: 100 }, (_, i) => `text ${i}`);
    const built = bodies(buildBedrockEmbeddings({ input: texts }, COHERE).upstreams);
    expect(built.map((body) => [body.texts.length, body.input_type])).toEqual([
      [96, "search_document"],
      [4, "search_document"],
    ]);
    expect(built[1].texts[0]).toBe("text 96");
    expect(bodies(buildBedrockEmbeddings({ input: "q", input_type: "search_query", truncate: "END" }, COHERE).upstreams)).toEqual([{ texts: ["q"], input_type: "search_query", truncate: "END" }]);
    expect(bodies(buildBedrockEmbeddings({ input: "q", dimensions: 512 }, COHERE_V4).upstreams)).toEqual([{ texts: ["q"], input_type: "search_document", embedding_types: ["float"], output_dimension: 512 }]);
  });

  test("token-id input, empty input, unknown models, bad encoding_format and unknown fields are refused", () => {
    expect(refused(() => buildBedrockEmbeddings({ input: [1, 2, 3] }, TITAN)).details.param).toBe("input");
    expect(refused(() => buildBedrockEmbeddings({ input: [] }, TITAN)).details.param).toBe("input");
    expect(refused(() => buildBedrockEmbeddings({ input: "x" }, { ...TARGET, model: "amazon.titan-embed-image-v1" })).details.param).toBe("model");
    expect(refused(() => buildBedrockEmbeddings({ input: "x", encoding_format: "int8" }, TITAN)).details.param).toBe("encoding_format");
    expect(refused(() => buildBedrockEmbeddings({ input: "x", seed: 1 }, TITAN)).details.param).toBe("seed");
    expect(buildBedrockEmbeddings({ input: "x", seed: 1, user: "u-1" }, TITAN, DROP).upstreams).toHaveLength(1);
  });
});

describe("parseBedrockEmbeddings", () => {
  test("Titan answers become one OpenAI list, indexed in call order, with inputTextTokenCount summed as usage", () => {
    const out = parseBedrockEmbeddings([JSON.stringify({ embedding: [0.1, -0.2], inputTextTokenCount: 3 }), JSON.stringify({ embedding: [0.3, 0.4], inputTextTokenCount: 5 })], "titan-v2");
    expect(out).toEqual({
      object: "list",
      data: [
        { object: "embedding", index: 0, embedding: [0.1, -0.2] },
        { object: "embedding", index: 1, embedding: [0.3, 0.4] },
      ],
      model: "titan-v2",
      usage: { prompt_tokens: 8, total_tokens: 8 },
    });
  });

  test("Cohere answers (v3 lists and v4 by-type) carry no counts: usage comes from the token-count headers, or is left out", () => {
    const v3 = JSON.stringify({ id: "e1", response_type: "embeddings_floats", texts: ["a", "b"], embeddings: [[1], [2]] });
    const v4 = JSON.stringify({ id: "e2", embeddings: { float: [[3]] }, response_type: "embeddings_by_type" });
    expect(parseBedrockEmbeddings([v3, v4], "cohere").data).toEqual([
      { object: "embedding", index: 0, embedding: [1] },
      { object: "embedding", index: 1, embedding: [2] },
      { object: "embedding", index: 2, embedding: [3] },
    ]);
    expect("usage" in parseBedrockEmbeddings([v3, v4], "cohere")).toBe(false);
    expect(parseBedrockEmbeddings([v3, v4], "cohere", { encodingFormat: "float" }, [4, 2]).usage).toEqual({ prompt_tokens: 6, total_tokens: 6 });
    expect("usage" in parseBedrockEmbeddings([v3, v4], "cohere", { encodingFormat: "float" }, [4])).toBe(false);
    expect([inputTokenCount(new Headers({ "x-amzn-bedrock-input-token-count": "4" })), inputTokenCount(new Headers()), inputTokenCount(new Headers({ "x-amzn-bedrock-input-token-count": "x" }))]).toEqual([4, undefined, undefined]);
  });

  test("encoding_format base64 gives little-endian float32 bytes, as OpenAI does", () => {
    const { state } = buildBedrockEmbeddings({ input: "x", encoding_format: "base64" }, TITAN);
    const out = parseBedrockEmbeddings([JSON.stringify({ embedding: [0.5, -1], inputTextTokenCount: 1 })], "titan", state);
    const encoded = (out.data as { embedding: string }[])[0]?.embedding as string;
    expect(Array.from(new Float32Array(new Uint8Array(Buffer.from(encoded, "base64")).buffer))).toEqual([0.5, -1]);
  });

  test("a body that is not JSON or holds no vectors is a bad response", () => {
    expect(refused(() => parseBedrockEmbeddings(["nope"], "m")).code).toBe("provider.bad_response");
    expect(refused(() => parseBedrockEmbeddings(["{}"], "m")).code).toBe("provider.bad_response");
  });
});
