/**
 * Message helpers for the OpenInference span attributes: read chat messages from OpenAI and
 * Anthropic bodies (requests, buffered answers, streamed events) into one small shape, and write
 * that shape as flattened attributes (`llm.input_messages.0.message.role`, ...). Pure, and every
 * reader tolerates malformed input by returning less.
 */
import { SemanticConventions as SC } from "@arizeai/openinference-semantic-conventions";
import { depthExceededAt } from "../json/depth.ts";

export const REDACTED = "__REDACTED__";

/** Flattened span attributes, as OpenInference names them. */
export type Attributes = Record<string, string | number | boolean | string[]>;

export interface ToolCallInfo {
  id?: string;
  name?: string;
  /** The arguments as a JSON string, as the model produced them. */
  arguments?: string;
}

/** One entry of list content: text, an image (URL or data: URL), or another kind (type only). */
export interface ContentPart {
  type: string;
  text?: string;
  url?: string;
}

export interface Message {
  role?: string;
  /** String content. */
  content?: string;
  /** List content. */
  parts?: ContentPart[];
  name?: string;
  toolCallId?: string;
  toolCalls?: ToolCallInfo[];
}

export interface Sink {
  attrs: Attributes;
  redact: boolean;
}

/** How spans read one wire's bodies (every wire's are in openinference-native.ts). */
export interface WireMessages {
  /** Writes the request's messages under `prefix` (`llm.input_messages`). */
  input(sink: Sink, prefix: string, request: Record<string, unknown>): void;
  /** The answer's message, from a whole body. */
  answer(response: Record<string, unknown>): Message | undefined;
  /** The answer's message, assembled from a stream's event payloads. */
  stream(events: readonly unknown[]): Message | undefined;
  /** The texts an embedding request embeds, in order (non-strings are skipped). */
  embedTexts(request: Record<string, unknown>): unknown[];
}

export type Json = Record<string, unknown>;

export const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

export const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
export const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
/** A value as JSON text (a string as it is); undefined stays undefined. */
export const jsonText = (value: unknown): string | undefined => (value === undefined ? undefined : typeof value === "string" ? value : JSON.stringify(value));

/** Tool arguments as a string: kept when a string, JSON of anything else given. */
const argumentsOf = (value: unknown): string | undefined =>
  value === undefined ? undefined : typeof value === "string" ? value : JSON.stringify(value);

/** Writes one message under `prefix` (e.g. `llm.input_messages.3`). */
export function writeMessage(sink: Sink, prefix: string, message: Message): void {
  const { attrs, redact } = sink;
  const hide = (text: string): string => (redact ? REDACTED : text);
  const p = `${prefix}.`;
  if (message.role !== undefined) attrs[p + SC.MESSAGE_ROLE] = message.role;
  if (message.name !== undefined) attrs[p + SC.MESSAGE_NAME] = message.name;
  if (message.toolCallId !== undefined) attrs[p + SC.MESSAGE_TOOL_CALL_ID] = message.toolCallId;
  if (message.content !== undefined) attrs[p + SC.MESSAGE_CONTENT] = hide(message.content);
  message.parts?.forEach((part, k) => {
    const q = `${p}${SC.MESSAGE_CONTENTS}.${k}.`;
    attrs[q + SC.MESSAGE_CONTENT_TYPE] = part.type;
    if (part.text !== undefined) attrs[q + SC.MESSAGE_CONTENT_TEXT] = hide(part.text);
    if (part.url !== undefined) attrs[`${q}${SC.MESSAGE_CONTENT_IMAGE}.${SC.IMAGE_URL}`] = hide(part.url);
  });
  message.toolCalls?.forEach((call, m) => {
    const q = `${p}${SC.MESSAGE_TOOL_CALLS}.${m}.`;
    if (call.id !== undefined) attrs[q + SC.TOOL_CALL_ID] = call.id;
    if (call.name !== undefined) attrs[q + SC.TOOL_CALL_FUNCTION_NAME] = call.name;
    if (call.arguments !== undefined) attrs[q + SC.TOOL_CALL_FUNCTION_ARGUMENTS_JSON] = hide(call.arguments);
  });
}

/** Writes a list of raw messages, one try per message, so a bad entry costs only itself. */
function writeEach(sink: Sink, prefix: string, raw: unknown[], read: (raw: unknown, emit: (m: Message) => void) => void): void {
  let n = 0;
  const emit = (message: Message): void => writeMessage(sink, `${prefix}.${n++}`, message);
  for (const item of raw) {
    try {
      read(item, emit);
    } catch {
      // malformed message: skipped
    }
  }
}

// ---- OpenAI ----------------------------------------------------------------------------------

function openAIPart(raw: unknown): ContentPart | undefined {
  if (!isObject(raw)) return undefined;
  const type = str(raw.type) ?? "unknown";
  if (type === "text") return { type: "text", text: str(raw.text) };
  if (type === "image_url") {
    const image = raw.image_url;
    return { type: "image", url: typeof image === "string" ? image : isObject(image) ? str(image.url) : undefined };
  }
  return { type }; // audio, files, ...: the kind only, never the data
}

function openAIToolCalls(raw: unknown): ToolCallInfo[] | undefined {
  if (!Array.isArray(raw)) return undefined;
  const calls: ToolCallInfo[] = [];
  for (const call of raw) {
    if (!isObject(call)) continue;
    const fn = isObject(call.function) ? call.function : {};
    calls.push({ id: str(call.id), name: str(fn.name), arguments: argumentsOf(fn.arguments) });
  }
  return calls.length > 0 ? calls : undefined;
}

/** One OpenAI chat message (request history or `choices[0].message`). */
export function openAIMessage(raw: unknown): Message | undefined {
  if (!isObject(raw)) return undefined;
  const message: Message = { role: str(raw.role), name: str(raw.name), toolCallId: str(raw.tool_call_id) };
  const content = raw.content;
  if (typeof content === "string") message.content = content;
  else if (Array.isArray(content)) {
    message.parts = [];
    for (const part of content) {
      const read = openAIPart(part);
      if (read) message.parts.push(read);
    }
  } else if (typeof raw.refusal === "string") message.content = raw.refusal;
  message.toolCalls = openAIToolCalls(raw.tool_calls);
  return message;
}

export function writeOpenAIInput(sink: Sink, prefix: string, request: Json): void {
  if (!Array.isArray(request.messages)) return;
  writeEach(sink, prefix, request.messages, (raw, emit) => {
    const message = openAIMessage(raw);
    if (message) emit(message);
  });
}

export function openAIResponseMessage(response: Json): Message | undefined {
  const choice = Array.isArray(response.choices) ? response.choices[0] : undefined;
  if (!isObject(choice)) return undefined;
  const message = openAIMessage(choice.message);
  if (message) message.role ??= "assistant";
  return message;
}

/** Aggregates OpenAI chunk deltas of choice 0: content concatenated, tool calls by index. */
export function openAIStreamMessage(events: readonly unknown[]): Message | undefined {
  let seen = false;
  let role: string | undefined;
  let text: string | undefined;
  let refusal: string | undefined;
  const calls = new Map<number, ToolCallInfo>();
  for (const data of events) {
    const event = parseEvent(data);
    if (!event || !Array.isArray(event.choices)) continue;
    for (const choice of event.choices) {
      if (!isObject(choice) || (choice.index ?? 0) !== 0 || !isObject(choice.delta)) continue;
      const delta = choice.delta;
      seen = true;
      if (typeof delta.role === "string") role = delta.role;
      if (typeof delta.content === "string") text = (text ?? "") + delta.content;
      if (typeof delta.refusal === "string") refusal = (refusal ?? "") + delta.refusal;
      if (!Array.isArray(delta.tool_calls)) continue;
      for (const piece of delta.tool_calls) {
        if (!isObject(piece)) continue;
        const index = typeof piece.index === "number" ? piece.index : 0;
        let call = calls.get(index);
        if (!call) calls.set(index, (call = {}));
        if (typeof piece.id === "string") call.id ??= piece.id;
        const fn = isObject(piece.function) ? piece.function : {};
        if (typeof fn.name === "string") call.name ??= fn.name;
        if (typeof fn.arguments === "string") call.arguments = (call.arguments ?? "") + fn.arguments;
      }
    }
  }
  if (!seen) return undefined;
  return { role: role ?? "assistant", content: text ?? refusal, toolCalls: calls.size > 0 ? [...calls.values()] : undefined };
}

/** One SSE data payload as an object; undefined for "[DONE]", non-JSON, non-objects and errors. */
function parseEvent(data: unknown): Json | undefined {
  // Nested too deep to serialise its parts again safely (see json/depth.ts): left out.
  if (typeof data !== "string" || data === "[DONE]" || depthExceededAt(data) !== -1) return undefined;
  let event: unknown;
  try {
    event = JSON.parse(data);
  } catch {
    return undefined;
  }
  if (!isObject(event) || event.error !== undefined || event.type === "error") return undefined;
  return event;
}

// ---- Anthropic -------------------------------------------------------------------------------

function anthropicPart(raw: unknown): ContentPart | undefined {
  if (!isObject(raw)) return undefined;
  const type = str(raw.type) ?? "unknown";
  if (type === "text") return { type: "text", text: str(raw.text) };
  if (type === "image") {
    const source = isObject(raw.source) ? raw.source : {};
    if (source.type === "base64" && typeof source.data === "string") {
      return { type: "image", url: `data:${str(source.media_type) ?? "application/octet-stream"};base64,${source.data}` };
    }
    return { type: "image", url: source.type === "url" ? str(source.url) : undefined };
  }
  return { type }; // documents, thinking, server tools, ...: the kind only
}

function anthropicToolCall(block: Json): ToolCallInfo {
  return { id: str(block.id), name: str(block.name), arguments: argumentsOf(block.input) };
}

/** A `tool_result` block as its own message with role "tool". */
function anthropicToolResult(block: Json): Message {
  const message: Message = { role: "tool", toolCallId: str(block.tool_use_id) };
  if (typeof block.content === "string") message.content = block.content;
  else if (Array.isArray(block.content)) message.parts = anthropicParts(block.content);
  return message;
}

function anthropicParts(blocks: unknown[]): ContentPart[] {
  const parts: ContentPart[] = [];
  for (const block of blocks) {
    const part = anthropicPart(block);
    if (part) parts.push(part);
  }
  return parts;
}

/** `system` first (role "system"), then each message; `tool_result` blocks split into tool messages, in order. */
export function writeAnthropicInput(sink: Sink, prefix: string, request: Json): void {
  const system = request.system;
  const messages = Array.isArray(request.messages) ? request.messages : [];
  const all: unknown[] = system === undefined ? messages : [{ role: "system", content: system }, ...messages];
  writeEach(sink, prefix, all, (raw, emit) => {
    if (!isObject(raw)) return;
    const role = str(raw.role);
    const content = raw.content;
    if (!Array.isArray(content)) {
      emit(typeof content === "string" ? { role, content } : { role });
      return;
    }
    let current: Message | undefined;
    let emitted = false;
    const flush = (): void => {
      if (current) emit(current);
      emitted ||= current !== undefined;
      current = undefined;
    };
    for (const block of content) {
      if (!isObject(block)) continue;
      if (block.type === "tool_result") {
        flush();
        emit(anthropicToolResult(block));
        emitted = true;
        continue;
      }
      current ??= { role, parts: [] };
      if (block.type === "tool_use") (current.toolCalls ??= []).push(anthropicToolCall(block));
      else {
        const part = anthropicPart(block);
        if (part) current.parts!.push(part);
      }
    }
    flush();
    if (!emitted) emit({ role });
  });
}

/** A Messages API answer: text blocks joined into content, `tool_use` blocks as tool calls. */
export function anthropicResponseMessage(response: Json): Message | undefined {
  if (!Array.isArray(response.content)) return undefined;
  let text: string | undefined;
  const calls: ToolCallInfo[] = [];
  for (const block of response.content) {
    if (!isObject(block)) continue;
    if (block.type === "text" && typeof block.text === "string") text = (text ?? "") + block.text;
    else if (block.type === "tool_use") calls.push(anthropicToolCall(block));
  }
  return { role: str(response.role) ?? "assistant", content: text, toolCalls: calls.length > 0 ? calls : undefined };
}

interface StreamBlock {
  kind: "text" | "tool" | "other";
  text?: string;
  id?: string;
  name?: string;
  input?: unknown;
  json?: string;
}

/** Aggregates Messages API stream events: text deltas per block, `input_json_delta` per tool block. */
export function anthropicStreamMessage(events: readonly unknown[]): Message | undefined {
  let seen = false;
  let role: string | undefined;
  const blocks = new Map<number, StreamBlock>();
  for (const data of events) {
    const event = parseEvent(data);
    if (!event) continue;
    const index = typeof event.index === "number" ? event.index : 0;
    if (event.type === "message_start") {
      seen = true;
      if (isObject(event.message)) role = str(event.message.role);
    } else if (event.type === "content_block_start" && isObject(event.content_block)) {
      seen = true;
      const cb = event.content_block;
      if (cb.type === "text") blocks.set(index, { kind: "text", text: str(cb.text) ?? "" });
      else if (cb.type === "tool_use") blocks.set(index, { kind: "tool", id: str(cb.id), name: str(cb.name), input: cb.input });
      else blocks.set(index, { kind: "other" });
    } else if (event.type === "content_block_delta" && isObject(event.delta)) {
      seen = true;
      const delta = event.delta;
      let block = blocks.get(index);
      if (delta.type === "text_delta" && typeof delta.text === "string") {
        if (!block) blocks.set(index, (block = { kind: "text", text: "" }));
        if (block.kind === "text") block.text = (block.text ?? "") + delta.text;
      } else if (delta.type === "input_json_delta" && typeof delta.partial_json === "string" && block?.kind === "tool") {
        block.json = (block.json ?? "") + delta.partial_json;
      }
    }
  }
  if (!seen) return undefined;
  let text: string | undefined;
  const calls: ToolCallInfo[] = [];
  for (const block of blocks.values()) {
    if (block.kind === "text") text = (text ?? "") + (block.text ?? "");
    else if (block.kind === "tool") {
      calls.push({ id: block.id, name: block.name, arguments: block.json ? block.json : argumentsOf(block.input) });
    }
  }
  return { role: role ?? "assistant", content: text, toolCalls: calls.length > 0 ? calls : undefined };
}
