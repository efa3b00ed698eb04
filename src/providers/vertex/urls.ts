import { GatewayError } from "../../canonical/errors.ts";
import { encodePathSegment, modelIdSegment } from "../model-id.ts";

/** Which publisher serves a model on Vertex AI: Anthropic's Messages API or Google's Gemini API. */
export type VertexPublisher = "anthropic" | "google";

/**
 * Decides the publisher from the model id: ids starting `claude` (Vertex names them like
 * `claude-sonnet-4-5@20250929`) are Anthropic's; everything else (`gemini-*`, and any other id) is
 * Google's. Other Model Garden publishers (Meta, Mistral...) speak other wires and are not routed here.
 */
export function vertexPublisher(model: string): VertexPublisher {
  return model.trim().toLowerCase().startsWith("claude") ? "anthropic" : "google";
}

/** Google Cloud location ids: lowercase letters, digits and dashes (`us-central1`, `europe-west4`, `global`). */
const LOCATION = /^[a-z][a-z0-9-]*[a-z0-9]$/;

/** The error for a deployment whose Vertex settings cannot make a URL; it names the field to fix. */
function badSetting(field: string, why: string): GatewayError {
  return new GatewayError("gateway.internal", `The Vertex AI deployment's ${field} ${why}; fix the deployment's config.`, { provider: "Vertex AI" });
}

/** Vertex AI's API host for a location: regional `{location}-aiplatform.googleapis.com`, or the global endpoint's. */
export function vertexHost(location: string): string {
  if (!LOCATION.test(location)) throw badSetting("location", `"${location.slice(0, 40)}" is not a Google Cloud location (e.g. us-central1, europe-west4, global)`);
  return location === "global" ? "aiplatform.googleapis.com" : `${location}-aiplatform.googleapis.com`;
}

/** The project (from config) as a path segment. */
function projectSegment(project: string): string {
  if (project.trim() === "") throw badSetting("project", "is empty");
  return encodePathSegment(project);
}

/**
 * The `.../v1/projects/{project}/locations/{location}/publishers/{publisher}/models/{model}` prefix.
 * `apiBase` replaces `https://{host}` (a proxy or Private Service Connect endpoint); when it already
 * ends with an API version (`/v1`, `/v1beta1`) that version is kept, else `/v1` is added.
 */
function modelPath(publisher: VertexPublisher, project: string, location: string, model: string, apiBase?: string): string {
  const host = vertexHost(location);
  const base = apiBase && apiBase.trim() !== "" ? apiBase.trim().replace(/\/+$/, "") : `https://${host}`;
  const versioned = /\/v1(beta1)?$/.test(base) ? base : `${base}/v1`;
  // The model may come from the request (a wildcard deployment): one segment, `@` kept as Vertex writes versions, or a 400.
  const id = modelIdSegment(model, "Vertex AI", { keepAt: true, example: publisher === "anthropic" ? "claude-sonnet-4-5@20250929" : "gemini-2.5-flash" });
  return `${versioned}/projects/${projectSegment(project)}/locations/${location}/publishers/${publisher}/models/${id}`;
}

/** Gemini on Vertex AI: `:generateContent`, or `:streamGenerateContent?alt=sse` for server-sent events. */
export function vertexGeminiUrl(project: string, location: string, model: string, stream: boolean, apiBase?: string): string {
  return `${modelPath("google", project, location, model, apiBase)}${stream ? ":streamGenerateContent?alt=sse" : ":generateContent"}`;
}

/** Embeddings on Vertex AI: `:predict`. */
export function vertexPredictUrl(project: string, location: string, model: string, apiBase?: string): string {
  return `${modelPath("google", project, location, model, apiBase)}:predict`;
}

/** Claude on Vertex AI: `:rawPredict`, or `:streamRawPredict` (Anthropic's own SSE events). */
export function vertexAnthropicUrl(project: string, location: string, model: string, stream: boolean, apiBase?: string): string {
  return `${modelPath("anthropic", project, location, model, apiBase)}${stream ? ":streamRawPredict" : ":rawPredict"}`;
}

/**
 * Claude token counting on Vertex AI: a fixed `count-tokens` model whose body keeps `model`
 * (unlike rawPredict) and adds `anthropic_version`.
 */
export function vertexAnthropicCountTokensUrl(project: string, location: string, apiBase?: string): string {
  return `${modelPath("anthropic", project, location, "count-tokens", apiBase)}:rawPredict`;
}
