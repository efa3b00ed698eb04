/**
 * What Gemini accepts as a function name, on both the Gemini API and Vertex AI: a letter or `_`
 * first, then letters, digits, `_`, `.` or `-`, at most 64 characters.
 */
export const GEMINI_FUNCTION_NAME = /^[a-zA-Z_][a-zA-Z0-9_.-]{0,63}$/;

const MAX_LENGTH = 64;
const segmenter = new Intl.Segmenter("en", { granularity: "grapheme" });

/** Per-request function-name maps: every original to its upstream name, and back for rewritten ones. */
export interface GeminiNamePlan {
  forward: ReadonlyMap<string, string>;
  reverse: ReadonlyMap<string, string>;
}

/** Each rejected character (a grapheme: an emoji is one) becomes `_`; a name starting with a digit, `.` or `-` gets a `_` in front. */
function sanitize(name: string): string {
  let out = "";
  for (const { segment } of segmenter.segment(name)) out += /^[a-zA-Z0-9_.-]$/.test(segment) ? segment : "_";
  return /^[a-zA-Z_]/.test(out) ? out : `_${out}`;
}

/**
 * Plans the names for one request. Valid names are kept (and claimed first, wherever they appear);
 * each invalid one becomes its sanitised form cut to 64 characters, with `_2`, `_3`... on a clash.
 * The same original seen twice maps to one name.
 */
export function planGeminiNames(originals: Iterable<string>): GeminiNamePlan {
  const unique = [...new Set(originals)];
  const taken = new Set(unique.filter((name) => GEMINI_FUNCTION_NAME.test(name)));
  const forward = new Map<string, string>();
  const reverse = new Map<string, string>();
  for (const name of unique) {
    if (GEMINI_FUNCTION_NAME.test(name)) {
      forward.set(name, name);
      continue;
    }
    const base = sanitize(name).slice(0, MAX_LENGTH);
    let candidate = base;
    for (let n = 2; taken.has(candidate); n++) candidate = base.slice(0, MAX_LENGTH - `_${n}`.length) + `_${n}`;
    taken.add(candidate);
    forward.set(name, candidate);
    reverse.set(candidate, name);
  }
  return { forward, reverse };
}
