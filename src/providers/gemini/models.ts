/**
 * What the translators need to know about a Gemini model id. Google's ids are open-ended
 * (`gemini-flash-latest`, `gemini-3.5-flash-preview-09-2026`), so only known older generations are
 * singled out; anything else named `gemini-*` gets the newest behaviour.
 */

/** The id's last path segment, lowercased (`models/gemini-2.5-pro` -> `gemini-2.5-pro`). */
const bare = (model: string): string => model.split("/").at(-1)?.toLowerCase() ?? "";

/** Gemini 1.x, 2.x and the original `gemini-pro(-vision)`. */
const OLDER = /^gemini-(1|2)([.-]|$)|^gemini-pro(-vision)?$/;

/** Gemini 3 and later: thinking levels, and thought signatures enforced on replayed function calls. */
export function usesGemini3Features(model: string): boolean {
  const id = bare(model);
  return id.startsWith("gemini-") && !OLDER.test(id);
}

/** Gemma models served by the Gemini API take no `systemInstruction`. */
export function isGemma(model: string): boolean {
  return bare(model).startsWith("gemma-");
}

/** Gemini 2.5 on the Gemini API (not Vertex AI) answers 400 "Penalty is not enabled" to presence/frequency penalties. */
export function rejectsPenalties(model: string): boolean {
  return /^gemini-2\.5([.-]|$)/.test(bare(model));
}

/** Gemini 2.5 Pro cannot turn thinking off; its smallest budget is 128. */
export function cannotDisableThinking(model: string): boolean {
  return /^gemini-2\.5-pro([.-]|$)/.test(bare(model));
}

/**
 * The lowest `thinkingLevel` a Gemini 3 model takes: Pro models, `gemini-flash-latest` and Flash
 * from 3.7 on answer 400 to `minimal`; other Flash and Flash-Lite models take it.
 */
export function minimumThinkingLevel(model: string): "minimal" | "low" {
  const id = bare(model);
  if (id === "gemini-flash-latest" || /-pro([.-]|$)/.test(id)) return "low";
  const version = /^gemini-(\d+)(?:\.(\d+))?-flash(?!-lite)/.exec(id);
  if (!version) return "minimal";
  const major = Number(version[1]);
  const minor = Number(version[2] ?? 0);
  return major > 3 || (major === 3 && minor >= 7) ? "low" : "minimal";
}
