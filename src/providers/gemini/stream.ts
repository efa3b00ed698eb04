import type { FinishReason, StreamPart } from "../../canonical/chat.ts";
import type { StreamReader, TranslationState } from "../types.ts";
import { fromGeminiUsage, geminiMetadata, mapGeminiFinishReason, toolCallId } from "./answer.ts";
import { readGeminiResponse } from "./response.ts";
import { clientFunctionName, readGeminiState } from "./state.ts";
import type { GeminiCandidate, GeminiPart, GeminiResponse, GeminiUsageMetadata } from "./wire.ts";

/**
 * Reads `streamGenerateContent?alt=sse`: every `data:` is a whole GenerateContentResponse with the
 * next slice of candidate 0 and the usage so far. Text and thought parts stream as deltas; a
 * function call arrives complete in one part, so it is announced and its arguments sent as one
 * fragment; a thought signature is sent (as `reasoning-signature`) before the part it rides on. The
 * chunk with `finishReason` (or a blocked prompt's `promptFeedback`) ends the answer with the last
 * usage; a `{"error":...}` event throws a GatewayError.
 */
export function geminiStreamReader(translation: TranslationState, label = "Gemini"): StreamReader {
  const state = readGeminiState(translation);
  let started = false;
  let finished = false;
  let calls = 0;
  let responseId: string | undefined;
  let usage: GeminiUsageMetadata | undefined;

  const fromPart = (part: GeminiPart): StreamPart[] => {
    const out: StreamPart[] = [];
    const signature = typeof part.thoughtSignature === "string" && part.thoughtSignature !== "" ? part.thoughtSignature : undefined;
    if (part.thought === true) {
      if (typeof part.text === "string" && part.text !== "") out.push({ type: "reasoning-delta", text: part.text });
      if (signature) out.push({ type: "reasoning-signature", signature });
      return out;
    }
    if (signature) out.push({ type: "reasoning-signature", signature });
    if (typeof part.text === "string") {
      if (part.text !== "") out.push({ type: "text-delta", text: part.text });
    } else if (part.functionCall && typeof part.functionCall.name === "string") {
      const index = calls++;
      out.push({ type: "tool-call-start", index, id: toolCallId(part.functionCall.id, responseId, index), name: clientFunctionName(state, part.functionCall.name) });
      out.push({ type: "tool-call-delta", index, argumentsDelta: JSON.stringify(part.functionCall.args ?? {}) });
    }
    // Inline data the model drew and code-execution parts have no canonical stream part.
    return out;
  };

  const finish = (finishReason: FinishReason, chunk: GeminiResponse, candidate: GeminiCandidate | undefined): StreamPart[] => {
    finished = true;
    const total = fromGeminiUsage(usage);
    return [
      ...(total ? [{ type: "usage", usage: total } as const] : []),
      { type: "finish", finishReason, providerMetadata: { gemini: geminiMetadata(chunk, candidate) } },
    ];
  };

  return {
    event(event) {
      if (event.data.trim() === "") return [];
      const chunk = readGeminiResponse(event.data, label, true);
      const out: StreamPart[] = [];
      if (!started) {
        started = true;
        responseId = chunk.responseId;
        out.push({ type: "start", id: chunk.responseId ?? "", model: chunk.modelVersion ?? state.model });
      }
      if (chunk.usageMetadata) usage = chunk.usageMetadata;
      if (finished) return out;
      const candidate = Array.isArray(chunk.candidates) ? chunk.candidates[0] : undefined;
      if (!candidate) {
        // A blocked prompt: no candidates at all, the reason in promptFeedback.
        return chunk.promptFeedback?.blockReason !== undefined ? [...out, ...finish("content-filter", chunk, undefined)] : out;
      }
      const parts = candidate.content?.parts;
      for (const part of Array.isArray(parts) ? parts : []) if (part && typeof part === "object") out.push(...fromPart(part));
      if (typeof candidate.finishReason === "string") out.push(...finish(mapGeminiFinishReason(candidate.finishReason, calls > 0), chunk, candidate));
      return out;
    },
    end() {
      if (finished) return [];
      // The upstream ended without a finishReason: the answer was cut short, and says so.
      const total = fromGeminiUsage(usage);
      return [...(total ? [{ type: "usage", usage: total } as const] : []), { type: "finish", finishReason: "error", providerMetadata: { gemini: { finishReason: null, incomplete: true } } }];
    },
  };
}
