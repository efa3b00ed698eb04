import { isRecord } from "../../json/is-record.ts";

/**
 * Anthropic rejects text that is empty or only whitespace ("text content blocks must contain
 * non-whitespace text"), in messages, in `system` and inside tool results, and a turn with no
 * content. The rule, the same on the fast path (the client's JSON) and the translated one, and for
 * Claude on Vertex AI and Bedrock:
 * - a blank text block with a cache breakpoint becomes the placeholder in its place, so the
 *   breakpoint stays where the client put it;
 * - any other blank text block is dropped: it holds nothing the model would read, and a placeholder
 *   beside every tool call whose text was "" would teach the model to write "(empty)";
 * - a turn left with nothing (blank text only, `content: ""`, `[]`) holds one placeholder, since
 *   turns must alternate and dropping one would join its neighbours;
 * - the final assistant turn is a prefill, which the model continues: its blank blocks are dropped
 *   (a breakpoint moving to the block before it), and a prefill of nothing is dropped;
 * - a blank `system` is not sent; a tool result's blank content is left out (it is optional) unless
 *   the result is an error, which must say something.
 * Nothing is copied when nothing is blank.
 */

/** Sent in place of blank text that cannot simply be left out. */
export const EMPTY_TEXT_PLACEHOLDER = "(empty)";

const NON_WHITESPACE = /\S/;

/** Whether Anthropic would reject this text as a text block (empty, or only whitespace). */
export function isBlankText(text: string): boolean {
  return !NON_WHITESPACE.test(text);
}

type Json = Record<string, unknown>;

const isBlankBlock = (block: unknown): block is Json => isRecord(block) && block.type === "text" && typeof block.text === "string" && isBlankText(block.text);

/** Blocks that may carry a cache breakpoint (thinking blocks may not). */
const CACHEABLE = new Set(["text", "image", "document", "tool_result", "tool_use"]);

/** Where a list of blocks sits: a turn (never left empty), a prefill (blanks dropped), or optional content (system, a tool result). */
type Place = "turn" | "prefill" | "optional";

const PLACEHOLDER_BLOCK = { type: "text", text: EMPTY_TEXT_PLACEHOLDER } as const;

/** A tool result under the rule; the same object when nothing in it is blank. */
function cleanToolResult(block: Json): Json {
  const { content } = block;
  const required = block.is_error === true;
  if (content === undefined || typeof content === "string") {
    if (typeof content === "string" && !isBlankText(content)) return block;
    if (required) return { ...block, content: EMPTY_TEXT_PLACEHOLDER };
    if (content === undefined) return block;
    const { content: _blank, ...rest } = block;
    return rest;
  }
  if (!Array.isArray(content)) return block;
  const cleaned = cleanBlocks(content, required ? "turn" : "optional");
  if (cleaned === content) return block;
  if (cleaned.length > 0) return { ...block, content: cleaned };
  const { content: _blank, ...rest } = block;
  return rest;
}

/** One list of blocks under the rule; the same array when nothing in it is blank. */
function cleanBlocks(blocks: readonly unknown[], place: Place): unknown[] {
  if (blocks.length === 0) return place === "turn" ? [PLACEHOLDER_BLOCK] : (blocks as unknown[]);
  let out: unknown[] | undefined;
  blocks.forEach((block, i) => {
    let next: unknown = block;
    if (isBlankBlock(block)) {
      next = block.cache_control !== undefined && place !== "prefill" ? { ...block, text: EMPTY_TEXT_PLACEHOLDER } : undefined;
    } else if (isRecord(block) && block.type === "tool_result") next = cleanToolResult(block);
    if (next === block) {
      out?.push(block);
      return;
    }
    out ??= blocks.slice(0, i);
    if (next !== undefined) out.push(next);
    else if (isBlankBlock(block) && block.cache_control !== undefined) {
      // A prefill's breakpoint on blank text marks the same prefix as one on the block before it.
      const previous = out.at(-1);
      if (isRecord(previous) && CACHEABLE.has(previous.type as string) && previous.cache_control === undefined) out[out.length - 1] = { ...previous, cache_control: block.cache_control };
    }
  });
  if (!out) return blocks as unknown[];
  return out.length === 0 && place === "turn" ? [PLACEHOLDER_BLOCK] : out;
}

/** One message under the rule: the same object when nothing in it is blank, undefined when it is a prefill of nothing. */
function cleanMessage(message: unknown, last: boolean): unknown {
  if (!isRecord(message)) return message;
  const prefill = last && message.role === "assistant";
  const { content } = message;
  if (typeof content === "string") {
    if (!isBlankText(content)) return message;
    return prefill ? undefined : { ...message, content: EMPTY_TEXT_PLACEHOLDER };
  }
  if (!Array.isArray(content)) return message;
  const cleaned = cleanBlocks(content, prefill ? "prefill" : "turn");
  if (cleaned === content) return message;
  return prefill && cleaned.length === 0 ? undefined : { ...message, content: cleaned };
}

/** Whether a list of blocks holds blank text (in a tool result too), or is empty: a walk without allocation. */
function blocksNeedCleaning(blocks: readonly unknown[], emptyCounts: boolean): boolean {
  if (blocks.length === 0) return emptyCounts;
  for (const block of blocks) {
    if (!isRecord(block)) continue;
    if (block.type === "text") {
      if (typeof block.text === "string" && !NON_WHITESPACE.test(block.text)) return true;
    } else if (block.type === "tool_result") {
      const { content } = block;
      if (content === undefined || typeof content === "string") {
        if (block.is_error === true ? content === undefined || !NON_WHITESPACE.test(content) : typeof content === "string" && !NON_WHITESPACE.test(content)) return true;
      } else if (Array.isArray(content) && blocksNeedCleaning(content, block.is_error === true)) return true;
    }
  }
  return false;
}

/** Whether any message holds something the rule changes (checked first, so a clean body costs one plain walk). */
function messagesNeedCleaning(messages: readonly unknown[]): boolean {
  for (let i = 0; i < messages.length; i++) {
    const message = messages[i];
    if (!isRecord(message)) continue;
    const { content } = message;
    if (typeof content === "string") {
      if (!NON_WHITESPACE.test(content)) return true;
    } else if (Array.isArray(content) && blocksNeedCleaning(content, !(i === messages.length - 1 && message.role === "assistant"))) return true;
  }
  return false;
}

/**
 * Anthropic `messages` (the client's JSON, or the translator's turns) without blank text; the same
 * array when none holds any, so the fast path can tell nothing needs re-serialising.
 */
export function withoutBlankText<T>(messages: readonly T[]): T[] {
  if (!messagesNeedCleaning(messages)) return messages as T[];
  let out: T[] | undefined;
  messages.forEach((message, i) => {
    const next = cleanMessage(message, i === messages.length - 1) as T | undefined;
    if (next === message) {
      out?.push(message);
      return;
    }
    out ??= messages.slice(0, i);
    if (next !== undefined) out.push(next);
  });
  return out ?? (messages as T[]);
}

/**
 * An Anthropic `system` (a string or text blocks) without blank text: the same value when nothing is
 * blank, undefined when nothing is left to send.
 */
export function systemWithoutBlankText<T>(system: T): T | undefined {
  if (typeof system === "string") return isBlankText(system) ? undefined : system;
  if (!Array.isArray(system)) return system;
  const cleaned = cleanBlocks(system, "optional");
  if (cleaned === system) return system;
  return cleaned.length > 0 ? (cleaned as T) : undefined;
}
