import type { TranslationState } from "../types.ts";

/** What the Anthropic translators remember between building a request and reading its answer. */
export interface AnthropicState {
  /** Upstream tool name -> the client's, only for names the gateway rewrote. */
  reverseNames: ReadonlyMap<string, string>;
  /** The forced tool whose input is the answer (`response_format` json); its input comes back as text. */
  jsonTool?: string;
}

const EMPTY: AnthropicState = { reverseNames: new Map() };

/** Narrows the opaque translation state; anything else (e.g. a state from a test) reads as "nothing rewritten". */
export function readState(state: TranslationState): AnthropicState {
  if (state && typeof state === "object" && (state as AnthropicState).reverseNames instanceof Map) return state as AnthropicState;
  return EMPTY;
}

/** The client's name for an upstream tool name. */
export function clientToolName(state: AnthropicState, name: string): string {
  return state.reverseNames.get(name) ?? name;
}
