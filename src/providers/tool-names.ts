/**
 * Tool names a provider would reject, rewritten on the way up and restored in the answer. Each
 * provider declares its rule (in its own folder); this plans the names of one request under it.
 */

import type { ChatRequest } from "../canonical/chat.ts";

/** What one provider accepts as a tool name. */
export interface ToolNameRule {
  /** The whole name. */
  pattern: RegExp;
  /** One character the provider takes (anything else becomes `_`). */
  character: RegExp;
  /** The longest name, in characters. */
  maxLength: number;
  /** What a name must start with, when the provider restricts it (Gemini); a name that does not gets `_` in front. */
  start?: RegExp;
}

/** Per-request tool-name maps: every original to its upstream name, and back for the rewritten ones. */
export interface ToolNamePlan {
  /** Original -> upstream name, for every name seen (identity for names already valid). */
  forward: ReadonlyMap<string, string>;
  /** Upstream name -> original, only for names the gateway rewrote. */
  reverse: ReadonlyMap<string, string>;
}

const segmenter = new Intl.Segmenter("en", { granularity: "grapheme" });

/**
 * Replaces every character the rule rejects with `_` (a character is a grapheme, so an emoji, a
 * surrogate pair or a letter with a combining accent each become one underscore), puts `_` in
 * front of a name that may not start as it does, and names an empty name `tool`. Not yet cut to length.
 */
export function sanitizeToolName(name: string, rule: ToolNameRule): string {
  if (name.length === 0) return "tool";
  let out = "";
  for (const { segment } of segmenter.segment(name)) out += rule.character.test(segment) ? segment : "_";
  return rule.start && !rule.start.test(out) ? `_${out}` : out;
}

/**
 * Plans the names for one request. Names already valid keep their names whatever their position
 * (they are claimed first); each invalid one becomes its sanitised form cut to the rule's length,
 * and on a clash with any name already taken gets `_2`, `_3`, ... (still within the length). The
 * same original seen twice maps to one name. `reserved` are names the gateway must not hand out
 * (provider-hosted tools, never renamed themselves).
 */
export function planToolNames(originals: Iterable<string>, rule: ToolNameRule, reserved: Iterable<string> = []): ToolNamePlan {
  const unique = [...new Set(originals)];
  const taken = new Set(reserved);
  for (const name of unique) if (rule.pattern.test(name)) taken.add(name);
  const forward = new Map<string, string>();
  const reverse = new Map<string, string>();
  for (const name of unique) {
    if (rule.pattern.test(name)) {
      forward.set(name, name);
      continue;
    }
    const base = sanitizeToolName(name, rule).slice(0, rule.maxLength);
    let candidate = base;
    for (let n = 2; taken.has(candidate); n++) {
      const suffix = `_${n}`;
      candidate = base.slice(0, rule.maxLength - suffix.length) + suffix;
    }
    taken.add(candidate);
    forward.set(name, candidate);
    reverse.set(candidate, name);
  }
  return { forward, reverse };
}

/** Names the client used anywhere a tool name appears: definitions, a named choice, earlier calls. */
function clientToolNames(request: ChatRequest): string[] {
  const names = (request.tools ?? []).map((tool) => tool.name);
  if (request.toolChoice?.type === "tool") names.push(request.toolChoice.name);
  for (const message of request.messages) for (const part of message.content) if (part.type === "tool-call") names.push(part.name);
  return names;
}

/** Plans a canonical request's tool names under a provider's rule; the names of hosted tools are reserved (never handed out). */
export function planRequestToolNames(request: ChatRequest, rule: ToolNameRule): ToolNamePlan {
  const hosted = (request.hostedTools ?? []).map((tool) => tool.name).filter((name): name is string => typeof name === "string");
  return planToolNames(clientToolNames(request), rule, hosted);
}
