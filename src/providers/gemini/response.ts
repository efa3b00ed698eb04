import { isRecord } from "../../json/is-record.ts";
import type { ChatResult, ContentPart } from "../../canonical/chat.ts";
import { GatewayError } from "../../canonical/errors.ts";
import type { TranslationState } from "../types.ts";
import { fromGeminiUsage, geminiMetadata, mapGeminiFinishReason, toolCallId } from "./answer.ts";
import { mapGeminiStreamError } from "./errors.ts";
import { clientFunctionName, readGeminiState, type GeminiState } from "./state.ts";
import type { GeminiPart, GeminiResponse } from "./wire.ts";

/** The 502 for an answer that is not what Gemini should send. */
export function badGeminiResponse(label: string, what: string): GatewayError {
  return new GatewayError("provider.bad_response", `${label} sent an answer the gateway cannot read: ${what}.`, { provider: label });
}

/** Parses a body or stream chunk as a GenerateContentResponse; an `{"error":...}` body is thrown as the error it is. */
export function readGeminiResponse(text: string, label: string, inStream = false): GeminiResponse {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badGeminiResponse(label, "the body is not JSON");
  }
  if (!isRecord(parsed)) throw badGeminiResponse(label, "the body is not a JSON object");
  if (parsed.error !== undefined && parsed.error !== null) throw mapGeminiStreamError(label, text, inStream ? "sent an error mid-stream" : "answered 200 with an error");
  return parsed as GeminiResponse;
}

/**
 * Gemini parts -> canonical parts, in order. A thought part is thinking; a thought signature on any other
 * part becomes a signed, empty thinking part just before it (so the client can send it back, see
 * assistant-parts.ts); function calls get ids (toolCallId). Parts the canonical model has no form for (inline
 * images the model drew, code execution) are returned apart.
 */
export function fromGeminiParts(parts: readonly GeminiPart[], state: GeminiState, responseId: string | undefined): { content: ContentPart[]; calls: number; other: GeminiPart[] } {
  const content: ContentPart[] = [];
  const other: GeminiPart[] = [];
  let calls = 0;
  for (const part of parts) {
    if (!isRecord(part)) continue;
    const signature = typeof part.thoughtSignature === "string" && part.thoughtSignature !== "" ? part.thoughtSignature : undefined;
    if (part.thought === true) {
      const text = typeof part.text === "string" ? part.text : "";
      if (text !== "" || signature) content.push(signature ? { type: "thinking", text, signature } : { type: "thinking", text });
      continue;
    }
    if (signature) content.push({ type: "thinking", text: "", signature });
    if (typeof part.text === "string") {
      if (part.text !== "") content.push({ type: "text", text: part.text });
    } else if (isRecord(part.functionCall) && typeof part.functionCall.name === "string") {
      const { id, name, args } = part.functionCall;
      content.push({ type: "tool-call", id: toolCallId(id, responseId, calls++), name: clientFunctionName(state, name), arguments: JSON.stringify(args ?? {}) });
    } else other.push(part);
  }
  return { content, calls, other };
}

/**
 * Reads a complete generateContent answer (candidate 0: the gateway never asks for more). A prompt
 * Gemini blocked comes with no candidates and `promptFeedback.blockReason`: an empty answer that
 * finishes with "content-filter", not an error. Gemini-only facts go in `providerMetadata.gemini`.
 */
export function parseGeminiResponse(body: string, translation: TranslationState, label = "Gemini"): ChatResult {
  const state = readGeminiState(translation);
  const response = readGeminiResponse(body, label);
  const candidate = Array.isArray(response.candidates) ? response.candidates[0] : undefined;
  const parts = Array.isArray(candidate?.content?.parts) ? candidate.content.parts : [];
  const { content, calls, other } = fromGeminiParts(parts, state, response.responseId);
  const blocked = !candidate && response.promptFeedback?.blockReason !== undefined;
  const finishReason = blocked ? "content-filter" : mapGeminiFinishReason(candidate?.finishReason, calls > 0);
  const result: ChatResult = {
    id: response.responseId ?? "",
    model: response.modelVersion ?? state.model,
    content,
    finishReason,
    providerMetadata: { gemini: geminiMetadata(response, candidate, other.length > 0 ? { otherParts: other } : {}) },
  };
  const usage = fromGeminiUsage(response.usageMetadata);
  if (usage) result.usage = usage;
  return result;
}
