import { describe, expect, test } from "bun:test";
import { backoffMs, RETRY_AFTER_MAX_MS } from "../../src/router/backoff.ts";
import { BACKOFF_BASE_MS, BACKOFF_MAX_MS } from "../../src/router/types.ts";

const low = () => 0;
const high = () => 0.999999;

describe("backoffMs", () => {
  test("the range doubles with each attempt until the cap", () => {
    expect(backoffMs(1, undefined, low)).toBe(BACKOFF_BASE_MS / 2);
    expect(backoffMs(2, undefined, low)).toBe(BACKOFF_BASE_MS);
    expect(backoffMs(3, undefined, low)).toBe(BACKOFF_BASE_MS * 2);
    expect(backoffMs(4, undefined, low)).toBe(BACKOFF_BASE_MS * 4);
    // 250 * 2^5 = 8000 = the cap; beyond it the range stops growing.
    expect(backoffMs(6, undefined, low)).toBe(BACKOFF_MAX_MS / 2);
    expect(backoffMs(7, undefined, low)).toBe(BACKOFF_MAX_MS / 2);
    expect(backoffMs(1000, undefined, high)).toBeLessThanOrEqual(BACKOFF_MAX_MS);
    expect(backoffMs(1000, undefined, high)).toBeGreaterThan(BACKOFF_MAX_MS * 0.99);
  });

  test("jitter stays within [cap/2, cap] and is never 0", () => {
    for (let attempt = 1; attempt <= 8; attempt++) {
      const cap = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
      for (const r of [0, 0.25, 0.5, 0.75, 0.999999]) {
        const ms = backoffMs(attempt, undefined, () => r);
        expect(ms).toBeGreaterThanOrEqual(cap / 2);
        expect(ms).toBeLessThanOrEqual(cap);
        expect(ms).toBeCloseTo(cap / 2 + (r * cap) / 2, 6);
      }
    }
  });

  test("a nonsense attempt behaves like the first retry", () => {
    expect(backoffMs(0, undefined, low)).toBe(BACKOFF_BASE_MS / 2);
    expect(backoffMs(Number.NaN, undefined, low)).toBe(BACKOFF_BASE_MS / 2);
  });

  test("Retry-After is a floor: never waits less", () => {
    expect(backoffMs(1, 3, high)).toBe(3000);
    expect(backoffMs(6, 30, high)).toBe(30_000);
    // Shorter than the backoff: the backoff wins.
    expect(backoffMs(6, 1, low)).toBe(BACKOFF_MAX_MS / 2);
  });

  test("Retry-After is capped so an upstream cannot park a request", () => {
    expect(backoffMs(1, 3600, low)).toBe(RETRY_AFTER_MAX_MS);
    expect(RETRY_AFTER_MAX_MS).toBe(60_000);
  });

  test("a zero, negative or non-finite Retry-After is ignored", () => {
    for (const ra of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) expect(backoffMs(2, ra, low)).toBe(BACKOFF_BASE_MS);
  });
});
