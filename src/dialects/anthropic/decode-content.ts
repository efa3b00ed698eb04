import type { CacheControl, ContentPart, DocumentPart, ImagePart, MediaSource, Message, TextPart, ToolResultPart } from "../../canonical/chat.ts";
import { GatewayError } from "../../canonical/errors.ts";
import { fromWireCacheControl } from "../cache-control.ts";

type Block = Record<string, unknown>;

/** A 400 naming the field at fault. */
export function invalidField(param: string, what: string): GatewayError {
  return new GatewayError("caller.invalid_request", `Invalid value for '${param}': ${what}.`, { param });
}

/** A 400 for a block the canonical model has no place for: say so, and what to do instead. */
function untranslatable(param: string, type: string): GatewayError {
  return new GatewayError(
    "caller.invalid_request",
    `Content block type '${type}' at '${param}' cannot be translated for this model's provider; remove it, or call an Anthropic model, which receives the request as sent.`,
    { param },
  );
}

const isObject = (value: unknown): value is Block => typeof value === "object" && value !== null && !Array.isArray(value);

/** The string at `block[key]`, or a 400 naming it. */
export function stringField(block: Block, key: string, param: string): string {
  const value = block[key];
  if (typeof value !== "string") throw invalidField(`${param}.${key}`, "expected a string");
  return value;
}

const withCache = <T extends { cacheControl?: CacheControl }>(part: T, block: Block, param: string): T => {
  const cacheControl = fromWireCacheControl(block.cache_control, param);
  if (cacheControl) part.cacheControl = cacheControl;
  return part;
};

function fromAnthropicSource(block: Block, param: string, allowText: boolean): MediaSource {
  const source = block.source;
  const at = `${param}.source`;
  if (!isObject(source)) throw invalidField(at, "expected an object");
  switch (source.type) {
    case "base64":
      return { kind: "base64", mediaType: stringField(source, "media_type", at), data: stringField(source, "data", at) };
    case "url":
      return { kind: "url", url: stringField(source, "url", at) };
    case "text":
      // A plain-text document: kept as a document (title and all), its text base64-encoded like any inline media.
      if (allowText) return { kind: "base64", mediaType: stringField(source, "media_type", at), data: new TextEncoder().encode(stringField(source, "data", at)).toBase64() };
      break;
  }
  throw new GatewayError(
    "caller.invalid_request",
    `Source type ${JSON.stringify(source.type)} at '${at}' cannot be translated for this model's provider; send the content inline (base64) or by URL.`,
    { param: `${at}.type` },
  );
}

function fromAnthropicText(block: Block, param: string): TextPart {
  return withCache<TextPart>({ type: "text", text: stringField(block, "text", param) }, block, param);
}

function fromAnthropicImage(block: Block, param: string): ImagePart {
  return withCache<ImagePart>({ type: "image", source: fromAnthropicSource(block, param, false) }, block, param);
}

function fromAnthropicDocument(block: Block, param: string): DocumentPart {
  const part: DocumentPart = { type: "document", source: fromAnthropicSource(block, param, true) };
  if (typeof block.title === "string") part.title = block.title;
  return withCache(part, block, param);
}

function fromAnthropicToolResult(block: Block, param: string): ToolResultPart {
  const raw = block.content;
  let content: ToolResultPart["content"];
  if (raw === undefined || raw === null) content = "";
  else if (typeof raw === "string") content = raw;
  else if (Array.isArray(raw)) {
    content = raw.map((inner: unknown, i) => {
      const at = `${param}.content.${i}`;
      if (!isObject(inner)) throw invalidField(at, "expected a content block");
      if (inner.type === "text") return fromAnthropicText(inner, at);
      if (inner.type === "image") return fromAnthropicImage(inner, at);
      throw untranslatable(at, String(inner.type));
    });
  } else throw invalidField(`${param}.content`, "expected a string or a list of blocks");
  const part: ToolResultPart = { type: "tool-result", toolCallId: stringField(block, "tool_use_id", param), content };
  if (typeof block.is_error === "boolean") part.isError = block.is_error;
  return withCache(part, block, param);
}

/**
 * A user turn's content as canonical messages. Tool results become `tool` messages and keep their
 * place: `[tool_result, tool_result, text]` is a tool message with two results, then a user message.
 */
export function fromAnthropicUserContent(content: string | Block[], param: string): Message[] {
  if (typeof content === "string") return [{ role: "user", content: [{ type: "text", text: content }] }];
  const messages: Message[] = [];
  const push = (role: "user" | "tool", part: ContentPart) => {
    const last = messages.at(-1);
    if (last?.role === role) last.content.push(part);
    else messages.push({ role, content: [part] });
  };
  content.forEach((block, i) => {
    const at = `${param}.${i}`;
    switch (block.type) {
      case "text":
        return push("user", fromAnthropicText(block, at));
      case "image":
        return push("user", fromAnthropicImage(block, at));
      case "document":
        return push("user", fromAnthropicDocument(block, at));
      case "tool_result":
        return push("tool", fromAnthropicToolResult(block, at));
      default:
        throw untranslatable(at, String(block.type));
    }
  });
  if (messages.length === 0) messages.push({ role: "user", content: [] });
  return messages;
}

/** An assistant turn's content as one canonical message: text, thinking (with signature) and tool calls, in order. */
export function fromAnthropicAssistantContent(content: string | Block[], param: string): Message {
  if (typeof content === "string") return { role: "assistant", content: [{ type: "text", text: content }] };
  const parts = content.map((block, i): ContentPart => {
    const at = `${param}.${i}`;
    switch (block.type) {
      case "text":
        return fromAnthropicText(block, at);
      case "thinking": {
        const signature = block.signature;
        return { type: "thinking", text: stringField(block, "thinking", at), ...(typeof signature === "string" ? { signature } : {}) };
      }
      case "redacted_thinking":
        return { type: "redacted-thinking", data: stringField(block, "data", at) };
      case "tool_use":
        return { type: "tool-call", id: stringField(block, "id", at), name: stringField(block, "name", at), arguments: JSON.stringify(block.input ?? {}) };
      default:
        throw untranslatable(at, String(block.type));
    }
  });
  return { role: "assistant", content: parts };
}
