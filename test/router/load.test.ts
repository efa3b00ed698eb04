import { describe, expect, test } from "bun:test";
import { DeploymentLoads } from "../../src/router/load.ts";

/** Start of some whole second, far from 0. */
const T0 = 1_700_000_000_000;
const POLICY = { allowedFails: 3, cooldownMs: 5_000 };

function loads(): { l: DeploymentLoads; clock: { now: number } } {
  const clock = { now: T0 };
  return { l: new DeploymentLoads(() => clock.now), clock };
}

describe("DeploymentLoads counters", () => {
  test("an unknown id reads as idle", () => {
    const { l } = loads();
    expect(l.load("nope")).toEqual({ inFlight: 0, latencyMs: undefined, requestsLastMinute: 0, tokensLastMinute: 0 });
    expect(l.coolingUntil("nope")).toBeUndefined();
    expect(l.cooling()).toEqual([]);
  });

  test("start and finish track in-flight calls, never below zero", () => {
    const { l } = loads();
    l.start("a");
    l.start("a");
    expect(l.load("a").inFlight).toBe(2);
    l.finish("a", { ok: true });
    l.finish("a", { ok: false });
    l.finish("a", { ok: false });
    expect(l.load("a").inFlight).toBe(0);
    expect(l.load("b").inFlight).toBe(0);
  });

  test("requests and tokens count over the last 60 s", () => {
    const { l, clock } = loads();
    l.start("a");
    l.finish("a", { ok: true, tokens: 100 });
    clock.now += 30_000;
    l.start("a");
    l.finish("a", { ok: false, tokens: 50 });
    expect(l.load("a")).toMatchObject({ requestsLastMinute: 2, tokensLastMinute: 150 });
    clock.now += 30_000;
    expect(l.load("a")).toMatchObject({ requestsLastMinute: 1, tokensLastMinute: 50 });
    clock.now += 30_000;
    expect(l.load("a")).toMatchObject({ requestsLastMinute: 0, tokensLastMinute: 0 });
  });

  test("latency is an EWMA (alpha 0.3) of successful calls only, the first taken as-is", () => {
    const { l } = loads();
    l.finish("a", { ok: true, latencyMs: 100 });
    expect(l.load("a").latencyMs).toBe(100);
    l.finish("a", { ok: true, latencyMs: 200 });
    expect(l.load("a").latencyMs).toBeCloseTo(130, 9);
    l.finish("a", { ok: false, latencyMs: 1 });
    expect(l.load("a").latencyMs).toBeCloseTo(130, 9);
    l.finish("b", { ok: false, latencyMs: 5 });
    expect(l.load("b").latencyMs).toBeUndefined();
  });
});

describe("DeploymentLoads cooldowns", () => {
  test("allowedFails failures within 60 s start a cooldown", () => {
    const { l, clock } = loads();
    expect(l.recordFailure("a", POLICY, { rateLimited: false })).toBe(false);
    clock.now += 20_000;
    expect(l.recordFailure("a", POLICY, { rateLimited: false })).toBe(false);
    expect(l.coolingUntil("a")).toBeUndefined();
    clock.now += 20_000;
    expect(l.recordFailure("a", POLICY, { rateLimited: false })).toBe(true);
    expect(l.coolingUntil("a")).toBe(clock.now + 5_000);
    expect(l.cooling()).toEqual([{ id: "a", until: clock.now + 5_000 }]);
  });

  test("failures spread over more than 60 s do not", () => {
    const { l, clock } = loads();
    for (let i = 0; i < 10; i++) {
      expect(l.recordFailure("a", POLICY, { rateLimited: false })).toBe(false);
      clock.now += 31_000;
    }
    expect(l.coolingUntil("a")).toBeUndefined();
  });

  test("allowedFails 0 cools down on every failure", () => {
    const { l } = loads();
    expect(l.recordFailure("a", { allowedFails: 0, cooldownMs: 1_000 }, { rateLimited: false })).toBe(true);
    expect(l.coolingUntil("a")).toBe(T0 + 1_000);
  });

  test("a 429 cools down at once, for Retry-After when longer than cooldownMs", () => {
    const { l, clock } = loads();
    expect(l.recordFailure("a", POLICY, { rateLimited: true, retryAfterSeconds: 20 })).toBe(true);
    expect(l.coolingUntil("a")).toBe(T0 + 20_000);
    expect(l.recordFailure("b", POLICY, { rateLimited: true, retryAfterSeconds: 1 })).toBe(true);
    expect(l.coolingUntil("b")).toBe(T0 + 5_000);
    expect(l.recordFailure("c", POLICY, { rateLimited: true })).toBe(true);
    expect(l.coolingUntil("c")).toBe(T0 + 5_000);
    // Capped, so a hostile Retry-After cannot take a deployment out for a day.
    expect(l.recordFailure("d", POLICY, { rateLimited: true, retryAfterSeconds: 86_400 })).toBe(true);
    expect(l.coolingUntil("d")).toBe(T0 + 60_000);
    clock.now += 19_999;
    expect(l.coolingUntil("a")).toBe(T0 + 20_000);
    expect(l.cooling().map((c) => c.id).sort()).toEqual(["a", "d"]);
  });

  test("a shorter later cooldown does not cut a longer one short", () => {
    const { l, clock } = loads();
    l.recordFailure("a", POLICY, { rateLimited: true, retryAfterSeconds: 30 });
    clock.now += 1_000;
    l.recordFailure("a", { allowedFails: 0, cooldownMs: 1_000 }, { rateLimited: false });
    expect(l.coolingUntil("a")).toBe(T0 + 30_000);
  });

  test("a deployment comes back by itself when the cooldown ends", () => {
    const { l, clock } = loads();
    l.recordFailure("a", POLICY, { rateLimited: true });
    clock.now += 4_999;
    expect(l.coolingUntil("a")).toBe(T0 + 5_000);
    clock.now += 1;
    expect(l.coolingUntil("a")).toBeUndefined();
    expect(l.cooling()).toEqual([]);
    // Back with a fresh allowance: one more failure does not cool it again.
    expect(l.recordFailure("a", POLICY, { rateLimited: false })).toBe(false);
    expect(l.coolingUntil("a")).toBeUndefined();
  });

  test("failures on one deployment do not cool another", () => {
    const { l } = loads();
    for (let i = 0; i < 3; i++) l.recordFailure("a", POLICY, { rateLimited: false });
    expect(l.coolingUntil("a")).toBeDefined();
    expect(l.coolingUntil("b")).toBeUndefined();
  });
});
