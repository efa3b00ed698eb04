/**
 * Choosing one deployment of a group. Every strategy is a single O(n) scan (latency-based: two)
 * with reservoir sampling for random choices, so nothing is sorted, copied or allocated per pick.
 */

import type { Candidate, DeploymentLoad, Strategy } from "./types.ts";

/** Per-request discount for limitless deployments under usage-based: only orders them among themselves, never below a limited one's real headroom. */
const TINY = 1e-9;

/** Whether the deployment has used its per-minute allowance (it is skipped until the window moves). */
function atCap(c: Candidate, l: DeploymentLoad): boolean {
  return (c.rpm !== undefined && l.requestsLastMinute >= c.rpm) || (c.tpm !== undefined && l.tokensLastMinute >= c.tpm);
}

/**
 * Weighted random among candidates under their cap, proportional to weight; non-positive weights
 * only when no candidate has a positive one (then uniform). With `byOrder`, only the lowest order counts.
 */
function weighted(candidates: readonly Candidate[], loads: (id: string) => DeploymentLoad, random: () => number, byOrder: boolean): Candidate | undefined {
  let order = Infinity;
  let total = 0;
  let chosen: Candidate | undefined;
  let unweighted = 0;
  let fallback: Candidate | undefined;
  for (const c of candidates) {
    // Checked before loads() so a priority pick reads no load for an order already beaten.
    if (byOrder && c.order > order) continue;
    // A deployment without caps needs no load read (no lookup, no allocation).
    if ((c.rpm !== undefined || c.tpm !== undefined) && atCap(c, loads(c.id))) continue;
    if (byOrder && c.order < order) {
      // A better order found: what was sampled so far no longer competes.
      order = c.order;
      total = 0;
      chosen = undefined;
      unweighted = 0;
      fallback = undefined;
    }
    const w = c.weight;
    // Weighted reservoir: keeping c with probability w/total leaves each with probability w_i/W at the end.
    if (w > 0 && Number.isFinite(w)) {
      total += w;
      if (random() * total < w) chosen = c;
    } else {
      unweighted++;
      if (random() * unweighted < 1) fallback = c;
    }
  }
  return chosen ?? fallback;
}

/** Lowest `score` among candidates under their cap; ties broken uniformly (reservoir over the tied). */
function lowest(candidates: readonly Candidate[], loads: (id: string) => DeploymentLoad, random: () => number, score: (c: Candidate, l: DeploymentLoad) => number): Candidate | undefined {
  let chosen: Candidate | undefined;
  let best = 0;
  let ties = 0;
  for (const c of candidates) {
    const l = loads(c.id);
    if (atCap(c, l)) continue;
    const s = score(c, l);
    if (chosen === undefined || s < best) {
      chosen = c;
      best = s;
      ties = 1;
    } else if (s === best) {
      ties++;
      if (random() * ties < 1) chosen = c;
    }
  }
  return chosen;
}

const byInFlight = (_c: Candidate, l: DeploymentLoad): number => l.inFlight;

/** Unpriced deployments score Infinity: after every priced one, tied among themselves. */
const byCost = (c: Candidate): number => (c.referenceCostNano !== undefined && Number.isFinite(c.referenceCostNano) ? c.referenceCostNano : Infinity);

/** Negated headroom, so `lowest` picks the most headroom. */
function byHeadroom(c: Candidate, l: DeploymentLoad): number {
  if (c.rpm === undefined && c.tpm === undefined) return -(1 - TINY * l.requestsLastMinute);
  let headroom = 1;
  // Both limits are positive here: a zero limit is always at cap and never scored.
  if (c.rpm !== undefined) headroom = Math.min(headroom, 1 - l.requestsLastMinute / c.rpm);
  if (c.tpm !== undefined) headroom = Math.min(headroom, 1 - l.tokensLastMinute / c.tpm);
  return -headroom;
}

/**
 * Latency-based: an idle, never-measured deployment first (so each gets a sample), else uniformly
 * among those within (1 + buffer) of the fastest smoothed latency.
 */
function fastest(candidates: readonly Candidate[], loads: (id: string) => DeploymentLoad, random: () => number, buffer: number): Candidate | undefined {
  let measured = false;
  let fastestMs = Infinity;
  let probe: Candidate | undefined;
  let probes = 0;
  let probing: Candidate | undefined;
  let probingCount = 0;
  for (const c of candidates) {
    const l = loads(c.id);
    if (atCap(c, l)) continue;
    if (l.latencyMs !== undefined) {
      measured = true;
      if (l.latencyMs < fastestMs) fastestMs = l.latencyMs;
    } else if (l.inFlight === 0) {
      probes++;
      if (random() * probes < 1) probe = c;
    } else {
      // Its first call is still out: one probe is enough, so do not pile traffic onto an unknown.
      probingCount++;
      if (random() * probingCount < 1) probing = c;
    }
  }
  if (probe !== undefined) return probe;
  if (!measured) return probing;
  // A non-finite or negative buffer would turn the threshold into NaN or exclude the fastest itself.
  const limit = fastestMs * (1 + (Number.isFinite(buffer) && buffer > 0 ? buffer : 0));
  let chosen: Candidate | undefined;
  let near = 0;
  for (const c of candidates) {
    const l = loads(c.id);
    if (l.latencyMs === undefined || l.latencyMs > limit || atCap(c, l)) continue;
    near++;
    if (random() * near < 1) chosen = c;
  }
  return chosen;
}

/**
 * Picks a deployment among `candidates` (already healthy) by `strategy`, skipping any at its rpm/tpm
 * cap; undefined when every candidate is at cap (or there are none).
 */
export function pick(
  strategy: Strategy,
  candidates: readonly Candidate[],
  loads: (id: string) => DeploymentLoad,
  random: () => number = Math.random,
  latencyBuffer = 0.1,
): Candidate | undefined {
  switch (strategy) {
    case "simple-shuffle":
      return weighted(candidates, loads, random, false);
    case "priority":
      return weighted(candidates, loads, random, true);
    case "least-busy":
      return lowest(candidates, loads, random, byInFlight);
    case "usage-based":
      return lowest(candidates, loads, random, byHeadroom);
    case "cost-based":
      return lowest(candidates, loads, random, byCost);
    case "latency-based":
      return fastest(candidates, loads, random, latencyBuffer);
    default: {
      // A new Strategy fails type-checking here until it is handled.
      const unhandled: never = strategy;
      throw new Error(`unknown routing strategy ${String(unhandled)}`);
    }
  }
}
