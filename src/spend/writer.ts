import type { SpendRow, SpendStore } from "../store/types.ts";

export interface SpendWriterOptions {
  /** How often queued rows are written. Bounds what a crash can lose: rows older than this (plus one commit) are stored. */
  intervalMs?: number;
  /** Rows per transaction. */
  maxBatch?: number;
  /** Rows held while the store is failing; past this, new calls are refused (calls in flight still queue). */
  capacity?: number;
  onError?: (error: unknown) => void;
}

/** What readiness reports about the ledger. */
export interface SpendWriterStatus {
  queued: number;
  capacity: number;
  /** The last write failed; rows are being kept and retried. */
  failing: boolean;
  lastError?: string;
  written: number;
}

/**
 * Writes spend rows off the request path: calls queue their row in memory and a timer stores them
 * in batched transactions (rows and rollups together). A failing store (full disk, locked
 * database) never fails a request: rows stay queued, in order, and are retried with backoff; the
 * queue is bounded by refusing new calls once it is full.
 */
export class SpendWriter {
  private queue: SpendRow[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running: Promise<void> | undefined;
  private failures = 0;
  private lastError: string | undefined;
  private written = 0;
  private stopped = false;
  private readonly intervalMs: number;
  private readonly maxBatch: number;
  readonly capacity: number;

  constructor(
    private readonly store: SpendStore,
    private readonly options: SpendWriterOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 200;
    this.maxBatch = options.maxBatch ?? 1_000;
    this.capacity = options.capacity ?? 100_000;
  }

  /** Queues a row; never blocks, never throws. */
  push(row: SpendRow): void {
    this.queue.push(row);
    if (!this.timer && !this.running && !this.stopped) this.schedule(this.intervalMs);
  }

  /** Rows not stored yet, oldest first (a batch being written stays here until it commits). */
  unstored(): readonly SpendRow[] {
    return this.queue;
  }

  /** Whether new calls may start: false once the queue is full because the store keeps failing. */
  accepting(): boolean {
    return this.queue.length < this.capacity;
  }

  status(): SpendWriterStatus {
    return { queued: this.queue.length, capacity: this.capacity, failing: this.failures > 0, written: this.written, ...(this.lastError ? { lastError: this.lastError } : {}) };
  }

  /** Writes everything queued now (management reads and shutdown call this). */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    while (this.running) await this.running;
    this.running = this.drain().finally(() => {
      this.running = undefined;
    });
    await this.running;
    if (this.failures > 0) throw new Error(`spend rows not stored: ${this.lastError}`);
  }

  /** Stops the timer after a last flush; rows that still cannot be written are reported, not dropped silently. */
  async stop(): Promise<void> {
    this.stopped = true;
    try {
      await this.flush();
    } finally {
      if (this.timer) clearTimeout(this.timer);
    }
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.drain().finally(() => {
        this.running = undefined;
        if (this.queue.length > 0 && !this.stopped) this.schedule(this.failures > 0 ? this.backoffMs() : this.intervalMs);
      });
    }, delayMs);
  }

  private backoffMs(): number {
    return Math.min(5_000, this.intervalMs * 2 ** Math.min(this.failures, 5));
  }

  /** Stores the queue in batches, oldest first; a failed batch stays at the head of the queue. */
  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.slice(0, this.maxBatch);
      try {
        await this.store.append(batch);
      } catch (error) {
        this.failures++;
        this.lastError = error instanceof Error ? error.message : String(error);
        this.options.onError?.(error);
        return;
      }
      this.queue = this.queue.slice(batch.length);
      this.failures = 0;
      this.lastError = undefined;
      this.written += batch.length;
    }
  }
}
