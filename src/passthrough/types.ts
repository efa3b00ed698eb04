/**
 * Pass-through routes (`/anthropic/*`, `/openai/*`, …): a provider's native API through the
 * gateway, the client's body and the upstream's answer forwarded unchanged. The shared code
 * (path safety, headers, keys, limits, budgets, ledger, spans) lives in this folder; what differs
 * per provider is one small PassthroughProvider module in ./providers/, listed in ./registry.ts.
 */
import type { GatewayError } from "../canonical/errors.ts";
import type { Usage } from "../canonical/usage.ts";
import type { PriceOf } from "../pricing/pricer.ts";
import type { Target } from "../providers/types.ts";
import type { EventDecoder } from "../streams/sse-parser.ts";
import type { NativeWire } from "../telemetry/native-wire.ts";

export type { NativeWire };

/** What a pass-through call does, as far as keys, budgets, the ledger and spans care. */
export type CallKind =
  /** Generates output from a model (Messages, chat completions, Responses, generateContent): an LLM span, output reserved. */
  | "generate"
  /** Embeds input with a model: an EMBEDDING span, no output reserved. */
  | "embed"
  /** Counts tokens of a model: free, a CHAIN span. */
  | "count"
  /** Anything else (files, batches, model lists, images, rerank): a CHAIN span; its cost is not the gateway's to compute. */
  | "other";

/** One request as the client sent it, for a provider to classify. */
export interface NativeRequest {
  method: string;
  /**
   * The upstream path as the upstream reads it: escapes decoded (the path check let through only
   * escapes of plain characters), no leading or trailing `/` (`v1/messages`,
   * `v1beta/models/gemini-2.0-flash:generateContent`).
   */
  path: string;
  /** The body's fields: a JSON object, or a form's text fields; undefined for no body or any other body. */
  fields: Record<string, unknown> | undefined;
}

/** What a provider reads off one request. */
export interface CallShape {
  kind: CallKind;
  /** The model the path names (Gemini's `models/{m}:generateContent`, Azure's `deployments/{d}/…`). */
  pathModel?: string;
  /** The models the body names (`model`; each request of an Anthropic batch). */
  bodyModels?: readonly string[];
  /** Whether the answer streams (the body's `stream`, Gemini's `:streamGenerateContent`). */
  stream: boolean;
  /** How usage and spans read the native bodies; absent when the answer carries no model output. */
  wire?: NativeWire;
  /**
   * The call runs a model its request need not name (the endpoint's default, a batch's input file,
   * an assistant's or an agent's): when it names none, only a key allowed every model of the
   * provider, and with no budget, may make it.
   */
  runsUnnamedModel?: boolean;
  /** The output cap of the native request, when not in `max_tokens` & co. (Gemini's generationConfig.maxOutputTokens). */
  maxOutputTokens?: number;
  /** The cloud project and location the path names (Vertex AI's `projects/{p}/locations/{l}/`): a `use_in_pass_through` deployment there is preferred. */
  place?: { project: string; location: string };
  /**
   * The stream reports usage only if asked, and this one does not ask (OpenAI's chat stream without
   * `stream_options.include_usage`): its cost would be estimated from text, so budgeted keys are refused it.
   */
  usageNotAsked?: boolean;
  /** How many answers the native request asks for, when not in `n` (Gemini's generationConfig.candidateCount). */
  choices?: number;
}

/** Where one pass-through call goes, with what credential, and how it is priced and timed. */
export interface PassthroughUpstream {
  /** The deployment lending it (x-switchboard-model-id, the ledger), or `<provider>/environment` (`<provider>/config` for a fixed one). */
  id: string;
  /** The API root the client's path is joined to (no trailing `/`): `https://api.anthropic.com`. */
  root: string;
  /** The credential and settings as the deployment (or the environment) resolved them: apiKey, headers, region, cloud credentials. */
  target: Target;
  /** Prices the upstream model of a call. */
  priceOf: PriceOf;
  timeoutMs: number;
  connectMs?: number;
  firstByteMs?: number;
  idleMs?: number;
}

/** One outbound request, as sent (after the credential is set). */
export interface OutboundRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: Uint8Array | undefined;
}

/** Where a provider's credential comes from besides `use_in_pass_through` deployments. */
export interface CredentialSource {
  /** The registry provider whose deployments serve this route's models by name (`anthropic`), if any. */
  providerId?: string;
  /** Environment variables that may hold the key, first found wins (a missing key turns the environment source off). */
  apiKeyEnv: readonly string[];
  /** Environment variables that may hold the base URL. */
  apiBaseEnv: readonly string[];
  /** The default base URL; undefined means the environment must name one (Azure). */
  defaultBase?: string;
  /**
   * A fixed upstream instead of the environment's (a `pass_through_endpoints:` entry of the config):
   * its base, headers that carry its credential (sent as the deployment headers are), and its own
   * total timeout when it has one.
   */
  fixed?: { base: string; headers?: Record<string, string>; timeoutMs?: number };
  /** Price data sources (genai-prices provider ids) for models no deployment prices. */
  priceSources: readonly string[];
  /**
   * The environment's credential when it is more than a key and a base (Vertex AI: a service
   * account, a project and a location; Bedrock: AWS keys or an API key, and a region): the whole target, or undefined when the environment sets
   * none. Replaces the reading of `apiKeyEnv` / `apiBaseEnv`.
   */
  environment?(env: Record<string, string | undefined>): Target | undefined;
}

/** The HTTP methods a pass-through route may serve. */
export type PassthroughMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/**
 * Where a route built from config (a `pass_through_endpoints:` entry) is served, instead of
 * `/<id>/*` with a path required after the prefix.
 */
export interface PassthroughMount {
  /** The route's path (`/v1/rerank`, `/bria`); a call of it exactly goes to the upstream's base as written. */
  path: string;
  /** Paths under it (`/bria/v1/x`) are served too, joined under the base with the usual checks. */
  subpaths: boolean;
  methods: readonly PassthroughMethod[];
  /** No key is needed or read (`auth: false`); a key the client sends is dropped like every credential header. */
  public: boolean;
  /** Where it was configured (`pass_through_endpoints[2]`), for config problems. */
  origin: string;
}

/**
 * One provider's native API behind `/<id>/*`: how its SDK presents the key, how the upstream is
 * authenticated, where a request names its model, how its answers report usage. Everything else
 * is shared. Bedrock (SigV4 re-signing, AWS event stream) and Vertex AI (OAuth) plug in through
 * `authorize` and `streamDecoder`; see README "Pass-through routes" for adding one.
 */
export interface PassthroughProvider {
  /** The route prefix (`/anthropic/*`) and the provider id in records, spans and the ledger. */
  id: string;
  label: string;
  credentials: CredentialSource;
  /** The API root of a deployment's api_base: the version suffix the client's paths carry taken off (`…/v1` -> `…`). */
  rootOf(apiBase: string): string;
  /** The key the client presented where its SDK puts it and the shared headers do not (Gemini: `x-goog-api-key`, `?key=`). */
  presentedKey?(request: Request): string | undefined;
  /**
   * Escaped characters the provider reads inside one path segment, which the path check then lets
   * through (Bedrock's model ARNs: `/` as `%2F`); the joined URL is still checked to stay under the root.
   */
  segmentEscapes?: ReadonlySet<string>;
  /**
   * The model a path names may be a deployment's gateway name (LiteLLM's
   * `/bedrock/model/{model_name}/converse`): the call goes to that deployment, and `placePath` puts
   * its model id (the upstream's `target.model`) in the path.
   */
  pathNamesDeployments?: boolean;
  /** The upstream path for the client's (after the prefix, no leading `/`); OpenAI adds `v1/` when absent, as LiteLLM does. */
  upstreamPath?(path: string): string;
  /**
   * The upstream path for the chosen upstream (Vertex AI: the credential's project and location in
   * place of the client's); checked again before it is joined to the root.
   */
  placePath?(path: string, upstream: PassthroughUpstream, method: string): string;
  /** Edits the query sent upstream (the client's `key` is already gone): Azure adds the deployment's api-version when absent. */
  upstreamQuery?(query: URLSearchParams, upstream: PassthroughUpstream, path: string): void;
  /** Served somewhere else than `/<id>/*` (a config endpoint); `id` then only names it in records and spans. */
  mount?: PassthroughMount;
  /**
   * Which of the client's headers go up, of those the shared rules let through (no credentials,
   * hop-by-hop headers, cookies or client addresses ever do); default all of them.
   */
  clientHeaders?(headers: Record<string, string>): Record<string, string>;
  /** What every call that names no model costs, in nano-dollars, charged once the upstream answered 2xx (`cost_per_request`); default 0. */
  callPriceNano?: number;
  /** The headers that carry the upstream credential (`x-api-key`, `Authorization`, `api-key`, `x-goog-api-key`). */
  credentialHeaders(upstream: PassthroughUpstream): Record<string, string>;
  /** The one async step before sending, after credentialHeaders: re-signing (SigV4) or a fresh OAuth token. */
  authorize?(outbound: OutboundRequest, upstream: PassthroughUpstream): Promise<OutboundRequest>;
  /** The upstream answered 401 to `sent` (as authorize made it): a cached credential is dropped, so the next call gets a fresh one. */
  unauthorized?(sent: OutboundRequest, upstream: PassthroughUpstream): void;
  /** What a request is: its kind, the model it names (path or body), whether it streams. */
  classify(request: NativeRequest): CallShape;
  /** Usage an answer reports in its headers when its body does not (Bedrock's `x-amzn-bedrock-*-token-count`). */
  headerUsage?(headers: Headers, shape: CallShape): Usage | undefined;
  /** The answer's framing when it streams and is not SSE (Bedrock: the AWS event stream). */
  streamDecoder?(shape: CallShape): EventDecoder | undefined;
  /** Gateway errors (auth, policy, path) in the shape the provider's SDK reads. */
  renderError(error: GatewayError, headers?: Record<string, string>): Response;
}
