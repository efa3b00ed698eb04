import type { StreamEncoder } from "../dialects/types.ts";
import type { StreamReader } from "../providers/types.ts";
import type { StreamPart } from "../spec/chat.ts";
import type { GatewayError } from "../spec/errors.ts";
import type { EventStage } from "../streams/relay.ts";
import { OutcomeTracker, type StreamOutcome } from "./outcome.ts";

/**
 * Cross-format stream stage: upstream events -> provider reader -> spec parts -> client encoder.
 * A reader that throws (an in-band upstream error) ends the stream through `fail`.
 */
export function translatedStage(reader: StreamReader, encoder: StreamEncoder, explain: (error: unknown) => GatewayError, onEnd: (outcome: StreamOutcome) => void): EventStage {
  const outcome = new OutcomeTracker(onEnd);
  const emit = (parts: StreamPart[]): string => {
    let out = "";
    for (const part of parts) {
      if (part.type === "usage") outcome.usage = part.usage;
      else if (part.type === "finish") outcome.finishReason = part.finishReason;
      out += encoder.part(part);
    }
    return out;
  };
  return {
    event: (event) => emit(reader.event(event)),
    end() {
      const out = emit(reader.end()) + encoder.end();
      outcome.end(false);
      return out;
    },
    fail(cause) {
      const error = explain(cause);
      outcome.end(false, error);
      return encoder.fail(error);
    },
    cancel() {
      outcome.end(true);
    },
  };
}
