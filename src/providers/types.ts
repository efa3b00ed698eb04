import type { ChatRequest, ChatResult, StreamPart } from "../canonical/chat.ts";
import type { GatewayError } from "../canonical/errors.ts";
import type { CloudSettings, PriceEntry } from "../config/schema.ts";
import type { PriceSource } from "../pricing/pricer.ts";
import type { EventDecoder, SseEvent } from "../streams/sse-parser.ts";

/** Wire formats clients speak; a provider whose wire equals the client's dialect takes the fast path. */
export type WireFormat = "openai" | "anthropic";

/** Wire formats upstreams speak: the client dialects, and those no client speaks (always translated). */
export type ProviderWire = WireFormat | "gemini" | "bedrock";

/** Sends a built request, with fetch's signature (no Request object is built on the hot path). */
export type Transport = (url: string, init: RequestInit) => Promise<Response>;

/** What a provider needs to know about one deployment; resolved from config, secrets included. */
export interface Target {
  /** Upstream model id, e.g. `gpt-4o`. */
  model: string;
  apiBase: string;
  apiKey?: string;
  headers?: Record<string, string>;
  /** Cloud region: AWS region for Bedrock, Google Cloud location for Vertex AI. */
  region?: string;
  /** The `api-version` query parameter (Azure OpenAI). */
  apiVersion?: string;
  /** Google Cloud project id (Vertex AI). */
  project?: string;
  /** AWS credentials for SigV4 (Bedrock); absent when a Bedrock API key (bearer) is used. */
  aws?: AwsCredentials;
  /** A Google service-account JSON document, as text (Vertex AI). */
  googleCredentials?: string;
}

/** An AWS access key pair, with the session token of temporary credentials. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** A built upstream call: pure data, no I/O. */
export interface UpstreamRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Upstream tool name -> the client's, when the gateway had to rewrite names (Anthropic's name rules). */
  reverseNames?: ReadonlyMap<string, string>;
}

/** Body edits a provider applies on the same-format fast path (see json/top-level.ts). */
export interface PassthroughInput {
  /** The client's request text, forwarded byte for byte except for the edits. */
  raw: string;
  /** The same request parsed, for decisions only (never re-serialised). */
  parsed: Record<string, unknown>;
  /** Whether the gateway wants usage on a stream even if the client did not ask. */
  stream: boolean;
  /** The client's request headers (Anthropic clients send `anthropic-version` / `anthropic-beta`). */
  headers?: Headers;
}

/** Endpoints a provider serves. */
export type Operation = "chat" | "embeddings" | "count_tokens";

/** A provider: a pure description of one upstream API plus its request/response translators. */
export interface Provider {
  id: string;
  /** Human name for messages and docs. */
  label: string;
  wire: ProviderWire;
  /** Default base URL; undefined means a deployment must set `api_base`. */
  defaultApiBase?: string;
  /** Environment variables that may hold the API key, first found wins. */
  apiKeyEnv: readonly string[];
  /** Environment variables that may hold the base URL (local servers: ollama, vllm…). */
  apiBaseEnv: readonly string[];
  /** Where the price data prices this provider's models: genai-prices provider ids, tried in order (Bedrock: its own rows, then Anthropic's). None: unpriced unless a deployment sets `price`. */
  priceSources?: readonly PriceSource[];
  /** One price for every model of this provider, instead of the price data (the mock's nominal price). */
  price?: PriceEntry;
  /** Environment variables whose presence (cloud credentials, not an API key) turns on the provider's `<id>/*` models. */
  credentialEnv?: readonly string[];
  /** Whether calls need a key at all (local servers do not; cloud providers with their own credentials say so in `configure`). */
  requiresApiKey: boolean;
  /**
   * Completes a deployment's target from its provider-specific settings and the environment (region,
   * cloud credentials, api version); returns a problem that keeps the deployment from working.
   */
  configure?(target: Target, settings: CloudSettings, env: Record<string, string | undefined>): string | undefined;
  /** The provider that serves this upstream model, when one id covers models of several wires (Vertex AI: Gemini and Claude). */
  variant?(model: string): Provider;
  /** The one async step before sending: request signing (SigV4) or a fresh OAuth token. */
  authorize?(upstream: UpstreamRequest, target: Target): Promise<UpstreamRequest>;
  /** The upstream answered 401 to `sent` (as authorize made it): a cached credential is dropped, so the next call gets a fresh one. */
  unauthorized?(sent: UpstreamRequest, target: Target): void;
  /** The stream framing when it is not SSE. */
  streamDecoder?(): EventDecoder;
  /** Embeddings for providers whose wire is not OpenAI's (one client request may take several upstream calls). */
  embeddings?: EmbeddingsTranslator;
  operations: readonly Operation[];
  /** In-process transport (the mock); undefined means the network. */
  transport?: Transport;
  /** Canonical translators: used whenever the client's dialect differs from the provider's wire. */
  chat: ChatTranslator;
  /** Builds the upstream request for a same-format call (client dialect = provider wire); absent when no client speaks the provider's wire. */
  buildPassthrough?(operation: Operation, input: PassthroughInput, target: Target, options: PassthroughOptions): UpstreamRequest;
  /** Maps a non-2xx upstream answer to a gateway error (message redacted and truncated). */
  mapError(status: number, body: string, headers: Headers): GatewayError;
  /**
   * The error a stream event carries, if it is one (an upstream that answered 200 and then an error
   * event: Anthropic's `overloaded_error`, an OpenAI-compatible `{"error":...}` chunk). Checked on a
   * stream's first event, while the router can still retry.
   */
  streamError(event: SseEvent): GatewayError | undefined;
}

export interface PassthroughOptions {
  /** Drop parameters the upstream cannot take instead of failing with 400. */
  dropParams: boolean;
}

/**
 * Opaque per-call state a translator keeps between building the request and reading the answer
 * (e.g. the tool-name map that turns sanitised names back into the client's).
 */
export type TranslationState = unknown;

/** Reads an upstream stream: SSE events in, canonical parts out. Throws a GatewayError for an in-band error event. */
export interface StreamReader {
  event(event: SseEvent): StreamPart[];
  /** The upstream ended; returns any parts still owed (e.g. a finish the provider never sent). */
  end(): StreamPart[];
}

/** Translates an OpenAI embeddings request to a provider's wire and the answers back. */
export interface EmbeddingsTranslator {
  buildRequests(body: Record<string, unknown>, target: Target, options: PassthroughOptions): { upstreams: UpstreamRequest[]; state: TranslationState };
  /** The OpenAI-shape answer (`{object:"list",data,model,usage}`) from the upstream answers, in request order. */
  parseResponses(answers: readonly UpstreamAnswer[], state: TranslationState, model: string): Record<string, unknown>;
}

/** One buffered upstream answer. */
export interface UpstreamAnswer {
  body: string;
  headers: Headers;
}

/** Pure translation between the canonical model and one provider's wire format: no fetch, clock, env or database. */
export interface ChatTranslator {
  buildRequest(request: ChatRequest, target: Target, options: PassthroughOptions): { upstream: UpstreamRequest; state: TranslationState };
  parseResponse(body: string, state: TranslationState): ChatResult;
  streamReader(state: TranslationState): StreamReader;
}
