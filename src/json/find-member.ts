const isSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;

/** Index just past `"key"` + optional spaces + `:` + optional spaces, for its last occurrence; -1 if none. */
function lastValueStart(text: string, key: string): number {
  const quoted = `"${key}"`;
  let at = text.lastIndexOf(quoted);
  while (at !== -1) {
    let i = at + quoted.length;
    while (isSpace(text.charCodeAt(i))) i++;
    if (text.charCodeAt(i) === 58 /* : */) {
      i++;
      while (isSpace(text.charCodeAt(i))) i++;
      return i;
    }
    at = at === 0 ? -1 : text.lastIndexOf(quoted, at - 1);
  }
  return -1;
}

/**
 * The object value of the last `"key": {...}` member in a JSON text, parsed, without parsing the
 * rest. Upstreams put `usage` last, so for a completion this reads a few hundred bytes, not the body.
 * A JSON string cannot contain an unescaped `"key"`, so a match is a real member.
 */
export function lastObjectMember(text: string, key: string): Record<string, unknown> | undefined {
  const start = lastValueStart(text, key);
  if (start === -1 || text.charCodeAt(start) !== 123 /* { */) return undefined;
  let depth = 0;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      // Skip the string, honouring backslash escapes.
      for (i++; i < text.length && text.charCodeAt(i) !== 34; i++) if (text.charCodeAt(i) === 92) i++;
    } else if (c === 123) depth++;
    else if (c === 125 && --depth === 0) {
      try {
        return JSON.parse(text.slice(start, i + 1)) as Record<string, unknown>;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
