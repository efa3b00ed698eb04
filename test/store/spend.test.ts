import { describe, expect, test } from "bun:test";
import { dirname, join } from "node:path";
import { openSqliteStore } from "../../src/store/sqlite/index.ts";
import type { SpendRow, Store } from "../../src/store/types.ts";
import { useTempDir } from "../support/temp-dir.ts";
import { spendRow, T0 } from "./spend-rows.ts";

const tmp = useTempDir("switchboard-store-spend-");
let counter = 0;

/** A store on a fresh file with one team, one user and two keys (`k1` in the team, `k2` not). */
async function seededStore(): Promise<Store> {
  counter++;
  const store = await openSqliteStore(join(dirname(await tmp.file(`s${counter}.marker`, "")), `s${counter}.db`));
  await store.teams.insert({ teamId: "team" });
  await store.keys.insert({ token: "k1", keyName: "sk-...k1", teamId: "team", userId: "user" });
  await store.keys.insert({ token: "k2", keyName: "sk-...k2" });
  return store;
}

async function spendOf(store: Store): Promise<{ k1: unknown; k2: unknown; team: unknown; user: unknown }> {
  return {
    k1: (await store.keys.byToken("k1"))?.spend,
    k2: (await store.keys.byToken("k2"))?.spend,
    team: (await store.teams.byId("team"))?.spend,
    user: (await store.users.byId("user"))?.spend,
  };
}

/** A deterministic pseudo-random sequence (mulberry32) so the exactness test is repeatable. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const DAY = 86_400_000;

describe("spend append", () => {
  test("rollups equal the exact integer sum of the rows' costs", async () => {
    const store = await seededStore();
    const next = random(42);
    const rows: SpendRow[] = [];
    for (let i = 0; i < 1_000; i++) {
      // Up to ~2^40 nano$ each; null costs (unpriced models) count as 0.
      const costNano = i % 17 === 0 ? null : Math.floor(next() * 2 ** 40);
      rows.push(spendRow(`c${i}`, { token: i % 3 === 0 ? "k2" : "k1", teamId: i % 3 === 0 ? undefined : "team", userId: i % 3 === 0 ? undefined : "user", costNano }));
    }
    for (let start = 0; start < rows.length; start += 100) await store.spend.append(rows.slice(start, start + 100));

    const sum = (filter: (row: SpendRow) => boolean): number => {
      const total = rows.filter(filter).reduce((acc, row) => acc + BigInt(row.costNano ?? 0), 0n);
      expect(total < BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
      return Number(total);
    };
    const k1 = sum((row) => row.token === "k1");
    const k2 = sum((row) => row.token === "k2");
    expect(k1).toBeGreaterThan(0);
    expect(await spendOf(store)).toEqual({
      k1: { totalNano: k1, windowNano: k1, windowStart: 0 },
      k2: { totalNano: k2, windowNano: k2, windowStart: 0 },
      team: { totalNano: k1, windowNano: k1, windowStart: 0 },
      user: { totalNano: k1, windowNano: k1, windowStart: 0 },
    });
    const report = await store.spend.report("key", {});
    expect(report.map((row) => [row.group, row.requests, row.costNano])).toEqual([
      ["k1", rows.filter((row) => row.token === "k1").length, k1],
      ["k2", rows.filter((row) => row.token === "k2").length, k2],
    ]);
    await store.close();
  });

  test("a retried batch and duplicate call ids are never counted twice", async () => {
    const store = await seededStore();
    const batch = [spendRow("a", { token: "k1", teamId: "team", userId: "user", costNano: 100 }), spendRow("b", { token: "k1", costNano: 10 })];
    await store.spend.append(batch);
    await store.spend.append(batch);
    // A duplicate inside one batch, next to a new row that must still count.
    await store.spend.append([spendRow("c", { token: "k1", costNano: 1 }), spendRow("c", { token: "k1", costNano: 1_000_000 }), spendRow("a", { token: "k1", costNano: 5 })]);
    expect((await store.keys.byToken("k1"))?.spend).toEqual({ totalNano: 111, windowNano: 111, windowStart: 0 });
    expect((await store.teams.byId("team"))?.spend.totalNano).toBe(100);
    expect((await store.users.byId("user"))?.spend.totalNano).toBe(100);
    expect((await store.spend.logs({ limit: 100, offset: 0 })).map((row) => row.callId).sort()).toEqual(["a", "b", "c"]);
    // The stored row is the first one, not the duplicate.
    expect((await store.spend.logs({ limit: 100, offset: 0 })).find((row) => row.callId === "c")?.costNano).toBe(1);
    await store.close();
  });

  test("window rollups move forward only", async () => {
    const store = await seededStore();
    const at = (callId: string, costNano: number, window: number): SpendRow =>
      spendRow(callId, { token: "k1", teamId: "team", userId: "user", costNano, windows: { key: window, team: window * 2, user: window * 3 } });
    await store.spend.append([at("w1a", 10, 100), at("w1b", 5, 100)]);
    expect(await spendOf(store)).toMatchObject({
      k1: { totalNano: 15, windowNano: 15, windowStart: 100 },
      team: { totalNano: 15, windowNano: 15, windowStart: 200 },
      user: { totalNano: 15, windowNano: 15, windowStart: 300 },
    });
    // A later window restarts the window sum at the row's cost.
    await store.spend.append([at("w2", 7, 1_000)]);
    expect((await store.keys.byToken("k1"))?.spend).toEqual({ totalNano: 22, windowNano: 7, windowStart: 1_000 });
    // A straggler from the older window (and one with no window at all) counts in the total only.
    await store.spend.append([at("late", 3, 100), spendRow("nowindow", { token: "k1", costNano: 2 })]);
    expect((await store.keys.byToken("k1"))?.spend).toEqual({ totalNano: 27, windowNano: 7, windowStart: 1_000 });
    expect((await store.teams.byId("team"))?.spend).toEqual({ totalNano: 25, windowNano: 7, windowStart: 2_000 });
    // The current window adds up again.
    await store.spend.append([at("w2b", 4, 1_000)]);
    expect(await spendOf(store)).toMatchObject({
      k1: { totalNano: 31, windowNano: 11, windowStart: 1_000 },
      team: { totalNano: 29, windowNano: 11, windowStart: 2_000 },
      user: { totalNano: 29, windowNano: 11, windowStart: 3_000 },
    });
    await store.close();
  });

  test("a batch that fails part-way leaves no rows and no rollup change", async () => {
    const store = await seededStore();
    await store.spend.append([spendRow("before", { token: "k1", teamId: "team", userId: "user", costNano: 50 })]);
    const spendBefore = await spendOf(store);
    const batch = [
      spendRow("ok1", { token: "k1", teamId: "team", userId: "user", costNano: 100 }),
      spendRow("ok2", { token: "k2", costNano: 200 }),
      // Not a whole number of nano-dollars: the STRICT INTEGER column refuses it.
      spendRow("bad", { token: "k1", costNano: 0.5 }),
    ];
    // Awaited by hand: the rejection arrives from the writer thread, which `expect().rejects` in
    // bun test 1.4.5 never sees settle.
    const failure = await store.spend.append(batch).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(String(failure)).toMatch(/INTEGER/);
    expect(await spendOf(store)).toEqual(spendBefore);
    expect((await store.spend.logs({ limit: 100, offset: 0 })).map((row) => row.callId)).toEqual(["before"]);
    // The store is usable afterwards, and the good rows go in once resent without the bad one.
    await store.spend.append(batch.slice(0, 2));
    expect((await store.keys.byToken("k1"))?.spend.totalNano).toBe(150);
    expect((await store.keys.byToken("k2"))?.spend.totalNano).toBe(200);
    await store.close();
  });

  test("an empty batch is a no-op", async () => {
    const store = await seededStore();
    await store.spend.append([]);
    expect(await store.spend.logs({ limit: 10, offset: 0 })).toEqual([]);
    await store.close();
  });
});

describe("spend logs", () => {
  /** 10 rows, one per hour, alternating keys/teams/users/models; c9 is newest. */
  async function tenRows(): Promise<{ store: Store; rows: SpendRow[] }> {
    const store = await seededStore();
    const rows = Array.from({ length: 10 }, (_, i) =>
      spendRow(`c${i}`, {
        token: i % 2 === 0 ? "k1" : "k2",
        teamId: i % 2 === 0 ? "team" : undefined,
        userId: i % 3 === 0 ? "user" : undefined,
        modelRequested: i < 4 ? "gpt-4o" : "claude",
        startedAt: T0 + i * 3_600_000,
        endedAt: T0 + i * 3_600_000 + 10,
      }),
    );
    // Appended out of order: the log orders by start time, not by insertion.
    await store.spend.append([...rows].reverse().slice(0, 5));
    await store.spend.append([...rows].reverse().slice(5));
    return { store, rows };
  }

  const ids = (rows: SpendRow[]): string[] => rows.map((row) => row.callId);

  test("a row round-trips with every field, absent ones left out", async () => {
    const store = await seededStore();
    const full = spendRow("full", {
      responseId: "chatcmpl-full",
      token: "k1",
      keyAlias: "alias",
      teamId: "team",
      organizationId: "org",
      userId: "user",
      endUser: "end-user-7",
      operation: "embeddings",
      modelRequested: "fast",
      deploymentId: "dep-1",
      provider: "openai",
      upstreamModel: "gpt-4o-mini",
      inputTokens: 1,
      outputTokens: 2,
      cacheReadTokens: 3,
      cacheWriteTokens: 4,
      reasoningTokens: 5,
      costNano: 6,
      status: 499,
      outcome: "cancelled",
      errorCode: "caller.cancelled",
      ttftMs: 42,
      stream: true,
      tags: ["a", "b"],
      windows: { key: 1, team: 2, user: 3, org: 4 },
    });
    const bare = spendRow("bare", { costNano: null, startedAt: T0 - 1 });
    await store.spend.append([full, bare]);
    expect(await store.spend.logs({ limit: 10, offset: 0 })).toStrictEqual([full, bare]);
    await store.close();
  });

  test("newest first, filtered by key, team, user, model and date range, with paging", async () => {
    const { store } = await tenRows();
    const page = { limit: 100, offset: 0 };
    expect(ids(await store.spend.logs(page))).toEqual(["c9", "c8", "c7", "c6", "c5", "c4", "c3", "c2", "c1", "c0"]);
    expect(ids(await store.spend.logs({ ...page, token: "k2" }))).toEqual(["c9", "c7", "c5", "c3", "c1"]);
    expect(ids(await store.spend.logs({ ...page, teamId: "team" }))).toEqual(["c8", "c6", "c4", "c2", "c0"]);
    expect(ids(await store.spend.logs({ ...page, userId: "user" }))).toEqual(["c9", "c6", "c3", "c0"]);
    expect(ids(await store.spend.logs({ ...page, model: "gpt-4o" }))).toEqual(["c3", "c2", "c1", "c0"]);
    // from inclusive, to exclusive.
    expect(ids(await store.spend.logs({ ...page, from: T0 + 2 * 3_600_000, to: T0 + 5 * 3_600_000 }))).toEqual(["c4", "c3", "c2"]);
    expect(ids(await store.spend.logs({ ...page, from: T0 + 2 * 3_600_000 + 1 }))).toEqual(["c9", "c8", "c7", "c6", "c5", "c4", "c3"]);
    // Filters combine.
    expect(ids(await store.spend.logs({ ...page, token: "k1", userId: "user", model: "claude" }))).toEqual(["c6"]);
    expect(ids(await store.spend.logs({ ...page, token: "' OR '1'='1" }))).toEqual([]);
    // Paging walks the same order.
    expect(ids(await store.spend.logs({ limit: 3, offset: 0 }))).toEqual(["c9", "c8", "c7"]);
    expect(ids(await store.spend.logs({ limit: 3, offset: 3 }))).toEqual(["c6", "c5", "c4"]);
    expect(ids(await store.spend.logs({ limit: 3, offset: 9 }))).toEqual(["c0"]);
    expect(ids(await store.spend.logs({ limit: 0, offset: 0 }))).toEqual([]);
    expect(ids(await store.spend.logs({ token: "k2", limit: 2, offset: 1 }))).toEqual(["c7", "c5"]);
    await store.close();
  });

  test("requestId finds rows by the answer's id or by the call id", async () => {
    const store = await seededStore();
    await store.spend.append([
      spendRow("call-1", { responseId: "chatcmpl-same", startedAt: T0 }),
      spendRow("call-2", { responseId: "chatcmpl-same", startedAt: T0 + 1 }),
      spendRow("call-3", { responseId: "msg_other", token: "k1" }),
      spendRow("call-4"),
    ]);
    const page = { limit: 100, offset: 0 };
    expect(ids(await store.spend.logs({ ...page, requestId: "chatcmpl-same" }))).toEqual(["call-2", "call-1"]);
    expect(ids(await store.spend.logs({ ...page, requestId: "call-4" }))).toEqual(["call-4"]);
    expect(ids(await store.spend.logs({ ...page, requestId: "msg_other", token: "k1" }))).toEqual(["call-3"]);
    expect(ids(await store.spend.logs({ ...page, requestId: "msg_other", token: "k2" }))).toEqual([]);
    expect(ids(await store.spend.logs({ ...page, requestId: "' OR '1'='1" }))).toEqual([]);
    await store.close();
  });

  test("rows starting in the same millisecond page in a stable order", async () => {
    const store = await seededStore();
    await store.spend.append(["b", "c", "a"].map((callId) => spendRow(callId)));
    expect(ids(await store.spend.logs({ limit: 2, offset: 0 }))).toEqual(["c", "b"]);
    expect(ids(await store.spend.logs({ limit: 2, offset: 2 }))).toEqual(["a"]);
    await store.close();
  });
});

describe("spend report", () => {
  async function reportStore(): Promise<Store> {
    const store = await seededStore();
    const midnight = Date.UTC(2024, 0, 2);
    await store.spend.append([
      spendRow("r1", { token: "k1", teamId: "team", userId: "user", modelRequested: "m-b", costNano: 100, inputTokens: 1, outputTokens: 10, cacheReadTokens: 100, cacheWriteTokens: 1_000, startedAt: midnight - 1 }),
      spendRow("r2", { token: "k1", teamId: "team", modelRequested: "m-a", costNano: 200, inputTokens: 2, outputTokens: 20, cacheReadTokens: 200, cacheWriteTokens: 2_000, startedAt: midnight }),
      spendRow("r3", { token: "k2", modelRequested: "m-a", costNano: null, inputTokens: 3, outputTokens: 30, cacheReadTokens: 300, cacheWriteTokens: 3_000, startedAt: midnight + DAY - 1 }),
      spendRow("r4", { modelRequested: "m-b", costNano: 400, inputTokens: 4, outputTokens: 40, cacheReadTokens: 400, cacheWriteTokens: 4_000, startedAt: midnight + DAY }),
    ]);
    return store;
  }

  /** `unpriced`: how many of the group's rows have an unknown cost (r3). */
  const sums = (group: string, requests: number, n: number, costNano: number, unpriced = 0) => ({
    group,
    requests,
    costNano,
    unpricedRequests: unpriced,
    inputTokens: n,
    outputTokens: n * 10,
    cacheReadTokens: n * 100,
    cacheWriteTokens: n * 1_000,
  });

  test("groups by UTC day, model, key, team and user, ordered by group", async () => {
    const store = await reportStore();
    expect(await store.spend.report("day", {})).toEqual([sums("2024-01-01", 1, 1, 100), sums("2024-01-02", 2, 5, 200, 1), sums("2024-01-03", 1, 4, 400)]);
    expect(await store.spend.report("model", {})).toEqual([sums("m-a", 2, 5, 200, 1), sums("m-b", 2, 5, 500)]);
    expect(await store.spend.report("key", {})).toEqual([sums("", 1, 4, 400), sums("k1", 2, 3, 300), sums("k2", 1, 3, 0, 1)]);
    expect(await store.spend.report("team", {})).toEqual([sums("", 2, 7, 400, 1), sums("team", 2, 3, 300)]);
    expect(await store.spend.report("user", {})).toEqual([sums("", 3, 9, 600, 1), sums("user", 1, 1, 100)]);
    await store.close();
  });

  test("the range limits the rows (from inclusive, to exclusive)", async () => {
    const store = await reportStore();
    const midnight = Date.UTC(2024, 0, 2);
    expect(await store.spend.report("day", { from: midnight, to: midnight + DAY })).toEqual([sums("2024-01-02", 2, 5, 200, 1)]);
    expect(await store.spend.report("model", { from: midnight + DAY })).toEqual([sums("m-b", 1, 4, 400)]);
    expect(await store.spend.report("key", { to: midnight })).toEqual([sums("k1", 1, 1, 100)]);
    expect(await store.spend.report("user", { from: midnight + 10 * DAY })).toEqual([]);
    await store.close();
  });

  test("breakdown: sums per UTC day, team, end user, model and key, filtered by key, user, team, end user and range", async () => {
    const store = await reportStore();
    await store.spend.append([
      spendRow("r5", { token: "k1", teamId: "team", userId: "user", endUser: "cust", modelRequested: "m-b", costNano: 5, inputTokens: 5, outputTokens: 50, startedAt: Date.UTC(2024, 0, 1, 12) }),
      spendRow("r6", { token: "k1", teamId: "team", userId: "user", modelRequested: "m-b", costNano: 6, inputTokens: 6, outputTokens: 60, startedAt: Date.UTC(2024, 0, 1, 13) }),
    ]);
    const midnight = Date.UTC(2024, 0, 2);
    expect(await store.spend.breakdown({})).toEqual([
      { day: "2024-01-01", teamId: "team", model: "m-b", token: "k1", costNano: 106, inputTokens: 7, outputTokens: 70 },
      { day: "2024-01-01", teamId: "team", endUser: "cust", model: "m-b", token: "k1", costNano: 5, inputTokens: 5, outputTokens: 50 },
      { day: "2024-01-02", model: "m-a", token: "k2", costNano: 0, inputTokens: 3, outputTokens: 30 },
      { day: "2024-01-02", teamId: "team", model: "m-a", token: "k1", costNano: 200, inputTokens: 2, outputTokens: 20 },
      { day: "2024-01-03", model: "m-b", costNano: 400, inputTokens: 4, outputTokens: 40 },
    ]);
    expect((await store.spend.breakdown({ endUser: "cust" })).map((r) => r.costNano)).toEqual([5]);
    expect((await store.spend.breakdown({ userId: "user" })).map((r) => r.costNano)).toEqual([106, 5]);
    expect((await store.spend.breakdown({ token: "k2" })).map((r) => r.costNano)).toEqual([0]);
    expect((await store.spend.breakdown({ teamId: "team", from: midnight, to: midnight + DAY })).map((r) => r.costNano)).toEqual([200]);
    await store.close();
  });

  test("sums are integers", async () => {
    const store = await reportStore();
    for (const group of ["day", "model", "key", "team", "user"] as const) {
      for (const row of await store.spend.report(group, {})) {
        for (const value of [row.requests, row.costNano, row.inputTokens, row.outputTokens, row.cacheReadTokens, row.cacheWriteTokens]) {
          expect(Number.isSafeInteger(value)).toBe(true);
        }
      }
    }
    await store.close();
  });
});
