/** What Anthropic accepts as a tool name. */
export const TOOL_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,128}$/;

const MAX_LENGTH = 128;
const VALID_CHARACTER = /^[a-zA-Z0-9_-]$/;
const segmenter = new Intl.Segmenter("en", { granularity: "grapheme" });

/** Per-request tool-name maps: every original to its upstream name, and back for the rewritten ones. */
export interface ToolNamePlan {
  /** Original -> upstream name, for every name seen (identity for names already valid). */
  forward: ReadonlyMap<string, string>;
  /** Upstream name -> original, only for names the gateway rewrote. */
  reverse: ReadonlyMap<string, string>;
}

/** Whether Anthropic takes this name as it is. */
export function isValidToolName(name: string): boolean {
  return TOOL_NAME_PATTERN.test(name);
}

/**
 * Replaces every character Anthropic rejects with `_`. A character is a grapheme, so an emoji,
 * a surrogate pair or a letter with a combining accent each become one underscore, not several.
 */
export function sanitizeToolName(name: string): string {
  if (name.length === 0) return "tool";
  let out = "";
  for (const { segment } of segmenter.segment(name)) out += VALID_CHARACTER.test(segment) ? segment : "_";
  return out;
}

/**
 * Plans the names for one request. Names already valid keep their names whatever their position
 * (they are claimed first); each invalid one becomes its sanitised form cut to 128 characters, and
 * on a clash with any name already taken gets `_2`, `_3`, ... (still within 128). The same
 * original seen twice maps to one name. `reserved` are names the gateway must not hand out
 * (provider-hosted tools, never renamed themselves).
 */
export function planToolNames(originals: Iterable<string>, reserved: Iterable<string> = []): ToolNamePlan {
  const unique = [...new Set(originals)];
  const taken = new Set(reserved);
  for (const name of unique) if (isValidToolName(name)) taken.add(name);
  const forward = new Map<string, string>();
  const reverse = new Map<string, string>();
  for (const name of unique) {
    if (isValidToolName(name)) {
      forward.set(name, name);
      continue;
    }
    const base = sanitizeToolName(name).slice(0, MAX_LENGTH);
    let candidate = base;
    for (let n = 2; taken.has(candidate); n++) {
      const suffix = `_${n}`;
      candidate = base.slice(0, MAX_LENGTH - suffix.length) + suffix;
    }
    taken.add(candidate);
    forward.set(name, candidate);
    reverse.set(candidate, name);
  }
  return { forward, reverse };
}
