/**
 * What the gateway learns from a pass-through answer while relaying it: usage, id and finish
 * reason (from a stream's events as they pass, or the whole body at its end), the time of the
 * first byte, and the answer as text for the trace. A model call whose answer reported no usage
 * is billed from estimates (input from the request's length, output from the text relayed), so a
 * stream without usage is never free.
 */
import type { GatewayError } from "../canonical/errors.ts";
import { estimateTokens, stringFieldChars, stringFieldPattern } from "../canonical/estimate.ts";
import type { Usage } from "../canonical/usage.ts";
import { encodeSse, type EventDecoder } from "../streams/sse-parser.ts";
import type { NativeWire } from "../telemetry/native-wire.ts";
import type { ByteTap } from "./relay.ts";
import { WIRE_READERS, type AnswerReading, type StreamReading } from "./usage.ts";

/** Most of an answer kept to read its usage (a whole body) or for its trace; past it the rest is not kept. */
export const MAX_KEPT_CHARS = 8 * 1024 * 1024;

/** Generated text in any wire's answers and stream events (Bedrock's InvokeModel models' own too: Llama, Titan, Claude v2): the output estimate's measure. */
const OUTPUT_TEXT = stringFieldPattern(["text", "content", "partial_json", "arguments", "thinking", "refusal", "delta", "generation", "outputText", "completion"]);

/** How an answer ended, for the call record. */
export interface ObservedAnswer extends AnswerReading {
  usageEstimated?: boolean;
  cancelled: boolean;
  error?: GatewayError;
  /** The answer for the trace: the body, or a stream's events as SSE frames; undefined when not kept. */
  text?: string;
  /** Why `text` is not the whole answer. */
  partial?: string;
}

export interface TapOptions {
  /** How to read usage; undefined for answers that carry none (non-model calls). */
  wire: NativeWire | undefined;
  /** The stream's framing when it is one (SSE, or a provider's); undefined for a body read whole. */
  decoder: EventDecoder | undefined;
  /** Keep the answer's text for the trace. */
  keepText: boolean;
  /** Estimate usage from `promptChars` and the output relayed when the answer reports none (model calls). */
  estimate: boolean;
  promptChars: number;
  /** The first byte arrived. */
  onFirstByte(): void;
  /** Every chunk (restarts an idle timeout). */
  onChunk?(): void;
  /** Explains a failure of the upstream body. */
  explain(error: unknown): GatewayError;
  onEnd(answer: ObservedAnswer): void;
}

/** The tap for one answer. */
export function answerTap(options: TapOptions): ByteTap {
  const { wire, decoder } = options;
  const reading: StreamReading | undefined = wire && decoder ? WIRE_READERS[wire].stream() : undefined;
  const text = new TextDecoder();
  // A body read whole is kept to be parsed at its end when it has usage to read; a stream's text only for the trace.
  const keepBody = !decoder && (wire !== undefined || options.keepText);
  let kept = "";
  let partial: string | undefined;
  let outputChars = 0;
  let first = true;
  let ended = false;

  const keep = (piece: string) => {
    if (partial) return;
    if (kept.length + piece.length > MAX_KEPT_CHARS) {
      partial = `the answer is over ${MAX_KEPT_CHARS / 1024 / 1024} MB: the rest was not kept`;
      return;
    }
    kept += piece;
  };
  const events = (list: ReturnType<EventDecoder["push"]>) => {
    for (const event of list) {
      const measured = reading?.event(event);
      if (options.estimate) outputChars += stringFieldChars(typeof measured === "string" ? measured : event.data, OUTPUT_TEXT);
      if (options.keepText) keep(encodeSse(event));
    }
  };
  const finish = (cancelled: boolean, error?: GatewayError) => {
    if (ended) return;
    ended = true;
    let result: AnswerReading = reading ? reading.result() : {};
    if (keepBody && wire && !partial) {
      kept += text.decode();
      result = readWhole(wire, kept);
      if (options.estimate && !result.usage) outputChars = stringFieldChars(kept, OUTPUT_TEXT);
    }
    const { usagePartial, ...read } = result;
    const answer: ObservedAnswer = { ...read, cancelled };
    if (error) answer.error = error;
    // Cut before its final count (Claude's message_start only): never billed below the output relayed.
    if (usagePartial && answer.usage && options.estimate) {
      answer.usage = { ...answer.usage, output: Math.max(answer.usage.output, estimateTokens(outputChars)) };
      answer.usageEstimated = true;
    }
    if (!answer.usage && options.estimate) {
      const usage: Usage = { input: estimateTokens(options.promptChars), output: estimateTokens(outputChars) };
      answer.usage = usage;
      answer.usageEstimated = true;
    }
    if (options.keepText) answer.text = kept;
    if (partial) answer.partial = partial;
    options.onEnd(answer);
  };

  return {
    chunk(bytes) {
      if (first) {
        first = false;
        options.onFirstByte();
      }
      options.onChunk?.();
      if (decoder) {
        try {
          events(decoder.push(bytes));
        } catch {
          // A framing error costs the reading, never the relay: the bytes still go out as they came.
        }
      } else if (keepBody) keep(text.decode(bytes, { stream: true }));
    },
    end() {
      if (decoder) {
        try {
          events(decoder.end());
        } catch {
          // A cut last frame: what was read stands.
        }
      }
      finish(false);
    },
    fail(error) {
      finish(false, options.explain(error));
    },
    cancel() {
      finish(true);
    },
  };
}

/** A whole answer's reading; nothing when it is not JSON. */
function readWhole(wire: NativeWire, body: string): AnswerReading {
  try {
    return WIRE_READERS[wire].answer(JSON.parse(body));
  } catch {
    return {};
  }
}
