import type { StreamEncoder } from "../dialects/types.ts";
import type { StreamReader } from "../providers/types.ts";
import type { StreamPart } from "../canonical/chat.ts";
import { GatewayError } from "../canonical/errors.ts";
import { depthExceededAt, MAX_JSON_DEPTH } from "../json/depth.ts";
import { fromAnthropicUsage } from "../canonical/usage.ts";
import type { EventStage } from "../streams/relay.ts";
import type { SseEvent } from "../streams/sse-parser.ts";
import { OutcomeTracker, type StreamOutcome } from "./outcome.ts";

/**
 * Cross-format stream stage: upstream events -> provider reader -> canonical parts -> client encoder.
 * A reader that throws (an in-band upstream error) ends the stream through `fail`. A stream that
 * ends before the provider's usage is billed from estimates (see OutcomeTracker); `promptChars`
 * is the client's request body length, for the input estimate; `fallbackId` names the answer when
 * the provider gives it no id (Bedrock's Converse). Events nested deeper than MAX_JSON_DEPTH end
 * the stream before the reader parses them (their objects would be serialised again).
 */
export function translatedStage(
  reader: StreamReader,
  encoder: StreamEncoder,
  explain: (error: unknown) => GatewayError,
  onEnd: (outcome: StreamOutcome) => void,
  promptChars?: number,
  fallbackId = "",
  providerLabel = "The provider",
): EventStage {
  const outcome = new OutcomeTracker(onEnd, promptChars);
  // The id the client saw is the one the encoder sent (it may have prefixed or made it).
  const finish = (cancelled: boolean, failure?: GatewayError) => {
    outcome.responseId = encoder.answerId();
    outcome.end(cancelled, failure);
  };
  const emit = (parts: StreamPart[]): string => {
    let out = "";
    for (const part of parts) {
      switch (part.type) {
        case "text-delta":
        case "reasoning-delta":
          outcome.outputChars += part.text.length;
          break;
        case "tool-call-start":
          outcome.outputChars += part.name.length;
          break;
        case "tool-call-delta":
          outcome.outputChars += part.argumentsDelta.length;
          break;
        case "usage":
          outcome.usage = part.usage;
          break;
        case "finish":
          outcome.finishReason = part.finishReason;
          break;
      }
      out += encoder.part(part.type === "start" && part.id === "" ? { ...part, id: fallbackId } : part);
    }
    return out;
  };
  return {
    event(event) {
      if (depthExceededAt(event.data) !== -1) throw answerTooDeep(providerLabel);
      if (event.event === "message_start") outcome.startUsage = anthropicStartUsage(event);
      return emit(reader.event(event));
    },
    end() {
      const out = emit(reader.end()) + encoder.end();
      finish(false);
      return out;
    },
    fail(cause) {
      const error = explain(cause);
      finish(false, error);
      return encoder.fail(error);
    },
    cancel() {
      finish(true);
    },
  };
}

/** A translated answer nested deeper than any real answer: refused before it is read (and serialised again, recursively). */
export function answerTooDeep(label: string): GatewayError {
  return new GatewayError("provider.bad_response", `${label} sent an answer that nests JSON more than ${MAX_JSON_DEPTH} levels deep; the gateway does not read it. Retry, or use another model.`);
}

/**
 * Input and cache counts from an Anthropic message_start. The reader holds them until
 * message_delta; a stream cut before that is still billed for its prompt. Once per stream.
 */
function anthropicStartUsage(event: SseEvent) {
  try {
    return fromAnthropicUsage((JSON.parse(event.data) as { message?: { usage?: unknown } }).message?.usage);
  } catch {
    return undefined; // The reader reports a malformed event.
  }
}
