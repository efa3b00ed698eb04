import type { ContentPart, ToolCallPart } from "../../canonical/chat.ts";
import { GatewayError } from "../../canonical/errors.ts";
import { toolArgumentsObject } from "../tool-arguments.ts";
import type { GeminiPart } from "./wire.ts";

/**
 * Google's documented stand-in signature for function calls the model did not produce itself (a
 * client that dropped the signature, another vendor's turns, a hand-built history). Gemini 3
 * answers 400 to a replayed function call without any signature; with this one it skips the check.
 */
export const SKIP_THOUGHT_SIGNATURE = "skip_thought_signature_validator";

const invalid = (index: number, message: string) => new GatewayError("caller.invalid_request", `messages[${index}]: ${message}`, { param: `messages[${index}]` });

/** Tool-call arguments (JSON text) as the object Gemini's `args` takes; empty text means none. */
function toArgs(part: ToolCallPart, index: number): Record<string, unknown> {
  return toolArgumentsObject(part, (message) => invalid(index, message));
}

/** Gives `signature` to the last part that has none, if any. */
function attachToLast(parts: GeminiPart[], signature: string): void {
  for (let i = parts.length - 1; i >= 0; i--) {
    const part = parts[i] as GeminiPart;
    if (part.thoughtSignature === undefined) {
      part.thoughtSignature = signature;
      return;
    }
  }
}

/**
 * An assistant message as the parts of one `model` turn. Gemini returns thought signatures on the
 * part they belong to; the canonical model carries each as a signed thinking part placed before that part (see
 * response.ts), and clients may move it (OpenAI-format clients send all thinking blocks first). So
 * a signature goes to the next function call when one follows, else to the next text, else to the
 * part before it. Thought text itself is not sent back (Gemini does not need it); thinking without a
 * signature (another provider's) and Anthropic's redacted thinking are dropped. On Gemini 3, a
 * function call with no signature gets the documented stand-in, unless an earlier call of the same
 * turn was signed (Gemini signs only the first of parallel calls).
 */
export function toGeminiModelParts(content: readonly ContentPart[], index: number, functionName: (name: string) => string, gemini3: boolean): GeminiPart[] {
  const parts: GeminiPart[] = [];
  let pending: string | undefined;
  content.forEach((part, i) => {
    if (part.type === "thinking") {
      if (!part.signature) return;
      if (pending !== undefined) attachToLast(parts, pending);
      pending = part.signature;
    } else if (part.type === "text") {
      if (part.text === "") return;
      const out: GeminiPart = { text: part.text };
      if (pending !== undefined && !content.slice(i + 1).some((next) => next.type === "tool-call")) {
        out.thoughtSignature = pending;
        pending = undefined;
      }
      parts.push(out);
    } else if (part.type === "tool-call") {
      const out: GeminiPart = { functionCall: { name: functionName(part.name), args: toArgs(part, index) } };
      if (pending !== undefined) {
        out.thoughtSignature = pending;
        pending = undefined;
      }
      parts.push(out);
    } else if (part.type !== "redacted-thinking") {
      throw invalid(index, `an assistant message cannot hold a ${part.type} part on Gemini.`);
    }
  });
  if (pending !== undefined) attachToLast(parts, pending);
  if (gemini3) {
    let signed = false;
    for (const part of parts) {
      if (!part.functionCall) continue;
      if (part.thoughtSignature !== undefined) signed = true;
      else if (!signed) part.thoughtSignature = SKIP_THOUGHT_SIGNATURE;
    }
  }
  return parts;
}
