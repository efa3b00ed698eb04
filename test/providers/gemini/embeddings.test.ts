import { describe, expect, test } from "bun:test";
import { buildGeminiEmbeddings, MAX_EMBEDDING_INPUTS, parseGeminiEmbeddings, type GeminiEmbeddingsState } from "../../../src/providers/gemini/embeddings.ts";
import type { EmbeddingsTranslator } from "../../../src/providers/types.ts";
import { API_KEY, DROP, fixtureText, refused, STRICT, TARGET } from "./helpers.ts";

const EMBED_TARGET = { ...TARGET, model: "text-embedding-004" };
const answer = (body: string) => ({ body, headers: new Headers() });

describe("buildGeminiEmbeddings", () => {
  test("POSTs :batchEmbedContents with one request per input; dimensions and task_type carried over", () => {
    const { upstreams, state } = buildGeminiEmbeddings({ model: "embed", input: ["héllo", "world!"], dimensions: 256, task_type: "RETRIEVAL_QUERY", user: "u-1" }, EMBED_TARGET, STRICT);
    expect(upstreams).toHaveLength(1);
    const [upstream] = upstreams;
    expect(upstream?.url).toBe("https://generativelanguage.googleapis.com/v1beta/models/text-embedding-004:batchEmbedContents");
    expect(upstream?.headers).toEqual({ "content-type": "application/json", accept: "application/json", "x-goog-api-key": API_KEY });
    expect(JSON.parse(upstream?.body ?? "")).toEqual({
      requests: [
        { model: "models/text-embedding-004", content: { parts: [{ text: "héllo" }] }, outputDimensionality: 256, taskType: "RETRIEVAL_QUERY" },
        { model: "models/text-embedding-004", content: { parts: [{ text: "world!" }] }, outputDimensionality: 256, taskType: "RETRIEVAL_QUERY" },
      ],
    });
    expect(state).toEqual({ chunkChars: [11], base64: false });
  });

  test("a single string is one request; base64 encoding is remembered for the answer", () => {
    const { upstreams, state } = buildGeminiEmbeddings({ model: "embed", input: "just one", encoding_format: "base64" }, { ...EMBED_TARGET, model: "models/gemini-embedding-001" }, STRICT);
    expect(upstreams[0]?.url.endsWith("/models/gemini-embedding-001:batchEmbedContents")).toBe(true);
    expect(JSON.parse(upstreams[0]?.body ?? "")).toEqual({ requests: [{ model: "models/gemini-embedding-001", content: { parts: [{ text: "just one" }] } }] });
    expect(state).toEqual({ chunkChars: [8], base64: true });
  });

  test("more than 100 inputs are split into calls of at most 100, in order", () => {
    const input = Array.from({ length: 2 * MAX_EMBEDDING_INPUTS + 5 }, (_, i) => `t${i}`);
    const { upstreams, state } = buildGeminiEmbeddings({ input }, EMBED_TARGET, STRICT);
    const texts = upstreams.map((upstream) => (JSON.parse(upstream.body) as { requests: { content: { parts: { text: string }[] } }[] }).requests.map((request) => request.content.parts[0]?.text));
    expect(texts.map((chunk) => chunk.length)).toEqual([100, 100, 5]);
    expect(texts.flat()).toEqual(input);
    expect(state.chunkChars).toEqual([290, 400, 20]);
  });

  test("token-id arrays, empty input and bad dimensions or encoding are refused with the field named", () => {
    expect(refused(() => buildGeminiEmbeddings({ input: [15496, 995] }, EMBED_TARGET, STRICT)).message).toBe(
      "Gemini embeds text: input must be a string or an array of strings (token-id arrays cannot be sent).",
    );
    expect(refused(() => buildGeminiEmbeddings({ input: [[15496], [995]] }, EMBED_TARGET, STRICT)).details.param).toBe("input");
    expect(refused(() => buildGeminiEmbeddings({ input: [] }, EMBED_TARGET, STRICT)).details.param).toBe("input");
    expect(refused(() => buildGeminiEmbeddings({ input: "x", dimensions: 0 }, EMBED_TARGET, STRICT)).details.param).toBe("dimensions");
    expect(refused(() => buildGeminiEmbeddings({ input: "x", encoding_format: "int8" }, EMBED_TARGET, STRICT)).details.param).toBe("encoding_format");
  });

  test("an unknown field is refused, or dropped with drop_params", () => {
    expect(refused(() => buildGeminiEmbeddings({ input: "x", truncate: "END" }, EMBED_TARGET, STRICT)).message).toBe(
      "Gemini embeddings do not support the parameter 'truncate'. Remove 'truncate', or set drop_params: true to have the gateway drop it.",
    );
    expect(JSON.parse(buildGeminiEmbeddings({ input: "x", truncate: "END" }, EMBED_TARGET, DROP).upstreams[0]?.body ?? "")).toEqual({
      requests: [{ model: "models/text-embedding-004", content: { parts: [{ text: "x" }] } }],
    });
  });
});

describe("parseGeminiEmbeddings", () => {
  const state: GeminiEmbeddingsState = { chunkChars: [11], base64: false };

  test("vectors in order as an OpenAI list for the client's model; without a count from Gemini usage is estimated (11 chars -> 3 tokens)", async () => {
    expect(parseGeminiEmbeddings([answer(await fixtureText("embeddings.json"))], state, "my-embedder")).toEqual({
      object: "list",
      data: [
        { object: "embedding", index: 0, embedding: [0.013168523, -0.008711934, -0.046782676, 0.00069968984] },
        { object: "embedding", index: 1, embedding: [-0.021542031, 0.0047612987, -0.033601817, 0.017803472] },
      ],
      model: "my-embedder",
      usage: { prompt_tokens: 3, total_tokens: 3 },
    });
  });

  test("several calls join into one list, indexes continuing; Gemini's own count is used where sent, the estimate elsewhere", async () => {
    const parsed = parseGeminiEmbeddings([answer(await fixtureText("embeddings.json")), answer(await fixtureText("embeddings-usage.json"))], { chunkChars: [40, 9], base64: false }, "m") as {
      data: { index: number }[];
      usage: unknown;
    };
    expect(parsed.data.map((item) => item.index)).toEqual([0, 1, 2, 3]);
    expect(parsed.usage).toEqual({ prompt_tokens: 22, total_tokens: 22 });
  });

  test("base64: little-endian float32 bytes, as OpenAI sends them", async () => {
    const parsed = parseGeminiEmbeddings([answer(await fixtureText("embeddings-usage.json"))], { ...state, base64: true }, "m") as { data: { embedding: string }[] };
    const first = parsed.data[0]?.embedding as string;
    expect(first).toBe(Buffer.from(new Float32Array([0.5138951, 0.857853]).buffer).toString("base64"));
    expect(Array.from(new Float32Array(Buffer.from(first, "base64").buffer.slice(0)))).toEqual([Math.fround(0.5138951), Math.fround(0.857853)]);
  });

  test("an answer without vectors is a bad response; an error body is thrown as its error", () => {
    expect(() => parseGeminiEmbeddings([answer('{"embeddings":[{"values":"nope"}]}')], state, "m")).toThrow("Gemini sent an answer the gateway cannot read: embedding 0 has no list of numbers.");
    expect(() => parseGeminiEmbeddings([answer("{}")], state, "m")).toThrow("Gemini sent an answer the gateway cannot read: it holds no embeddings list.");
    expect(() => parseGeminiEmbeddings([answer('{"error":{"code":400,"message":"* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch\\n","status":"INVALID_ARGUMENT"}}')], state, "m")).toThrow(
      "Gemini answered 200 with an error (INVALID_ARGUMENT)",
    );
  });

  test("the two functions fit the provider's EmbeddingsTranslator as they are", () => {
    const translator: EmbeddingsTranslator = { buildRequests: buildGeminiEmbeddings, parseResponses: parseGeminiEmbeddings };
    const { upstreams, state: built } = translator.buildRequests({ input: "hello world" }, EMBED_TARGET, STRICT);
    const parsed = translator.parseResponses([answer('{"embeddings":[{"values":[0.5,0.25]}]}')], built, "e") as { usage: unknown };
    expect([upstreams.length, parsed.usage]).toEqual([1, { prompt_tokens: 3, total_tokens: 3 }]);
  });
});
