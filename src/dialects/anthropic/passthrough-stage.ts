import type { PassthroughStageOptions } from "../../calls/dialect.ts";
import { OutcomeTracker } from "../../calls/outcome.ts";
import { fromAnthropicUsage, type Usage } from "../../spec/usage.ts";
import { mapAnthropicStreamError } from "../../providers/anthropic/errors.ts";
import { reverseToolNamesInEvent } from "../../providers/anthropic/passthrough.ts";
import type { EventStage } from "../../streams/relay.ts";
import { encodeSse, type SseEvent } from "../../streams/sse-parser.ts";
import { toAnthropicErrorBody } from "./errors.ts";

interface AnthropicEvent {
  type?: string;
  message?: { usage?: unknown };
  usage?: unknown;
  delta?: { stop_reason?: unknown };
}

/**
 * Same-format stage for Anthropic streams: every event is forwarded as received; only the events
 * that carry usage, the stop reason or an error are read, and a tool-use start is rewritten only
 * when the gateway renamed that tool.
 */
export function anthropicPassthroughStage({ explain, onEnd, reverseNames }: PassthroughStageOptions): EventStage {
  const outcome = new OutcomeTracker(onEnd);
  let start: Usage | undefined;
  return {
    event(event: SseEvent) {
      const name = event.event;
      if (name === "content_block_start" && reverseNames) return encodeSse({ event: name, data: reverseToolNamesInEvent(event.data, reverseNames) });
      if (name === "error") outcome.error = mapAnthropicStreamError("Anthropic", event.data);
      else if (name === "message_start" || name === "message_delta") {
        const data = JSON.parse(event.data) as AnthropicEvent;
        if (name === "message_start") outcome.usage = start = fromAnthropicUsage(data.message?.usage);
        else {
          // message_delta's usage is cumulative output; input counts come from message_start unless repeated.
          const delta = fromAnthropicUsage({ ...(data.usage as object) });
          if (delta) outcome.usage = { ...start, ...delta, input: delta.input || start?.input || 0 };
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
