import type { GatewayError } from "../spec/errors.ts";
import type { Usage } from "../spec/usage.ts";

/** How a relayed stream ended, for the call record. */
export interface StreamOutcome {
  usage?: Usage;
  finishReason?: string;
  /** Set when the stream ended in an error (upstream failure or in-band error event). */
  error?: GatewayError;
  cancelled: boolean;
}

/** Collects what a stream stage learns (usage, finish reason, an in-band error) and reports it exactly once. */
export class OutcomeTracker {
  usage: Usage | undefined;
  finishReason: string | undefined;
  /** An error the upstream reported in-band; the stream itself may still end normally. */
  error: GatewayError | undefined;
  private ended = false;

  constructor(private readonly onEnd: (outcome: StreamOutcome) => void) {}

  /** Reports the outcome; later calls do nothing. */
  end(cancelled: boolean, failure?: GatewayError): void {
    if (this.ended) return;
    this.ended = true;
    const error = failure ?? this.error;
    this.onEnd({
      cancelled,
      ...(this.usage ? { usage: this.usage } : {}),
      ...(this.finishReason ? { finishReason: this.finishReason } : {}),
      ...(error ? { error } : {}),
    });
  }
}
