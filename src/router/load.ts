/**
 * Per-deployment counters the strategies read (in flight, latency, last-minute usage) and the
 * cooldown bookkeeping. Everything is lazy: no timers, an expired cooldown simply stops counting.
 */

import { SlidingWindow } from "../limits/window.ts";
import { RETRY_AFTER_MAX_MS } from "./backoff.ts";
import type { DeploymentLoad, GroupPolicy } from "./types.ts";

/** Failures older than this no longer count toward `allowedFails`. */
const FAIL_WINDOW_MS = 60_000;
/** Weight of a new latency sample: recent enough to follow a degrading upstream, smooth enough to ignore one slow call. */
const LATENCY_ALPHA = 0.3;

interface State {
  inFlight: number;
  latencyMs: number | undefined;
  requests: SlidingWindow;
  tokens: SlidingWindow;
  /** Recent failure times, oldest first; never longer than the policy's allowedFails (at least 1). */
  failures: number[];
  /** Epoch ms when the cooldown ends; undefined when not cooling. */
  until: number | undefined;
}

/** Returned for unknown ids so reading never allocates state. */
const IDLE: Readonly<DeploymentLoad> = Object.freeze({ inFlight: 0, latencyMs: undefined, requestsLastMinute: 0, tokensLastMinute: 0 });

/** In-memory load and health of every deployment, keyed by deployment id. */
export class DeploymentLoads {
  private readonly states = new Map<string, State>();

  /** `now` is injectable so tests drive time; ms since the epoch. */
  constructor(private readonly now: () => number = Date.now) {}

  private second(): number {
    return Math.floor(this.now() / 1000);
  }

  private state(id: string): State {
    let s = this.states.get(id);
    if (s === undefined) {
      const second = this.second();
      s = { inFlight: 0, latencyMs: undefined, requests: new SlidingWindow(second, true), tokens: new SlidingWindow(second, false), failures: [], until: undefined };
      this.states.set(id, s);
    }
    return s;
  }

  /** Counts a call handed to deployment `id`. */
  start(id: string): void {
    const s = this.state(id);
    s.inFlight++;
    s.requests.add(this.second(), 1);
  }

  /** Ends a call: frees its in-flight slot, counts its tokens, and feeds a successful call's latency into the average. */
  finish(id: string, outcome: { ok: boolean; latencyMs?: number; tokens?: number }): void {
    const s = this.state(id);
    // Never below zero, so a stray double finish cannot make a deployment look idler than idle.
    if (s.inFlight > 0) s.inFlight--;
    const { tokens, latencyMs } = outcome;
    if (tokens !== undefined && Number.isFinite(tokens) && tokens > 0) s.tokens.add(this.second(), tokens);
    // Failed calls are often fast (an instant 500) and would make a broken deployment look quick.
    if (outcome.ok && latencyMs !== undefined && Number.isFinite(latencyMs) && latencyMs >= 0) {
      s.latencyMs = s.latencyMs === undefined ? latencyMs : s.latencyMs + LATENCY_ALPHA * (latencyMs - s.latencyMs);
    }
  }

  /** What the strategies read for deployment `id`; zeros for one never used. */
  load(id: string): DeploymentLoad {
    const s = this.states.get(id);
    if (s === undefined) return IDLE;
    const second = this.second();
    return { inFlight: s.inFlight, latencyMs: s.latencyMs, requestsLastMinute: s.requests.total(second), tokensLastMinute: s.tokens.total(second) };
  }

  /**
   * Records a failure that counts against health; returns true when it puts (or keeps) the
   * deployment in cooldown: at once for a rate limit (for the longer of cooldownMs and Retry-After,
   * the latter capped at RETRY_AFTER_MAX_MS), else when allowedFails failures fall within 60 s.
   */
  recordFailure(id: string, policy: Pick<GroupPolicy, "allowedFails" | "cooldownMs">, opts: { rateLimited: boolean; retryAfterSeconds?: number }): boolean {
    const s = this.state(id);
    const now = this.now();
    const failures = s.failures;
    failures.push(now);
    while (failures.length > 0 && (failures[0] ?? now) <= now - FAIL_WINDOW_MS) failures.shift();
    // Only the newest allowedFails timestamps can decide the next cooldown, so older ones are dropped.
    const keep = Math.max(1, policy.allowedFails);
    if (failures.length > keep) failures.splice(0, failures.length - keep);

    let ms: number | undefined;
    if (opts.rateLimited) {
      const ra = opts.retryAfterSeconds;
      const retryAfterMs = ra !== undefined && Number.isFinite(ra) && ra > 0 ? Math.min(ra * 1000, RETRY_AFTER_MAX_MS) : 0;
      ms = Math.max(policy.cooldownMs, retryAfterMs);
    } else if (failures.length >= policy.allowedFails) {
      ms = policy.cooldownMs;
    }
    if (ms === undefined) return false;
    // A fresh allowance after the cooldown: the deployment comes back on probation, not one failure from another cooldown.
    failures.length = 0;
    // A later, shorter cooldown (an in-flight call failing) must not cut an earlier, longer one short.
    s.until = Math.max(s.until ?? 0, now + ms);
    return true;
  }

  /** Epoch ms when deployment `id`'s cooldown ends, or undefined when it is not cooling (an expired one is cleared here). */
  coolingUntil(id: string): number | undefined {
    const s = this.states.get(id);
    if (s === undefined || s.until === undefined) return undefined;
    if (s.until <= this.now()) {
      s.until = undefined;
      return undefined;
    }
    return s.until;
  }

  /** Every deployment cooling now, for readiness reporting. */
  cooling(): { id: string; until: number }[] {
    const out: { id: string; until: number }[] = [];
    for (const id of this.states.keys()) {
      const until = this.coolingUntil(id);
      if (until !== undefined) out.push({ id, until });
    }
    return out;
  }
}
