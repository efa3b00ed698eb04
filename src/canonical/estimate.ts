/** Approximate tokens in `chars` characters of text; used only when a provider never reported its count. */
export function estimateTokens(chars: number): number {
  // ~4 characters per token is the usual rule of thumb for English text under OpenAI's and
  // Anthropic's BPE tokenizers; it needs no tokenizer on the hot path, and a call billed from it
  // is marked estimated.
  return chars > 0 ? Math.ceil(chars / 4) : 0;
}

/**
 * A pattern for the string values of the given JSON keys, for `stringFieldChars`. Keys are
 * matched whole (`"text"` does not match `"cited_text"`) and only with a string value (`null`,
 * arrays and objects are skipped); an escaped quote never ends a value.
 */
export function stringFieldPattern(keys: readonly string[]): RegExp {
  return new RegExp(`"(?:${keys.join("|")})"\\s*:\\s*"([^"\\\\]*(?:\\\\.[^"\\\\]*)*)"`, "g");
}

/**
 * Characters in the string values `pattern` (from `stringFieldPattern`) finds in raw JSON text
 * from `from` on, counted as decoded (`\n` and `\u00e9` are one each) without parsing the JSON.
 */
export function stringFieldChars(json: string, pattern: RegExp, from = 0): number {
  let chars = 0;
  pattern.lastIndex = from;
  for (let match = pattern.exec(json); match !== null; match = pattern.exec(json)) chars += unescapedLength(match[1] ?? "");
  return chars;
}

/** Length of a JSON string's value from its escaped text. */
function unescapedLength(raw: string): number {
  let length = raw.length;
  // `\uXXXX` is six characters for one; any other escape two for one. Hex digits hold no backslash.
  for (let i = raw.indexOf("\\"); i !== -1; i = raw.indexOf("\\", i + 2)) length -= raw.charCodeAt(i + 1) === 117 ? 5 : 1;
  return length;
}
