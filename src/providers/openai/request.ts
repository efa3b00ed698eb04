import { editTopLevel, insertTopLevel, type TopLevelEdits } from "../../json/top-level.ts";
import { GatewayError } from "../../canonical/errors.ts";
import type { Operation, PassthroughInput, PassthroughOptions, Target, UpstreamRequest } from "../types.ts";
import { sanitiseOpenAIToolNames } from "./passthrough-names.ts";
import type { OpenAIWireProfile } from "./profile.ts";

/** Body fields a client may send that must never reach an upstream (they would redirect or re-key the call). */
export const GATEWAY_ONLY_FIELDS = ["api_base", "base_url", "api_key", "api_version"] as const;

/** Each operation's path under the upstream's base URL. */
/** OpenAI-wire endpoints by operation; OpenAI-wire APIs have no token-counting endpoint. */
const OPENAI_PATHS: Record<Operation, string | undefined> = { chat: "/chat/completions", embeddings: "/embeddings", count_tokens: undefined };

/** The endpoint for an operation; callers check `operations` first, so a miss is the gateway's bug. */
export function openAIPath(operation: Operation): string {
  const path = OPENAI_PATHS[operation];
  if (!path) throw new GatewayError("gateway.internal", `OpenAI-wire providers have no ${operation} endpoint.`);
  return path;
}

/** Joins a base URL and a path without doubling or losing the slash. */
export function joinUrl(base: string, path: string): string {
  return base.endsWith("/") ? `${base.slice(0, -1)}${path}` : `${base}${path}`;
}

/** Request headers for an OpenAI-wire call: JSON in, JSON or SSE out, bearer key, deployment headers last. */
export function openAIHeaders(target: Target, stream: boolean): Record<string, string> {
  const headers: Record<string, string> = { "content-type": "application/json", accept: stream ? "text/event-stream" : "application/json" };
  if (target.apiKey) headers.authorization = `Bearer ${target.apiKey}`;
  if (target.headers) Object.assign(headers, target.headers);
  return headers;
}

/** The 400 for a parameter the upstream rejects, saying how to get past it. */
export function unsupportedParamError(profile: OpenAIWireProfile, param: string): GatewayError {
  return new GatewayError(
    "caller.invalid_request",
    `${profile.label} does not support the parameter '${param}'. Remove it, or set drop_params: true to have the gateway drop it.`,
    { param },
  );
}

/**
 * Builds an OpenAI-wire request that forwards the client's body with only the needed edits: model,
 * gateway-only fields, the profile's parameter quirks, usage on streams, and function names OpenAI
 * would reject (restored in the answer through `reverseNames`).
 */
export function buildOpenAIPassthrough(
  profile: OpenAIWireProfile,
  operation: Operation,
  input: PassthroughInput,
  target: Target,
  options: PassthroughOptions,
): UpstreamRequest {
  const { parsed } = input;
  const edits: Required<TopLevelEdits> = { set: {}, remove: [], rename: {} };
  let edited = false;
  // Members added that the body does not have: inserted without scanning unless other edits need a pass.
  const additions: Record<string, string> = {};
  if (parsed.model !== target.model) {
    edits.set.model = JSON.stringify(target.model);
    edited = true;
  }
  const remove: string[] = [];
  for (const field of GATEWAY_ONLY_FIELDS) if (field in parsed) remove.push(field);
  for (const param of profile.unsupportedParams ?? []) {
    if (!(param in parsed)) continue;
    if (!options.dropParams) throw unsupportedParamError(profile, param);
    remove.push(param);
  }
  if (remove.length > 0) {
    edits.remove = remove;
    edited = true;
  }
  for (const [from, to] of Object.entries(profile.renameParams ?? {})) {
    if (from in parsed) {
      edits.rename[from] = to;
      edited = true;
    }
  }
  const names = operation === "chat" ? sanitiseOpenAIToolNames(parsed) : undefined;
  if (names && Object.keys(names.set).length > 0) {
    Object.assign(edits.set, names.set);
    edited = true;
  }
  if (input.stream && profile.streamUsage !== false) {
    const current = parsed.stream_options;
    const options = current && typeof current === "object" ? (current as Record<string, unknown>) : undefined;
    if (options?.include_usage !== true) {
      // The gateway always needs usage; the client only sees the usage chunk if it asked (see stream.ts).
      const value = JSON.stringify({ ...options, include_usage: true });
      if (current === undefined) additions.stream_options = value;
      else {
        edits.set.stream_options = value;
        edited = true;
      }
    }
  }
  return {
    url: joinUrl(target.apiBase, openAIPath(operation)),
    headers: openAIHeaders(target, input.stream),
    body: edited ? editTopLevel(input.raw, { ...edits, set: { ...edits.set, ...additions } }) : Object.keys(additions).length > 0 ? insertTopLevel(input.raw, additions) : input.raw,
    ...(names && names.reverse.size > 0 ? { reverseNames: names.reverse } : {}),
  };
}
