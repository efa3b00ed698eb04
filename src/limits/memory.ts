/**
 * The in-process rate limiter: per-subject sliding windows in plain Maps. Every admit is O(number
 * of subjects) with constant work each (at most 60 buckets touched per window), no I/O, no timer and
 * no promise. Idle subjects are dropped by one periodic sweep on an unref'd timer.
 */

import type { Admission, Headroom, Lease, LimitKind, RateLimiter, Refusal, Scope, Subject } from "./types.ts";
import { SlidingWindow, WINDOW_SECONDS } from "./window.ts";

/** Counters of one subject (scope + id). Windows are allocated on first use of their limit, to keep idle-ish subjects small. */
interface SubjectState {
  requests: SlidingWindow | undefined;
  tokens: SlidingWindow | undefined;
  inFlight: number;
  /** Last second anything was counted; with nothing in flight the subject is idle 60 s after it. */
  lastSecond: number;
}

/** Options for the in-memory limiter. */
export interface MemoryRateLimiterOptions {
  /** Milliseconds since the epoch; injectable so tests never sleep. Defaults to `Date.now`. */
  clock?: () => number;
  /** How often to drop idle subjects; 0 disables the timer (call `sweep` yourself). Defaults to one window. */
  sweepIntervalMs?: number;
}

/** A usable limit: a finite number >= 0 (0 blocks everything); anything else means unlimited. */
function limitOf(value: number | undefined): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** Whole, non-negative tokens: usage from upstreams can be missing or malformed, and must never un-count. */
function tokensOf(value: number): number {
  return Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

/** Keeps the refusal with the longest wait, so a client retrying after it is not refused again by another limit. */
function longer(current: Refusal | undefined, subject: Subject, kind: LimitKind, limit: number, retryAfterSeconds: number): Refusal {
  if (current && current.retryAfterSeconds >= retryAfterSeconds) return current;
  return { subject, kind, limit, retryAfterSeconds };
}

/** A lease over the states it counted; holding the states (not their ids) keeps release a lookup-free loop. */
class MemoryLease implements Lease {
  private states: readonly SubjectState[] | undefined;

  constructor(
    states: readonly SubjectState[],
    private readonly clock: () => number,
  ) {
    this.states = states;
  }

  /** Records tokens on every subject with a tpm window and frees their parallel slots; only the first call counts. */
  release(tokens: number, now?: number): void {
    const states = this.states;
    if (!states) return;
    this.states = undefined;
    const used = tokensOf(tokens);
    const second = Math.floor((now ?? this.clock()) / 1000);
    for (const state of states) {
      if (used > 0 && state.tokens) {
        state.tokens.add(second, used);
        if (second > state.lastSecond) state.lastSecond = second;
      }
      state.inFlight--;
    }
  }
}

/** In-memory `RateLimiter`: exact per-second sliding windows, all-or-nothing across subjects. */
export class MemoryRateLimiter implements RateLimiter {
  private readonly clock: () => number;
  /** One map per scope, keyed by id, so lookups need no concatenated key string. */
  private readonly subjects: Record<Scope, Map<string, SubjectState>> = { key: new Map(), team: new Map(), user: new Map(), org: new Map(), member: new Map() };
  private readonly timer: ReturnType<typeof setInterval> | undefined;

  constructor(options: MemoryRateLimiterOptions = {}) {
    this.clock = options.clock ?? Date.now;
    const interval = options.sweepIntervalMs ?? WINDOW_SECONDS * 1000;
    if (interval > 0) {
      this.timer = setInterval(() => this.sweep(), interval);
      // The sweep only frees memory; it must never keep the process alive.
      this.timer.unref();
    }
  }

  /** Number of subjects currently tracked (for tests and metrics). */
  get size(): number {
    return this.subjects.key.size + this.subjects.team.size + this.subjects.user.size + this.subjects.org.size + this.subjects.member.size;
  }

  /** Checks every subject's rpm/tpm/parallel and, only if ALL pass, counts the request and takes a parallel slot on each. */
  admit(subjects: readonly Subject[], now: number = this.clock()): Admission {
    const second = Math.floor(now / 1000);
    const states: SubjectState[] = [];
    let refusal: Refusal | undefined;
    // The tightest subject per kind, for the headroom headers.
    let requestsState: SubjectState | undefined;
    let requestsLimit = 0;
    let requestsLeft = Number.POSITIVE_INFINITY;
    let tokensState: SubjectState | undefined;
    let tokensLimit = 0;
    let tokensLeft = Number.POSITIVE_INFINITY;

    for (const subject of subjects) {
      const { limits } = subject;
      const rpm = limitOf(limits.rpm);
      const tpm = limitOf(limits.tpm);
      const maxParallel = limitOf(limits.maxParallel);
      const map = this.subjects[subject.scope];
      let state = map.get(subject.id);
      if (!state) {
        // An unlimited subject never seen before needs no counters at all.
        if (rpm === undefined && tpm === undefined && maxParallel === undefined) continue;
        state = { requests: undefined, tokens: undefined, inFlight: 0, lastSecond: second };
        map.set(subject.id, state);
      }
      // The same subject twice must be counted once, or it would refuse itself.
      if (states.includes(state)) continue;
      states.push(state);

      if (rpm !== undefined) {
        const window = (state.requests ??= new SlidingWindow(second, true));
        const count = window.total(second);
        if (count >= rpm) refusal = longer(refusal, subject, "requests", rpm, window.retryAfterSeconds(rpm, now));
        if (rpm - count < requestsLeft) {
          requestsLeft = rpm - count;
          requestsLimit = rpm;
          requestsState = state;
        }
      }
      if (tpm !== undefined) {
        const window = (state.tokens ??= new SlidingWindow(second, false));
        const count = window.total(second);
        // Tokens are only known after the call, so admit while the window is under the limit.
        if (count >= tpm) refusal = longer(refusal, subject, "tokens", tpm, window.retryAfterSeconds(tpm, now));
        if (tpm - count < tokensLeft) {
          tokensLeft = tpm - count;
          tokensLimit = tpm;
          tokensState = state;
        }
      }
      // A slot frees whenever a call ends, which is unpredictable: suggest a short retry.
      if (maxParallel !== undefined && state.inFlight >= maxParallel) refusal = longer(refusal, subject, "parallel", maxParallel, 1);
    }

    if (!refusal) {
      for (const state of states) {
        state.requests?.add(second, 1);
        state.inFlight++;
        if (second > state.lastSecond) state.lastSecond = second;
      }
    }

    const headroom: Headroom = {};
    if (requestsState?.requests) {
      headroom.limitRequests = requestsLimit;
      headroom.remainingRequests = Math.max(0, requestsLeft - (refusal ? 0 : 1));
      headroom.resetRequestsSeconds = requestsState.requests.resetSeconds(now);
    }
    if (tokensState?.tokens) {
      headroom.limitTokens = tokensLimit;
      headroom.remainingTokens = Math.max(0, tokensLeft);
      headroom.resetTokensSeconds = tokensState.tokens.resetSeconds(now);
    }
    if (refusal) return { refusal, headroom };
    return { lease: new MemoryLease(states, this.clock), headroom };
  }

  /** Drops subjects with nothing in flight and nothing left in their window; returns how many. */
  sweep(now: number = this.clock()): number {
    const second = Math.floor(now / 1000);
    let dropped = 0;
    for (const map of Object.values(this.subjects)) {
      map.forEach((state, id) => {
        if (state.inFlight === 0 && state.lastSecond + WINDOW_SECONDS <= second) {
          map.delete(id);
          dropped++;
        }
      });
    }
    return dropped;
  }

  /** Stops the sweep timer. */
  close(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
  }
}
