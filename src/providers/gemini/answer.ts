import type { FinishReason } from "../../canonical/chat.ts";
import type { Usage } from "../../canonical/usage.ts";
import type { GeminiCandidate, GeminiModalityCount, GeminiResponse, GeminiUsageMetadata } from "./wire.ts";

/** Pieces shared by the buffered and the streamed reader. */

const count = (value: unknown): number => (typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : 0);

/** Finish reasons for output a filter withheld: safety, blocklists, prohibited content, PII, recitation (copyright), image filters. */
const FILTERED = new Set(["SAFETY", "RECITATION", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION", "LANGUAGE"]);
/** Finish reasons for an answer the model got wrong: a function call Gemini could not parse or did not expect. */
const FAILED = new Set(["MALFORMED_FUNCTION_CALL", "UNEXPECTED_TOOL_CALL", "TOO_MANY_TOOL_CALLS", "MALFORMED_RESPONSE", "MISSING_THOUGHT_SIGNATURE"]);

/**
 * Gemini `finishReason` -> canonical finish reason. Gemini says STOP after function calls, so STOP with
 * calls is "tool-calls". MALFORMED_FUNCTION_CALL and its kin are "error": the model meant to call
 * a function and produced nothing usable (the raw reason and `finishMessage` are in providerMetadata).
 */
export function mapGeminiFinishReason(reason: string | undefined, hasToolCalls: boolean): FinishReason {
  if (reason === "STOP") return hasToolCalls ? "tool-calls" : "stop";
  if (reason === "MAX_TOKENS") return "length";
  if (reason !== undefined && FILTERED.has(reason)) return "content-filter";
  if (reason !== undefined && FAILED.has(reason)) return "error";
  // OTHER, FINISH_REASON_UNSPECIFIED, NO_IMAGE, IMAGE_OTHER and reasons newer than this table.
  return "other";
}

const modality = (details: GeminiModalityCount[] | undefined, name: string): number =>
  count((Array.isArray(details) ? details : []).find((detail) => detail?.modality === name)?.tokenCount);

/**
 * Gemini `usageMetadata` -> canonical usage. `promptTokenCount` already includes cached tokens (as the
 * canonical's `input` does) and tool-use prompt tokens (built-in tools' results) come on top; output is
 * the answer plus the thoughts, which Gemini counts apart but bills as output (the canonical model's
 * `output` includes reasoning, as OpenAI's and Anthropic's do).
 */
export function fromGeminiUsage(wire: GeminiUsageMetadata | undefined): Usage | undefined {
  if (!wire || typeof wire !== "object") return undefined;
  const thoughts = count(wire.thoughtsTokenCount);
  const usage: Usage = { input: count(wire.promptTokenCount) + count(wire.toolUsePromptTokenCount), output: count(wire.candidatesTokenCount) + thoughts };
  const cacheRead = count(wire.cachedContentTokenCount);
  if (cacheRead) usage.cacheRead = cacheRead;
  if (thoughts) usage.reasoning = thoughts;
  const audioInput = modality(wire.promptTokensDetails, "AUDIO");
  if (audioInput) usage.audioInput = audioInput;
  const audioOutput = modality(wire.candidatesTokensDetails, "AUDIO");
  if (audioOutput) usage.audioOutput = audioOutput;
  return usage;
}

/** Candidate fields the canonical model has no place for, kept under `providerMetadata.gemini` when present. */
const CANDIDATE_FIELDS = ["finishMessage", "safetyRatings", "citationMetadata", "groundingMetadata", "urlContextMetadata", "avgLogprobs"] as const;

/** `providerMetadata.gemini`: the raw finish reason, and Gemini-only facts of the answer. */
export function geminiMetadata(response: GeminiResponse, candidate: GeminiCandidate | undefined, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = { finishReason: candidate?.finishReason ?? null };
  for (const field of CANDIDATE_FIELDS) if (candidate?.[field] !== undefined) out[field] = candidate[field];
  if (response.promptFeedback !== undefined) out.promptFeedback = response.promptFeedback;
  if (response.modelVersion !== undefined) out.modelVersion = response.modelVersion;
  if (response.responseId !== undefined) out.responseId = response.responseId;
  return { ...out, ...extra };
}

/**
 * The id for a function call: Gemini's own when it sent one, else `call_<responseId>_<n>` (Gemini
 * 2.x sends none). Built from the response id so ids stay unique across the turns of a conversation
 * (clients and other providers key tool results by id); characters outside [A-Za-z0-9_-] become `_`.
 */
export function toolCallId(given: unknown, responseId: string | undefined, n: number): string {
  if (typeof given === "string" && given !== "") return given;
  return responseId ? `call_${responseId.replace(/[^A-Za-z0-9_-]/g, "_")}_${n}` : `call_${n}`;
}
