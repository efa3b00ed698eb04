import { badGeminiResponse, readGeminiResponse } from "../gemini/response.ts";
import { refuseGeminiParam } from "../gemini/params.ts";
import { isRecord } from "../../json/is-record.ts";
import { embeddingDimensions, embeddingTexts, vectorAsBase64, wantsBase64 } from "../embedding-input.ts";
import type { EmbeddingsTranslator, Target, UpstreamRequest } from "../types.ts";
import { placeOf } from "./authorize.ts";
import { vertexPredictUrl } from "./urls.ts";

const LABEL = "Vertex AI";

/**
 * Instances per `:predict` call: text-embedding models take up to 250, Gemini embedding models one
 * (Vertex AI's documented limits).
 */
const perCall = (model: string): number => (model.startsWith("gemini-embedding") ? 1 : 250);

/** Fields of an OpenAI embeddings body read here; `user` has no Vertex field and is left out. */
const HANDLED = new Set(["model", "input", "dimensions", "encoding_format", "user", "task_type", "taskType"]);

interface VertexEmbeddingsState {
  base64: boolean;
}

/** JSON in and out, then the deployment's headers; the token is added by authorize. */
function headersOf(target: Target): Record<string, string> {
  const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json" };
  for (const [name, value] of Object.entries(target.headers ?? {})) headers[name.toLowerCase()] = value;
  return headers;
}

/** OpenAI embeddings as Vertex AI's `:predict` (instances of `content`, `dimensions` as `outputDimensionality`, LiteLLM's `task_type`). */
export const vertexEmbeddings: EmbeddingsTranslator = {
  buildRequests(body, target, options) {
    const inputs = embeddingTexts(body.input, LABEL);
    const dimensions = embeddingDimensions(body.dimensions);
    const base64 = wantsBase64(body.encoding_format);
    for (const key of Object.keys(body)) if (!HANDLED.has(key) && body[key] !== undefined && body[key] !== null) refuseGeminiParam(options, key, `embeddings do not support the parameter '${key}'`);
    const taskType = body.task_type ?? body.taskType;
    const { project, location } = placeOf(target);
    const url = vertexPredictUrl(project, location, target.model, target.apiBase);
    const parameters = typeof dimensions === "number" ? { outputDimensionality: dimensions } : undefined;
    const upstreams: UpstreamRequest[] = [];
    const size = perCall(target.model);
    for (let i = 0; i < inputs.length; i += size) {
      const instances = inputs.slice(i, i + size).map((content) => ({ content, ...(typeof taskType === "string" ? { task_type: taskType } : {}) }));
      upstreams.push({ url, headers: headersOf(target), body: JSON.stringify({ instances, ...(parameters ? { parameters } : {}) }) });
    }
    const state: VertexEmbeddingsState = { base64 };
    return { upstreams, state };
  },
  parseResponses(answers, translation, model) {
    const { base64 } = translation as VertexEmbeddingsState;
    const data: Record<string, unknown>[] = [];
    let tokens = 0;
    for (const answer of answers) {
      const parsed = readGeminiResponse(answer.body, LABEL) as unknown as Record<string, unknown>;
      if (!Array.isArray(parsed.predictions)) throw badGeminiResponse(LABEL, "it holds no predictions list");
      for (const prediction of parsed.predictions) {
        const embeddings = isRecord(prediction) && isRecord(prediction.embeddings) ? prediction.embeddings : undefined;
        const values = embeddings?.values;
        if (!Array.isArray(values) || !values.every((value) => typeof value === "number")) throw badGeminiResponse(LABEL, `prediction ${data.length} has no list of numbers`);
        data.push({ object: "embedding", index: data.length, embedding: base64 ? vectorAsBase64(values) : values });
        const count = isRecord(embeddings?.statistics) ? embeddings.statistics.token_count : undefined;
        if (typeof count === "number" && Number.isFinite(count)) tokens += count;
      }
    }
    return { object: "list", data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } };
  },
};
