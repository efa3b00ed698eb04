import type { GatewayError } from "../canonical/errors.ts";
import { estimateTokens } from "../canonical/estimate.ts";
import type { Usage } from "../canonical/usage.ts";

/** How a relayed stream ended, for the call record. */
export interface StreamOutcome {
  usage?: Usage;
  finishReason?: string;
  /** Set when the stream ended in an error (upstream failure or in-band error event). */
  error?: GatewayError;
  cancelled: boolean;
  /** The answer's id as the client saw it, once a frame carried one. */
  responseId?: string;
  /**
   * True when the provider's usage never arrived (client gone, upstream cut, in-band error, an
   * upstream that ignores `include_usage`) and `usage` was completed from estimates: input from
   * message_start or the request's length, output from what was streamed. Absent otherwise.
   */
  usageEstimated?: boolean;
}

/**
 * Collects what a stream stage learns (usage, finish reason, an in-band error) and reports it
 * exactly once. A stream that ends without the provider's usage is billed from what it did see:
 * stages add the length of the text they relay to `outputChars`.
 */
export class OutcomeTracker {
  /** The provider's usage for the whole answer (OpenAI's usage chunk, Anthropic's message_delta); reported as is. */
  usage: Usage | undefined;
  /** Input-side counts the provider reported before its final usage (Anthropic message_start): input and cache tokens. */
  startUsage: Usage | undefined;
  /** Characters of generated output relayed so far: text, reasoning, tool names and argument fragments. */
  outputChars = 0;
  finishReason: string | undefined;
  /** The answer's id as the client saw it (stages set it from the first frame that carries one). */
  responseId: string | undefined;
  /** An error the upstream reported in-band; the stream itself may still end normally. */
  error: GatewayError | undefined;
  private ended = false;

  /** `promptChars`: the request body's length, for an input estimate when the provider reported none. */
  constructor(
    private readonly onEnd: (outcome: StreamOutcome) => void,
    private readonly promptChars?: number,
  ) {}

  /** Reports the outcome; later calls do nothing. */
  end(cancelled: boolean, failure?: GatewayError): void {
    if (this.ended) return;
    this.ended = true;
    const error = failure ?? this.error;
    const usage = this.usage ?? this.estimate();
    this.onEnd({
      cancelled,
      ...(usage ? { usage } : {}),
      ...(this.finishReason ? { finishReason: this.finishReason } : {}),
      ...(this.responseId ? { responseId: this.responseId } : {}),
      ...(error ? { error } : {}),
      ...(usage && !this.usage ? { usageEstimated: true } : {}),
    });
  }

  /** Usage completed from what the stream showed; undefined when there is nothing to bill from. */
  private estimate(): Usage | undefined {
    const output = estimateTokens(this.outputChars);
    const start = this.startUsage;
    if (start) {
      // message_start's output count is a running one (usually 1); what was streamed since is more.
      const usage: Usage = { input: start.input, output: Math.max(output, start.output) };
      if (start.cacheRead) usage.cacheRead = start.cacheRead;
      if (start.cacheWrite) usage.cacheWrite = start.cacheWrite;
      return usage;
    }
    if (this.promptChars === undefined && output === 0) return undefined;
    return { input: estimateTokens(this.promptChars ?? 0), output };
  }
}
