/**
 * What the Gemini mocks answer, in Google's recorded shapes (test/fixtures/gemini/, Vertex AI's
 * documented responses): a GenerateContentResponse, buffered (pretty-printed JSON) or streamed as
 * `alt=sse` events of partial responses, and Google's error envelope. Shared by gemini.ts and
 * vertex-gemini.ts; `flavor` picks the service's own details.
 */
import {
  ANSWER_TEXT,
  CACHE,
  ERROR_MESSAGES,
  JSON_ANSWER,
  LENGTH_TEXT,
  ODD_ARGUMENTS,
  PARALLEL_CALLS,
  REASONING_TEXT,
  TOOL_CALL,
  TOOL_RESULT_ANSWER,
  USAGE,
  type Feature,
} from "../contract.ts";
import type { GeminiFlavor } from "./gemini-check.ts";

type Json = Record<string, unknown>;

/** One piece of an answer: text or a thought (split into the pieces a stream sends), or a function call. */
type ScriptPart = { kind: "text" | "thought"; pieces: string[]; signature?: string } | { kind: "call"; name: string; args: Json; signature?: string };

/** A feature's whole answer. */
export interface GeminiScript {
  parts: ScriptPart[];
  finishReason: "STOP" | "MAX_TOKENS";
}

/** Thought signatures as Gemini sends them (opaque base64). */
const THOUGHT_SIGNATURE = "CpwCAdHtim9vN2Qk3bXcP8sLmN2bJ4tYwZ6hG0aF5dU7iO9pK1jR3yT8eW2qA4sD6fH0gJ2kL4zX6cV8bN0mQ1wE3rT5yU7iO9pA2sD4fG6hJ8kL0zX2cV4bN6mQ8w==";
const CALL_SIGNATURE = "CtoBAdHtim9KvX6l2Nq8X0mJ1dTzNbQ4LqN3eWJg7u9RkE0p2Hb1qYlZfC3sVtA8xMdO5iPnGwUaKyRjS6hBoE4c7uLzT1vQmXa9F2pWbNkD0eHgYIr3sJtCfAOl8KnMPxV5UiZwGdqR7yBhS4aT==";
/** How many of USAGE.output the `reasoning` answer spends thinking (`thoughtsTokenCount`; `candidatesTokenCount` has the rest). */
const THOUGHT_TOKENS = 6;
/** Tokens of the `image` prompt that are the picture. */
const IMAGE_TOKENS = 8;

/** Splits text into `n` roughly equal pieces at word boundaries. */
function split(text: string, n: number): string[] {
  const words = text.split(/(?<= )/);
  const size = Math.ceil(words.length / n);
  const out: string[] = [];
  for (let i = 0; i < words.length; i += size) out.push(words.slice(i, i + size).join(""));
  return out;
}

/** The answer of a feature that answers (not the error features, not `abort`); `toolNames` are the functions the request declared. */
export function geminiScript(feature: Feature, toolNames: readonly string[] = []): GeminiScript {
  const text = (value: string): ScriptPart => ({ kind: "text", pieces: split(value, 3) });
  switch (feature) {
    case "tool-names":
      return { parts: toolNames.map((name, i) => ({ kind: "call" as const, name, args: { ...ODD_ARGUMENTS }, ...(i === 0 ? { signature: CALL_SIGNATURE } : {}) })), finishReason: "STOP" };
    case "tool-call":
      return { parts: [{ kind: "call", name: TOOL_CALL.name, args: { ...TOOL_CALL.arguments }, signature: CALL_SIGNATURE }], finishReason: "STOP" };
    case "parallel-tools":
      // Gemini signs only the first of parallel calls.
      return { parts: PARALLEL_CALLS.map((call, i) => ({ kind: "call" as const, name: call.name, args: { ...call.arguments }, ...(i === 0 ? { signature: CALL_SIGNATURE } : {}) })), finishReason: "STOP" };
    case "tool-result":
      return { parts: [text(TOOL_RESULT_ANSWER)], finishReason: "STOP" };
    case "json-schema":
      return { parts: [{ kind: "text", pieces: [JSON.stringify(JSON_ANSWER).slice(0, 14), JSON.stringify(JSON_ANSWER).slice(14)] }], finishReason: "STOP" };
    case "reasoning":
      return { parts: [{ kind: "thought", pieces: split(REASONING_TEXT, 2), signature: THOUGHT_SIGNATURE }, text(ANSWER_TEXT)], finishReason: "STOP" };
    case "finish-length":
      return { parts: [text(LENGTH_TEXT)], finishReason: "MAX_TOKENS" };
    default:
      return { parts: [text(ANSWER_TEXT)], finishReason: "STOP" };
  }
}

/** `usageMetadata` of a finished answer: USAGE (and CACHE.read for usage-cache) in Gemini's terms; the prompt count includes the cached tokens. */
function finalUsage(feature: Feature, flavor: GeminiFlavor): Json {
  const thoughts = feature === "reasoning" ? THOUGHT_TOKENS : 0;
  const cached = feature === "usage-cache" ? CACHE.read : 0;
  const candidates = USAGE.output - thoughts;
  const prompt =
    feature === "image"
      ? [{ modality: "TEXT", tokenCount: USAGE.input - IMAGE_TOKENS }, { modality: "IMAGE", tokenCount: IMAGE_TOKENS }]
      : [{ modality: "TEXT", tokenCount: USAGE.input }];
  return {
    promptTokenCount: USAGE.input,
    candidatesTokenCount: candidates,
    totalTokenCount: USAGE.input + USAGE.output,
    ...(cached ? { cachedContentTokenCount: cached } : {}),
    ...(flavor === "vertex" ? { trafficType: "ON_DEMAND" } : {}),
    promptTokensDetails: prompt,
    ...(cached ? { cacheTokensDetails: [{ modality: "TEXT", tokenCount: cached }] } : {}),
    ...(flavor === "vertex" ? { candidatesTokensDetails: [{ modality: "TEXT", tokenCount: candidates }] } : {}),
    ...(thoughts ? { thoughtsTokenCount: thoughts } : {}),
  };
}

/** `usageMetadata` of a chunk before the last: the Gemini API repeats the prompt count, Vertex AI only the traffic type. */
function partialUsage(feature: Feature, flavor: GeminiFlavor): Json {
  if (flavor === "vertex") return { trafficType: "ON_DEMAND" };
  const cached = feature === "usage-cache" ? CACHE.read : 0;
  return { promptTokenCount: USAGE.input, totalTokenCount: USAGE.input, ...(cached ? { cachedContentTokenCount: cached } : {}), promptTokensDetails: [{ modality: "TEXT", tokenCount: USAGE.input }] };
}

function wirePart(part: ScriptPart, text?: string): Json {
  if (part.kind === "call") return { functionCall: { name: part.name, args: part.args }, ...(part.signature ? { thoughtSignature: part.signature } : {}) };
  return { text: text ?? part.pieces.join(""), ...(part.kind === "thought" ? { thought: true } : {}), ...(part.signature ? { thoughtSignature: part.signature } : {}) };
}

/** Who answers: the upstream model, a response id, and (Vertex AI) the creation time. */
export interface AnswerIdentity {
  model: string;
  responseId: string;
  createTime: string;
}

function response(candidate: Json, usage: Json, who: AnswerIdentity, flavor: GeminiFlavor): Json {
  return { candidates: [candidate], usageMetadata: usage, modelVersion: who.model, ...(flavor === "vertex" ? { createTime: who.createTime } : {}), responseId: who.responseId };
}

/** The buffered generateContent answer, pretty-printed as Google sends it. */
export function geminiJson(feature: Feature, flavor: GeminiFlavor, who: AnswerIdentity, toolNames: readonly string[] = []): string {
  const script = geminiScript(feature, toolNames);
  const candidate = { content: { parts: script.parts.map((part) => wirePart(part)), role: "model" }, finishReason: script.finishReason, index: 0 };
  return JSON.stringify(response(candidate, finalUsage(feature, flavor), who, flavor), null, 2);
}

/** One SSE event; Google ends each with CRLF CRLF. Vertex AI writes its JSON with a space after each colon. */
export function sseEvent(payload: Json, flavor: GeminiFlavor): string {
  const json = flavor === "vertex" ? JSON.stringify(payload, null, 1).replace(/\n */g, "") : JSON.stringify(payload);
  return `data: ${json}\r\n\r\n`;
}

/**
 * The events of a streamed answer: one partial response per text piece or function call, usage so
 * far on each, the finish reason and full usage on the last. After function calls Gemini closes
 * with an empty text part carrying the finish reason (as recorded).
 */
export function geminiEvents(feature: Feature, flavor: GeminiFlavor, who: AnswerIdentity, toolNames: readonly string[] = []): string[] {
  const script = geminiScript(feature, toolNames);
  const parts: Json[] = [];
  for (const part of script.parts) {
    if (part.kind === "call") parts.push(wirePart(part));
    // A signature rides on the last piece of the part it belongs to.
    else part.pieces.forEach((piece, i) => parts.push(wirePart({ ...part, signature: i === part.pieces.length - 1 ? part.signature : undefined }, piece)));
  }
  if (script.parts.at(-1)?.kind === "call") parts.push({ text: "" });
  return parts.map((part, i) => {
    const last = i === parts.length - 1;
    const candidate = { content: { parts: [part], role: "model" }, ...(last ? { finishReason: script.finishReason } : {}), index: 0 };
    return sseEvent(response(candidate, last ? finalUsage(feature, flavor) : partialUsage(feature, flavor), who, flavor), flavor);
  });
}

/** The first event of the `abort` answer (the mock then goes quiet). */
export function geminiAbortEvent(flavor: GeminiFlavor, who: AnswerIdentity): string {
  return sseEvent(response({ content: { parts: [{ text: ANSWER_TEXT.split(" ")[0] }], role: "model" }, index: 0 }, partialUsage("abort", flavor), who, flavor), flavor);
}

/** Google's error envelope, pretty-printed. */
export function googleError(status: number, name: string, message: string, details?: Json[], headers: Record<string, string> = {}): Response {
  const body = { error: { code: status, message, status: name, ...(details ? { details } : {}) } };
  return new Response(JSON.stringify(body, null, 2), { status, headers: { "content-type": "application/json; charset=UTF-8", ...headers } });
}

/** A request Google rejects as malformed (400 INVALID_ARGUMENT). */
export const invalidArgument = (message: string): Response => googleError(400, "INVALID_ARGUMENT", message);

/** The error features' answers (the 401 is the caller's: see each mock's credential check). */
export function geminiFeatureError(feature: "error-400" | "error-429" | "error-500", flavor: GeminiFlavor): Response {
  if (feature === "error-400") return invalidArgument(ERROR_MESSAGES[feature]);
  if (feature === "error-500") return googleError(500, "INTERNAL", ERROR_MESSAGES[feature]);
  // The Gemini API says which quota ran out and when to retry; Vertex AI only that a resource is exhausted.
  const details =
    flavor === "gemini"
      ? [
          {
            "@type": "type.googleapis.com/google.rpc.QuotaFailure",
            violations: [{ quotaMetric: "generativelanguage.googleapis.com/generate_content_paid_tier_input_token_count", quotaId: "GenerateContentPaidTierInputTokensPerModelPerMinute" }],
          },
          { "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "1s" },
        ]
      : undefined;
  return googleError(429, "RESOURCE_EXHAUSTED", ERROR_MESSAGES[feature], details, { "retry-after": "1" });
}
