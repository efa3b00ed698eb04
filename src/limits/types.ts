/**
 * Rate-limit admission: rpm, tpm and max parallel requests per virtual key, team, user and organisation, each in
 * a sliding 60-second window. Limits arrive with every call (never cached here), so an updated key
 * takes effect on its next request; counters are kept per scope + id.
 */

/** One subject's limits; absent (or not a finite number >= 0) = unlimited. */
export interface LimitSpec {
  rpm?: number;
  tpm?: number;
  maxParallel?: number;
}

/** Which kind of entity a subject is; counters are separate per scope, so ids never collide across scopes. */
export type Scope = "key" | "team" | "user" | "org" | "member";

/** A subject: scope + id, e.g. { scope: "key", id: token }, with its current limits. */
export interface Subject {
  scope: Scope;
  id: string;
  limits: LimitSpec;
}

/** The limit that refused a request: rpm, tpm or max parallel. */
export type LimitKind = "requests" | "tokens" | "parallel";

/** Refused: which subject and limit, and when to retry (whole seconds, at least 1). */
export interface Refusal {
  subject: Subject;
  kind: LimitKind;
  limit: number;
  retryAfterSeconds: number;
}

/** Admitted: a lease that must be released when the call ends (parallel slot), and that records tokens used. */
export interface Lease {
  /**
   * Records tokens used by the call (tpm) and frees the parallel slot; idempotent (later calls do
   * nothing). Negative, NaN or infinite tokens count as 0. `now` (ms) defaults to the limiter's clock.
   */
  release(tokens: number, now?: number): void;
}

/** Remaining headroom for response headers (for the most constrained subject per kind). */
export interface Headroom {
  limitRequests?: number;
  remainingRequests?: number;
  limitTokens?: number;
  remainingTokens?: number;
  resetRequestsSeconds?: number;
  resetTokensSeconds?: number;
}

/** An admitted request: release the lease exactly when the call ends. */
export interface Admitted {
  lease: Lease;
  headroom: Headroom;
}

/** A refused request: nothing was counted for any subject. */
export interface Refused {
  refusal: Refusal;
  headroom: Headroom;
}

/** The outcome of `admit`; narrow with `"lease" in result`. */
export type Admission = Admitted | Refused;

/** A value now, or later: lets a synchronous implementation return plain values with no promise. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * Admission control for rate limits.
 *
 * Why `MaybePromise`: the in-memory limiter answers synchronously on the hot path and must not
 * allocate a promise per request, so it returns plain values (its class narrows the return type to
 * `Admission`). A shared (Redis) limiter must do I/O; it would return a promise and do each
 * admission as one pipelined round trip (a Lua script checking and incrementing every subject's
 * buckets atomically), with `release` queued and flushed in batches. Callers holding the interface
 * can test `instanceof Promise` and only await when needed.
 */
export interface RateLimiter {
  /** Checks every subject's rpm/tpm/parallel and, only if ALL pass, counts the request and takes a parallel slot on each (all-or-nothing). */
  admit(subjects: readonly Subject[], now?: number): MaybePromise<Admission>;
}
