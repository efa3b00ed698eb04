import { answerIdOf, type PassthroughStageOptions } from "../../calls/dialect.ts";
import { OutcomeTracker } from "../../calls/outcome.ts";
import { stringFieldChars, stringFieldPattern } from "../../canonical/estimate.ts";
import { fromAnthropicUsage, type Usage } from "../../canonical/usage.ts";
import { reverseToolNamesInEvent } from "../../providers/anthropic/passthrough.ts";
import type { EventStage } from "../../streams/relay.ts";
import { encodeSse, type SseEvent } from "../../streams/sse-parser.ts";
import { toAnthropicErrorBody } from "./errors.ts";

interface AnthropicEvent {
  type?: string;
  message?: { id?: unknown; usage?: unknown };
  usage?: unknown;
  delta?: { stop_reason?: unknown };
}

// Generated text in a content block's start or delta (text, thinking, tool names, argument fragments),
// measured on the raw event: the output estimate when a stream ends before message_delta.
const BLOCK_TEXT = stringFieldPattern(["text", "thinking", "partial_json", "name"]);

/**
 * Same-format stage for Anthropic streams: every event is forwarded as received; only the events
 * that carry usage, the stop reason or an error are read, and a tool-use start is rewritten only
 * when the gateway renamed that tool. An `error` event is never relayed as sent (it can echo the key):
 * it ends the stream with the gateway's error event, whose message went through the call's
 * redaction (`explain`). A stream cut before message_delta is billed for message_start's input and
 * cache counts and the content it relayed (see OutcomeTracker).
 */
export function anthropicPassthroughStage({ explain, streamError, onEnd, reverseNames, promptChars }: PassthroughStageOptions): EventStage {
  const outcome = new OutcomeTracker(onEnd, promptChars);
  let start: Usage | undefined;
  return {
    event(event: SseEvent) {
      const name = event.event;
      if (name === "content_block_delta" || name === "content_block_start") {
        if (!outcome.usage) outcome.outputChars += stringFieldChars(event.data, BLOCK_TEXT);
        if (name === "content_block_start" && reverseNames) return encodeSse({ event: name, data: reverseToolNamesInEvent(event.data, reverseNames) });
      } else if (name === "error") {
        const error = streamError(event);
        if (error) throw error;
      } else if (name === "message_start" || name === "message_delta") {
        const data = JSON.parse(event.data) as AnthropicEvent;
        if (name === "message_start") {
          outcome.startUsage = start = fromAnthropicUsage(data.message?.usage);
          outcome.responseId = answerIdOf(data.message ?? {});
        } else {
          // message_delta's usage is cumulative output; input counts come from message_start unless repeated.
          const delta = fromAnthropicUsage({ ...(data.usage as object) });
          if (delta) outcome.usage = { ...start, ...delta, input: delta.input || start?.input || 0, output: Math.max(delta.output, outcome.usage?.output ?? 0) };
          if (typeof data.delta?.stop_reason === "string") outcome.finishReason = data.delta.stop_reason;
        }
      }
      return encodeSse(event);
    },
    end() {
      outcome.end(false);
      return undefined;
    },
    fail(cause) {
      const failure = explain(cause);
      outcome.end(false, failure);
      return encodeSse({ event: "error", data: JSON.stringify(toAnthropicErrorBody(failure)) });
    },
    cancel() {
      outcome.end(true);
    },
  };
}
