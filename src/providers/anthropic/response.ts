import type { ChatResult, ContentPart, FinishReason } from "../../canonical/chat.ts";
import { GatewayError } from "../../canonical/errors.ts";
import type { Usage } from "../../canonical/usage.ts";
import type { TranslationState } from "../types.ts";
import { clientToolName, readState } from "./state.ts";
import type { AnthropicResponseMessage, AnthropicUsage } from "./wire.ts";

const count = (value: unknown): number => (typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : 0);

/**
 * Anthropic usage -> canonical usage. Anthropic's `input_tokens` excludes cache reads and writes; the
 * canonical's `input` counts every prompt token, so the three are summed.
 */
export function fromAnthropicUsage(wire: AnthropicUsage): Usage {
  const cacheRead = count(wire.cache_read_input_tokens);
  const cacheWrite = count(wire.cache_creation_input_tokens);
  const usage: Usage = { input: count(wire.input_tokens) + cacheRead + cacheWrite, output: count(wire.output_tokens) };
  if (cacheRead) usage.cacheRead = cacheRead;
  if (cacheWrite) usage.cacheWrite = cacheWrite;
  const reasoning = count(wire.output_tokens_details?.thinking_tokens);
  if (reasoning) usage.reasoning = reasoning;
  return usage;
}

/** Anthropic `stop_reason` -> canonical finish reason. */
export function mapAnthropicStopReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case "end_turn":
    case "stop_sequence":
      return "stop";
    case "max_tokens":
    case "model_context_window_exceeded":
      return "length";
    case "tool_use":
      return "tool-calls";
    case "refusal":
      return "content-filter";
    default:
      // pause_turn (a server tool paused a long turn) and anything newer.
      return "other";
  }
}

/** The facts only Anthropic reports, for `providerMetadata.anthropic`. */
export function anthropicMetadata(stopReason: string | null | undefined, stopSequence: string | null | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { stop_reason: stopReason ?? null, stop_sequence: stopSequence ?? null, ...extra };
}

/**
 * Reads a complete Messages API answer. Tool names come back as the client sent them; the forced
 * `response_format` tool's input comes back as text (the answer); server-tool blocks, which the
 * canonical has no part for, are kept in `providerMetadata.anthropic.server_content`.
 */
export function parseAnthropicResponse(body: string, translation: TranslationState): ChatResult {
  const state = readState(translation);
  let message: AnthropicResponseMessage;
  try {
    message = JSON.parse(body) as AnthropicResponseMessage;
  } catch {
    throw new GatewayError("provider.bad_response", "Anthropic returned a body that is not JSON.");
  }
  if (!message || typeof message !== "object" || !Array.isArray(message.content)) {
    throw new GatewayError("provider.bad_response", "Anthropic returned a message without a content list.");
  }
  const content: ContentPart[] = [];
  const serverContent: unknown[] = [];
  let toolCalls = 0;
  for (const block of message.content) {
    if (block.type === "text" && typeof block.text === "string") content.push({ type: "text", text: block.text });
    else if (block.type === "thinking" && typeof block.thinking === "string") {
      content.push(typeof block.signature === "string" ? { type: "thinking", text: block.thinking, signature: block.signature } : { type: "thinking", text: block.thinking });
    } else if (block.type === "redacted_thinking" && typeof block.data === "string") content.push({ type: "redacted-thinking", data: block.data });
    else if (block.type === "tool_use" && typeof block.name === "string" && typeof block.id === "string") {
      const input = JSON.stringify(block.input ?? {});
      if (block.name === state.jsonTool) content.push({ type: "text", text: input });
      else {
        toolCalls++;
        content.push({ type: "tool-call", id: block.id, name: clientToolName(state, block.name), arguments: input });
      }
    } else serverContent.push(block);
  }
  let finishReason = mapAnthropicStopReason(message.stop_reason);
  // The format tool's call is the answer, not a call the client should run.
  if (finishReason === "tool-calls" && toolCalls === 0 && state.jsonTool !== undefined) finishReason = "stop";
  const extra: Record<string, unknown> = {};
  if (serverContent.length > 0) extra.server_content = serverContent;
  if (message.container !== undefined && message.container !== null) extra.container = message.container;
  if (message.usage?.service_tier !== undefined) extra.service_tier = message.usage.service_tier;
  const result: ChatResult = {
    id: message.id,
    model: message.model,
    content,
    finishReason,
    providerMetadata: { anthropic: anthropicMetadata(message.stop_reason, message.stop_sequence, extra) },
  };
  if (message.usage) result.usage = fromAnthropicUsage(message.usage);
  return result;
}
