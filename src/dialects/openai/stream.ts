import { encodeSse, type SseEvent } from "../../streams/sse-parser.ts";
import type { EventStage } from "../../streams/relay.ts";
import { OutcomeTracker } from "../../calls/outcome.ts";
import { answerIdOf, type PassthroughStageOptions } from "../../calls/dialect.ts";
import { isRecord } from "../../json/is-record.ts";
import { stringFieldChars, stringFieldPattern } from "../../canonical/estimate.ts";
import { fromOpenAIUsage } from "../../canonical/usage.ts";
import { reverseToolNamesInChunk } from "../../providers/openai/passthrough-names.ts";
import { toOpenAIErrorBody } from "./errors.ts";

// Only chunks that carry a usage object are parsed; every other chunk is forwarded as received, save
// the first few, read for the answer's id (every chunk repeats it; Azure's first carries an empty one).
const ID_LOOKS = 4;
const USAGE_MARK = /"usage"\s*:\s*\{/;
const FINISH_MARK = /"finish_reason"\s*:\s*"([a-z_]+)"/;
// Generated text in a delta (content, reasoning, refusal, tool names and argument fragments), measured
// on the raw chunk with one regex scan (no parse): the output estimate when a stream ends before its usage chunk.
const DELTA_TEXT = stringFieldPattern(["content", "reasoning_content", "reasoning", "refusal", "name", "arguments"]);

/**
 * Whether a chunk can carry an in-band error: an `error` event, or the token `"error"` anywhere in
 * its raw JSON. Quotes inside JSON strings are escaped, so that token is only ever a member name
 * (OpenAI's and vLLM's `{"error":…}`, OpenRouter's `error` among the usual members) or the exact
 * value "error" (OpenRouter's finish_reason): one substring scan per chunk, a parse only on a hit.
 */
function mayBeError(event: SseEvent): boolean {
  return event.event === "error" || event.data.includes('"error"');
}

/**
 * Same-format stream stage: OpenAI-wire chunks pass through byte for byte. It watches for usage
 * (which the gateway always requests) and drops the usage-only chunk when the client did not ask.
 * An in-band error chunk is never relayed as sent (it can echo the key): it ends the stream with the
 * gateway's error frame, whose message went through the call's redaction (`explain`).
 * A stream that ends without usage is billed from estimates: `promptChars` (the request body's
 * length) for input, the delta text it relayed for output. With `reverseNames` (function names the
 * gateway rewrote), chunks carrying tool calls get the client's names back.
 */
export function openAIPassthroughStage({ clientWantsUsage, explain, streamError, onEnd, promptChars, reverseNames }: PassthroughStageOptions): EventStage {
  const outcome = new OutcomeTracker(onEnd, promptChars);
  const throwIfError = (event: SseEvent) => {
    const error = streamError(event);
    if (error) throw error;
  };
  let idLooks = 0;
  return {
    event(event: SseEvent) {
      const { data } = event;
      if (mayBeError(event)) throwIfError(event);
      if (outcome.responseId === undefined && idLooks < ID_LOOKS) {
        idLooks++;
        outcome.responseId = chunkId(data);
      }
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

/** A chunk's `id`, when it is JSON with a usable one. */
function chunkId(data: string): string | undefined {
  try {
    const chunk: unknown = JSON.parse(data);
    return isRecord(chunk) ? answerIdOf(chunk) : undefined;
  } catch {
    return undefined; // `[DONE]` or not JSON: relayed as is.
  }
}
