import type { ChatRequest } from "../../canonical/chat.ts";
import { modelIdSegment } from "../model-id.ts";
import { joinUrl } from "../openai/request.ts";
import type { PassthroughOptions, Target, UpstreamRequest } from "../types.ts";
import { toGeminiContents } from "./contents.ts";
import { refuseGeminiParam, toGeminiExtras } from "./params.ts";
import { toGeminiJsonSchema } from "./schema.ts";
import type { GeminiState } from "./state.ts";
import { toGeminiThinkingConfig } from "./thinking.ts";
import { planRequestToolNames } from "../tool-names.ts";
import { GEMINI_FUNCTION_NAMES } from "./tool-names.ts";
import { planGeminiTools } from "./tools.ts";
import type { GeminiGenerationConfig, GeminiRequestBody } from "./wire.ts";

/** The Gemini API's base URL (AI Studio keys). */
export const GEMINI_API_BASE = "https://generativelanguage.googleapis.com/v1beta";

/** Gemini takes at most five stop sequences. */
const MAX_STOP_SEQUENCES = 5;

/** Who the body is for: the model decides thinking and signature rules; Vertex AI differs in a few parameters. */
export interface GeminiBodyContext {
  /** Upstream model id; defaults to the request's. */
  model?: string;
  /** Vertex AI's Gemini endpoint rather than the Gemini API. */
  vertex?: boolean;
}

/** The request's sampling, length, format and thinking settings as `generationConfig`. */
function toGenerationConfig(request: ChatRequest, options: PassthroughOptions, model: string): GeminiGenerationConfig {
  const config: GeminiGenerationConfig = {};
  if (request.temperature !== undefined) config.temperature = request.temperature;
  if (request.topP !== undefined) config.topP = request.topP;
  if (request.topK !== undefined) config.topK = request.topK;
  if (request.maxTokens !== undefined) config.maxOutputTokens = request.maxTokens;
  if (request.stop && request.stop.length > 0) {
    if (request.stop.length > MAX_STOP_SEQUENCES) refuseGeminiParam(options, "stop", `takes at most ${MAX_STOP_SEQUENCES} stop sequences, got ${request.stop.length}`);
    config.stopSequences = request.stop.slice(0, MAX_STOP_SEQUENCES);
  }
  if (request.seed !== undefined) config.seed = request.seed;
  const format = request.responseFormat;
  if (format && format.type !== "text") {
    config.responseMimeType = "application/json";
    if (format.type === "json_schema" && Object.keys(format.schema).length > 0) config.responseJsonSchema = toGeminiJsonSchema(format.schema);
  }
  const thinking = toGeminiThinkingConfig(request.reasoning, model);
  if (thinking) config.thinkingConfig = thinking;
  return config;
}

/**
 * A canonical request as a generateContent body (the same body streams), and the state its answer is
 * read with. Pure: the model and platform come from `context`. `user` (abuse-tracking id) has no
 * Gemini field and is left out.
 */
export function toGeminiBody(request: ChatRequest, options: PassthroughOptions, context: GeminiBodyContext = {}): { body: GeminiRequestBody; state: GeminiState } {
  const model = context.model ?? request.model;
  const names = planRequestToolNames(request, GEMINI_FUNCTION_NAMES);
  const functionName = (name: string) => names.forward.get(name) ?? name;
  const { systemInstruction, contents } = toGeminiContents(request.messages, model, functionName);
  const body: GeminiRequestBody = { contents };
  if (systemInstruction) body.systemInstruction = systemInstruction;
  const tools = planGeminiTools(request, names, options);
  if (tools.tools) body.tools = tools.tools;
  if (tools.toolConfig) body.toolConfig = tools.toolConfig;
  const extras = toGeminiExtras(request.extra, options, model, context.vertex === true);
  const config = { ...toGenerationConfig(request, options, model), ...extras.config };
  if (Object.keys(config).length > 0) body.generationConfig = config;
  Object.assign(body, extras.body);
  return { body, state: { model, reverseNames: names.reverse } };
}

/** `models/{id}` unless the id is already a resource name (`models/...`, `tunedModels/...`), as the Gemini SDK names models. */
export function geminiModelPath(model: string): string {
  return model.startsWith("models/") || model.startsWith("tunedModels/") ? model : `models/${model}`;
}

/**
 * The model's resource name as a URL path: `models/` or `tunedModels/`, then the id as one encoded
 * segment. An id that is not one safe name (`x/../../upload`, `a?b`) is a 400, never a URL.
 */
export function geminiModelUrlPath(model: string): string {
  const resource = geminiModelPath(model);
  const slash = resource.indexOf("/");
  return `${resource.slice(0, slash + 1)}${modelIdSegment(resource.slice(slash + 1), "Gemini", { example: "gemini-2.5-flash or models/gemini-2.5-flash" })}`;
}

/** Headers for a Gemini API call: JSON in, JSON or SSE out, the key in `x-goog-api-key`, deployment headers last. */
export function geminiHeaders(target: Target, stream: boolean): Record<string, string> {
  const headers: Record<string, string> = { "content-type": "application/json", accept: stream ? "text/event-stream" : "application/json" };
  if (target.apiKey) headers["x-goog-api-key"] = target.apiKey;
  for (const [name, value] of Object.entries(target.headers ?? {})) headers[name.toLowerCase()] = value;
  return headers;
}

/** Builds the Gemini API (AI Studio) call: `:generateContent`, or `:streamGenerateContent?alt=sse` when streaming. */
export function buildGeminiRequest(request: ChatRequest, target: Target, options: PassthroughOptions): { upstream: UpstreamRequest; state: GeminiState } {
  const method = request.stream ? ":streamGenerateContent?alt=sse" : ":generateContent";
  const url = joinUrl(target.apiBase, `/${geminiModelUrlPath(target.model)}${method}`);
  const { body, state } = toGeminiBody(request, options, { model: target.model });
  return {
    upstream: { url, headers: geminiHeaders(target, request.stream), body: JSON.stringify(body) },
    state,
  };
}
