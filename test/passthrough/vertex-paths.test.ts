/**
 * How `/vertex_ai/*` reads a path: what the call is (its kind, model, stream, wire, place), the
 * version a bare resource gets, and the credential's project and location put in place of the
 * client's.
 */
import { describe, expect, test } from "bun:test";
import { vertexPassthrough } from "../../src/passthrough/providers/vertex.ts";
import type { PassthroughUpstream } from "../../src/passthrough/types.ts";

const classify = (path: string, fields?: Record<string, unknown>, method = "POST") => vertexPassthrough.classify({ method, path, fields });
const HERE = "v1/projects/p/locations/us-central1";
const place = { project: "p", location: "us-central1" };

describe("classify", () => {
  test("Gemini's methods on a publisher's model, with the place the path names", () => {
    expect(classify(`${HERE}/publishers/google/models/gemini-2.5-flash:streamGenerateContent`, { generationConfig: { maxOutputTokens: 100 } })).toEqual({
      kind: "generate",
      pathModel: "gemini-2.5-flash",
      stream: true,
      wire: "gemini",
      maxOutputTokens: 100,
      place,
    });
    expect(classify("v1beta1/publishers/google/models/gemini-2.5-flash:generateContent")).toEqual({ kind: "generate", pathModel: "gemini-2.5-flash", stream: false, wire: "gemini" });
    expect(classify(`${HERE}/publishers/google/models/gemini-2.5-flash:countTokens`)).toMatchObject({ kind: "count", pathModel: "gemini-2.5-flash" });
    expect(classify(`${HERE}/publishers/google/models/gemini-2.5-flash:computeTokens`)).toMatchObject({ kind: "count", pathModel: "gemini-2.5-flash" });
    // A deployed (tuned) model's endpoint is named by its id.
    expect(classify(`${HERE}/endpoints/4567:generateContent`)).toMatchObject({ kind: "generate", pathModel: "4567", wire: "gemini" });
  });

  test(":predict is an embedding for embedding models, otherwise a call of unknown cost (Imagen)", () => {
    expect(classify(`${HERE}/publishers/google/models/text-embedding-005:predict`)).toEqual({ kind: "embed", pathModel: "text-embedding-005", stream: false, wire: "vertex-predict", place });
    expect(classify(`${HERE}/publishers/google/models/multimodalembedding@001:predict`)).toMatchObject({ kind: "embed", pathModel: "multimodalembedding@001" });
    expect(classify(`${HERE}/publishers/google/models/imagen-4.0-generate-001:predict`)).toEqual({ kind: "other", pathModel: "imagen-4.0-generate-001", stream: false, place });
  });

  test("Claude: rawPredict and streamRawPredict on Anthropic's wire, token counts naming the model in the body", () => {
    expect(classify(`${HERE}/publishers/anthropic/models/claude-sonnet-4-5@20250929:rawPredict`)).toEqual({ kind: "generate", pathModel: "claude-sonnet-4-5@20250929", stream: false, wire: "anthropic", place });
    expect(classify(`${HERE}/publishers/anthropic/models/claude-sonnet-4-5@20250929:streamRawPredict`)).toMatchObject({ stream: true, wire: "anthropic" });
    expect(classify(`${HERE}/publishers/anthropic/models/count-tokens:rawPredict`, { model: "claude-sonnet-4-5@20250929" })).toEqual({ kind: "count", stream: false, wire: "anthropic", bodyModels: ["claude-sonnet-4-5@20250929"], place });
    // Other publishers' models are checked against the key; their cost is not counted.
    expect(classify(`${HERE}/publishers/meta/models/llama-4-scout:rawPredict`)).toEqual({ kind: "other", pathModel: "llama-4-scout", stream: false, place });
  });

  test("the OpenAI-compatible endpoint and resources that name a model in the body", () => {
    expect(classify(`${HERE}/endpoints/openapi/chat/completions`, { model: "google/gemini-2.0-flash-001", stream: true })).toEqual({ kind: "generate", stream: true, wire: "openai", bodyModels: ["gemini-2.0-flash-001"], place });
    expect(classify(`v1beta1/projects/p/locations/us-central1/cachedContents`, { model: "projects/p/locations/us-central1/publishers/google/models/gemini-2.5-pro" })).toEqual({ kind: "other", stream: false, bodyModels: ["gemini-2.5-pro"], place });
    expect(classify("v1/publishers/google/models/gemini-2.5-pro", undefined, "GET")).toEqual({ kind: "other", stream: false });
  });
});

describe("the upstream path", () => {
  const upstream = (project: string, region: string): PassthroughUpstream => ({ id: "d", root: "https://x", target: { model: "", apiBase: "https://x", project, region }, priceOf: Object.assign(() => undefined, { unpriced: () => [] }), timeoutMs: 1000 });
  const placed = (path: string, method = "POST", at = upstream("cred-project", "europe-west4")) => vertexPassthrough.placePath?.(vertexPassthrough.upstreamPath?.(path) ?? path, at, method);

  test("a resource without a version gets v1 (v1beta1 for cached contents), as LiteLLM's does", () => {
    expect(vertexPassthrough.upstreamPath?.("publishers/google/models/m:generateContent")).toBe("v1/publishers/google/models/m:generateContent");
    expect(vertexPassthrough.upstreamPath?.("projects/p/locations/l/cachedContents")).toBe("v1beta1/projects/p/locations/l/cachedContents");
    expect(vertexPassthrough.upstreamPath?.("v1beta1/projects/p/locations/l/x")).toBe("v1beta1/projects/p/locations/l/x");
  });

  test("LiteLLM's routes to other Google APIs (Vertex AI Search, the Live API) are refused, not sent to Vertex AI", () => {
    for (const path of ["discovery/v1/projects/p/dataStores", "live"]) expect(() => vertexPassthrough.upstreamPath?.(path)).toThrow(expect.objectContaining({ code: "caller.route_not_found" }));
  });

  test("the credential's project and location replace the client's, or are added", () => {
    expect(placed("v1/projects/mine/locations/us-central1/publishers/google/models/m:generateContent")).toBe("v1/projects/cred-project/locations/europe-west4/publishers/google/models/m:generateContent");
    expect(placed("publishers/google/models/m:generateContent")).toBe("v1/projects/cred-project/locations/europe-west4/publishers/google/models/m:generateContent");
    expect(placed("v1/projects/mine/operations/op-1", "GET")).toBe("v1/projects/cred-project/operations/op-1");
    expect(placed("v1/projects/mine/locations/us-central1")).toBe("v1/projects/cred-project/locations/europe-west4");
    // A base model's own record is read without a place.
    expect(placed("v1beta1/publishers/google/models/m", "GET")).toBe("v1beta1/publishers/google/models/m");
    // A project id is one segment, whatever the config holds.
    expect(placed("v1/projects/mine/locations/l/x", "POST", upstream("a/b?c", "global"))).toBe("v1/projects/a%2Fb%3Fc/locations/global/x");
  });
});
