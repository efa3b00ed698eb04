import { isRecord } from "../../json/is-record.ts";
import { estimateTokens } from "../../canonical/estimate.ts";
import { joinUrl } from "../openai/request.ts";
import { embeddingDimensions, embeddingTexts, vectorAsBase64, wantsBase64 } from "../embedding-input.ts";
import type { PassthroughOptions, Target, TranslationState, UpstreamAnswer, UpstreamRequest } from "../types.ts";
import { refuseGeminiParam } from "./params.ts";
import { geminiHeaders, geminiModelPath, geminiModelUrlPath } from "./request.ts";
import { badGeminiResponse, readGeminiResponse } from "./response.ts";

/** Gemini's batchEmbedContents takes at most 100 requests per call; larger inputs are split across calls. */
export const MAX_EMBEDDING_INPUTS = 100;

/** What reading the answers needs from the request. */
export interface GeminiEmbeddingsState {
  /** Characters of input per upstream call, for the token estimate when Gemini reports no count. */
  chunkChars: readonly number[];
  /** The client asked for `encoding_format: "base64"` (OpenAI's Python SDK does by default). */
  base64: boolean;
}

/** Fields of an OpenAI embeddings body the translator reads itself; `user` has no Gemini field and is left out. */
const HANDLED = new Set(["model", "input", "dimensions", "encoding_format", "user", "task_type", "taskType"]);

/**
 * An OpenAI embeddings body as Gemini `:batchEmbedContents` calls of at most 100 inputs each, one
 * request per input, `dimensions` as `outputDimensionality`, LiteLLM's `task_type` as `taskType`.
 * Unknown fields are refused, or dropped with drop_params.
 */
export function buildGeminiEmbeddings(body: Record<string, unknown>, target: Target, options: PassthroughOptions): { upstreams: UpstreamRequest[]; state: GeminiEmbeddingsState } {
  const url = joinUrl(target.apiBase, `/${geminiModelUrlPath(target.model)}:batchEmbedContents`);
  const inputs = embeddingTexts(body.input, "Gemini");
  const dimensions = embeddingDimensions(body.dimensions);
  const base64 = wantsBase64(body.encoding_format);
  const taskType = body.task_type ?? body.taskType;
  for (const key of Object.keys(body)) if (!HANDLED.has(key) && body[key] !== undefined && body[key] !== null) refuseGeminiParam(options, key, `embeddings do not support the parameter '${key}'`);
  const model = geminiModelPath(target.model);
  const toRequest = (text: string) => ({
    model,
    content: { parts: [{ text }] },
    ...(typeof dimensions === "number" ? { outputDimensionality: dimensions } : {}),
    ...(typeof taskType === "string" ? { taskType } : {}),
  });
  const upstreams: UpstreamRequest[] = [];
  const chunkChars: number[] = [];
  for (let i = 0; i < inputs.length; i += MAX_EMBEDDING_INPUTS) {
    const chunk = inputs.slice(i, i + MAX_EMBEDDING_INPUTS);
    upstreams.push({ url, headers: geminiHeaders(target, false), body: JSON.stringify({ requests: chunk.map(toRequest) }) });
    chunkChars.push(chunk.reduce((sum, text) => sum + text.length, 0));
  }
  return { upstreams, state: { chunkChars, base64 } };
}


function readState(state: TranslationState): GeminiEmbeddingsState {
  const given = state as Partial<GeminiEmbeddingsState> | undefined;
  return { chunkChars: Array.isArray(given?.chunkChars) ? given.chunkChars : [], base64: given?.base64 === true };
}

/**
 * The `:batchEmbedContents` answers, in request order, as one OpenAI embeddings response for `model`.
 * Gemini API text-embedding models report no token count, so a call's tokens are then estimated
 * from its input (about four characters a token, canonical/estimate.ts): LiteLLM users expect non-zero
 * `prompt_tokens` to budget and bill by, and an estimate is closer than 0. Newer models'
 * `usageMetadata.promptTokenCount` is used when present.
 */
export function parseGeminiEmbeddings(answers: readonly UpstreamAnswer[], translation: TranslationState, model: string, label = "Gemini"): Record<string, unknown> {
  const state = readState(translation);
  const data: Record<string, unknown>[] = [];
  let tokens = 0;
  answers.forEach((answer, call) => {
    const parsed = readGeminiResponse(answer.body, label) as unknown as Record<string, unknown>;
    const embeddings = parsed.embeddings;
    if (!Array.isArray(embeddings)) throw badGeminiResponse(label, "it holds no embeddings list");
    for (const item of embeddings) {
      const values = isRecord(item) ? item.values : undefined;
      if (!Array.isArray(values) || !values.every((value) => typeof value === "number")) throw badGeminiResponse(label, `embedding ${data.length} has no list of numbers`);
      data.push({ object: "embedding", index: data.length, embedding: state.base64 ? vectorAsBase64(values) : values });
    }
    const reported = isRecord(parsed.usageMetadata) ? parsed.usageMetadata.promptTokenCount : undefined;
    tokens += typeof reported === "number" && Number.isFinite(reported) && reported >= 0 ? reported : estimateTokens(state.chunkChars[call] ?? 0);
  });
  return { object: "list", data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } };
}
