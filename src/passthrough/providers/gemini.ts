import { toOpenAIErrorResponse } from "../../dialects/openai/errors.ts";
import { isRecord } from "../../json/is-record.ts";
import { gemini } from "../../providers/gemini/index.ts";
import { queryOf } from "../../server/url.ts";
import type { CallKind, CallShape, PassthroughProvider } from "../types.ts";
import { credentialsOf, modelField, withoutSuffix } from "./common.ts";

/** `v1beta/models/{model}:{method}` (and `tunedModels/…`), the shape of every Gemini model call, under any version. */
const MODEL_CALL = /(?:^|\/)((?:models|tunedModels)\/[^/:]+):([A-Za-z]+)$/;

/** What each Gemini method is (Vertex AI's Gemini models take the same ones). */
export const GEMINI_KINDS: Readonly<Record<string, CallKind>> = {
  generateContent: "generate",
  streamGenerateContent: "generate",
  countTokens: "count",
  embedContent: "embed",
  batchEmbedContents: "embed",
};

/** A model as its path or body names it: `models/` is Gemini's resource prefix, not part of the model's name. */
const modelName = (resource: string) => (resource.startsWith("models/") ? resource.slice("models/".length) : resource);

const SNAKE = { maxOutputTokens: "max_output_tokens", candidateCount: "candidate_count" } as const;

/**
 * A positive whole number in generationConfig (maxOutputTokens: the output cap; candidateCount:
 * the answers, each billed its output). Google's JSON reads camelCase and snake_case names alike,
 * so the largest under either spelling counts: whichever Google takes is reserved for.
 */
function generationSetting(fields: Record<string, unknown> | undefined, name: keyof typeof SNAKE): number | undefined {
  let largest: number | undefined;
  for (const config of [fields?.generationConfig, fields?.generation_config]) {
    if (!isRecord(config)) continue;
    for (const value of [config[name], config[SNAKE[name]]]) {
      if (typeof value === "number" && Number.isInteger(value) && value > 0 && value > (largest ?? 0)) largest = value;
    }
  }
  return largest;
}

/** The output cap of a generateContent request (Vertex AI's Gemini models read it too). */
export const maxOutputTokens = (fields: Record<string, unknown> | undefined) => generationSetting(fields, "maxOutputTokens");
/** How many answers a generateContent request asks for, each billed its output. */
export const candidateCount = (fields: Record<string, unknown> | undefined) => generationSetting(fields, "candidateCount");

/** The key where Google's SDKs put one: `x-goog-api-key`, or `?key=`. */
export function googleApiKey(request: Request): string | undefined {
  const { headers } = request;
  // The gateway's own key headers win, as on every route: the shared reading takes them.
  if (headers.get("x-litellm-api-key")?.trim() || headers.get("x-switchboard-api-key")?.trim()) return undefined;
  return headers.get("x-goog-api-key")?.trim() || queryOf(request.url).get("key")?.trim() || undefined;
}

/**
 * Gemini's API at `/gemini/*` (Google's SDK with `httpOptions.baseUrl: <gateway>/gemini`): the key
 * as `x-goog-api-key` or `?key=`, the model in the path. A stream is SSE with `alt=sse`, else one
 * JSON array, relayed as it comes either way.
 */
export const geminiPassthrough: PassthroughProvider = {
  id: "gemini",
  label: "Gemini",
  credentials: credentialsOf(gemini),
  rootOf: (base) => withoutSuffix(base, ["/v1beta", "/v1alpha", "/v1"]),
  presentedKey: googleApiKey,
  credentialHeaders: ({ target }): Record<string, string> => (target.apiKey ? { "x-goog-api-key": target.apiKey } : {}),
  classify({ method, path, fields }): CallShape {
    // A path naming a model is checked whatever the method (only a POST is one of the priced calls).
    const match = MODEL_CALL.exec(path);
    if (match) {
      const [, resource, action] = match as unknown as [string, string, string];
      const kind = (method === "POST" && GEMINI_KINDS[action]) || "other";
      const cap = maxOutputTokens(fields);
      const choices = candidateCount(fields);
      return { kind, pathModel: modelName(resource), stream: action === "streamGenerateContent", wire: "gemini", ...(cap ? { maxOutputTokens: cap } : {}), ...(choices ? { choices } : {}) };
    }
    // cachedContents and the like name their model in the body, as `models/…`.
    const named = modelField(fields);
    const model = named === undefined ? undefined : modelName(named);
    // Creating a tuned model trains its `baseModel`, which is not a `model`.
    const tuning = method === "POST" && /^v1\w*\/tunedModels$/.test(path);
    return { kind: "other", stream: false, ...(model ? { bodyModels: [model] } : {}), ...(tuning ? { runsUnnamedModel: true } : {}) };
  },
  renderError: toOpenAIErrorResponse,
};
