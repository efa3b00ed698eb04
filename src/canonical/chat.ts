import type { Usage } from "./usage.ts";

/**
 * The provider-neutral chat model every dialect decodes into and every provider builds from.
 * Provider-only data rides in `providerOptions` / `providerMetadata` keyed by provider id instead
 * of growing these types.
 */

/** Anthropic-style prompt-cache marker, carried on the part or tool it applies to. */
export interface CacheControl {
  type: "ephemeral";
  ttl?: string;
}

/** Where binary content lives: a URL, or inline base64 with its media type. */
export type MediaSource = { kind: "url"; url: string } | { kind: "base64"; mediaType: string; data: string };

export interface TextPart {
  type: "text";
  text: string;
  cacheControl?: CacheControl;
}
export interface ImagePart {
  type: "image";
  source: MediaSource;
  /** OpenAI's `detail` (low/high/auto). */
  detail?: string;
  cacheControl?: CacheControl;
}
export interface DocumentPart {
  type: "document";
  source: MediaSource;
  title?: string;
  cacheControl?: CacheControl;
}
/** Model reasoning. `signature` must travel back unchanged on a follow-up turn (Anthropic). */
export interface ThinkingPart {
  type: "thinking";
  text: string;
  signature?: string;
}
/** Reasoning the provider returned encrypted; opaque, sent back as is. */
export interface RedactedThinkingPart {
  type: "redacted-thinking";
  data: string;
}
/** An assistant's call of a client tool. `arguments` is JSON text, as the model produced it. */
export interface ToolCallPart {
  type: "tool-call";
  id: string;
  name: string;
  arguments: string;
}
/** The client's answer to a tool call. */
export interface ToolResultPart {
  type: "tool-result";
  toolCallId: string;
  content: string | (TextPart | ImagePart)[];
  isError?: boolean;
  cacheControl?: CacheControl;
}

export type ContentPart = TextPart | ImagePart | DocumentPart | ThinkingPart | RedactedThinkingPart | ToolCallPart | ToolResultPart;

/**
 * One conversation turn. System messages stay in order among the others (a provider that takes
 * one system field joins them). `tool` messages hold only tool-result parts; `assistant` messages
 * hold text, thinking and tool-call parts; `user` messages hold text, image and document parts.
 */
export interface Message {
  role: "system" | "user" | "assistant" | "tool";
  content: ContentPart[];
  /** OpenAI's participant name. */
  name?: string;
}

/** A tool the client runs: name, description, JSON schema of its arguments. */
export interface ToolDefinition {
  name: string;
  description?: string;
  parameters: Record<string, unknown>;
  strict?: boolean;
  cacheControl?: CacheControl;
}

export type ToolChoice = { type: "auto" } | { type: "none" } | { type: "required" } | { type: "tool"; name: string };

export type ResponseFormat =
  | { type: "text" }
  | { type: "json_object" }
  | { type: "json_schema"; name: string; schema: Record<string, unknown>; strict?: boolean; description?: string };

/** Extended thinking / reasoning controls. */
export interface Reasoning {
  /** OpenAI's `reasoning_effort`. */
  effort?: "minimal" | "low" | "medium" | "high";
  /** Explicit token budget (Anthropic `thinking.budget_tokens`). */
  budgetTokens?: number;
  /** False when the client explicitly disabled thinking. */
  enabled?: boolean;
}

/** A chat request in the gateway's own terms. */
export interface ChatRequest {
  /** The upstream model id (the router fills it in; dialects put the client's model name here). */
  model: string;
  messages: Message[];
  tools?: ToolDefinition[];
  /** Provider-hosted tools (web search, code execution, ...), passed through untouched, never renamed. */
  hostedTools?: Record<string, unknown>[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stop?: string[];
  seed?: number;
  /** End-user id for abuse tracking (OpenAI `user`, Anthropic `metadata.user_id`). */
  user?: string;
  responseFormat?: ResponseFormat;
  reasoning?: Reasoning;
  stream: boolean;
  /** The client asked for usage on the stream (OpenAI `stream_options.include_usage`). */
  streamUsage?: boolean;
  /**
   * Request parameters with no canonical field, by their wire name (e.g. `logit_bias`, `presence_penalty`).
   * A provider forwards the ones it understands and reports the rest as unsupported.
   */
  extra: Record<string, unknown>;
  /** Provider-specific request options, keyed by provider wire (`anthropic`: `{ beta: [...] }`, ...). */
  providerOptions?: Record<string, Record<string, unknown>>;
}

export type FinishReason = "stop" | "length" | "tool-calls" | "content-filter" | "error" | "other";

/** A complete (non-streamed) answer. */
export interface ChatResult {
  id: string;
  model: string;
  /** Text, thinking and tool-call parts in the order the model produced them. */
  content: ContentPart[];
  finishReason: FinishReason;
  usage?: Usage;
  /** Provider-only facts (e.g. `anthropic: { stop_sequence }`), keyed by provider wire. */
  providerMetadata?: Record<string, Record<string, unknown>>;
}

/**
 * One step of a streamed answer. Tool calls are announced (`tool-call-start` with id and name),
 * then their arguments arrive as fragments; `index` tells parallel calls apart.
 */
export type StreamPart =
  | { type: "start"; id: string; model: string }
  | { type: "text-delta"; text: string }
  | { type: "reasoning-delta"; text: string }
  | { type: "reasoning-signature"; signature: string }
  | { type: "redacted-reasoning"; data: string }
  | { type: "tool-call-start"; index: number; id: string; name: string }
  | { type: "tool-call-delta"; index: number; argumentsDelta: string }
  | { type: "usage"; usage: Usage }
  | { type: "finish"; finishReason: FinishReason; providerMetadata?: Record<string, Record<string, unknown>> };
