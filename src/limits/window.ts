/**
 * A sliding 60-second window of one-second buckets with a running total, so reading the total is
 * O(1) and advancing clears at most 60 buckets (a constant), never allocating after construction.
 */

/** Length of every rate-limit window, in one-second buckets. */
export const WINDOW_SECONDS = 60;

/** Ring index of `second`, non-negative even for negative seconds. */
function slot(second: number): number {
  return ((second % WINDOW_SECONDS) + WINDOW_SECONDS) % WINDOW_SECONDS;
}

/** Whole seconds (at least 1) from `nowMs` until bucket `second` leaves the window. */
export function secondsUntilExpiry(second: number, nowMs: number): number {
  return Math.max(1, Math.ceil(((second + WINDOW_SECONDS) * 1000 - nowMs) / 1000));
}

/** Counts per one-second bucket over the last 60 seconds. */
export class SlidingWindow {
  /** Newest bucket's second; buckets older than `head - 59` have been cleared. */
  private head: number;
  /** Sum of all buckets, kept so totals need no scan. */
  private sum = 0;
  private readonly buckets: Uint32Array | Float64Array;

  /** `integerCounts` picks 4-byte buckets (requests); tokens use doubles so large sums never wrap. */
  constructor(second: number, integerCounts: boolean) {
    this.head = second;
    this.buckets = integerCounts ? new Uint32Array(WINDOW_SECONDS) : new Float64Array(WINDOW_SECONDS);
  }

  /** Moves the window to end at `second`, dropping what aged out; a clock going backwards never rewinds it. */
  private advance(second: number): void {
    const gap = second - this.head;
    if (gap <= 0) return;
    if (gap >= WINDOW_SECONDS) {
      this.buckets.fill(0);
      this.sum = 0;
    } else {
      for (let s = this.head + 1; s <= second; s++) {
        const i = slot(s);
        this.sum -= this.buckets[i] ?? 0;
        this.buckets[i] = 0;
      }
    }
    this.head = second;
  }

  /** Total over the 60 seconds ending at `second`. */
  total(second: number): number {
    this.advance(second);
    return this.sum;
  }

  /** Adds `n` at `second` (or the newest bucket, if the clock went backwards). */
  add(second: number, n: number): void {
    this.advance(second);
    const i = slot(this.head);
    this.buckets[i] = (this.buckets[i] ?? 0) + n;
    this.sum += n;
  }

  /**
   * Whole seconds from `nowMs` until enough ages out that the total is under `limit`, at least 1;
   * a full window when nothing can help (a limit of 0). Call after `total`, so the window is current.
   */
  retryAfterSeconds(limit: number, nowMs: number): number {
    let left = this.sum;
    for (let s = this.head - WINDOW_SECONDS + 1; s <= this.head; s++) {
      left -= this.buckets[slot(s)] ?? 0;
      if (left < limit) return secondsUntilExpiry(s, nowMs);
    }
    return WINDOW_SECONDS;
  }

  /** Whole seconds from `nowMs` until the oldest non-empty bucket leaves the window; 0 when empty. */
  resetSeconds(nowMs: number): number {
    if (this.sum === 0) return 0;
    for (let s = this.head - WINDOW_SECONDS + 1; s <= this.head; s++) {
      if ((this.buckets[slot(s)] ?? 0) !== 0) return secondsUntilExpiry(s, nowMs);
    }
    return 0;
  }
}
