import type { CacheControl, ContentPart, Message } from "../../canonical/chat.ts";
import { EMPTY_TEXT_PLACEHOLDER, isBlankText } from "../anthropic/empty-text.ts";
import { invalidMessage, toCachePoint, toDocumentBlock, toImageBlock, toToolResultBlock, toToolUseBlock } from "./content.ts";
import type { ConverseCachePoint, ConverseContentBlock, ConverseMessage, ConverseSystemBlock } from "./wire.ts";

/** One block and the cache breakpoint that follows it, kept together while turns are reordered and cleaned. */
interface Unit {
  block: ConverseContentBlock;
  cache?: ConverseCachePoint;
  /** Blank text: Converse rejects it (for every model), so it is removed before sending. */
  blank?: boolean;
}

interface Turn {
  role: "user" | "assistant";
  units: Unit[];
}

/** Which parts each canonical role may hold (images and documents only in user turns). */
const ALLOWED: Record<Message["role"], ReadonlySet<ContentPart["type"]>> = {
  system: new Set(["text"]),
  user: new Set(["text", "image", "document", "tool-result"]),
  tool: new Set(["tool-result", "text"]),
  assistant: new Set(["text", "thinking", "redacted-thinking", "tool-call"]),
};

const unit = (block: ConverseContentBlock, cache: CacheControl | undefined): Unit => (cache ? { block, cache: toCachePoint(cache) } : { block });

function toUnit(part: ContentPart, index: number, toolName: (name: string) => string, documents: { count: number }): Unit | undefined {
  switch (part.type) {
    case "text":
      return isBlankText(part.text) ? { ...unit({ text: part.text }, part.cacheControl), blank: true } : unit({ text: part.text }, part.cacheControl);
    case "image":
      return unit(toImageBlock(part, index), part.cacheControl);
    case "document":
      return unit(toDocumentBlock(part, index, ++documents.count), part.cacheControl);
    case "thinking":
      // Claude verifies every reasoning block it gets back by its signature; unsigned reasoning
      // (another provider's, or hand-written) would be rejected, so it is not sent.
      return part.signature ? { block: { reasoningContent: { reasoningText: { text: part.text, signature: part.signature } } } } : undefined;
    case "redacted-thinking":
      return { block: { reasoningContent: { redactedContent: part.data } } };
    case "tool-call":
      return { block: toToolUseBlock(part, index, toolName) };
    case "tool-result":
      return unit(toToolResultBlock(part, index), part.cacheControl);
  }
}

/**
 * Blank text under Anthropic's rule (anthropic/empty-text.ts), which Converse needs for every model:
 * a blank block with a cache marker becomes the placeholder in its place (its cachePoint still after
 * it); other blank blocks are dropped. In the final assistant turn (a prefill) every blank block is
 * dropped, its marker moving to the block before. A turn left empty (blank text, or only unsigned
 * reasoning) gets the placeholder, except a prefill, which is dropped; a system left empty is not sent.
 */
function withoutBlankText(turn: Turn, place: "turn" | "prefill" | "system"): Turn | undefined {
  if (turn.units.length > 0 && !turn.units.some((item) => item.blank)) return turn;
  const kept: Unit[] = [];
  for (const item of turn.units) {
    if (!item.blank) kept.push(item);
    else if (item.cache && place !== "prefill") kept.push({ block: { text: EMPTY_TEXT_PLACEHOLDER }, cache: item.cache });
    else if (item.cache) {
      const previous = kept.at(-1);
      if (previous && !previous.cache) kept[kept.length - 1] = { ...previous, cache: item.cache };
    }
  }
  if (kept.length > 0) return { role: turn.role, units: kept };
  return place === "turn" ? { role: turn.role, units: [{ block: { text: EMPTY_TEXT_PLACEHOLDER } }] } : undefined;
}

const flatten = (units: readonly Unit[]): ConverseContentBlock[] => units.flatMap((item) => (item.cache ? [item.block, item.cache] : [item.block]));

/**
 * Canonical messages -> Converse `system` blocks and alternating turns. System messages (anywhere) join
 * `system` in order; tool messages become user turns of toolResult blocks; consecutive turns of
 * one role merge, tool results first (Claude requires them before any text); cache markers become
 * `cachePoint` blocks right after the block they mark; blank text is removed or replaced.
 * `toolName` maps the client's tool names to the upstream's.
 */
export function toConverseMessages(messages: readonly Message[], toolName: (name: string) => string): { system: ConverseSystemBlock[]; messages: ConverseMessage[] } {
  const system: Unit[] = [];
  const turns: Turn[] = [];
  const documents = { count: 0 };
  messages.forEach((message, index) => {
    const allowed = ALLOWED[message.role];
    const units: Unit[] = [];
    for (const part of message.content) {
      if (!allowed.has(part.type)) throw invalidMessage(index, `a ${message.role} message cannot hold a ${part.type} part on Bedrock.`);
      const item = toUnit(part, index, toolName, documents);
      if (item) units.push(item);
    }
    if (message.role === "system") {
      system.push(...units);
      return;
    }
    const role = message.role === "assistant" ? "assistant" : "user";
    const last = turns.at(-1);
    if (last && last.role === role) last.units.push(...units);
    else turns.push({ role, units });
  });
  for (const turn of turns) {
    if (turn.role !== "user") continue;
    const results = turn.units.filter((item) => "toolResult" in item.block);
    if (results.length > 0 && results.length < turn.units.length) turn.units = [...results, ...turn.units.filter((item) => !("toolResult" in item.block))];
  }
  const cleaned = turns
    .map((turn, i) => withoutBlankText(turn, i === turns.length - 1 && turn.role === "assistant" ? "prefill" : "turn"))
    .filter((turn): turn is Turn => turn !== undefined);
  const systemUnits = system.length > 0 ? (withoutBlankText({ role: "user", units: system }, "system")?.units ?? []) : [];
  return { system: flatten(systemUnits) as ConverseSystemBlock[], messages: cleaned.map((turn) => ({ role: turn.role, content: flatten(turn.units) })) };
}
