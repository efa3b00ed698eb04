import { isRecord } from "../../json/is-record.ts";
import { fromDataUri } from "../../providers/openai/data-uri.ts";
import type { ContentPart, DocumentPart, ImagePart, Message, TextPart, ToolResultPart } from "../../canonical/chat.ts";
import { GatewayError } from "../../canonical/errors.ts";
import { fromWireCacheControl } from "../cache-control.ts";
import { echo } from "../../canonical/echo.ts";

function invalid(message: string, param: string): GatewayError {
  return new GatewayError("caller.invalid_request", message, { param });
}

/** An `image_url` part; base64 data: URIs become inline sources, anything else stays a URL. */
function fromOpenAIImage(part: Record<string, unknown>, param: string): ImagePart {
  const image = part.image_url;
  const url = typeof image === "string" ? image : isRecord(image) && typeof image.url === "string" ? image.url : undefined;
  if (url === undefined) throw invalid("An image_url part needs image_url.url.", `${param}.image_url.url`);
  const inline = fromDataUri(url);
  const out: ImagePart = { type: "image", source: inline ? { kind: "base64", ...inline } : { kind: "url", url } };
  if (isRecord(image) && typeof image.detail === "string") out.detail = image.detail;
  return out;
}

/** A `file` part. Only inline data can travel to another provider; an OpenAI file id cannot. */
function fromOpenAIFile(part: Record<string, unknown>, param: string): DocumentPart {
  const file = part.file;
  if (!isRecord(file) || typeof file.file_data !== "string") {
    throw invalid(
      "This model's provider cannot read files stored at OpenAI (file_id); send the file inline as file.file_data (a base64 data: URI).",
      `${param}.file`,
    );
  }
  // OpenAI documents a data: URI; bare base64 is accepted too, and chat file inputs are PDFs.
  const inline = fromDataUri(file.file_data) ?? { mediaType: "application/pdf", data: file.file_data };
  const out: DocumentPart = { type: "document", source: { kind: "base64", ...inline } };
  if (typeof file.filename === "string") out.title = file.filename;
  return out;
}

/** Copies a part's `cache_control` (LiteLLM's OpenAI-format extension) onto the canonical part. */
function withCache<T extends TextPart | ImagePart | DocumentPart | ToolResultPart>(part: T, wire: Record<string, unknown>, param: string): T {
  const cacheControl = fromWireCacheControl(wire.cache_control, param);
  if (cacheControl) part.cacheControl = cacheControl;
  return part;
}

/** A message-level `cache_control` marks the end of that message: its last cacheable part. */
function withMessageCache(content: ContentPart[], message: Record<string, unknown>, param: string): ContentPart[] {
  const cacheControl = fromWireCacheControl(message.cache_control, param);
  const last = content[content.length - 1];
  if (cacheControl && last && (last.type === "text" || last.type === "image" || last.type === "document" || last.type === "tool-result")) last.cacheControl = cacheControl;
  return content;
}

/** Content that may hold only text (system, developer, tool; assistant also allows refusals). */
function textParts(content: unknown, param: string, allowRefusal = false): TextPart[] {
  if (content === undefined || content === null) return [];
  if (typeof content === "string") return [{ type: "text", text: content }];
  if (!Array.isArray(content)) throw invalid("Message content must be a string or an array of parts.", param);
  return content.map((part, j) => {
    if (isRecord(part) && part.type === "text" && typeof part.text === "string") return withCache({ type: "text", text: part.text }, part, `${param}[${j}]`);
    if (allowRefusal && isRecord(part) && part.type === "refusal" && typeof part.refusal === "string") return { type: "text", text: part.refusal };
    throw invalid(`This message takes only text parts${allowRefusal ? " (and refusals)" : ""}.`, `${param}[${j}]`);
  });
}

/** User content: text, images and files. */
function userParts(content: unknown, param: string): ContentPart[] {
  if (typeof content === "string") return [{ type: "text", text: content }];
  if (!Array.isArray(content)) throw invalid("User message content must be a string or an array of parts.", param);
  return content.map((part, j): ContentPart => {
    const at = `${param}[${j}]`;
    if (!isRecord(part)) throw invalid("A content part must be an object.", at);
    if (part.type === "text" && typeof part.text === "string") return withCache({ type: "text", text: part.text }, part, at);
    if (part.type === "image_url") return withCache(fromOpenAIImage(part, at), part, at);
    if (part.type === "file") return withCache(fromOpenAIFile(part, at), part, at);
    throw invalid(`Content parts of type '${echo(String(part.type))}' cannot be sent to this model's provider; use text, image_url or file.`, `${at}.type`);
  });
}

/** Signed thinking a client sends back (`thinking_blocks`, as the gateway and LiteLLM return it). */
function thinkingParts(blocks: unknown, param: string): ContentPart[] {
  if (blocks === undefined || blocks === null) return [];
  if (!Array.isArray(blocks)) throw invalid("thinking_blocks must be an array.", param);
  return blocks.map((block, i): ContentPart => {
    if (isRecord(block) && block.type === "thinking" && typeof block.thinking === "string") {
      return { type: "thinking", text: block.thinking, ...(typeof block.signature === "string" ? { signature: block.signature } : {}) };
    }
    if (isRecord(block) && block.type === "redacted_thinking" && typeof block.data === "string") return { type: "redacted-thinking", data: block.data };
    throw invalid("A thinking block needs type 'thinking' with text, or 'redacted_thinking' with data.", `${param}[${i}]`);
  });
}

/** An assistant turn: signed thinking, text (refusals as text), then its tool calls with arguments as given. */
function assistantParts(message: Record<string, unknown>, param: string): ContentPart[] {
  if (message.function_call !== undefined && message.function_call !== null) {
    throw invalid("The deprecated function_call message field is not supported here; use tool_calls.", `${param}.function_call`);
  }
  const parts: ContentPart[] = [...thinkingParts(message.thinking_blocks, `${param}.thinking_blocks`), ...textParts(message.content, `${param}.content`, true)];
  const calls = Array.isArray(message.tool_calls) ? message.tool_calls : [];
  calls.forEach((call, j) => {
    const fn = isRecord(call) && isRecord(call.function) ? call.function : undefined;
    if (!isRecord(call) || typeof call.id !== "string" || !fn || typeof fn.name !== "string") {
      throw invalid("A tool call needs id and function.name.", `${param}.tool_calls[${j}]`);
    }
    // Arguments stay the JSON text the client sent, even malformed: the canonical model carries text, not values.
    parts.push({ type: "tool-call", id: call.id, name: fn.name, arguments: typeof fn.arguments === "string" ? fn.arguments : JSON.stringify(fn.arguments ?? {}) });
  });
  return parts;
}

/** A `tool` message as a tool-result part. */
function toolResult(message: Record<string, unknown>, param: string): ToolResultPart {
  if (typeof message.tool_call_id !== "string") throw invalid("A tool message needs tool_call_id.", `${param}.tool_call_id`);
  const content = typeof message.content === "string" ? message.content : textParts(message.content, `${param}.content`);
  return withCache({ type: "tool-result", toolCallId: message.tool_call_id, content }, message, param);
}

/**
 * OpenAI chat messages -> canonical messages. `developer` is a system message; consecutive `tool`
 * messages become one canonical tool message (providers that group results, like Anthropic, need them together).
 */
export function fromOpenAIMessages(messages: unknown): Message[] {
  if (!Array.isArray(messages)) throw invalid("messages must be an array.", "messages");
  const out: Message[] = [];
  messages.forEach((message, i) => {
    const param = `messages[${i}]`;
    if (!isRecord(message)) throw invalid("A message must be an object.", param);
    const name = typeof message.name === "string" ? { name: message.name } : {};
    switch (message.role) {
      case "system":
      case "developer":
        out.push({ role: "system", content: withMessageCache(textParts(message.content, `${param}.content`), message, param), ...name });
        return;
      case "user":
        out.push({ role: "user", content: withMessageCache(userParts(message.content, `${param}.content`), message, param), ...name });
        return;
      case "assistant":
        out.push({ role: "assistant", content: withMessageCache(assistantParts(message, param), message, param), ...name });
        return;
      case "tool": {
        const result = toolResult(message, param);
        const last = out[out.length - 1];
        if (last?.role === "tool") last.content.push(result);
        else out.push({ role: "tool", content: [result] });
        return;
      }
      default:
        throw invalid(`Messages with role '${echo(String(message.role))}' are not supported here; use tool messages for tool results.`, `${param}.role`);
    }
  });
  return out;
}
