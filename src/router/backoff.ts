/**
 * How long to wait before the next attempt: exponential with jitter, so retries from many
 * requests spread out instead of hitting a recovering upstream in lockstep.
 */

import { BACKOFF_BASE_MS, BACKOFF_MAX_MS } from "./types.ts";

/** Longest wait a `Retry-After` can impose, so a hostile or buggy upstream cannot park a request (or a deployment). */
export const RETRY_AFTER_MAX_MS = 60_000;

/**
 * Milliseconds to wait before attempt `attempt + 1` (attempt 1 = before the 2nd try): uniform in
 * [cap/2, cap] for cap = min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2^(attempt-1)), raised to the
 * upstream's `Retry-After` (itself capped at RETRY_AFTER_MAX_MS).
 */
export function backoffMs(attempt: number, retryAfterSeconds: number | undefined, random: () => number = Math.random): number {
  // A nonsense attempt number is treated as the first retry rather than producing NaN or a zero wait.
  const n = Number.isFinite(attempt) && attempt > 1 ? Math.floor(attempt) : 1;
  // Math.min absorbs the Infinity that 2^n reaches for huge n.
  const cap = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (n - 1));
  // Half fixed, half random: never 0 (which would hammer), still spread across callers.
  const jittered = cap / 2 + random() * (cap / 2);
  if (retryAfterSeconds === undefined || !Number.isFinite(retryAfterSeconds) || retryAfterSeconds <= 0) return jittered;
  // The upstream said when it will accept us again; trying earlier only earns another 429.
  return Math.max(jittered, Math.min(retryAfterSeconds * 1000, RETRY_AFTER_MAX_MS));
}
