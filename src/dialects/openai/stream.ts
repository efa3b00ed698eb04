import { encodeSse, type SseEvent } from "../../streams/sse-parser.ts";
import type { EventStage } from "../../streams/relay.ts";
import { OutcomeTracker, type StreamOutcome } from "../../calls/outcome.ts";
import type { GatewayError } from "../../canonical/errors.ts";
import { stringFieldChars, stringFieldPattern } from "../../canonical/estimate.ts";
import { fromOpenAIUsage } from "../../canonical/usage.ts";
import { reverseToolNamesInChunk } from "../../providers/openai/passthrough-names.ts";
import { toOpenAIErrorBody } from "./errors.ts";

// Only chunks that carry a usage object are parsed; every other chunk is forwarded as received.
const USAGE_MARK = /"usage"\s*:\s*\{/;
const FINISH_MARK = /"finish_reason"\s*:\s*"([a-z_]+)"/;
// Generated text in a delta (content, reasoning, refusal, tool names and argument fragments), measured
// on the raw chunk with one regex scan (no parse): the output estimate when a stream ends before its usage chunk.
const DELTA_TEXT = stringFieldPattern(["content", "reasoning_content", "reasoning", "refusal", "name", "arguments"]);

/**
 * Same-format stream stage: OpenAI-wire chunks pass through byte for byte. It watches for usage
 * (which the gateway always requests) and drops the usage-only chunk when the client did not ask.
 * A stream that ends without usage is billed from estimates: `promptChars` (the request body's
 * length) for input, the delta text it relayed for output. With `reverseNames` (function names the
 * gateway rewrote), chunks carrying tool calls get the client's names back.
 */
export function openAIPassthroughStage(
  clientWantsUsage: boolean,
  explain: (error: unknown) => GatewayError,
  onEnd: (outcome: StreamOutcome) => void,
  promptChars?: number,
  reverseNames?: ReadonlyMap<string, string>,
): EventStage {
  const outcome = new OutcomeTracker(onEnd, promptChars);
  return {
    event(event: SseEvent) {
      const { data } = event;
      if (!outcome.finishReason) outcome.finishReason = FINISH_MARK.exec(data)?.[1];
      if (!outcome.usage) {
        // Generated text lives in `delta`; starting there skips the chunk's envelope, the usage chunk and [DONE].
        const delta = data.indexOf('"delta"');
        if (delta !== -1) outcome.outputChars += stringFieldChars(data, DELTA_TEXT, delta);
      }
      if (USAGE_MARK.test(data)) {
        try {
          const chunk = JSON.parse(data) as { usage?: unknown; choices?: unknown[] };
          outcome.usage = fromOpenAIUsage(chunk.usage) ?? outcome.usage;
          if (!clientWantsUsage && Array.isArray(chunk.choices) && chunk.choices.length === 0) return undefined;
        } catch {
          // Not JSON: forward as is; the client sees what the upstream sent.
        }
      }
      return encodeSse(reverseNames ? { ...event, data: reverseToolNamesInChunk(data, reverseNames) } : event);
    },
    end() {
      outcome.end(false);
      return undefined;
    },
    fail(cause) {
      const error = explain(cause);
      outcome.end(false, error);
      return `${encodeSse({ data: JSON.stringify(toOpenAIErrorBody(error)) })}data: [DONE]\n\n`;
    },
    cancel() {
      outcome.end(true);
    },
  };
}
