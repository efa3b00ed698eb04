import type { FinishReason } from "../../canonical/chat.ts";

/** Anthropic's `stop_reason` and `stop_sequence` pair. */
export interface AnthropicStop {
  stop_reason: "end_turn" | "max_tokens" | "stop_sequence" | "tool_use" | "refusal";
  stop_sequence: string | null;
}

/**
 * Maps the canonical finish reason to Anthropic's. `stop_sequence` is known only when an Anthropic-wire
 * upstream reported it (`providerMetadata.anthropic.stop_sequence`). An answer that ends with tool
 * calls reports `tool_use` even when the upstream said plain "stop" (some OpenAI-compatible servers
 * do): Anthropic clients, the SDK's tool runner included, run tools only on `tool_use`.
 */
export function toAnthropicStop(finishReason: FinishReason | undefined, hasToolCalls: boolean, providerMetadata?: Record<string, Record<string, unknown>>): AnthropicStop {
  switch (finishReason) {
    case "tool-calls":
      return { stop_reason: "tool_use", stop_sequence: null };
    case "length":
      return { stop_reason: "max_tokens", stop_sequence: null };
    case "content-filter":
      return { stop_reason: "refusal", stop_sequence: null };
    case "error":
      return { stop_reason: "end_turn", stop_sequence: null };
    case "stop": {
      const sequence = providerMetadata?.anthropic?.stop_sequence;
      if (typeof sequence === "string") return { stop_reason: "stop_sequence", stop_sequence: sequence };
      break;
    }
  }
  return { stop_reason: hasToolCalls ? "tool_use" : "end_turn", stop_sequence: null };
}
