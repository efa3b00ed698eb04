import { toOpenAIErrorResponse } from "../../dialects/openai/errors.ts";
import { isRecord } from "../../json/is-record.ts";
import { gemini } from "../../providers/gemini/index.ts";
import { queryOf } from "../../server/url.ts";
import type { CallKind, CallShape, PassthroughProvider } from "../types.ts";
import { credentialsOf, withoutSuffix } from "./common.ts";

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

/** generationConfig.maxOutputTokens: the output cap of a generateContent request. */
export function maxOutputTokens(fields: Record<string, unknown> | undefined): number | undefined {
  const config = fields?.generationConfig;
  const cap = isRecord(config) ? config.maxOutputTokens : undefined;
  return typeof cap === "number" && Number.isInteger(cap) && cap > 0 ? cap : undefined;
}

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
    const match = method === "POST" ? MODEL_CALL.exec(path) : null;
    if (match) {
      const [, resource, action] = match as unknown as [string, string, string];
      const kind = GEMINI_KINDS[action] ?? "other";
      const cap = maxOutputTokens(fields);
      return { kind, pathModel: modelName(resource), stream: action === "streamGenerateContent", wire: "gemini", ...(cap ? { maxOutputTokens: cap } : {}) };
    }
    // cachedContents and the like name their model in the body, as `models/…`.
    const model = typeof fields?.model === "string" && fields.model !== "" ? modelName(fields.model) : undefined;
    return { kind: "other", stream: false, ...(model ? { bodyModels: [model] } : {}) };
  },
  renderError: toOpenAIErrorResponse,
};
