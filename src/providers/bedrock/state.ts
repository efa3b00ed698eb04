import type { TranslationState } from "../types.ts";

/** What the Bedrock translators remember between building a request and reading its answer. */
export interface BedrockState {
  /** The model id the request went to (Converse answers do not name their model). */
  model: string;
  /** Upstream tool name -> the client's, only for names the gateway rewrote. */
  reverseNames: ReadonlyMap<string, string>;
  /** The forced tool whose input is the answer (`response_format` json); its input comes back as text. */
  jsonTool?: string;
}

/** Narrows the opaque translation state; anything else reads as "nothing rewritten, model unknown". */
export function readBedrockState(state: TranslationState): BedrockState {
  if (state && typeof state === "object" && (state as BedrockState).reverseNames instanceof Map) {
    const known = state as BedrockState;
    return typeof known.model === "string" ? known : { ...known, model: "" };
  }
  return { model: "", reverseNames: new Map() };
}

/** The client's name for an upstream tool name. */
export function clientToolName(state: BedrockState, name: string): string {
  return state.reverseNames.get(name) ?? name;
}

/** Whether a model id (plain, inference profile `us.anthropic.…`, or an ARN naming one) is a Claude model. */
export function isAnthropicModel(model: string): boolean {
  return model.includes("anthropic.");
}
