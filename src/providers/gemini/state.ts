import type { TranslationState } from "../types.ts";

/** What the Gemini translators remember between building a request and reading its answer. */
export interface GeminiState {
  /** The upstream model id, reported when an answer carries no `modelVersion`. */
  model: string;
  /** Upstream function name -> the client's, only for names the gateway rewrote. */
  reverseNames: ReadonlyMap<string, string>;
}

/** Narrows the opaque translation state; anything else reads as "nothing rewritten". */
export function readGeminiState(state: TranslationState): GeminiState {
  if (state && typeof state === "object" && (state as GeminiState).reverseNames instanceof Map) return state as GeminiState;
  const model = state && typeof state === "object" && typeof (state as GeminiState).model === "string" ? (state as GeminiState).model : "";
  return { model, reverseNames: new Map() };
}

/** The client's name for an upstream function name. */
export function clientFunctionName(state: GeminiState, name: string): string {
  return state.reverseNames.get(name) ?? name;
}
