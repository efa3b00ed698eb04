/**
 * Messages of the wire formats only pass-through routes carry, read into the same small Message
 * shape as OpenAI's and Anthropic's (openinference-messages.ts): OpenAI's Responses API, Gemini's
 * generateContent, Cohere's chat (v2, and v1's message/preamble/chat_history), Vertex AI's
 * embedding `:predict`; Bedrock's are in openinference-bedrock.ts. One table, WIRE_MESSAGES, gives
 * every wire's readers. Pure; every reader tolerates malformed input by
 * returning less.
 */
import {
  anthropicResponseMessage,
  anthropicStreamMessage,
  isObject,
  openAIMessage,
  openAIResponseMessage,
  openAIStreamMessage,
  writeAnthropicInput,
  writeMessage,
  writeOpenAIInput,
  type ContentPart,
  type Message,
  type Sink,
  type ToolCallInfo,
  type WireMessages,
  type Json,
  str,
  list,
  jsonText as json,
} from "./openinference-messages.ts";
import type { NativeWire } from "./native-wire.ts";
import { BEDROCK_WIRE_MESSAGES } from "./openinference-bedrock.ts";


export type { WireMessages };


/** One payload as an object; undefined for `[DONE]`, non-JSON and errors. */
function parseEvent(data: unknown): Json | undefined {
  if (isObject(data)) return data;
  if (typeof data !== "string" || data === "[DONE]") return undefined;
  try {
    const event: unknown = JSON.parse(data);
    return isObject(event) && event.error === undefined ? event : undefined;
  } catch {
    return undefined;
  }
}

/** Writes each message `read` makes of `items`, one try each. */
function writeAll(sink: Sink, prefix: string, items: readonly unknown[], read: (item: unknown) => Message | undefined): void {
  let n = 0;
  for (const item of items) {
    try {
      const message = read(item);
      if (message) writeMessage(sink, `${prefix}.${n++}`, message);
    } catch {
      // malformed message: skipped
    }
  }
}

// ---- Gemini ----------------------------------------------------------------------------------

/** A Gemini content's parts: text joined, inline images as data URLs, function calls and responses. */
function geminiMessage(content: unknown, fallbackRole?: string): Message | undefined {
  if (!isObject(content)) return undefined;
  const role = str(content.role) ?? fallbackRole;
  const parts: ContentPart[] = [];
  const calls: ToolCallInfo[] = [];
  let response: Message | undefined;
  for (const part of list(content.parts)) {
    if (!isObject(part)) continue;
    if (typeof part.text === "string") parts.push({ type: "text", text: part.text });
    else if (isObject(part.inlineData)) parts.push({ type: "image", url: `data:${str(part.inlineData.mimeType) ?? "application/octet-stream"};base64,${str(part.inlineData.data) ?? ""}` });
    else if (isObject(part.functionCall)) calls.push({ id: str(part.functionCall.id), name: str(part.functionCall.name), arguments: json(part.functionCall.args) });
    else if (isObject(part.functionResponse)) response = { role: "tool", name: str(part.functionResponse.name), content: json(part.functionResponse.response) };
    else parts.push({ type: Object.keys(part)[0] ?? "unknown" });
  }
  if (response && parts.length === 0 && calls.length === 0) return response;
  const message: Message = { role: role === "model" ? "assistant" : role };
  if (parts.length === 1 && parts[0]?.type === "text") message.content = parts[0].text;
  else if (parts.length > 0) message.parts = parts;
  if (calls.length > 0) message.toolCalls = calls;
  return message;
}

const gemini: WireMessages = {
  input(sink, prefix, request) {
    const system = isObject(request.systemInstruction) ? [{ ...request.systemInstruction, role: "system" }] : [];
    writeAll(sink, prefix, [...system, ...list(request.contents)], (item) => geminiMessage(item, "user"));
  },
  answer(response) {
    const candidate = list(response.candidates)[0];
    return isObject(candidate) ? geminiMessage(candidate.content, "model") : undefined;
  },
  // Each chunk carries the next parts of candidate 0: texts are joined, calls collected.
  stream(events) {
    let seen = false;
    let text: string | undefined;
    const calls: ToolCallInfo[] = [];
    for (const data of events) {
      const event = parseEvent(data);
      const candidate = event ? list(event.candidates)[0] : undefined;
      const message = isObject(candidate) ? geminiMessage(candidate.content, "model") : undefined;
      if (!message) continue;
      seen = true;
      if (message.content !== undefined) text = (text ?? "") + message.content;
      for (const part of message.parts ?? []) if (part.type === "text" && part.text !== undefined) text = (text ?? "") + part.text;
      calls.push(...(message.toolCalls ?? []));
    }
    return seen ? { role: "assistant", content: text, toolCalls: calls.length > 0 ? calls : undefined } : undefined;
  },
  embedTexts(request) {
    const contents = isObject(request.content) ? [request.content] : list(request.requests).map((item) => (isObject(item) ? item.content : undefined));
    return contents.flatMap((content) => (isObject(content) ? list(content.parts).map((part) => (isObject(part) ? part.text : undefined)) : []));
  },
};

// ---- Cohere ----------------------------------------------------------------------------------

/** A Cohere v2 message: OpenAI's shape, with content a string or a list of `{type: "text", text}`. */
function cohereMessage(raw: unknown): Message | undefined {
  return openAIMessage(raw);
}

/** A v1 history entry: `{role: "USER" | "CHATBOT" | "SYSTEM", message}`. */
function cohereV1Message(raw: unknown): Message | undefined {
  if (!isObject(raw)) return undefined;
  const role = str(raw.role)?.toLowerCase();
  return { role: role === "chatbot" ? "assistant" : role, content: str(raw.message) };
}

const cohere: WireMessages = {
  input(sink, prefix, request) {
    if (Array.isArray(request.messages)) {
      writeAll(sink, prefix, request.messages, cohereMessage);
      return;
    }
    const v1: unknown[] = [];
    if (typeof request.preamble === "string") v1.push({ role: "system", message: request.preamble });
    v1.push(...list(request.chat_history));
    if (typeof request.message === "string") v1.push({ role: "user", message: request.message });
    writeAll(sink, prefix, v1, cohereV1Message);
  },
  answer(response) {
    if (isObject(response.message)) return { ...cohereMessage(response.message), role: "assistant" };
    return typeof response.text === "string" ? { role: "assistant", content: response.text } : undefined;
  },
  // v2: content-delta texts, tool-call-start / -delta by index; v1: text-generation texts.
  stream(events) {
    let seen = false;
    let text: string | undefined;
    const calls = new Map<number, ToolCallInfo>();
    for (const data of events) {
      const event = parseEvent(data);
      if (!event) continue;
      const index = typeof event.index === "number" ? event.index : 0;
      const delta = isObject(event.delta) && isObject(event.delta.message) ? event.delta.message : undefined;
      if (event.type === "content-delta" && delta && isObject(delta.content) && typeof delta.content.text === "string") text = (text ?? "") + delta.content.text;
      else if (event.event_type === "text-generation" && typeof event.text === "string") text = (text ?? "") + event.text;
      else if (event.type === "tool-call-start" && delta && isObject(delta.tool_calls)) {
        const fn = isObject(delta.tool_calls.function) ? delta.tool_calls.function : {};
        calls.set(index, { id: str(delta.tool_calls.id), name: str(fn.name), arguments: str(fn.arguments) ?? "" });
      } else if (event.type === "tool-call-delta" && delta && isObject(delta.tool_calls) && isObject(delta.tool_calls.function)) {
        const call = calls.get(index);
        if (call) call.arguments = (call.arguments ?? "") + (str(delta.tool_calls.function.arguments) ?? "");
      } else continue;
      seen = true;
    }
    return seen ? { role: "assistant", content: text, toolCalls: calls.size > 0 ? [...calls.values()] : undefined } : undefined;
  },
  embedTexts: (request) => list(request.texts ?? request.inputs),
};

// ---- OpenAI Responses ------------------------------------------------------------------------

/** A Responses content part: input/output text, images; other kinds by type only. */
function responsesPart(raw: unknown): ContentPart | undefined {
  if (!isObject(raw)) return undefined;
  const type = str(raw.type) ?? "unknown";
  if (type === "input_text" || type === "output_text") return { type: "text", text: str(raw.text) };
  if (type === "input_image") return { type: "image", url: str(raw.image_url) };
  return { type };
}

/** One item of a Responses `input` or `output`: a message, a function call, or a function call's output. */
function responsesItem(raw: unknown): Message | undefined {
  if (typeof raw === "string") return { role: "user", content: raw };
  if (!isObject(raw)) return undefined;
  if (raw.type === "function_call") return { role: "assistant", toolCalls: [{ id: str(raw.call_id), name: str(raw.name), arguments: str(raw.arguments) }] };
  if (raw.type === "function_call_output") return { role: "tool", toolCallId: str(raw.call_id), content: json(raw.output) };
  if (raw.type !== undefined && raw.type !== "message") return { role: str(raw.role), parts: [{ type: str(raw.type) ?? "unknown" }] };
  const message: Message = { role: str(raw.role) };
  if (typeof raw.content === "string") message.content = raw.content;
  else message.parts = list(raw.content).flatMap((part) => responsesPart(part) ?? []);
  return message;
}

/** A Responses answer's output items as one assistant message: texts joined, function calls collected. */
function responsesAnswer(response: Json): Message | undefined {
  if (!Array.isArray(response.output)) return undefined;
  let text: string | undefined;
  const calls: ToolCallInfo[] = [];
  for (const item of response.output) {
    const message = responsesItem(item);
    for (const part of message?.parts ?? []) if (part.type === "text" && part.text !== undefined) text = (text ?? "") + part.text;
    calls.push(...(message?.toolCalls ?? []));
  }
  return { role: "assistant", content: text, toolCalls: calls.length > 0 ? calls : undefined };
}

const responses: WireMessages = {
  input(sink, prefix, request) {
    const items: unknown[] = typeof request.instructions === "string" ? [{ role: "system", content: request.instructions }] : [];
    if (typeof request.input === "string") items.push(request.input);
    else items.push(...list(request.input));
    writeAll(sink, prefix, items, responsesItem);
  },
  answer: responsesAnswer,
  // response.completed carries the whole response; without it, the text deltas.
  stream(events) {
    let text: string | undefined;
    for (const data of events) {
      const event = parseEvent(data);
      if (!event) continue;
      if (typeof event.type === "string" && /^response\.(completed|incomplete)$/.test(event.type) && isObject(event.response)) return responsesAnswer(event.response);
      if (event.type === "response.output_text.delta" && typeof event.delta === "string") text = (text ?? "") + event.delta;
    }
    return text === undefined ? undefined : { role: "assistant", content: text };
  },
  embedTexts: () => [],
};

// ---- Vertex AI predict -----------------------------------------------------------------------

/** Vertex AI's `:predict` for embeddings: `instances[].content` (text models) or `.text` (multimodal); no messages. */
const vertexPredict: WireMessages = {
  input: () => {},
  answer: () => undefined,
  stream: () => undefined,
  embedTexts: (request) => list(request.instances).map((instance) => (isObject(instance) ? (instance.content ?? instance.text) : undefined)),
};

/** OpenAI's `input` of an embedding request. */
const openAIEmbedTexts = (request: Json): unknown[] => (typeof request.input === "string" ? [request.input] : list(request.input));

/** Every wire's readers. */
export const WIRE_MESSAGES: Record<NativeWire, WireMessages> = {
  openai: { input: writeOpenAIInput, answer: openAIResponseMessage, stream: openAIStreamMessage, embedTexts: openAIEmbedTexts },
  anthropic: { input: writeAnthropicInput, answer: anthropicResponseMessage, stream: anthropicStreamMessage, embedTexts: () => [] },
  "openai-responses": responses,
  gemini,
  cohere,
  "vertex-predict": vertexPredict,
  ...BEDROCK_WIRE_MESSAGES,
};
