import { describe, expect, test } from "bun:test";
import { pick } from "../../src/router/strategies.ts";
import type { Candidate, DeploymentLoad, Strategy } from "../../src/router/types.ts";
import { seeded as mulberry32 } from "../support/rechunk.ts";

const cand = (id: string, extra: Partial<Candidate> = {}): Candidate => ({ id, weight: 1, order: 0, ...extra });

/** A load table; ids not listed are idle. */
function table(entries: Record<string, Partial<DeploymentLoad>>): (id: string) => DeploymentLoad {
  return (id) => ({ inFlight: 0, latencyMs: undefined, requestsLastMinute: 0, tokensLastMinute: 0, ...entries[id] });
}

/** How often each id is picked over `n` picks. */
function shares(n: number, pickOnce: () => Candidate | undefined): Record<string, number> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const c = pickOnce();
    const id = c === undefined ? "(none)" : c.id;
    counts[id] = (counts[id] ?? 0) + 1;
  }
  for (const id of Object.keys(counts)) counts[id] = (counts[id] ?? 0) / n;
  return counts;
}

const idle = table({});

describe("simple-shuffle", () => {
  test("1:3 weights give 25%/75% within 1.5 points over 100k picks", () => {
    const random = mulberry32(1);
    const cs = [cand("a", { weight: 1 }), cand("b", { weight: 3 })];
    const s = shares(100_000, () => pick("simple-shuffle", cs, idle, random));
    expect(Math.abs((s.a ?? 0) - 0.25)).toBeLessThan(0.015);
    expect(Math.abs((s.b ?? 0) - 0.75)).toBeLessThan(0.015);
  });

  test("1:2:7 weights over 100k picks", () => {
    const random = mulberry32(2);
    const cs = [cand("a", { weight: 1 }), cand("b", { weight: 2 }), cand("c", { weight: 7 })];
    const s = shares(100_000, () => pick("simple-shuffle", cs, idle, random));
    expect(Math.abs((s.a ?? 0) - 0.1)).toBeLessThan(0.015);
    expect(Math.abs((s.b ?? 0) - 0.2)).toBeLessThan(0.015);
    expect(Math.abs((s.c ?? 0) - 0.7)).toBeLessThan(0.015);
  });

  test("weight 0 is never picked while another has weight", () => {
    const random = mulberry32(3);
    const cs = [cand("zero", { weight: 0 }), cand("a", { weight: 1 }), cand("neg", { weight: -1 })];
    expect(shares(10_000, () => pick("simple-shuffle", cs, idle, random))).toEqual({ a: 1 });
  });

  test("all weights <= 0: uniform", () => {
    const random = mulberry32(4);
    const cs = [cand("a", { weight: 0 }), cand("b", { weight: 0 }), cand("c", { weight: -2 })];
    const s = shares(30_000, () => pick("simple-shuffle", cs, idle, random));
    for (const id of ["a", "b", "c"]) expect(Math.abs((s[id] ?? 0) - 1 / 3)).toBeLessThan(0.015);
  });

  test("no candidates: undefined", () => {
    expect(pick("simple-shuffle", [], idle)).toBeUndefined();
  });
});

describe("least-busy", () => {
  test("always picks the fewest in flight", () => {
    const random = mulberry32(5);
    const loads = table({ a: { inFlight: 3 }, b: { inFlight: 1 }, c: { inFlight: 2 } });
    const cs = [cand("a"), cand("b"), cand("c")];
    expect(shares(1_000, () => pick("least-busy", cs, loads, random))).toEqual({ b: 1 });
  });

  test("spreads ties uniformly", () => {
    const random = mulberry32(6);
    const loads = table({ a: { inFlight: 1 }, b: { inFlight: 0 }, c: { inFlight: 0 }, d: { inFlight: 0 } });
    const cs = [cand("a"), cand("b"), cand("c"), cand("d")];
    const s = shares(30_000, () => pick("least-busy", cs, loads, random));
    expect(s.a).toBeUndefined();
    for (const id of ["b", "c", "d"]) expect(Math.abs((s[id] ?? 0) - 1 / 3)).toBeLessThan(0.015);
  });
});

describe("latency-based", () => {
  test("never picks one slower than the buffer while a fast one exists", () => {
    const random = mulberry32(7);
    const loads = table({ fast: { latencyMs: 100 }, slow: { latencyMs: 111 } });
    const cs = [cand("slow"), cand("fast")];
    expect(shares(10_000, () => pick("latency-based", cs, loads, random))).toEqual({ fast: 1 });
    // A wider buffer lets the slower one share.
    const wide = shares(10_000, () => pick("latency-based", cs, loads, random, 0.2));
    expect(wide.slow).toBeGreaterThan(0.3);
  });

  test("near-equal deployments share the load", () => {
    const random = mulberry32(8);
    const loads = table({ a: { latencyMs: 100 }, b: { latencyMs: 105 } });
    const s = shares(10_000, () => pick("latency-based", [cand("a"), cand("b")], loads, random));
    for (const id of ["a", "b"]) {
      expect(s[id]).toBeGreaterThan(0.3);
      expect(s[id]).toBeLessThan(0.7);
    }
  });

  test("unmeasured deployments are tried first", () => {
    const random = mulberry32(9);
    const loads = table({ fast: { latencyMs: 10 } });
    const cs = [cand("fast"), cand("new1"), cand("new2")];
    const s = shares(1_000, () => pick("latency-based", cs, loads, random));
    expect(s.fast).toBeUndefined();
    expect(s.new1).toBeGreaterThan(0.3);
    expect(s.new2).toBeGreaterThan(0.3);
  });

  test("an unmeasured deployment whose first call is still out does not take all traffic", () => {
    const loads = table({ fast: { latencyMs: 10 }, probing: { inFlight: 1 } });
    expect(pick("latency-based", [cand("probing"), cand("fast")], loads, mulberry32(10))?.id).toBe("fast");
    // With nothing measured yet, the probing ones still serve.
    expect(pick("latency-based", [cand("probing")], loads, mulberry32(10))?.id).toBe("probing");
  });
});

describe("usage-based", () => {
  test("picks the most headroom", () => {
    const loads = table({ a: { requestsLastMinute: 50 }, b: { requestsLastMinute: 10, tokensLastMinute: 900 }, c: { requestsLastMinute: 30 } });
    // a: 1 - 50/100 = 0.5; b: min(1 - 10/100, 1 - 900/1000) = 0.1; c: 1 - 30/200 = 0.85.
    const cs = [cand("a", { rpm: 100 }), cand("b", { rpm: 100, tpm: 1000 }), cand("c", { rpm: 200 })];
    expect(pick("usage-based", cs, loads, mulberry32(11))?.id).toBe("c");
  });

  test("limitless deployments prefer fewer recent requests and beat a limited one's partial headroom", () => {
    const loads = table({ a: { requestsLastMinute: 5 }, b: { requestsLastMinute: 2 }, c: { requestsLastMinute: 1 } });
    expect(pick("usage-based", [cand("a"), cand("b")], loads, mulberry32(12))?.id).toBe("b");
    expect(pick("usage-based", [cand("c", { rpm: 1000 }), cand("a")], loads, mulberry32(12))?.id).toBe("a");
  });

  test("ties are spread", () => {
    const random = mulberry32(13);
    const s = shares(10_000, () => pick("usage-based", [cand("a", { rpm: 10 }), cand("b", { rpm: 10 })], idle, random));
    expect(s.a).toBeGreaterThan(0.4);
    expect(s.b).toBeGreaterThan(0.4);
  });
});

describe("cost-based", () => {
  test("cheapest first, unpriced last", () => {
    const random = mulberry32(14);
    const cs = [cand("free?"), cand("pricey", { referenceCostNano: 900 }), cand("cheap", { referenceCostNano: 100 })];
    expect(shares(1_000, () => pick("cost-based", cs, idle, random))).toEqual({ cheap: 1 });
    expect(pick("cost-based", [cand("free?"), cand("pricey", { referenceCostNano: 900 })], idle, random)?.id).toBe("pricey");
    expect(pick("cost-based", [cand("free?")], idle, random)?.id).toBe("free?");
  });

  test("equal prices share", () => {
    const random = mulberry32(15);
    const cs = [cand("a", { referenceCostNano: 5 }), cand("b", { referenceCostNano: 5 }), cand("x")];
    const s = shares(10_000, () => pick("cost-based", cs, idle, random));
    expect(s.x).toBeUndefined();
    expect(s.a).toBeGreaterThan(0.4);
    expect(s.b).toBeGreaterThan(0.4);
  });
});

describe("priority", () => {
  test("lowest order wins, weighted within it", () => {
    const random = mulberry32(16);
    const cs = [cand("backup", { order: 2, weight: 100 }), cand("a", { order: 1, weight: 1 }), cand("b", { order: 1, weight: 3 }), cand("later", { order: 5 })];
    const s = shares(100_000, () => pick("priority", cs, idle, random));
    expect(s.backup).toBeUndefined();
    expect(s.later).toBeUndefined();
    expect(Math.abs((s.a ?? 0) - 0.25)).toBeLessThan(0.015);
    expect(Math.abs((s.b ?? 0) - 0.75)).toBeLessThan(0.015);
  });

  test("falls to the next order when the first is at cap", () => {
    const loads = table({ first: { requestsLastMinute: 10 } });
    const cs = [cand("first", { order: 0, rpm: 10 }), cand("second", { order: 1 })];
    expect(pick("priority", cs, loads, mulberry32(17))?.id).toBe("second");
  });
});

describe("rpm/tpm caps", () => {
  const strategies: Strategy[] = ["simple-shuffle", "least-busy", "latency-based", "usage-based", "cost-based", "priority"];
  const loads = table({
    full: { requestsLastMinute: 10, latencyMs: 1 },
    tokens: { requestsLastMinute: 0, tokensLastMinute: 500, latencyMs: 1 },
    open: { requestsLastMinute: 9, latencyMs: 50, inFlight: 5 },
  });
  const full = cand("full", { rpm: 10, weight: 100, referenceCostNano: 1 });
  const tokens = cand("tokens", { tpm: 500, weight: 100, referenceCostNano: 1 });
  const open = cand("open", { rpm: 10, referenceCostNano: 1000 });

  for (const strategy of strategies) {
    test(`${strategy} skips deployments at their cap`, () => {
      const random = mulberry32(18);
      expect(shares(1_000, () => pick(strategy, [full, tokens, open], loads, random))).toEqual({ open: 1 });
    });
    test(`${strategy} returns undefined when every deployment is at cap`, () => {
      expect(pick(strategy, [full, tokens], loads, mulberry32(19))).toBeUndefined();
    });
  }
});
