/**
 * The router's vocabulary: how a model group chooses among its deployments, and what it knows
 * about each deployment's health. Choice is pure and O(deployments): no I/O, no timers.
 */

/** How a group picks a deployment (LiteLLM's `routing_strategy` names map onto these). */
export type Strategy = "simple-shuffle" | "least-busy" | "latency-based" | "usage-based" | "cost-based" | "priority";

export const STRATEGIES: readonly Strategy[] = ["simple-shuffle", "least-busy", "latency-based", "usage-based", "cost-based", "priority"];

/** A deployment as a strategy sees it. */
export interface Candidate {
  /** The deployment id (unique in the table). */
  id: string;
  /** Relative share under simple-shuffle; default 1. Zero never picked while another has weight. */
  weight: number;
  /** Priority order (lower first) for `priority`; default 0. */
  order: number;
  /** Capacity this deployment is allowed per minute, for usage-based routing (and as a cap: a deployment at its rpm is skipped). */
  rpm?: number;
  tpm?: number;
  /** Nano-dollars for a reference call (1k input + 1k output tokens) at its price; undefined when unpriced (cost-based puts those last). */
  referenceCostNano?: number;
}

/** What the router counts per deployment, read by strategies. */
export interface DeploymentLoad {
  /** Calls in flight now. */
  inFlight: number;
  /** Smoothed latency (ms) of successful calls: time to first byte for streams, whole call otherwise; undefined until the first success. */
  latencyMs: number | undefined;
  /** Requests and tokens in the last 60 s. */
  requestsLastMinute: number;
  tokensLastMinute: number;
}

/** Router settings for one group (after defaults). */
export interface GroupPolicy {
  strategy: Strategy;
  /** Retries after the first attempt, within the group. */
  numRetries: number;
  /** Failures within `failWindowMs` that put a deployment into cooldown. */
  allowedFails: number;
  cooldownMs: number;
  /** Least wait before retrying a deployment already tried (LiteLLM's retry_after); 0: the backoff alone. */
  retryFloorMs: number;
  /** Latency-based: deployments within this fraction of the fastest share the load (0.1 = 10%). */
  latencyBuffer: number;
}

export const DEFAULT_POLICY: GroupPolicy = { strategy: "simple-shuffle", numRetries: 2, allowedFails: 3, cooldownMs: 5_000, retryFloorMs: 0, latencyBuffer: 0.1 };

/** Base and cap of the exponential backoff between attempts. */
export const BACKOFF_BASE_MS = 250;
export const BACKOFF_MAX_MS = 8_000;
