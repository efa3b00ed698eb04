import type { CacheControl, ContentPart, DocumentPart, ImagePart, Message, ToolCallPart, ToolResultPart } from "../../canonical/chat.ts";
import { GatewayError } from "../../canonical/errors.ts";
import { systemWithoutBlankText, withoutBlankText } from "./empty-text.ts";
import { toolArgumentsObject } from "../tool-arguments.ts";
import { echo } from "../../canonical/echo.ts";
import type {
  AnthropicCacheControl,
  AnthropicContentBlock,
  AnthropicDocumentBlock,
  AnthropicImageBlock,
  AnthropicImageSource,
  AnthropicMessage,
  AnthropicTextBlock,
  AnthropicToolResultBlock,
  AnthropicToolUseBlock,
} from "./wire.ts";

/** Copies a cache marker so the caller's object is never shared into the body. */
export function toAnthropicCacheControl(cache: CacheControl): AnthropicCacheControl {
  return cache.ttl === undefined ? { type: cache.type } : { type: cache.type, ttl: cache.ttl };
}

const withCache = <T extends object>(block: T, cache: CacheControl | undefined): T => (cache ? { ...block, cache_control: toAnthropicCacheControl(cache) } : block);

const invalid = (index: number, message: string) => new GatewayError("caller.invalid_request", `messages[${index}]: ${message}`, { param: `messages[${index}]` });

const DATA_URI = /^data:([^;,]+)(?:;[^,]*)?;base64,(.*)$/s;

function toImageSource(part: ImagePart, index: number): AnthropicImageSource {
  if (part.source.kind === "base64") return { type: "base64", media_type: part.source.mediaType, data: part.source.data };
  const url = part.source.url;
  if (url.startsWith("data:")) {
    const match = DATA_URI.exec(url);
    if (!match) throw invalid(index, "an image data: URI must be base64 ('data:<media type>;base64,<data>').");
    return { type: "base64", media_type: match[1] as string, data: match[2] as string };
  }
  return { type: "url", url };
}

// `detail` (OpenAI's resolution hint) has no Anthropic counterpart; the image itself is sent.
const toImageBlock = (part: ImagePart, index: number): AnthropicImageBlock => withCache({ type: "image", source: toImageSource(part, index) }, part.cacheControl);

function toDocumentBlock(part: DocumentPart, index: number): AnthropicDocumentBlock {
  const { source } = part;
  let block: AnthropicDocumentBlock;
  if (source.kind === "url") block = { type: "document", source: { type: "url", url: source.url } };
  else if (source.mediaType === "application/pdf") block = { type: "document", source: { type: "base64", media_type: source.mediaType, data: source.data } };
  else if (source.mediaType === "text/plain") {
    // Anthropic's plain-text document source takes the text itself, not base64.
    block = { type: "document", source: { type: "text", media_type: "text/plain", data: Buffer.from(source.data, "base64").toString("utf8") } };
  } else throw invalid(index, `Anthropic accepts PDF and plain-text documents, not '${echo(source.mediaType)}'.`);
  if (part.title !== undefined) block.title = part.title;
  return withCache(block, part.cacheControl);
}

/** Tool-call arguments are JSON text; Anthropic wants the object. Empty text means no arguments. */
function toToolUse(part: ToolCallPart, index: number, toolName: (name: string) => string): AnthropicToolUseBlock {
  const input = toolArgumentsObject(part, (message) => invalid(index, message));
  return { type: "tool_use", id: part.id, name: toolName(part.name), input };
}

function toToolResult(part: ToolResultPart, index: number): AnthropicToolResultBlock {
  const block: AnthropicToolResultBlock = { type: "tool_result", tool_use_id: part.toolCallId };
  block.content =
    typeof part.content === "string"
      ? part.content
      : part.content.map((item) => (item.type === "text" ? withCache<AnthropicTextBlock>({ type: "text", text: item.text }, item.cacheControl) : toImageBlock(item, index)));
  if (part.isError) block.is_error = true;
  return withCache(block, part.cacheControl);
}

/** Which parts each canonical role may hold on Anthropic (images and documents only in user turns). */
const ALLOWED: Record<Message["role"], ReadonlySet<ContentPart["type"]>> = {
  system: new Set(["text"]),
  user: new Set(["text", "image", "document", "tool-result"]),
  tool: new Set(["tool-result", "text"]),
  assistant: new Set(["text", "thinking", "redacted-thinking", "tool-call"]),
};

function toBlock(part: ContentPart, index: number, toolName: (name: string) => string): AnthropicContentBlock | undefined {
  switch (part.type) {
    case "text":
      return withCache<AnthropicTextBlock>({ type: "text", text: part.text }, part.cacheControl);
    case "image":
      return toImageBlock(part, index);
    case "document":
      return toDocumentBlock(part, index);
    case "thinking":
      // Anthropic verifies every thinking block it gets back by its signature; reasoning without
      // one (another provider's, or hand-written) would be rejected, so it is not sent.
      return part.signature ? { type: "thinking", thinking: part.text, signature: part.signature } : undefined;
    case "redacted-thinking":
      return { type: "redacted_thinking", data: part.data };
    case "tool-call":
      return toToolUse(part, index, toolName);
    case "tool-result":
      return toToolResult(part, index);
  }
}

/**
 * Canonical messages -> Anthropic `system` blocks and alternating turns. System messages (anywhere)
 * join `system` in order; tool messages become user turns of tool_result blocks; consecutive
 * turns of one role merge, tool results first in their turn (Anthropic requires them before any
 * text); blank text is dropped or replaced by the placeholder (empty-text.ts). `toolName` maps the client's tool
 * names to the upstream's.
 */
export function toAnthropicMessages(messages: readonly Message[], toolName: (name: string) => string): { system: AnthropicTextBlock[]; messages: AnthropicMessage[] } {
  const system: AnthropicTextBlock[] = [];
  const turns: AnthropicMessage[] = [];
  messages.forEach((message, index) => {
    const allowed = ALLOWED[message.role];
    const blocks: AnthropicContentBlock[] = [];
    for (const part of message.content) {
      if (!allowed.has(part.type)) throw invalid(index, `a ${message.role} message cannot hold a ${part.type} part on Anthropic.`);
      const block = toBlock(part, index, toolName);
      if (block) blocks.push(block);
    }
    if (message.role === "system") {
      system.push(...(blocks as AnthropicTextBlock[]));
      return;
    }
    const role = message.role === "assistant" ? "assistant" : "user";
    const last = turns.at(-1);
    if (last && last.role === role) last.content.push(...blocks);
    else turns.push({ role, content: blocks });
  });
  for (const turn of turns) {
    if (turn.role !== "user") continue;
    const results = turn.content.filter((block) => block.type === "tool_result");
    if (results.length > 0 && results.length < turn.content.length) turn.content = [...results, ...turn.content.filter((block) => block.type !== "tool_result")];
  }
  return { system: systemWithoutBlankText(system) ?? [], messages: withoutBlankText(turns) };
}
