/**
 * The slice of Amazon Bedrock's Converse / ConverseStream wire format (bedrock-runtime API
 * 2023-09-30, REST-JSON) the translators build and read. Content blocks are unions: exactly one
 * member is set.
 */

/** A prompt-cache breakpoint: everything before it is cached. `ttl` is `5m` or `1h`. */
export interface ConverseCachePoint {
  cachePoint: { type: "default"; ttl?: string };
}

/** Inline bytes (base64 in JSON) or an object in S3. */
export type ConverseMediaSource = { bytes: string } | { s3Location: { uri: string; bucketOwner?: string } };

/** An image: png, jpeg, gif or webp. */
export interface ConverseImageBlock {
  image: { format: string; source: ConverseMediaSource };
}
/** A document: pdf, csv, doc, docx, xls, xlsx, html, txt or md; `name` is required. */
export interface ConverseDocumentBlock {
  document: { format: string; name: string; source: ConverseMediaSource };
}
/** Text (never blank: Converse rejects blank text for every model). */
export interface ConverseTextBlock {
  text: string;
}
/** An assistant's tool call; `input` is the arguments object. */
export interface ConverseToolUseBlock {
  toolUse: { toolUseId: string; name: string; input: unknown };
}
/** What a tool-result block may hold. */
export type ConverseToolResultContent = ConverseTextBlock | { json: unknown } | ConverseImageBlock | ConverseDocumentBlock;
/** The answer to a tool call, in a user turn. */
export interface ConverseToolResultBlock {
  toolResult: { toolUseId: string; content: ConverseToolResultContent[]; status?: "success" | "error" };
}
/** Model reasoning: signed text, or an encrypted (redacted) blob in base64. */
export interface ConverseReasoningBlock {
  reasoningContent: { reasoningText: { text: string; signature?: string } } | { redactedContent: string };
}

/** Any block the translators put in a message. */
export type ConverseContentBlock =
  | ConverseTextBlock
  | ConverseImageBlock
  | ConverseDocumentBlock
  | ConverseToolUseBlock
  | ConverseToolResultBlock
  | ConverseReasoningBlock
  | ConverseCachePoint;

/** One turn; Converse requires user and assistant turns to alternate. */
export interface ConverseMessage {
  role: "user" | "assistant";
  content: ConverseContentBlock[];
}

/** A system prompt entry. */
export type ConverseSystemBlock = ConverseTextBlock | ConverseCachePoint;

/** A client tool, or a cache breakpoint after the tools before it. */
export type ConverseTool = { toolSpec: { name: string; description?: string; inputSchema: { json: Record<string, unknown> } } } | ConverseCachePoint;

/** `toolConfig.toolChoice`; Converse has no `none`. */
export type ConverseToolChoice = { auto: Record<string, never> } | { any: Record<string, never> } | { tool: { name: string } };

/** The Converse request body (the model id is in the URL, not the body). */
export interface ConverseRequestBody {
  messages: ConverseMessage[];
  system?: ConverseSystemBlock[];
  inferenceConfig?: { maxTokens?: number; temperature?: number; topP?: number; stopSequences?: string[] };
  toolConfig?: { tools: ConverseTool[]; toolChoice?: ConverseToolChoice };
  additionalModelRequestFields?: Record<string, unknown>;
  [extra: string]: unknown;
}

/** Token counts. `inputTokens` excludes cache reads and writes; `totalTokens` includes them. */
export interface ConverseUsage {
  inputTokens?: number;
  outputTokens?: number;
  totalTokens?: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
  [other: string]: unknown;
}

/** A response content block (members as received; unknown kinds are kept as they came). */
export interface ConverseResponseBlock {
  text?: string;
  toolUse?: { toolUseId?: string; name?: string; input?: unknown };
  reasoningContent?: { reasoningText?: { text?: string; signature?: string }; redactedContent?: string };
  [other: string]: unknown;
}

/** A complete Converse answer. */
export interface ConverseResponse {
  output?: { message?: { role?: string; content?: ConverseResponseBlock[] } };
  stopReason?: string;
  usage?: ConverseUsage;
  metrics?: { latencyMs?: number };
  trace?: unknown;
  additionalModelResponseFields?: unknown;
  performanceConfig?: unknown;
  serviceTier?: unknown;
}
