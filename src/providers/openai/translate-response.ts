import { isRecord } from "../../json/is-record.ts";
import type { ChatResult, ContentPart, FinishReason } from "../../canonical/chat.ts";
import { GatewayError } from "../../canonical/errors.ts";
import { fromOpenAIUsage } from "../../canonical/usage.ts";
import { mapOpenAIInBandError } from "./in-band-error.ts";

/** OpenAI's `finish_reason` in canonical terms; anything unknown (or null) is "other". */
export function fromOpenAIFinishReason(reason: unknown): FinishReason {
  switch (reason) {
    case "stop":
      return "stop";
    case "length":
      return "length";
    case "tool_calls":
    case "function_call":
      return "tool-calls";
    case "content_filter":
      return "content-filter";
    default:
      return "other";
  }
}

/** Reasoning text under either name servers use: `reasoning_content` (DeepSeek, vLLM) or `reasoning` (OpenRouter, newer vLLM). */
export function reasoningOf(source: Record<string, unknown>): string | undefined {
  const text = typeof source.reasoning_content === "string" && source.reasoning_content !== "" ? source.reasoning_content : source.reasoning;
  return typeof text === "string" && text !== "" ? text : undefined;
}

/** Tool-call arguments as JSON text; a few servers send an object instead of a string. */
export function argumentsOf(value: unknown): string {
  if (typeof value === "string") return value;
  return value === undefined || value === null ? "" : JSON.stringify(value);
}

/** The 502 for an answer that is not what an OpenAI-wire upstream should send. */
export function badOpenAIResponse(label: string, what: string): GatewayError {
  return new GatewayError("provider.bad_response", `${label} sent an answer the gateway cannot read: ${what}.`, { provider: label });
}

/** Message text: a string, or (some servers) an array of text parts. */
function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((part) => (isRecord(part) && typeof part.text === "string" ? part.text : "")).join("");
}

/**
 * Parses an OpenAI `chat.completion` body into a canonical result (choice 0; the gateway never asks
 * for more). `reverseNames` turns tool names the gateway rewrote back into the client's.
 */
export function fromOpenAIChatCompletion(label: string, body: string, reverseNames?: ReadonlyMap<string, string>): ChatResult {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw badOpenAIResponse(label, "the body is not JSON");
  }
  if (!isRecord(parsed)) throw badOpenAIResponse(label, "the body is not a JSON object");
  // Some servers answer 200 with an error body.
  if (parsed.error !== undefined && parsed.error !== null) throw mapOpenAIInBandError(label, parsed);
  const choice = Array.isArray(parsed.choices) ? parsed.choices[0] : undefined;
  if (!isRecord(choice) || !isRecord(choice.message)) throw badOpenAIResponse(label, "it is not a chat completion (no choices[0].message)");
  const message = choice.message;
  const content: ContentPart[] = [];
  const reasoning = reasoningOf(message);
  if (reasoning !== undefined) content.push({ type: "thinking", text: reasoning });
  const text = textOf(message.content);
  if (text !== "") content.push({ type: "text", text });
  if (typeof message.refusal === "string" && message.refusal !== "") content.push({ type: "text", text: message.refusal });
  let calls = 0;
  for (const call of Array.isArray(message.tool_calls) ? message.tool_calls : []) {
    if (!isRecord(call) || !isRecord(call.function) || typeof call.function.name !== "string") continue;
    const id = typeof call.id === "string" && call.id !== "" ? call.id : `call_${calls}`;
    content.push({ type: "tool-call", id, name: reverseNames?.get(call.function.name) ?? call.function.name, arguments: argumentsOf(call.function.arguments) });
    calls++;
  }
  let finishReason = fromOpenAIFinishReason(choice.finish_reason);
  // Some compatible servers say "stop" after tool calls; the client must still run them.
  if (finishReason === "stop" && calls > 0) finishReason = "tool-calls";
  const usage = fromOpenAIUsage(parsed.usage);
  return {
    id: typeof parsed.id === "string" ? parsed.id : "",
    model: typeof parsed.model === "string" ? parsed.model : "",
    content,
    finishReason,
    ...(usage ? { usage } : {}),
  };
}
