/**
 * Tracing, the request thread's side: each finished call leaves three strings (its trace item as
 * JSON, the request text, the answer the client got) in a bounded queue; the queue goes to the
 * trace thread every interval or once a batch is full, and the thread builds the OpenInference
 * spans and exports them over OTLP. Nothing here parses or waits on the network; a call's objects
 * die with the call (the queue holds only flat strings), and a dead or slow collector only makes
 * the queue overflow, which is counted.
 */
import { PARTS_PER_CALL, type Sampling, type TraceItem, type TraceReply, type TraceRequest, type TracingTarget } from "./trace-protocol.ts";

export interface TracingOptions extends TracingTarget {
  /** Calls held for export at most (default 10,000). */
  maxQueue?: number;
  /** How often queued calls go to the trace thread (default 200 ms). */
  intervalMs?: number;
  /** Calls that make a batch worth sending before the interval is up (default 256). */
  batchSize?: number;
  /** Which calls are traced (default: every call, a caller's traceparent deciding for its trace). */
  sampling?: Sampling;
  onError?: (error: unknown) => void;
}

/** Where the worker's code is, from source or inside the compiled executable (see the build script). */
function workerUrl(): URL {
  return import.meta.url.includes("/$bunfs/") ? new URL("./telemetry/trace-worker.ts", import.meta.url) : new URL("./trace-worker.ts", import.meta.url);
}

/** Counters for `/metrics` and readiness. */
export interface TracingStatus {
  queued: number;
  exported: number;
  /** Calls dropped because the queue was full, plus spans the collector refused or never took. */
  dropped: number;
}

export class Tracing {
  readonly redactAll: boolean;
  private readonly sampling: Sampling;
  /** PARTS_PER_CALL strings per queued call. */
  private parts: string[] = [];
  private readonly maxParts: number;
  private readonly batchParts: number;
  private readonly worker: Worker;
  private readonly timer: ReturnType<typeof setInterval>;
  /** A batch is with the trace thread until it answers: one at a time, so the thread never piles up. */
  private inFlight: { resolve: () => void } | undefined;
  private nextId = 1;
  private dropped = 0;
  private exported = 0;
  private stopped = false;

  constructor(private readonly options: TracingOptions) {
    this.redactAll = options.redact;
    this.sampling = options.sampling ?? { ratio: 1, parentBased: true };
    this.maxParts = (options.maxQueue ?? 10_000) * PARTS_PER_CALL;
    this.batchParts = (options.batchSize ?? 256) * PARTS_PER_CALL;
    this.worker = new Worker(workerUrl().href);
    this.worker.unref();
    this.worker.onmessage = (event: MessageEvent<TraceReply>) => this.onReply(event.data);
    this.worker.onerror = (event) => options.onError?.(new Error(`the trace thread failed: ${event.message}`));
    const { maxQueue: _maxQueue, intervalMs: _intervalMs, batchSize: _batchSize, sampling: _sampling, onError: _onError, ...target } = options;
    this.post({ type: "open", id: 0, target });
    this.timer = setInterval(() => this.send(), options.intervalMs ?? 200);
    this.timer.unref();
  }

  /**
   * Whether a call of this trace is traced at all (decided before any capture, so an unsampled call
   * costs nothing): the caller's flag when it sent a traceparent and sampling is parent-based,
   * else the trace id's last 32 bits against the ratio (the same answer for every call of a trace).
   */
  samples(traceId: string, parentSampled: boolean | undefined): boolean {
    if (parentSampled !== undefined && this.sampling.parentBased) return parentSampled;
    if (this.sampling.ratio >= 1) return true;
    if (this.sampling.ratio <= 0) return false;
    return Number.parseInt(traceId.slice(-8), 16) / 0x1_0000_0000 < this.sampling.ratio;
  }

  /** Queues a finished call's trace: its item, the request text and the answer text (a stream's frames joined). Never blocks, never throws. */
  submit(item: TraceItem, requestText: string, answerText: string): void {
    if (this.stopped || this.parts.length >= this.maxParts) {
      this.dropped++;
      return;
    }
    this.parts.push(JSON.stringify(item), requestText, answerText);
    // A full batch leaves now: short-lived strings are cheap to collect, and the trace thread gets even work.
    if (this.parts.length >= this.batchParts) void this.send();
  }

  status(): TracingStatus {
    return { queued: this.parts.length / PARTS_PER_CALL, exported: this.exported, dropped: this.dropped };
  }

  /** Exports everything queued and waits for the collector's answer (shutdown, tests). */
  async flush(): Promise<void> {
    for (let i = 0; i < 1_000 && (this.parts.length > 0 || this.inFlight); i++) {
      if (this.inFlight) await new Promise<void>((resolve) => setTimeout(resolve, 10));
      else await this.send();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    try {
      await this.flush();
    } finally {
      this.worker.terminate();
    }
  }

  private post(request: TraceRequest): void {
    this.worker.postMessage(request);
  }

  private send(): Promise<void> {
    if (this.inFlight || this.parts.length === 0) return Promise.resolve();
    const parts = this.parts;
    this.parts = [];
    return new Promise<void>((resolve) => {
      this.inFlight = { resolve };
      // Referenced while a batch is out, so a shutdown waiting on it is not cut short.
      this.worker.ref();
      this.post({ type: "export", id: this.nextId++, parts });
    });
  }

  private onReply(reply: TraceReply): void {
    if (reply.type !== "exported") return;
    this.exported += reply.exported;
    this.dropped += reply.failed;
    if (reply.error) this.options.onError?.(new Error(reply.error));
    const waiting = this.inFlight;
    this.inFlight = undefined;
    this.worker.unref();
    waiting?.resolve();
  }
}
