import { describe, expect, test } from "bun:test";
import { MemoryRateLimiter } from "../../src/limits/memory.ts";
import type { Admission, Admitted, LimitSpec, Refused, Subject } from "../../src/limits/types.ts";
import { seeded as prng } from "../support/rechunk.ts";

/** Start of some whole second, far from 0 so window arithmetic is not accidentally near the origin. */
const T0 = 1_700_000_000_000;

function key(id: string, limits: LimitSpec): Subject {
  return { scope: "key", id, limits };
}
function team(id: string, limits: LimitSpec): Subject {
  return { scope: "team", id, limits };
}
function user(id: string, limits: LimitSpec): Subject {
  return { scope: "user", id, limits };
}

/** A limiter with no sweep timer whose clock is whatever the test sets. */
function limiter(): { rl: MemoryRateLimiter; clock: { now: number } } {
  const clock = { now: T0 };
  return { rl: new MemoryRateLimiter({ clock: () => clock.now, sweepIntervalMs: 0 }), clock };
}

function admitted(result: Admission): Admitted {
  if (!("lease" in result)) throw new Error(`expected admission, got refusal ${JSON.stringify(result.refusal)}`);
  return result;
}
function refused(result: Admission): Refused {
  if (!("refusal" in result)) throw new Error("expected refusal, got admission");
  return result;
}

describe("requests per minute", () => {
  test("limit N admits N in a burst, refuses the N+1th until the burst's second leaves the window", () => {
    const { rl } = limiter();
    const k = key("k1", { rpm: 3 });
    for (let i = 0; i < 3; i++) admitted(rl.admit([k], T0));
    const r = refused(rl.admit([k], T0)).refusal;
    expect(r).toEqual({ subject: k, kind: "requests", limit: 3, retryAfterSeconds: 60 });
    expect(refused(rl.admit([k], T0 + 30_500)).refusal.retryAfterSeconds).toBe(30);
    expect(refused(rl.admit([k], T0 + 59_999)).refusal.retryAfterSeconds).toBe(1);
    // Exactly 60 s later the second the burst happened in is out of the window; refusals were never counted.
    for (let i = 0; i < 3; i++) admitted(rl.admit([k], T0 + 60_000));
    expect(refused(rl.admit([k], T0 + 60_000)).refusal.retryAfterSeconds).toBe(60);
  });

  test("spread requests age out one bucket at a time, and retryAfter says exactly when", () => {
    const { rl } = limiter();
    const k = key("k1", { rpm: 3 });
    admitted(rl.admit([k], T0));
    admitted(rl.admit([k], T0 + 10_000));
    admitted(rl.admit([k], T0 + 20_000));
    expect(refused(rl.admit([k], T0 + 30_000)).refusal.retryAfterSeconds).toBe(30);
    expect(refused(rl.admit([k], T0 + 59_000)).refusal.retryAfterSeconds).toBe(1);
    admitted(rl.admit([k], T0 + 60_000));
    // Now holding T0+10, T0+20 and T0+60: the next to leave is T0+10, at T0+70.
    expect(refused(rl.admit([k], T0 + 60_000)).refusal.retryAfterSeconds).toBe(10);
    expect(refused(rl.admit([k], T0 + 69_999)).refusal.retryAfterSeconds).toBe(1);
    admitted(rl.admit([k], T0 + 70_000));
  });

  test("a first look after exactly 59 s of silence still sees the old bucket; after 60 s it is gone", () => {
    const { rl } = limiter();
    admitted(rl.admit([key("a", { rpm: 1 })], T0 + 400));
    expect(refused(rl.admit([key("a", { rpm: 1 })], T0 + 59_000)).refusal.retryAfterSeconds).toBe(1);
    admitted(rl.admit([key("b", { rpm: 1 })], T0 + 400));
    admitted(rl.admit([key("b", { rpm: 1 })], T0 + 60_000));
  });

  test("retryAfter is the time for enough of the window to age out, not just the oldest bucket", () => {
    const { rl } = limiter();
    const k5 = key("k", { rpm: 5 });
    admitted(rl.admit([k5], T0));
    for (let i = 0; i < 4; i++) admitted(rl.admit([k5], T0 + 20_000));
    // Limit lowered to 2: the window holds 5, so 4 must leave: T0 (1) and T0+20 (4) -> T0+80.
    const k2 = key("k", { rpm: 2 });
    expect(refused(rl.admit([k2], T0 + 30_000)).refusal.retryAfterSeconds).toBe(50);
  });

  test("a limit of 0 refuses everything with a full-window retry", () => {
    const { rl } = limiter();
    const r = refused(rl.admit([key("k", { rpm: 0 })], T0)).refusal;
    expect(r.kind).toBe("requests");
    expect(r.retryAfterSeconds).toBe(60);
  });

  test("counters are per scope and id", () => {
    const { rl } = limiter();
    admitted(rl.admit([key("same", { rpm: 1 })], T0));
    admitted(rl.admit([team("same", { rpm: 1 })], T0));
    admitted(rl.admit([user("same", { rpm: 1 })], T0));
    admitted(rl.admit([key("other", { rpm: 1 })], T0));
    refused(rl.admit([key("same", { rpm: 1 })], T0));
  });

  test("randomized: matches a naive log of admitted timestamps, including retryAfter", () => {
    const { rl } = limiter();
    const random = prng(42);
    const limits = { rpm: 7 };
    const k = key("k", limits);
    const log: number[] = [];
    const countAt = (ms: number): number => {
      const second = Math.floor(ms / 1000);
      return log.filter((s) => s > second - 60).length;
    };
    let now = T0 + 123;
    let admissions = 0;
    let refusals = 0;
    for (let step = 0; step < 2000; step++) {
      // Mostly small steps, sometimes long silences that skip part or all of the window.
      now += Math.floor(random() * (random() < 0.05 ? 70_000 : 6000));
      const result = rl.admit([k], now);
      if (countAt(now) < limits.rpm) {
        admitted(result);
        log.push(Math.floor(now / 1000));
        admissions++;
      } else {
        const wait = refused(result).refusal.retryAfterSeconds;
        // The first whole second k at which a request would pass, probed by brute force.
        let expected = 1;
        while (countAt(now + expected * 1000) >= limits.rpm) expected++;
        expect(wait).toBe(expected);
        refusals++;
      }
    }
    expect(admissions).toBeGreaterThan(100);
    expect(refusals).toBeGreaterThan(100);
  });
});

describe("tokens per minute", () => {
  test("admits while under the limit; released tokens fill the window and age out", () => {
    const { rl } = limiter();
    const k = key("k", { tpm: 100 });
    admitted(rl.admit([k], T0)).lease.release(60, T0);
    admitted(rl.admit([k], T0 + 5_000)).lease.release(50, T0 + 5_000);
    const r = refused(rl.admit([k], T0 + 10_000)).refusal;
    // 110 in the window; removing T0's 60 leaves 50 < 100, at T0+60.
    expect(r).toEqual({ subject: k, kind: "tokens", limit: 100, retryAfterSeconds: 50 });
    admitted(rl.admit([k], T0 + 60_000));
  });

  test("under the limit by one token still admits (usage is only known afterwards)", () => {
    const { rl } = limiter();
    const k = key("k", { tpm: 100 });
    admitted(rl.admit([k], T0)).lease.release(99, T0);
    admitted(rl.admit([k], T0)).lease.release(1, T0);
    refused(rl.admit([k], T0));
  });

  test("tokens are recorded when the call ends, not when it starts", () => {
    const { rl } = limiter();
    const k = key("k", { tpm: 100 });
    const lease = admitted(rl.admit([k], T0)).lease;
    lease.release(500, T0 + 30_000);
    refused(rl.admit([k], T0 + 60_000));
    expect(refused(rl.admit([k], T0 + 60_000)).refusal.retryAfterSeconds).toBe(30);
    admitted(rl.admit([k], T0 + 90_000));
  });

  test("negative, NaN and infinite tokens count as 0", () => {
    const { rl } = limiter();
    const k = key("k", { tpm: 10 });
    admitted(rl.admit([k], T0)).lease.release(Number.NaN, T0);
    admitted(rl.admit([k], T0)).lease.release(-50, T0);
    admitted(rl.admit([k], T0)).lease.release(Number.POSITIVE_INFINITY, T0);
    expect(admitted(rl.admit([k], T0)).headroom.remainingTokens).toBe(10);
  });

  test("release adds the tokens to every subject of the admission", () => {
    const { rl } = limiter();
    const k = key("k", { tpm: 1000 });
    const t = team("t", { tpm: 500 });
    admitted(rl.admit([k, t], T0)).lease.release(400, T0);
    expect(admitted(rl.admit([k], T0)).headroom).toMatchObject({ limitTokens: 1000, remainingTokens: 600 });
    expect(admitted(rl.admit([t], T0)).headroom).toMatchObject({ limitTokens: 500, remainingTokens: 100 });
  });
});

describe("max parallel", () => {
  test("slots are taken and freed; release is idempotent", () => {
    const { rl } = limiter();
    const k = key("k", { maxParallel: 2 });
    const a = admitted(rl.admit([k], T0)).lease;
    admitted(rl.admit([k], T0));
    expect(refused(rl.admit([k], T0)).refusal).toEqual({ subject: k, kind: "parallel", limit: 2, retryAfterSeconds: 1 });
    a.release(0);
    a.release(0);
    admitted(rl.admit([k], T0));
    // Had the second release freed another slot, this would pass.
    refused(rl.admit([k], T0));
  });

  test("a second release does not record tokens again", () => {
    const { rl } = limiter();
    const k = key("k", { tpm: 100 });
    const lease = admitted(rl.admit([k], T0)).lease;
    lease.release(30, T0);
    lease.release(30, T0);
    expect(admitted(rl.admit([k], T0)).headroom.remainingTokens).toBe(70);
  });

  test("randomized admissions and releases never exceed maxParallel and always admit when a slot is free", () => {
    const { rl } = limiter();
    const random = prng(7);
    const k = key("k", { maxParallel: 5 });
    const t = team("t", { maxParallel: 8 });
    const other = key("k2", { maxParallel: 4 });
    const held: { lease: { release(tokens: number): void }; key: string }[] = [];
    const inFlight = { k: 0, k2: 0, t: 0 };
    let peakK = 0;
    let peakT = 0;
    for (let step = 0; step < 800; step++) {
      if (random() < 0.55) {
        const useOther = random() < 0.5;
        const subjects = useOther ? [other, t] : [k, t];
        const expectAdmit = inFlight.t < 8 && (useOther ? inFlight.k2 < 4 : inFlight.k < 5);
        const result = rl.admit(subjects, T0);
        expect("lease" in result).toBe(expectAdmit);
        if ("lease" in result) {
          held.push({ lease: result.lease, key: useOther ? "k2" : "k" });
          if (useOther) inFlight.k2++;
          else inFlight.k++;
          inFlight.t++;
        }
      } else if (held.length > 0) {
        const i = Math.floor(random() * held.length);
        const entry = held[i];
        if (!entry) throw new Error("unreachable");
        entry.lease.release(1);
        // Sometimes release twice: must change nothing.
        if (random() < 0.3) entry.lease.release(1);
        held.splice(i, 1);
        if (entry.key === "k2") inFlight.k2--;
        else inFlight.k--;
        inFlight.t--;
      }
      expect(inFlight.k).toBeLessThanOrEqual(5);
      expect(inFlight.k2).toBeLessThanOrEqual(4);
      expect(inFlight.t).toBeLessThanOrEqual(8);
      peakK = Math.max(peakK, inFlight.k);
      peakT = Math.max(peakT, inFlight.t);
    }
    // The limits were actually reached, so the test exercised refusals.
    expect(peakK).toBe(5);
    expect(peakT).toBe(8);
  });
});

describe("all-or-nothing", () => {
  test("a team over its rpm counts nothing for the key or the user", () => {
    const { rl } = limiter();
    const k = key("k", { rpm: 3, maxParallel: 1 });
    const t = team("t", { rpm: 1 });
    const u = user("u", { rpm: 3 });
    admitted(rl.admit([k, t, u], T0)).lease.release(0, T0);
    for (let i = 0; i < 5; i++) expect(refused(rl.admit([k, t, u], T0)).refusal.subject).toBe(t);
    // Key and user saw one request each, so two more pass for each, and then they refuse.
    admitted(rl.admit([k], T0)).lease.release(0, T0);
    admitted(rl.admit([k], T0)).lease.release(0, T0);
    refused(rl.admit([k], T0));
    admitted(rl.admit([u], T0));
    admitted(rl.admit([u], T0));
    refused(rl.admit([u], T0));
  });

  test("a user at max parallel takes no slot from the key or the team", () => {
    const { rl } = limiter();
    const k = key("k", { maxParallel: 1 });
    const t = team("t", { maxParallel: 1 });
    const uFull = user("u", { maxParallel: 1 });
    const hold = admitted(rl.admit([uFull], T0)).lease;
    const r = refused(rl.admit([k, t, uFull], T0)).refusal;
    expect(r.subject).toBe(uFull);
    expect(r.kind).toBe("parallel");
    const lease = admitted(rl.admit([k, t], T0)).lease;
    lease.release(0);
    hold.release(0);
    admitted(rl.admit([k, t, uFull], T0));
  });

  test("when several limits refuse, the refusal with the longest wait is reported", () => {
    const { rl } = limiter();
    const k = key("k", { maxParallel: 1 });
    const t = team("t", { rpm: 1 });
    admitted(rl.admit([k, t], T0 + 20_000));
    const r = refused(rl.admit([k, t], T0 + 30_000)).refusal;
    expect(r).toEqual({ subject: t, kind: "requests", limit: 1, retryAfterSeconds: 50 });
  });

  test("the same subject listed twice is counted once", () => {
    const { rl } = limiter();
    const k = key("k", { rpm: 2, maxParallel: 1 });
    admitted(rl.admit([k, k], T0)).lease.release(0);
    admitted(rl.admit([k, k], T0));
    refused(rl.admit([k], T0));
  });

  test("no subjects, or only unlimited ones, is always admitted", () => {
    const { rl } = limiter();
    admitted(rl.admit([], T0)).lease.release(10);
    for (let i = 0; i < 100; i++) admitted(rl.admit([key("free", {}), team("t", { rpm: Number.NaN })], T0));
    expect(rl.size).toBe(0);
  });
});

describe("headroom", () => {
  test("reports the tightest rpm subject, after counting this request", () => {
    const { rl } = limiter();
    const k = key("k", { rpm: 10 });
    const t = team("t", { rpm: 5 });
    for (let i = 0; i < 3; i++) admitted(rl.admit([k], T0));
    // Key: 10 - 4 = 6 left; team: 5 - 1 = 4 left: the team is tighter, its oldest bucket is now.
    expect(admitted(rl.admit([k, t], T0 + 500)).headroom).toEqual({ limitRequests: 5, remainingRequests: 4, resetRequestsSeconds: 60 });
    // Key: 10 - 5 = 5 left; team: 5 - 2 = 3 left; the team's oldest bucket (T0) leaves at T0+60.
    expect(admitted(rl.admit([k, t], T0 + 20_000)).headroom).toEqual({ limitRequests: 5, remainingRequests: 3, resetRequestsSeconds: 40 });
    // Key alone: 10 - 6 = 4; its oldest bucket is T0.
    expect(admitted(rl.admit([k], T0 + 45_200)).headroom).toEqual({ limitRequests: 10, remainingRequests: 4, resetRequestsSeconds: 15 });
  });

  test("tokens: remaining is the limit minus recorded tokens; reset is when the oldest tokens leave", () => {
    const { rl } = limiter();
    const k = key("k", { rpm: 100, tpm: 1000 });
    admitted(rl.admit([k], T0)).lease.release(300, T0 + 2_000);
    expect(admitted(rl.admit([k], T0 + 17_000)).headroom).toEqual({
      limitRequests: 100,
      remainingRequests: 98,
      resetRequestsSeconds: 43,
      limitTokens: 1000,
      remainingTokens: 700,
      resetTokensSeconds: 45,
    });
  });

  test("an empty token window resets in 0 s; unlimited kinds are absent", () => {
    const { rl } = limiter();
    expect(admitted(rl.admit([key("k", { tpm: 50 })], T0)).headroom).toEqual({ limitTokens: 50, remainingTokens: 50, resetTokensSeconds: 0 });
    expect(admitted(rl.admit([key("p", { maxParallel: 3 })], T0)).headroom).toEqual({});
  });

  test("on refusal remaining is 0, never negative, and nothing was counted", () => {
    const { rl } = limiter();
    const k = key("k", { rpm: 2 });
    admitted(rl.admit([k], T0));
    admitted(rl.admit([k], T0));
    expect(refused(rl.admit([k], T0 + 1_000)).headroom).toEqual({ limitRequests: 2, remainingRequests: 0, resetRequestsSeconds: 59 });
    // Limit lowered below the count: still 0, not -1.
    expect(refused(rl.admit([key("k", { rpm: 1 })], T0 + 1_000)).headroom.remainingRequests).toBe(0);
    const t = key("t", { tpm: 10 });
    admitted(rl.admit([t], T0)).lease.release(25, T0);
    expect(refused(rl.admit([t], T0)).headroom.remainingTokens).toBe(0);
  });
});

describe("limit changes", () => {
  test("new limits apply on the next admit, against the same counters", () => {
    const { rl } = limiter();
    for (let i = 0; i < 3; i++) admitted(rl.admit([key("k", { rpm: 5 })], T0));
    expect(refused(rl.admit([key("k", { rpm: 3 })], T0)).refusal.limit).toBe(3);
    admitted(rl.admit([key("k", { rpm: 10 })], T0));
    // The raised limit counted the fourth request: 6 more fit under 10.
    for (let i = 0; i < 6; i++) admitted(rl.admit([key("k", { rpm: 10 })], T0));
    refused(rl.admit([key("k", { rpm: 10 })], T0));
    // Limit removed: unlimited.
    admitted(rl.admit([key("k", {})], T0));
  });

  test("lowering maxParallel below the number in flight refuses until enough are released", () => {
    const { rl } = limiter();
    const leases = [0, 1, 2].map(() => admitted(rl.admit([key("k", { maxParallel: 3 })], T0)).lease);
    refused(rl.admit([key("k", { maxParallel: 2 })], T0));
    leases[0]?.release(0);
    refused(rl.admit([key("k", { maxParallel: 2 })], T0));
    leases[1]?.release(0);
    admitted(rl.admit([key("k", { maxParallel: 2 })], T0));
  });
});

describe("memory", () => {
  test("100k distinct subjects over time: the sweep keeps the map bounded", () => {
    const { rl, clock } = limiter();
    const perSecond = 100;
    let peak = 0;
    let n = 0;
    for (let second = 0; second < 1000; second++) {
      clock.now = T0 + second * 1000 + 250;
      for (let i = 0; i < perSecond; i++) {
        const id = `key-${n++}`;
        admitted(rl.admit([key(id, { rpm: 10, tpm: 1000 }), user(`user-${n}`, { maxParallel: 2 })])).lease.release(5);
      }
      // What the periodic timer would do.
      if (second % 60 === 0) rl.sweep();
      peak = Math.max(peak, rl.size);
    }
    expect(n).toBe(100_000);
    // Two subjects per admission, at most 60 s of live ones plus one sweep interval of stale ones.
    expect(peak).toBeLessThanOrEqual(2 * perSecond * 121);
    expect(peak).toBeGreaterThan(2 * perSecond * 60);
    clock.now += 60_000;
    rl.sweep();
    expect(rl.size).toBe(0);
  });

  test("a subject is swept only when nothing is in flight and its window is empty", () => {
    const { rl, clock } = limiter();
    const lease = admitted(rl.admit([key("busy", { maxParallel: 1 })])).lease;
    admitted(rl.admit([key("quiet", { rpm: 1 })])).lease.release(0);
    const late = admitted(rl.admit([key("late", { tpm: 100 })])).lease;
    late.release(10, T0 + 30_000);
    expect(rl.size).toBe(3);
    clock.now = T0 + 59_999;
    expect(rl.sweep()).toBe(0);
    clock.now = T0 + 60_000;
    expect(rl.sweep()).toBe(1); // "quiet"
    clock.now = T0 + 10 * 60_000;
    expect(rl.sweep()).toBe(1); // "late": its tokens left at T0+90
    expect(rl.size).toBe(1);
    // The long-running call still holds its slot.
    refused(rl.admit([key("busy", { maxParallel: 1 })]));
    lease.release(0);
    admitted(rl.admit([key("busy", { maxParallel: 1 })])).lease.release(0);
    clock.now += 60_000;
    expect(rl.sweep()).toBe(1);
    expect(rl.size).toBe(0);
  });

  test("a swept subject starts again from empty counters", () => {
    const { rl, clock } = limiter();
    admitted(rl.admit([key("k", { rpm: 1 })])).lease.release(0);
    refused(rl.admit([key("k", { rpm: 1 })]));
    clock.now = T0 + 61_000;
    rl.sweep();
    expect(rl.size).toBe(0);
    admitted(rl.admit([key("k", { rpm: 1 })]));
  });

  test("the default sweep timer does not keep the process alive and can be stopped", () => {
    const rl = new MemoryRateLimiter();
    admitted(rl.admit([key("k", { rpm: 1 })]));
    rl.close();
  });
});
