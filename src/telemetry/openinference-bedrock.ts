/**
 * Messages of Bedrock's native bodies, for pass-through spans: Converse (and ConverseStream's
 * events), and InvokeModel, whose bodies are the model's own (Anthropic Messages for Claude,
 * Converse-shaped for Nova, a prompt and a generation for the rest). Pure; malformed input gives
 * less, never an exception past a reader.
 */
import { chunkJson } from "../providers/bedrock/invoke-chunk.ts";
import {
  anthropicResponseMessage,
  anthropicStreamMessage,
  isObject,
  writeAnthropicInput,
  writeMessage,
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



/** A JSON text as an object; undefined for anything else. */
function parse(text: unknown): Json | undefined {
  if (typeof text !== "string") return isObject(text) ? text : undefined;
  try {
    const value: unknown = JSON.parse(text);
    return isObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The items that are objects (JSON texts parsed). */
function objects(items: readonly unknown[]): Json[] {
  const out: Json[] = [];
  for (const item of items) {
    const object = parse(item);
    if (object) out.push(object);
  }
  return out;
}

/** A Converse content block as a part: text, an inline image as a data URL, other kinds by name (documents, video, reasoning, guard content). */
function conversePart(block: Json): ContentPart | undefined {
  if (typeof block.text === "string") return { type: "text", text: block.text };
  if (isObject(block.image)) {
    const source = isObject(block.image.source) ? block.image.source : {};
    const bytes = str(source.bytes);
    return { type: "image", url: bytes === undefined ? undefined : `data:image/${str(block.image.format) ?? "png"};base64,${bytes}` };
  }
  const kind = Object.keys(block)[0];
  // A cache point marks where a cached prefix ends: not content.
  return kind === undefined || kind === "cachePoint" ? undefined : { type: kind };
}

/** A tool result's content: its texts joined, else its JSON. */
function toolResultContent(content: unknown): string | undefined {
  const texts = list(content).flatMap((item) => (isObject(item) && typeof item.text === "string" ? [item.text] : []));
  if (texts.length > 0) return texts.join("");
  const first = list(content).find((item) => isObject(item) && item.json !== undefined);
  return isObject(first) ? json(first.json) : undefined;
}

/** One Converse message as the messages a span shows: its tool results each as a `tool` message, the rest as one. */
function converseMessages(raw: unknown): Message[] {
  if (!isObject(raw)) return [];
  const role = str(raw.role);
  const out: Message[] = [];
  let current: Message | undefined;
  const flush = () => {
    if (current) out.push(current);
    current = undefined;
  };
  for (const block of list(raw.content)) {
    if (!isObject(block)) continue;
    if (isObject(block.toolResult)) {
      flush();
      out.push({ role: "tool", toolCallId: str(block.toolResult.toolUseId), content: toolResultContent(block.toolResult.content) });
      continue;
    }
    current ??= { role, parts: [] };
    if (isObject(block.toolUse)) (current.toolCalls ??= []).push({ id: str(block.toolUse.toolUseId), name: str(block.toolUse.name), arguments: json(block.toolUse.input) });
    else {
      const part = conversePart(block);
      if (part) current.parts?.push(part);
    }
  }
  flush();
  return out.length > 0 ? out : [{ role }];
}

/** `system` (a list of blocks) as one system message, then each message. */
function writeConverseInput(sink: Sink, prefix: string, request: Json): void {
  const texts = list(request.system).flatMap((block) => (isObject(block) && typeof block.text === "string" ? [block.text] : []));
  let n = 0;
  if (texts.length > 0) writeMessage(sink, `${prefix}.${n++}`, { role: "system", content: texts.join("\n") });
  for (const raw of list(request.messages)) {
    try {
      for (const message of converseMessages(raw)) writeMessage(sink, `${prefix}.${n++}`, message);
    } catch {
      // malformed message: skipped
    }
  }
}

/** The answer's blocks as one assistant message: texts joined, tool uses as calls. */
function converseAnswer(message: unknown): Message | undefined {
  if (!isObject(message)) return undefined;
  let text: string | undefined;
  const calls: ToolCallInfo[] = [];
  for (const block of list(message.content)) {
    if (!isObject(block)) continue;
    if (typeof block.text === "string") text = (text ?? "") + block.text;
    else if (isObject(block.toolUse)) calls.push({ id: str(block.toolUse.toolUseId), name: str(block.toolUse.name), arguments: json(block.toolUse.input) });
  }
  return { role: str(message.role) ?? "assistant", content: text, toolCalls: calls.length > 0 ? calls : undefined };
}

/**
 * ConverseStream's event payloads (their names are not needed: each kind has its own fields):
 * text deltas joined, a tool use opened by `contentBlockStart` and its input by `delta.toolUse`.
 */
function converseStreamMessage(payloads: readonly Json[]): Message | undefined {
  let seen = false;
  let text: string | undefined;
  const calls = new Map<number, ToolCallInfo>();
  for (const event of payloads) {
    const index = typeof event.contentBlockIndex === "number" ? event.contentBlockIndex : 0;
    if (isObject(event.start) && isObject(event.start.toolUse)) {
      calls.set(index, { id: str(event.start.toolUse.toolUseId), name: str(event.start.toolUse.name), arguments: "" });
    } else if (isObject(event.delta)) {
      if (typeof event.delta.text === "string") text = (text ?? "") + event.delta.text;
      else if (isObject(event.delta.toolUse)) {
        const call = calls.get(index);
        if (call) call.arguments = (call.arguments ?? "") + (str(event.delta.toolUse.input) ?? "");
      } else continue;
    } else if (typeof event.role !== "string") continue;
    seen = true;
  }
  return seen ? { role: "assistant", content: text, toolCalls: calls.size > 0 ? [...calls.values()] : undefined } : undefined;
}

const converse: WireMessages = {
  input: writeConverseInput,
  answer: (response) => converseAnswer(isObject(response.output) ? response.output.message : undefined),
  stream: (events) => converseStreamMessage(objects(events)),
  embedTexts: () => [],
};

/** The text of a non-Claude, non-Nova InvokeModel answer: Llama's `generation`, Mistral's `outputs`, Titan's `results`. */
function generatedText(body: Json): string | undefined {
  const first = (items: unknown, field: string) => {
    const item = list(items)[0];
    return isObject(item) ? str(item[field]) : undefined;
  };
  return str(body.generation) ?? first(body.outputs, "text") ?? first(body.results, "outputText") ?? str(body.outputText);
}

/** Nova's stream chunks wrap one Converse event under its name (`{"contentBlockDelta": {…}}`): the event itself. */
const unwrapped = (event: Json): Json => {
  const keys = Object.keys(event);
  const inner = keys.length === 1 ? event[keys[0] as string] : undefined;
  return isObject(inner) ? inner : event;
};

const invoke: WireMessages = {
  input(sink, prefix, request) {
    if (typeof request.anthropic_version === "string") writeAnthropicInput(sink, prefix, request);
    else if (Array.isArray(request.messages)) writeConverseInput(sink, prefix, request);
    else {
      const prompt = str(request.prompt) ?? str(request.inputText);
      if (prompt !== undefined) writeMessage(sink, `${prefix}.0`, { role: "user", content: prompt });
    }
  },
  answer(response) {
    if (Array.isArray(response.content)) return anthropicResponseMessage(response);
    if (isObject(response.output)) return converseAnswer(response.output.message);
    const text = generatedText(response);
    return text === undefined ? undefined : { role: "assistant", content: text };
  },
  stream(events) {
    const inner = events.flatMap((data) => chunkJson(parse(data)) ?? []);
    const parsed = objects(inner);
    if (parsed.some((event) => typeof event.type === "string")) return anthropicStreamMessage(inner);
    const nova = converseStreamMessage(parsed.map(unwrapped));
    if (nova) return nova;
    const pieces = parsed.flatMap((event) => generatedText(event) ?? []);
    return pieces.length > 0 ? { role: "assistant", content: pieces.join("") } : undefined;
  },
  // Titan embeds `inputText`, Cohere `texts`.
  embedTexts: (request) => (typeof request.inputText === "string" ? [request.inputText] : list(request.texts)),
};

/** Bedrock's wires' readers, by wire. */
export const BEDROCK_WIRE_MESSAGES = { "bedrock-converse": converse, "bedrock-invoke": invoke } as const;
