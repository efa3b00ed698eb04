import { skipString } from "./skip-string.ts";

/**
 * The deepest JSON nesting the gateway accepts, in containers (`{"a":[1]}` is 2). serde_json's
 * default recursion limit is the same 128; real requests stay far below it (a tool's JSON schema
 * takes two levels per nested object), and every recursive step after parsing stays far above
 * it (JSON.stringify overflows JavaScriptCore's stack at a few ten thousand levels).
 */
export const MAX_JSON_DEPTH = 128;

/**
 * Where a JSON text nests deeper than `max` containers: the index of the first bracket past the
 * limit, or -1. One pass that steps over strings with indexOf, so long text values cost almost
 * nothing; a text that is not valid JSON may pass (JSON.parse rejects it next).
 */
export function depthExceededAt(text: string, max: number = MAX_JSON_DEPTH): number {
  // Fewer characters than containers allowed: it cannot nest deeper.
  if (text.length <= max) return -1;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) i = skipString(text, i) - 1;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      if (++depth > max) return i;
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
  return -1;
}

/**
 * The key of the top-level object member that holds index `at` of a JSON text, for error
 * messages; undefined when the text is not an object or `at` is outside any member.
 */
export function topLevelKeyAt(text: string, at: number): string | undefined {
  let depth = 0;
  let keyStart = -1;
  for (let i = 0; i < at && i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      const end = skipString(text, i);
      if (depth === 1) keyStart = i;
      i = end - 1;
    } else if (c === 123 /* { */ || c === 91 /* [ */) depth++;
    else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
  if (keyStart === -1 || text.trimStart()[0] !== "{") return undefined;
  try {
    const key: unknown = JSON.parse(text.slice(keyStart, skipString(text, keyStart)));
    return typeof key === "string" ? key : undefined;
  } catch {
    return undefined;
  }
}
