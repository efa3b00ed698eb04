import type { Caller } from "../auth/caller.ts";

/** Who a request belongs to, so one caller cannot cancel another's calls by guessing request ids. */
export function callerId(caller: Caller): string {
  return caller.kind === "key" ? `key:${caller.key.token}` : caller.kind;
}

/**
 * The gateway's calls in progress by owner and JSON-RPC request id. In stateless Streamable HTTP a
 * notifications/cancelled comes on a POST of its own, handled by another SDK server than the
 * call's; this is where it finds the call to abort. The owner is the caller (`callerId`) there, and
 * the session over HTTP+SSE, whose clients number their requests each from 0.
 */
export class InFlight {
  private readonly calls = new Map<string, AbortController>();

  /** Runs `work` with a signal that aborts when `signal` does (the request's) or the caller cancels it. */
  async run<T>(caller: string, requestId: string | number, signal: AbortSignal, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const key = keyOf(caller, requestId);
    const controller = new AbortController();
    this.calls.set(key, controller);
    try {
      return await work(AbortSignal.any([signal, controller.signal]));
    } finally {
      if (this.calls.get(key) === controller) this.calls.delete(key);
    }
  }

  cancel(caller: string, requestId: string | number, reason: string | undefined): void {
    this.calls.get(keyOf(caller, requestId))?.abort(reason ?? "cancelled by the client");
  }
}

function keyOf(caller: string, requestId: string | number): string {
  return `${caller}\u0000${typeof requestId}:${requestId}`;
}
