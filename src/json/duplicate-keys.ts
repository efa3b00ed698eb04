import { skipString } from "./skip-string.ts";

/** One object being read: the names it holds (case-folded to the exact ones, made at its first), and whether a name comes next. */
interface Frame {
  names: Map<string, string[]> | undefined;
  top: boolean;
  expectsName: boolean;
}

/**
 * The first member name a JSON object text gives twice in one object, or undefined. JSON parsers
 * disagree on which of two such members counts (JSON.parse keeps the last, others the first or
 * refuse), and some match names without regard to case (Go's encoding/json), so names equal
 * ignoring case count twice too at the top level and for `model` anywhere. `text` must already
 * have parsed; one pass, strings stepped over with indexOf.
 */
export function duplicateKeyOf(text: string): string | undefined {
  const stack: (Frame | undefined)[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const frame = stack.at(-1);
    if (c === 34 /* " */) {
      const end = skipString(text, i);
      if (frame?.expectsName) {
        const raw = text.slice(i, end);
        const name = raw.includes("\\") ? (JSON.parse(raw) as string) : raw.slice(1, -1);
        const fold = name.toLowerCase();
        const names = (frame.names ??= new Map());
        const same = names.get(fold);
        if (same && (same.includes(name) || frame.top || fold === "model")) return name;
        if (same) same.push(name);
        else names.set(fold, [name]);
        frame.expectsName = false;
      }
      i = end - 1;
    } else if (c === 123 /* { */) stack.push({ names: undefined, top: stack.length === 0, expectsName: true });
    else if (c === 91 /* [ */) stack.push(undefined);
    else if (c === 125 /* } */ || c === 93 /* ] */) stack.pop();
    else if (c === 44 /* , */ && frame) frame.expectsName = true;
  }
  return undefined;
}
