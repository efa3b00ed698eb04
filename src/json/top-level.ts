import { skipString } from "./skip-string.ts";

/** A top-level member of a JSON object text: its key and the exact source span of the whole member. */
interface Member {
  key: string;
  start: number;
  valueStart: number;
  end: number;
}

/** Edits to a JSON object's top level; values are JSON texts, inserted verbatim. */
export interface TopLevelEdits {
  set?: Record<string, string>;
  remove?: readonly string[];
  /** Moves a member's value to another key (`max_completion_tokens` -> `max_tokens`). */
  rename?: Record<string, string>;
}

const isSpace = (c: number) => c === 32 || c === 10 || c === 13 || c === 9;

/**
 * Lists the top-level members of `text`, which must already be known to be a valid JSON object
 * (it was parsed first). Strings are skipped with indexOf, so large base64 payloads cost little.
 */
function members(text: string): Member[] {
  const found: Member[] = [];
  let i = text.indexOf("{") + 1;
  let depth = 1;
  let current: Member | undefined;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 34 /* " */) {
      const after = skipString(text, i);
      if (depth === 1 && current === undefined) {
        const raw = text.slice(i, after);
        current = { key: raw.includes("\\") ? (JSON.parse(raw) as string) : raw.slice(1, -1), start: i, valueStart: -1, end: -1 };
      }
      i = after;
      continue;
    }
    if (c === 123 /* { */ || c === 91 /* [ */) depth++;
    else if (c === 125 /* } */ || c === 93 /* ] */) {
      depth--;
      if (depth === 0) {
        if (current) {
          current.end = trimEnd(text, i);
          found.push(current);
        }
        break;
      }
    } else if (depth === 1 && current && c === 58 /* : */ && current.valueStart === -1) {
      let v = i + 1;
      while (isSpace(text.charCodeAt(v))) v++;
      current.valueStart = v;
    } else if (depth === 1 && c === 44 /* , */ && current) {
      current.end = trimEnd(text, i);
      found.push(current);
      current = undefined;
    }
    i++;
  }
  return found;
}

function trimEnd(text: string, i: number): number {
  let e = i;
  while (e > 0 && isSpace(text.charCodeAt(e - 1))) e--;
  return e;
}

/**
 * Rewrites top-level members of a JSON object text without re-serialising the rest: everything
 * not edited (unknown vendor fields, number formatting, key order) is forwarded byte for byte.
 * Duplicate keys are all edited, matching JSON.parse's last-one-wins view.
 */
export function editTopLevel(text: string, edits: TopLevelEdits): string {
  const set = edits.set ?? {};
  const remove = edits.remove ?? [];
  const rename = edits.rename ?? {};
  const pending = new Map(Object.entries(set));
  const found = members(text);
  const open = text.indexOf("{") + 1;
  // Kept members are written with the separator that preceded them in the source (", " stays ", ").
  let out = text.slice(0, open);
  let previousEnd = open;
  let kept = 0;
  for (const member of found) {
    const separator = text.slice(previousEnd, member.start);
    previousEnd = member.end;
    const { key } = member;
    const renamed = rename[key];
    let piece: string | undefined;
    if (remove.includes(key)) piece = undefined;
    else if (renamed !== undefined) piece = pending.has(renamed) ? undefined : `${JSON.stringify(renamed)}:${text.slice(member.valueStart, member.end)}`;
    else if (set[key] !== undefined) {
      piece = `${text.slice(member.start, member.valueStart)}${set[key]}`;
      pending.delete(key);
    } else piece = text.slice(member.start, member.end);
    if (piece === undefined) continue;
    // The first kept member takes the whitespace after "{" (no comma); the others their own separator.
    out += (kept++ === 0 ? text.slice(open, (found[0] as Member).start) : separator) + piece;
  }
  for (const [key, value] of pending) out += `${kept++ === 0 ? "" : ","}${JSON.stringify(key)}:${value}`;
  return out + text.slice(found.length > 0 ? (found.at(-1) as Member).end : text.lastIndexOf("}"));
}

/**
 * Adds members the caller knows are absent, right after the opening brace: no scan at all.
 * (Where other edits are needed, editTopLevel does them in one pass.)
 */
export function insertTopLevel(text: string, add: Record<string, string>): string {
  const open = text.indexOf("{") + 1;
  let members = "";
  for (const [key, value] of Object.entries(add)) members += `${JSON.stringify(key)}:${value},`;
  const rest = text.slice(open);
  // An empty object takes no trailing comma.
  return /^\s*}/.test(rest) ? `${text.slice(0, open)}${members.slice(0, -1)}${rest}` : `${text.slice(0, open)}${members}${rest}`;
}
