/**
 * The slice of Anthropic's Messages API wire format the translators build and read
 * (POST /v1/messages, anthropic-version 2023-06-01).
 */

/** Prompt-cache marker; the same shape as the canonical model's. */
export interface AnthropicCacheControl {
  type: "ephemeral";
  ttl?: string;
}

/** Where an image comes from: inline base64 or a URL Anthropic fetches. */
export type AnthropicImageSource = { type: "base64"; media_type: string; data: string } | { type: "url"; url: string };
/** Where a document comes from: base64 PDF, plain text (not base64), or a URL. */
export type AnthropicDocumentSource =
  | { type: "base64"; media_type: string; data: string }
  | { type: "text"; media_type: "text/plain"; data: string }
  | { type: "url"; url: string };

/** A text block (non-empty, non-whitespace: see empty-text.ts). */
export interface AnthropicTextBlock {
  type: "text";
  text: string;
  cache_control?: AnthropicCacheControl;
}
/** An image block (user turns and tool results only). */
export interface AnthropicImageBlock {
  type: "image";
  source: AnthropicImageSource;
  cache_control?: AnthropicCacheControl;
}
/** A document block (user turns only). */
export interface AnthropicDocumentBlock {
  type: "document";
  source: AnthropicDocumentSource;
  title?: string;
  cache_control?: AnthropicCacheControl;
}
/** Extended thinking sent back on a later turn; Anthropic checks the signature. */
export interface AnthropicThinkingBlock {
  type: "thinking";
  thinking: string;
  signature: string;
}
/** Thinking Anthropic returned encrypted; sent back as received. */
export interface AnthropicRedactedThinkingBlock {
  type: "redacted_thinking";
  data: string;
}
/** An assistant's tool call; `input` is the arguments object, not JSON text. */
export interface AnthropicToolUseBlock {
  type: "tool_use";
  id: string;
  name: string;
  input: Record<string, unknown>;
}
/** The answer to a tool call, in the user turn after it; `content` is optional. */
export interface AnthropicToolResultBlock {
  type: "tool_result";
  tool_use_id: string;
  content?: string | (AnthropicTextBlock | AnthropicImageBlock)[];
  is_error?: boolean;
  cache_control?: AnthropicCacheControl;
}

/** Any block the translators put in a message. */
export type AnthropicContentBlock =
  | AnthropicTextBlock
  | AnthropicImageBlock
  | AnthropicDocumentBlock
  | AnthropicThinkingBlock
  | AnthropicRedactedThinkingBlock
  | AnthropicToolUseBlock
  | AnthropicToolResultBlock;

/** One turn; turns alternate user/assistant. */
export interface AnthropicMessage {
  role: "user" | "assistant";
  content: AnthropicContentBlock[];
}

/** A client-side ("custom") tool. */
export interface AnthropicTool {
  name: string;
  description?: string;
  input_schema: Record<string, unknown>;
  cache_control?: AnthropicCacheControl;
}

/** `tool_choice`; `none` takes no `disable_parallel_tool_use`. */
export type AnthropicToolChoice =
  | { type: "auto"; disable_parallel_tool_use?: boolean }
  | { type: "any"; disable_parallel_tool_use?: boolean }
  | { type: "tool"; name: string; disable_parallel_tool_use?: boolean }
  | { type: "none" };

/** The Messages API request body; `extra` members are parameters forwarded by name (params.ts). */
export interface AnthropicRequestBody {
  model: string;
  max_tokens: number;
  system?: AnthropicTextBlock[];
  messages: AnthropicMessage[];
  tools?: (AnthropicTool | Record<string, unknown>)[];
  tool_choice?: AnthropicToolChoice;
  thinking?: { type: "enabled"; budget_tokens: number };
  temperature?: number;
  top_p?: number;
  top_k?: number;
  stop_sequences?: string[];
  metadata?: { user_id?: string };
  stream?: true;
  [extra: string]: unknown;
}

/** `usage` on a message, and (cumulative, fields optional) on `message_delta`. */
export interface AnthropicUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  output_tokens_details?: { thinking_tokens?: number } | null;
  [other: string]: unknown;
}

/** A response content block: the client-visible kinds, plus server-tool blocks kept as they came. */
export type AnthropicResponseBlock =
  | { type: "text"; text: string; citations?: unknown }
  | { type: "thinking"; thinking: string; signature?: string }
  | { type: "redacted_thinking"; data: string }
  | { type: "tool_use"; id: string; name: string; input: unknown }
  | { type: string; [field: string]: unknown };

/** A complete (non-streamed) Messages API answer. */
export interface AnthropicResponseMessage {
  id: string;
  type: "message";
  role: "assistant";
  model: string;
  content: AnthropicResponseBlock[];
  stop_reason: string | null;
  stop_sequence: string | null;
  usage?: AnthropicUsage;
  container?: unknown;
}

/** The error body of a non-2xx answer and of an in-stream `error` event. */
export interface AnthropicErrorBody {
  type?: "error";
  error?: { type?: unknown; message?: unknown };
  request_id?: unknown;
}
