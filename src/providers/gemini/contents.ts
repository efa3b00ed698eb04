import type { ContentPart, Message, ToolResultPart } from "../../canonical/chat.ts";
import { GatewayError } from "../../canonical/errors.ts";
import { echo } from "../../canonical/echo.ts";
import { toGeminiModelParts } from "./assistant-parts.ts";
import { toGeminiMediaPart } from "./media.ts";
import { isGemma, usesGemini3Features } from "./models.ts";
import type { GeminiContent, GeminiPart } from "./wire.ts";

const invalid = (index: number, message: string) => new GatewayError("caller.invalid_request", `messages[${index}]: ${message}`, { param: `messages[${index}]` });

/** Which parts each canonical role may hold on Gemini (assistant parts are checked in assistant-parts.ts). */
const ALLOWED: Record<Exclude<Message["role"], "assistant">, ReadonlySet<ContentPart["type"]>> = {
  system: new Set(["text"]),
  user: new Set(["text", "image", "document", "tool-result"]),
  tool: new Set(["tool-result", "text"]),
};

/** A turn being built: `tool` turns hold function responses (ordered like the calls), `user` turns everything else. */
type Block = { kind: "model"; parts: GeminiPart[] } | { kind: "user"; parts: GeminiPart[] } | { kind: "tool"; responses: { part: GeminiPart; order: number }[]; media: GeminiPart[] };

interface KnownCall {
  name: string;
  order: number;
}

/**
 * A tool result as a `functionResponse`. Gemini matches responses to calls by function name, so
 * the name comes from the assistant call with the result's id. Text goes in `response.output`
 * (`response.error` for a failed call), the keys Google documents; images are returned as parts
 * after the responses (older models take no media inside a function response).
 */
function toFunctionResponse(part: ToolResultPart, index: number, calls: ReadonlyMap<string, KnownCall>, param: string): { response: { part: GeminiPart; order: number }; media: GeminiPart[] } {
  const call = calls.get(part.toolCallId);
  if (!call) throw invalid(index, `the tool result for '${echo(part.toolCallId)}' answers no tool call of an earlier assistant message; Gemini needs the call to name the function.`);
  const items = typeof part.content === "string" ? [{ type: "text" as const, text: part.content }] : part.content;
  const text = items.flatMap((item) => (item.type === "text" ? [item.text] : [])).join("\n");
  const media = items.flatMap((item) => (item.type === "image" ? [toGeminiMediaPart(item.source, "image/jpeg", param)] : []));
  const response = part.isError ? { error: text } : { output: text };
  return { response: { part: { functionResponse: { name: call.name, response } }, order: call.order }, media };
}

/** The parts of a user or tool message: function responses, and everything else. */
function userParts(message: Message, index: number, calls: ReadonlyMap<string, KnownCall>) {
  const responses: { part: GeminiPart; order: number }[] = [];
  const media: GeminiPart[] = [];
  const parts: GeminiPart[] = [];
  const param = `messages[${index}]`;
  for (const part of message.content) {
    if (!ALLOWED[message.role as "user" | "tool"].has(part.type)) throw invalid(index, `a ${message.role} message cannot hold a ${part.type} part on Gemini.`);
    if (part.type === "tool-result") {
      const result = toFunctionResponse(part, index, calls, param);
      responses.push(result.response);
      media.push(...result.media);
    } else if (part.type === "text") {
      // Gemini rejects empty text parts.
      if (part.text !== "") parts.push({ text: part.text });
    } else if (part.type === "image") parts.push(toGeminiMediaPart(part.source, "image/jpeg", param));
    else if (part.type === "document") parts.push(toGeminiMediaPart(part.source, "application/pdf", param));
  }
  return { responses, media, parts };
}

function finish(block: Block): GeminiContent {
  if (block.kind !== "tool") return { role: block.kind === "model" ? "model" : "user", parts: block.parts };
  // Stable sort: responses in the order of the calls they answer, then any media.
  const ordered = [...block.responses].sort((a, b) => a.order - b.order).map((response) => response.part);
  return { role: "user", parts: [...ordered, ...block.media] };
}

/**
 * Canonical messages -> Gemini `systemInstruction` and `contents`. System messages (anywhere) join the
 * instruction in order; assistant messages become `model` turns; consecutive tool results become
 * one `user` turn of function responses (Gemini wants as many responses as the turn had calls);
 * consecutive user messages merge. Gemma takes no system instruction, so its text leads the first
 * user turn; a request of system messages only is sent as a user turn (Gemini needs contents).
 */
export function toGeminiContents(messages: readonly Message[], model: string, functionName: (name: string) => string): { systemInstruction?: { parts: { text: string }[] }; contents: GeminiContent[] } {
  const system: { text: string }[] = [];
  const blocks: Block[] = [];
  const calls = new Map<string, KnownCall>();
  const gemini3 = usesGemini3Features(model);
  let order = 0;
  messages.forEach((message, index) => {
    if (message.role === "system") {
      for (const part of message.content) {
        if (part.type !== "text") throw invalid(index, `a system message cannot hold a ${part.type} part on Gemini.`);
        if (part.text !== "") system.push({ text: part.text });
      }
      return;
    }
    if (message.role === "assistant") {
      for (const part of message.content) if (part.type === "tool-call") calls.set(part.id, { name: functionName(part.name), order: order++ });
      const parts = toGeminiModelParts(message.content, index, functionName, gemini3);
      if (parts.length > 0) blocks.push({ kind: "model", parts });
      return;
    }
    const { responses, media, parts } = userParts(message, index, calls);
    const last = blocks.at(-1);
    if (responses.length > 0) {
      if (last?.kind === "tool") {
        last.responses.push(...responses);
        last.media.push(...media);
      } else blocks.push({ kind: "tool", responses, media });
    }
    if (parts.length > 0) {
      const tail = blocks.at(-1);
      if (tail?.kind === "user") tail.parts.push(...parts);
      else blocks.push({ kind: "user", parts });
    }
  });
  const contents = blocks.map(finish);
  if (system.length === 0) return { contents };
  if (contents.length === 0) return { contents: [{ role: "user", parts: system }] };
  if (!isGemma(model)) return { systemInstruction: { parts: system }, contents };
  const lead = { text: system.map((part) => part.text).join("\n\n") };
  const first = contents[0] as GeminiContent;
  if (first.role === "user") first.parts.unshift(lead);
  else contents.unshift({ role: "user", parts: [lead] });
  return { contents };
}
