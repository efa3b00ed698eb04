import type { ContentPart, DocumentPart, ImagePart, Message, TextPart, ToolCallPart, ToolResultPart } from "../../canonical/chat.ts";
import { GatewayError } from "../../canonical/errors.ts";
import { toDataUri } from "./data-uri.ts";

/** A content part of an OpenAI chat message. */
export type OpenAIContentPart =
  | { type: "text"; text: string }
  | { type: "image_url"; image_url: { url: string; detail?: string } }
  | { type: "file"; file: { file_data: string; filename: string } };

/** An assistant's function call on the OpenAI wire (`arguments` is JSON text). */
export interface OpenAIToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

/** One OpenAI chat message as the translator writes it. */
export interface OpenAIMessage {
  role: "system" | "user" | "assistant" | "tool";
  content: string | OpenAIContentPart[] | null;
  name?: string;
  tool_calls?: OpenAIToolCall[];
  tool_call_id?: string;
}

const utf8 = new TextDecoder();

function invalid(message: string): GatewayError {
  return new GatewayError("caller.invalid_request", message);
}

/** Renders an image part; base64 becomes a data: URI. */
function toOpenAIImage(part: ImagePart): OpenAIContentPart {
  const url = part.source.kind === "url" ? part.source.url : toDataUri(part.source.mediaType, part.source.data);
  return { type: "image_url", image_url: part.detail ? { url, detail: part.detail } : { url } };
}

/**
 * Renders a document. Chat Completions takes PDFs as inline `file` parts only (no URLs); plain-text
 * documents are sent as text since `file` parts reject them.
 */
function toOpenAIDocument(part: DocumentPart): OpenAIContentPart {
  if (part.source.kind === "url") {
    throw invalid("OpenAI-wire providers take documents only as inline base64 data, not by URL. Send the document's bytes instead.");
  }
  const { mediaType, data } = part.source;
  if (mediaType.startsWith("text/")) {
    const text = utf8.decode(Uint8Array.from(atob(data), (c) => c.charCodeAt(0)));
    return { type: "text", text: part.title ? `${part.title}\n\n${text}` : text };
  }
  const filename = part.title ?? `document.${mediaType.slice(mediaType.indexOf("/") + 1) || "bin"}`;
  return { type: "file", file: { filename, file_data: toDataUri(mediaType, data) } };
}

function joinText(parts: readonly TextPart[], separator: string): string {
  return parts.map((part) => part.text).join(separator);
}

function onlyText(parts: readonly ContentPart[], role: string): TextPart[] {
  const texts: TextPart[] = [];
  for (const part of parts) {
    if (part.type === "text") texts.push(part);
    // OpenAI cannot take reasoning back; it is dropped rather than sent as text the model did not write.
    else if (part.type !== "thinking" && part.type !== "redacted-thinking") {
      throw invalid(`OpenAI-wire providers take only text in ${role} messages; found a '${part.type}' part.`);
    }
  }
  return texts;
}

/** User content: a plain string when it is one text part, else parts (the only role that takes media). */
function toOpenAIUserContent(parts: readonly ContentPart[]): string | OpenAIContentPart[] {
  const out: OpenAIContentPart[] = [];
  for (const part of parts) {
    if (part.type === "text") out.push({ type: "text", text: part.text });
    else if (part.type === "image") out.push(toOpenAIImage(part));
    else if (part.type === "document") out.push(toOpenAIDocument(part));
    else if (part.type !== "tool-result" && part.type !== "thinking" && part.type !== "redacted-thinking") throw invalid(`OpenAI-wire providers take text, images and documents in user messages; found a '${part.type}' part.`);
  }
  const [first] = out;
  return out.length === 1 && first?.type === "text" ? first.text : out;
}

/**
 * One `tool` message per result. OpenAI tool messages hold text only, so images in a result follow
 * in one user message after the whole run of tool messages (a user message between them would
 * break the assistant's tool_calls -> tool replies sequence).
 */
function toOpenAIToolMessages(results: readonly ToolResultPart[]): OpenAIMessage[] {
  const messages: OpenAIMessage[] = [];
  const images: OpenAIContentPart[] = [];
  for (const result of results) {
    if (typeof result.content === "string") {
      messages.push({ role: "tool", tool_call_id: result.toolCallId, content: result.content });
      continue;
    }
    const texts = result.content.filter((part): part is TextPart => part.type === "text");
    const resultImages = result.content.filter((part): part is ImagePart => part.type === "image");
    let content = joinText(texts, "\n\n");
    if (resultImages.length > 0) {
      images.push({ type: "text", text: `Images returned by tool call ${result.toolCallId}:` }, ...resultImages.map(toOpenAIImage));
      if (content === "") content = "The result is in the images that follow.";
    }
    messages.push({ role: "tool", tool_call_id: result.toolCallId, content });
  }
  if (images.length > 0) messages.push({ role: "user", content: images });
  return messages;
}

/** An assistant turn: text joined into one string, tool calls as `tool_calls` (under their upstream names), reasoning dropped. */
function toOpenAIAssistant(message: Message, toolName: (name: string) => string): OpenAIMessage {
  const calls = message.content.filter((part): part is ToolCallPart => part.type === "tool-call");
  const texts = onlyText(
    message.content.filter((part) => part.type !== "tool-call"),
    "assistant",
  );
  const out: OpenAIMessage = { role: "assistant", content: texts.length === 0 && calls.length > 0 ? null : joinText(texts, "") };
  if (calls.length > 0) {
    out.tool_calls = calls.map((call) => ({ id: call.id, type: "function", function: { name: toolName(call.name), arguments: call.arguments } }));
  }
  return out;
}

/**
 * Canonical messages -> OpenAI chat messages. System, assistant and tool content is sent as a string
 * (several OpenAI-compatible servers reject part arrays outside user messages); cache markers are
 * dropped since OpenAI caches prompts on its own. `toolName` maps the client's tool names to the upstream's.
 */
export function toOpenAIMessages(messages: readonly Message[], toolName: (name: string) => string = (name) => name): OpenAIMessage[] {
  const out: OpenAIMessage[] = [];
  for (const message of messages) {
    const name = message.name ? { name: message.name } : {};
    const results = message.content.filter((part): part is ToolResultPart => part.type === "tool-result");
    switch (message.role) {
      case "system":
        out.push({ role: "system", content: joinText(onlyText(message.content, "system"), "\n\n"), ...name });
        break;
      case "assistant":
        out.push({ ...toOpenAIAssistant(message, toolName), ...name });
        break;
      case "tool":
        out.push(...toOpenAIToolMessages(results));
        break;
      case "user": {
        // Results a decoder left in a user turn (Anthropic's shape) still go out as tool messages, first.
        if (results.length > 0) out.push(...toOpenAIToolMessages(results));
        if (results.length < message.content.length) out.push({ role: "user", content: toOpenAIUserContent(message.content), ...name });
        break;
      }
    }
  }
  return out;
}
