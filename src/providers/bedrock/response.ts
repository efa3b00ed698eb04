import { mapAnthropicStopReason } from "../anthropic/response.ts";
import type { ChatResult, ContentPart, FinishReason } from "../../canonical/chat.ts";
import { GatewayError } from "../../canonical/errors.ts";
import type { Usage } from "../../canonical/usage.ts";
import type { TranslationState } from "../types.ts";
import { clientToolName, readBedrockState } from "./state.ts";
import type { ConverseResponse, ConverseUsage } from "./wire.ts";

const count = (value: unknown): number => (typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : 0);

/**
 * Converse usage -> canonical usage. Like Anthropic's, Bedrock's `inputTokens` excludes cache reads and
 * writes (its `totalTokens` includes them); the canonical model's `input` counts every prompt token, so the
 * three are summed. Undefined when the usage holds no counts.
 */
export function fromBedrockUsage(wire: ConverseUsage | undefined): Usage | undefined {
  if (!wire || typeof wire !== "object" || (wire.inputTokens === undefined && wire.outputTokens === undefined)) return undefined;
  const cacheRead = count(wire.cacheReadInputTokens);
  const cacheWrite = count(wire.cacheWriteInputTokens);
  const usage: Usage = { input: count(wire.inputTokens) + cacheRead + cacheWrite, output: count(wire.outputTokens) };
  if (cacheRead) usage.cacheRead = cacheRead;
  if (cacheWrite) usage.cacheWrite = cacheWrite;
  return usage;
}

/**
 * Converse `stopReason` -> canonical finish reason: Anthropic's reasons (Converse took them over) plus
 * Bedrock's guardrail and content-filter stops; malformed_model_output, malformed_tool_use and
 * anything newer are `other`, the reason kept in providerMetadata.
 */
export function mapBedrockStopReason(reason: string | undefined): FinishReason {
  return reason === "guardrail_intervened" || reason === "content_filtered" ? "content-filter" : mapAnthropicStopReason(reason);
}

/** The facts only Bedrock reports, for `providerMetadata.bedrock` (wire names; absent ones left out). */
export function bedrockMetadata(fields: { stopReason?: string | undefined; latencyMs?: unknown; trace?: unknown; additionalModelResponseFields?: unknown; performanceConfig?: unknown; serviceTier?: unknown }): Record<string, unknown> {
  const out: Record<string, unknown> = { stopReason: fields.stopReason ?? null };
  for (const [name, value] of Object.entries(fields)) if (name !== "stopReason" && value !== undefined && value !== null) out[name] = value;
  return out;
}

/**
 * Reads a complete Converse answer. Converse names neither the answer nor its model: the model is
 * the one the request went to and the id is left empty for the caller to fill (e.g. from the
 * `x-amzn-requestid` header). Tool names come back as the client sent them; the forced
 * `response_format` tool's input comes back as text; blocks the canonical model has no part for (citations,
 * images, ...) are kept in `providerMetadata.bedrock.otherContent`.
 */
export function parseBedrockResponse(body: string, translation: TranslationState): ChatResult {
  const state = readBedrockState(translation);
  let response: ConverseResponse;
  try {
    response = JSON.parse(body) as ConverseResponse;
  } catch {
    throw new GatewayError("provider.bad_response", "Amazon Bedrock returned a body that is not JSON.");
  }
  const blocks = response?.output?.message?.content;
  if (!Array.isArray(blocks)) throw new GatewayError("provider.bad_response", "Amazon Bedrock returned an answer without output.message.content.");
  const content: ContentPart[] = [];
  const other: unknown[] = [];
  let toolCalls = 0;
  for (const block of blocks) {
    const reasoning = block.reasoningContent;
    if (typeof block.text === "string") content.push({ type: "text", text: block.text });
    else if (block.toolUse && typeof block.toolUse.name === "string") {
      const input = JSON.stringify(block.toolUse.input ?? {});
      if (block.toolUse.name === state.jsonTool) content.push({ type: "text", text: input });
      else {
        toolCalls++;
        content.push({ type: "tool-call", id: block.toolUse.toolUseId ?? "", name: clientToolName(state, block.toolUse.name), arguments: input });
      }
    } else if (reasoning?.reasoningText && typeof reasoning.reasoningText.text === "string") {
      const { text, signature } = reasoning.reasoningText;
      content.push(typeof signature === "string" ? { type: "thinking", text, signature } : { type: "thinking", text });
    } else if (typeof reasoning?.redactedContent === "string") content.push({ type: "redacted-thinking", data: reasoning.redactedContent });
    else other.push(block);
  }
  let finishReason = mapBedrockStopReason(response.stopReason);
  // The format tool's call is the answer, not a call the client should run.
  if (finishReason === "tool-calls" && toolCalls === 0 && state.jsonTool !== undefined) finishReason = "stop";
  const metadata = bedrockMetadata({
    stopReason: response.stopReason,
    latencyMs: response.metrics?.latencyMs,
    trace: response.trace,
    additionalModelResponseFields: response.additionalModelResponseFields,
    performanceConfig: response.performanceConfig,
    serviceTier: response.serviceTier,
  });
  if (other.length > 0) metadata.otherContent = other;
  const result: ChatResult = { id: "", model: state.model, content, finishReason, providerMetadata: { bedrock: metadata } };
  const usage = fromBedrockUsage(response.usage);
  if (usage) result.usage = usage;
  return result;
}
