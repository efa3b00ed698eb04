import { describe, expect, test } from "bun:test";
import { formatResetSeconds, headroomHeaders, retryAfterHeaders } from "../../src/limits/headers.ts";
import { MemoryRateLimiter } from "../../src/limits/memory.ts";

const T0 = 1_700_000_000_000;

describe("rate-limit headers", () => {
  test("every headroom field maps to its OpenAI header name", () => {
    expect(
      headroomHeaders({
        limitRequests: 60,
        remainingRequests: 59,
        limitTokens: 150000,
        remainingTokens: 149000,
        resetRequestsSeconds: 12,
        resetTokensSeconds: 60,
      }),
    ).toEqual({
      "x-ratelimit-limit-requests": "60",
      "x-ratelimit-remaining-requests": "59",
      "x-ratelimit-limit-tokens": "150000",
      "x-ratelimit-remaining-tokens": "149000",
      "x-ratelimit-reset-requests": "12s",
      "x-ratelimit-reset-tokens": "1m0s",
    });
  });

  test("only present fields produce headers; zero is present", () => {
    expect(headroomHeaders({})).toEqual({});
    expect(headroomHeaders({ limitTokens: 10, remainingTokens: 0, resetTokensSeconds: 0 })).toEqual({
      "x-ratelimit-limit-tokens": "10",
      "x-ratelimit-remaining-tokens": "0",
      "x-ratelimit-reset-tokens": "0s",
    });
  });

  test("resets are formatted like Go durations, as OpenAI does", () => {
    expect(formatResetSeconds(0)).toBe("0s");
    expect(formatResetSeconds(1)).toBe("1s");
    expect(formatResetSeconds(59)).toBe("59s");
    expect(formatResetSeconds(61)).toBe("1m1s");
    expect(formatResetSeconds(3723)).toBe("1h2m3s");
    expect(formatResetSeconds(0.2)).toBe("1s");
    expect(formatResetSeconds(-3)).toBe("0s");
  });

  test("retry-after is whole seconds, at least 1", () => {
    const subject = { scope: "key" as const, id: "k", limits: { rpm: 1 } };
    expect(retryAfterHeaders({ subject, kind: "requests", limit: 1, retryAfterSeconds: 42 })).toEqual({ "retry-after": "42" });
    expect(retryAfterHeaders({ subject, kind: "parallel", limit: 1, retryAfterSeconds: 0 })).toEqual({ "retry-after": "1" });
  });

  test("end to end from the limiter: admission headroom and refusal retry", () => {
    const rl = new MemoryRateLimiter({ sweepIntervalMs: 0 });
    const k = { scope: "key" as const, id: "k", limits: { rpm: 2, tpm: 100 } };
    const first = rl.admit([k], T0);
    if (!("lease" in first)) throw new Error("expected admission");
    first.lease.release(40, T0);
    expect(headroomHeaders(first.headroom)).toEqual({
      "x-ratelimit-limit-requests": "2",
      "x-ratelimit-remaining-requests": "1",
      "x-ratelimit-reset-requests": "1m0s",
      "x-ratelimit-limit-tokens": "100",
      "x-ratelimit-remaining-tokens": "100",
      "x-ratelimit-reset-tokens": "0s",
    });
    rl.admit([k], T0 + 3_000);
    const third = rl.admit([k], T0 + 8_000);
    if (!("refusal" in third)) throw new Error("expected refusal");
    expect(retryAfterHeaders(third.refusal)).toEqual({ "retry-after": "52" });
    expect(headroomHeaders(third.headroom)["x-ratelimit-remaining-tokens"]).toBe("60");
    expect(headroomHeaders(third.headroom)["x-ratelimit-reset-tokens"]).toBe("52s");
  });
});
