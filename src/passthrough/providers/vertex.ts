import { GatewayError } from "../../canonical/errors.ts";
import { toOpenAIErrorResponse } from "../../dialects/openai/errors.ts";
import { encodePathSegment } from "../../providers/model-id.ts";
import type { Target } from "../../providers/types.ts";
import { authorizeVertex, forgetVertexToken, placeOf } from "../../providers/vertex/authorize.ts";
import { vertex } from "../../providers/vertex/index.ts";
import type { CallShape, NativeRequest, PassthroughProvider } from "../types.ts";
import { credentialsOf, withoutSuffix } from "./common.ts";
import { candidateCount, GEMINI_KINDS, googleApiKey, maxOutputTokens } from "./gemini.ts";
import { openAIWireCall } from "./openai.ts";

/** `{version}/`, the project and location when the path names them, then the resource. */
const PLACED = /^(v[^/]+)\/(?:projects\/([^/]+)\/locations\/([^/]+)\/)?(.*)$/;
/** A model's method: `publishers/{publisher}/models/{model}:{method}`, or a deployed (tuned) model's `endpoints/{id}:{method}`. */
const MODEL_CALL = /^(?:publishers\/([^/]+)\/models|endpoints)\/([^/:]+):([A-Za-z]+)$/;
/** Vertex AI's own text-embedding models (`text-embedding-005`, `gemini-embedding-001`, `textembedding-gecko`, `multimodalembedding`). */
const EMBEDDING_MODEL = /embedding/i;

/** A model as a body names it: a resource name's last part (`projects/…/publishers/google/models/m` -> `m`), a publisher prefix off (`google/m` -> `m`). */
const modelOf = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value.replace(/^.*\bmodels\//, "").replace(/^[a-z-]+\//, "") : undefined);

/** A call of a publisher's model (or a deployed endpoint's) by its method. */
function modelCall(publisher: string | undefined, model: string, action: string, fields: NativeRequest["fields"]): CallShape {
  if (publisher === "anthropic") {
    // Claude's token counts go to a fixed `count-tokens` model and name the counted one in the body.
    if (model === "count-tokens") {
      const counted = modelOf(fields?.model);
      return { kind: "count", stream: false, wire: "anthropic", ...(counted ? { bodyModels: [counted] } : {}) };
    }
    if (action === "rawPredict" || action === "streamRawPredict") return { kind: "generate", pathModel: model, stream: action === "streamRawPredict", wire: "anthropic" };
  }
  if (publisher === undefined || publisher === "google") {
    if (action === "predict" && EMBEDDING_MODEL.test(model)) return { kind: "embed", pathModel: model, stream: false, wire: "vertex-predict" };
    const kind = GEMINI_KINDS[action];
    const cap = maxOutputTokens(fields);
    const choices = candidateCount(fields);
    if (kind) return { kind, pathModel: model, stream: action === "streamGenerateContent", wire: "gemini", ...(cap ? { maxOutputTokens: cap } : {}), ...(choices ? { choices } : {}) };
    if (action === "computeTokens") return { kind: "count", pathModel: model, stream: false };
  }
  // Imagen, other publishers' models, long-running methods: the model is checked, its cost unknown.
  return { kind: "other", pathModel: model, stream: false };
}

/** What a request is, read from its path after the version and place. */
function classifyVertex({ method, path, fields }: NativeRequest): CallShape {
  const [, , project, location, rest = path] = PLACED.exec(path) ?? [];
  const place = project && location ? { place: { project, location } } : {};
  const call = method === "POST" ? MODEL_CALL.exec(rest) : null;
  if (call) return { ...modelCall(call[1], call[2] as string, call[3] as string, fields), ...place };
  // Vertex AI's OpenAI-compatible chat names `publisher/model` in the body.
  if (method === "POST" && rest === "endpoints/openapi/chat/completions") {
    const shape = openAIWireCall("chat/completions", { method, path, fields });
    const model = modelOf(fields?.model);
    return { ...shape, ...(model ? { bodyModels: [model] } : {}), ...place };
  }
  // cachedContents and the like name their model in the body, as a resource name.
  const model = modelOf(fields?.model);
  return { kind: "other", stream: false, ...(model ? { bodyModels: [model] } : {}), ...place };
}

/**
 * The environment's credential, as LiteLLM's Vertex AI pass-through reads it
 * (DEFAULT_GOOGLE_APPLICATION_CREDENTIALS, DEFAULT_VERTEXAI_PROJECT, DEFAULT_VERTEXAI_LOCATION), else
 * as the translated provider does (GOOGLE_APPLICATION_CREDENTIALS, VERTEXAI_PROJECT, VERTEXAI_LOCATION);
 * none when no service account is named, or the one named cannot be read.
 */
function environmentTarget(env: Record<string, string | undefined>): Target | undefined {
  const credentials = env.DEFAULT_GOOGLE_APPLICATION_CREDENTIALS || env.GOOGLE_APPLICATION_CREDENTIALS;
  if (!credentials) return undefined;
  const target: Target = { model: "", apiBase: "" };
  const problem = vertex.configure?.(
    target,
    { vertex_credentials: credentials, ...(env.DEFAULT_VERTEXAI_PROJECT ? { vertex_project: env.DEFAULT_VERTEXAI_PROJECT } : {}), ...(env.DEFAULT_VERTEXAI_LOCATION ? { vertex_location: env.DEFAULT_VERTEXAI_LOCATION } : {}) },
    env,
  );
  return problem === undefined ? target : undefined;
}

/** The path's resource under the upstream's project and location (LiteLLM's convention: the credential's place wins over the client's). */
function placePath(path: string, target: Target, method: string): string {
  const match = /^(v[^/]+)\/(.*)$/.exec(path);
  if (!match) return path;
  const [, version, rest] = match as unknown as [string, string, string];
  const here = placeOf(target);
  const project = `projects/${encodePathSegment(here.project)}`;
  const location = `locations/${encodePathSegment(here.location)}`;
  if (/^projects\/[^/]+\/locations\/[^/]+(?:\/|$)/.test(rest)) return `${version}/${rest.replace(/^projects\/[^/]+\/locations\/[^/]+/, () => `${project}/${location}`)}`;
  if (/^projects\/[^/]+(?:\/|$)/.test(rest)) return `${version}/${rest.replace(/^projects\/[^/]+/, () => project)}`;
  // A base model's own record (the SDK's models.get / list) is read without a place; every other resource is the project's.
  if (method === "GET" && rest.startsWith("publishers/")) return path;
  return `${version}/${project}/${location}/${rest}`;
}

/** LiteLLM's other Vertex AI routes under this prefix, which go to other Google APIs. */
const OTHER_APIS = /^(?:discovery|live)(?:\/|$)/;

/** The version a path without one gets: v1 (v1beta1 for cached contents), LiteLLM's convention. */
function upstreamPath(path: string): string {
  if (OTHER_APIS.test(path)) {
    throw new GatewayError("caller.route_not_found", "Vertex AI Search (/vertex_ai/discovery) and the Live API (/vertex_ai/live) are not passed through by this gateway; /vertex_ai/* serves Vertex AI's REST API (aiplatform).");
  }
  return /^v\d+[a-z0-9]*\//.test(path) ? path : `${path.includes("cachedContent") ? "v1beta1" : "v1"}/${path}`;
}

/**
 * Vertex AI's REST API at `/vertex_ai/*`, as LiteLLM serves it (`{version}/projects/{p}/locations/{l}/…`,
 * or the resource alone, `publishers/google/models/{m}:generateContent`): Gemini models' methods,
 * Claude's rawPredict / streamRawPredict with Anthropic Messages bodies, token counts, text
 * embeddings (`:predict`). The upstream is the location's host with a fresh OAuth token from the
 * credential's service account, and the credential's project and location replace the client's.
 */
export const vertexPassthrough: PassthroughProvider = {
  id: "vertex_ai",
  label: "Vertex AI",
  credentials: {
    ...credentialsOf(vertex),
    // Named in the 404 of a gateway without a credential; read by `environment`.
    apiKeyEnv: ["DEFAULT_GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_APPLICATION_CREDENTIALS"],
    // Google's rows price Gemini (and Claude on Vertex, by the data's own fallback); Anthropic's are next.
    priceSources: ["google", "anthropic"],
    environment: environmentTarget,
  },
  rootOf: (base) => withoutSuffix(base, ["/v1beta1", "/v1"]),
  presentedKey: googleApiKey,
  upstreamPath,
  placePath: (path, { target }, method) => placePath(path, target, method),
  // The token is set by authorize; the deployment's headers are the only others.
  credentialHeaders: () => ({}),
  authorize: (outbound, upstream) => authorizeVertex(outbound, upstream.target),
  // A revoked or rotated token would otherwise be sent until it expires (up to an hour).
  unauthorized: (sent, upstream) => forgetVertexToken(sent, upstream.target),
  classify: classifyVertex,
  renderError: toOpenAIErrorResponse,
};
