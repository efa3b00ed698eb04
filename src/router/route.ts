import { GatewayError, toGatewayError } from "../canonical/errors.ts";
import { backoffMs } from "./backoff.ts";
import { countsAsFailure, failureKind, isRetryable } from "./classify.ts";
import type { Resolved } from "./models.ts";
import type { FallbackKind, Router } from "./router.ts";
import { pick } from "./strategies.ts";
import type { Candidate, GroupPolicy } from "./types.ts";
import type { AttemptFailure } from "../telemetry/calls.ts";

/** One attempt that failed, as the final error and the call record report it (no secrets: codes and ids only). */
export type FailedAttempt = AttemptFailure;

/** What a routed call needs besides the attempt itself. */
export interface RouteRequest {
  /** The model name the caller's call goes to (aliases applied). */
  model: string;
  /** Its deployments that can serve the operation. */
  group: readonly Resolved[];
  /** The client's signal: waiting between attempts stops when it aborts. */
  signal: AbortSignal;
  /**
   * The deployments of a fallback model name, or a reason it cannot be used (unknown, or the
   * caller's key may not call it: a fallback never widens what a key can reach).
   */
  fallbackGroup: (model: string) => readonly Resolved[] | string;
  /**
   * Whether a failing deployment of this model name may cool down: only when its whole group (before
   * any narrowing by tags) has another deployment. A lone deployment is retried after a backoff instead.
   */
  cools: (model: string) => boolean;
  /** Told the routed call as soon as it is committed (before `route` resolves). */
  onCommit?: (routed: Routed<unknown>) => void;
}

/** A call that reached an upstream and was committed to. */
export interface Routed<T> {
  value: T;
  resolved: Resolved;
  /** The model name that served: the requested one, or the fallback. */
  model: string;
  /** Set when a fallback served the call: the model name first asked for. */
  fallbackFrom?: string;
  /** Attempts made, this one included. */
  attempts: number;
  /**
   * Milliseconds from the first attempt's start to this one's: failed attempts and backoff waits,
   * which the gateway-overhead figure leaves out (0 when the first attempt served).
   */
  retryMs: number;
  failed: readonly FailedAttempt[];
  /** Tells the router how the committed call ended (call once, when its record is made). */
  finish(outcome: { ok: boolean; tokens?: number }): void;
}

/** Waiting longer than this for a deployment's Retry-After is the client's call, not ours. */
const MAX_RETRY_AFTER_WAIT_S = 20;

type GroupResult<T> = { routed: Routed<T> } | { error: GatewayError; kind: FallbackKind | "final" };

/**
 * Runs `attempt` on the group's deployments until one succeeds: retries what can succeed (never
 * the caller's own errors), preferring a deployment not tried yet, backing off when it must try
 * the same one again; deployments that keep failing cool down; when the group is exhausted, the
 * configured fallbacks for that kind of failure are tried in order. An attempt must only resolve
 * once nothing can go wrong that a retry could fix without the client noticing (for a stream: its
 * first event is in hand, nothing sent yet).
 */
export async function route<T>(router: Router, request: RouteRequest, attempt: (resolved: Resolved) => Promise<T>): Promise<Routed<T>> {
  const failed: FailedAttempt[] = [];
  const clock: AttemptClock = { firstAt: -1 };
  const first = await tryGroup(router, request, request.model, request.group, failed, clock, attempt);
  if ("routed" in first) return first.routed;
  let last = first;
  if (first.kind !== "final" && !request.signal.aborted) {
    const visited = new Set([request.model]);
    for (const model of router.fallbacks(request.model, first.kind)) {
      if (visited.has(model)) continue;
      visited.add(model);
      const group = request.fallbackGroup(model);
      if (typeof group === "string") continue;
      const result = await tryGroup(router, request, model, group, failed, clock, attempt, request.model);
      if ("routed" in result) return result.routed;
      last = result;
      if (result.kind === "final" || request.signal.aborted) break;
    }
  }
  throw summarise(last.error, failed);
}

/** When the call's first attempt (or its first backoff) began, across groups. */
interface AttemptClock {
  firstAt: number;
}

async function tryGroup<T>(
  router: Router,
  request: RouteRequest,
  model: string,
  group: readonly Resolved[],
  failed: FailedAttempt[],
  clock: AttemptClock,
  attempt: (resolved: Resolved) => Promise<T>,
  fallbackFrom?: string,
): Promise<GroupResult<T>> {
  const policy = router.policy(model);
  const { loads } = router;
  const canCool = request.cools(model);
  const tried = new Set<string>();
  // Each deployment's own Retry-After: a wait asked for by one never delays a retry on another.
  let retryAfterOf: Map<string, number> | undefined;
  // Load (in flight, latency, per-minute counts) is only kept where a strategy or a cap reads it.
  const track = tracksLoad(policy, group);
  let lastError: GatewayError | undefined;
  for (let retry = 0; retry <= policy.numRetries; retry++) {
    const chosen = choose(router, policy, group, tried);
    if (!chosen) return { error: unavailable(router, model, group), kind: "general" };
    if (chosen === "capacity") return { error: lastError ?? atCapacity(model), kind: lastError ? failureKind(lastError) : "general" };
    const id = chosen.deployment.id;
    if (retry > 0 && tried.has(id)) {
      const retryAfter = retryAfterOf?.get(id);
      // A Retry-After beyond what we wait for goes back to the client, who can decide.
      if (retryAfter !== undefined && retryAfter > MAX_RETRY_AFTER_WAIT_S) break;
      try {
        await router.sleep(Math.max(backoffMs(retry, retryAfter, router.random), policy.retryFloorMs), request.signal);
      } catch {
        break;
      }
    }
    tried.add(id);
    if (track) loads.start(id);
    const startedAt = performance.now();
    if (clock.firstAt < 0) clock.firstAt = startedAt;
    try {
      const value = await attempt(chosen);
      let finish: Routed<T>["finish"] = NOTHING_TO_FINISH;
      if (track) {
        const latencyMs = performance.now() - startedAt;
        let finished = false;
        finish = (outcome) => {
          if (finished) return;
          finished = true;
          loads.finish(id, { ok: outcome.ok, latencyMs, ...(outcome.tokens !== undefined ? { tokens: outcome.tokens } : {}) });
        };
      }
      const routed: Routed<T> = { value, resolved: chosen, model, attempts: failed.length + 1, retryMs: startedAt - clock.firstAt, failed, finish, ...(fallbackFrom !== undefined ? { fallbackFrom } : {}) };
      request.onCommit?.(routed);
      return { routed };
    } catch (thrown) {
      const error = withProviderId(toGatewayError(thrown), chosen.deployment.provider.id);
      if (track) loads.finish(id, { ok: false });
      // The request could not even be built for this deployment (the caller's or the gateway's
      // fault): no upstream attempt was made, and no other deployment would do better.
      if (!error.code.startsWith("provider.")) return { error, kind: "final" };
      failed.push({ deploymentId: id, model, code: error.code, status: error.status });
      lastError = error;
      if (error.details.retryAfter !== undefined) (retryAfterOf ??= new Map()).set(id, error.details.retryAfter);
      if (request.signal.aborted) return { error, kind: "final" };
      if (canCool && countsAsFailure(error)) {
        loads.recordFailure(id, policy, { rateLimited: error.status === 429, ...(error.details.retryAfter !== undefined ? { retryAfterSeconds: error.details.retryAfter } : {}) });
      }
      if (!isRetryable(error)) return { error, kind: failureKind(error) };
    }
  }
  return { error: lastError ?? unavailable(router, model, group), kind: lastError ? failureKind(lastError) : "general" };
}

const NOTHING_TO_FINISH = () => {};

/**
 * An upstream's error names its provider by id, as records and /metrics label it (providers' own
 * errors carry their display name, some none); the caller's and the gateway's errors are left alone.
 */
function withProviderId(error: GatewayError, provider: string): GatewayError {
  const named = error.details.provider;
  if (named === provider || (named === undefined && !error.code.startsWith("provider."))) return error;
  return new GatewayError(error.code, error.message, { ...error.details, provider });
}

/** Strategies that read a deployment's load; caps read its per-minute counts. */
const LOAD_STRATEGIES: ReadonlySet<GroupPolicy["strategy"]> = new Set(["least-busy", "latency-based", "usage-based"]);

function tracksLoad(policy: GroupPolicy, group: readonly Resolved[]): boolean {
  return LOAD_STRATEGIES.has(policy.strategy) || group.some((r) => r.deployment.rpm !== undefined || r.deployment.tpm !== undefined);
}

/** The deployment to try next: healthy ones, untried first, by the group's strategy; "capacity" when all healthy ones are at their rpm/tpm. */
function choose(router: Router, policy: GroupPolicy, group: readonly Resolved[], tried: ReadonlySet<string>): Resolved | "capacity" | undefined {
  let pool = group;
  // The common case (first attempt, nothing cooling) uses the group as it is: no copies.
  if (tried.size > 0 || group.some((r) => router.loads.coolingUntil(r.deployment.id) !== undefined)) {
    const healthy = group.filter((r) => router.loads.coolingUntil(r.deployment.id) === undefined);
    if (healthy.length === 0) return undefined;
    const untried = healthy.filter((r) => !tried.has(r.deployment.id));
    pool = untried.length > 0 ? untried : healthy;
  }
  const picked = pickFrom(router, policy, pool);
  if (picked) return picked;
  // The untried ones are all at their rpm/tpm cap: one already tried may still take a retry.
  if (pool !== group && tried.size > 0) {
    const healthy = group.filter((r) => router.loads.coolingUntil(r.deployment.id) === undefined);
    if (healthy.length > 0 && healthy.length !== pool.length) return pickFrom(router, policy, healthy) ?? "capacity";
  }
  return "capacity";
}

function pickFrom(router: Router, policy: GroupPolicy, pool: readonly Resolved[]): Resolved | undefined {
  const candidates = candidatesOf(pool);
  const picked = pick(policy.strategy, candidates, (id) => router.loads.load(id), router.random, policy.latencyBuffer);
  return picked ? pool[candidates.indexOf(picked)] : undefined;
}

/** Candidates of a list of deployments, made once per list (exact names' groups are fixed arrays). */
const candidateLists = new WeakMap<readonly Resolved[], Candidate[]>();
function candidatesOf(pool: readonly Resolved[]): Candidate[] {
  let list = candidateLists.get(pool);
  if (!list) candidateLists.set(pool, (list = pool.map(candidateOf)));
  return list;
}

function candidateOf(resolved: Resolved): Candidate {
  const { deployment } = resolved;
  const candidate: Candidate = { id: deployment.id, weight: deployment.weight, order: deployment.order };
  if (deployment.rpm !== undefined) candidate.rpm = deployment.rpm;
  if (deployment.tpm !== undefined) candidate.tpm = deployment.tpm;
  const price = deployment.priceOf(resolved.target.model);
  // Pico-dollars per token are nano-dollars per thousand tokens: the cost of 1,000 tokens in and 1,000 out.
  if (price) candidate.referenceCostNano = price.input + price.output;
  return candidate;
}

/** Every deployment of the group is cooling down: 429 with the wait until the first comes back. */
function unavailable(router: Router, model: string, group: readonly Resolved[]): GatewayError {
  const now = router.now();
  let soonest = Number.POSITIVE_INFINITY;
  for (const r of group) soonest = Math.min(soonest, router.loads.coolingUntil(r.deployment.id) ?? now);
  const retryAfter = Math.max(1, Math.ceil((soonest - now) / 1000));
  return new GatewayError("provider.rate_limited", `All ${group.length} deployments of '${model}' are cooling down after failing; retry after ${retryAfter} s.`, { retryAfter });
}

function atCapacity(model: string): GatewayError {
  return new GatewayError("provider.rate_limited", `Every deployment of '${model}' is at its configured rpm/tpm capacity; retry shortly.`, { retryAfter: 1 });
}

/** The last error, saying how many attempts were made and how each failed (codes and deployment ids only). */
function summarise(error: GatewayError, failed: readonly FailedAttempt[]): GatewayError {
  const headers = { ...error.details.headers, "x-switchboard-attempts": String(failed.length) };
  const last = failed.at(-1);
  const details = { ...error.details, headers, attempts: failed, ...(last ? { deploymentId: last.deploymentId } : {}) };
  if (failed.length <= 1) return new GatewayError(error.code, error.message, details);
  const tries = failed.map((f) => `${f.deploymentId} (${f.model}): ${f.status} ${f.code}`).join("; ");
  return new GatewayError(error.code, `${error.message} [${failed.length} attempts: ${tries}]`, details);
}
