/** Organisations in the SQLite store: records, teams that belong to them, the cascade on delete, and spend rolled up to them. */
import { afterAll, describe, expect, setSystemTime, test } from "bun:test";
import { dirname, join } from "node:path";
import { openSqliteStore } from "../../src/store/sqlite/index.ts";
import { StoreConflict, type Store } from "../../src/store/types.ts";
import { useTempDir } from "../support/temp-dir.ts";
import { spendRow } from "./spend-rows.ts";
import { rejection } from "../support/rejection.ts";

const tmp = useTempDir("switchboard-store-organizations-");
let counter = 0;
const stores: Store[] = [];

/** A store on a fresh file, closed after the tests. */
async function freshStore(): Promise<Store> {
  counter++;
  const store = await openSqliteStore(join(dirname(await tmp.file(`s${counter}.marker`, "")), `s${counter}.db`), { writerThread: false });
  stores.push(store);
  return store;
}

afterAll(async () => {
  setSystemTime();
  for (const store of stores) await store.close();
});

const conflict = (promise: Promise<unknown>): Promise<StoreConflict> => rejection(promise, StoreConflict);

describe("organisations", () => {
  test("a minimal organisation gets the defaults; every field round-trips; a patch keeps, replaces and clears", async () => {
    const store = await freshStore();
    setSystemTime(5_000_000);
    const minimal = await store.organizations.insert({ organizationId: "o-min" });
    expect(minimal).toStrictEqual({
      organizationId: "o-min",
      models: [],
      blocked: false,
      metadata: {},
      budgetAnchor: 5_000_000,
      spend: { totalNano: 0, windowNano: 0, windowStart: 0 },
      createdAt: 5_000_000,
      updatedAt: 5_000_000,
    });
    const full = await store.organizations.insert({
      organizationId: "o-full",
      organizationAlias: "Acme",
      models: ["gpt-4o", "mock/*"],
      blocked: true,
      metadata: { cost_centre: 7 },
      rpmLimit: 100,
      tpmLimit: 10_000,
      maxParallelRequests: 4,
      maxBudgetNano: 25_000_000_000,
      budgetDuration: "30d",
    });
    expect(await store.organizations.byId("o-full")).toStrictEqual(full);
    expect(full).toMatchObject({ organizationAlias: "Acme", models: ["gpt-4o", "mock/*"], maxBudgetNano: 25_000_000_000, budgetDuration: "30d", rpmLimit: 100 });

    setSystemTime(6_000_000);
    const patched = await store.organizations.update("o-full", { organizationAlias: null, maxBudgetNano: 1, blocked: false, budgetDuration: "1d" });
    setSystemTime();
    expect(patched).toMatchObject({ models: ["gpt-4o", "mock/*"], maxBudgetNano: 1, blocked: false, budgetDuration: "1d", budgetAnchor: 6_000_000, updatedAt: 6_000_000 });
    expect(patched?.organizationAlias).toBeUndefined();
    expect(await store.organizations.update("nope", { blocked: true })).toBeUndefined();
    expect((await store.organizations.all()).map((o) => o.organizationId)).toEqual(["o-min", "o-full"]);
  });

  test("a duplicate id is a conflict", async () => {
    const store = await freshStore();
    await store.organizations.insert({ organizationId: "dup" });
    expect((await conflict(store.organizations.insert({ organizationId: "dup" }))).message).toBe('organization "dup" already exists');
  });

  test("writes move the change marker the directory polls", async () => {
    const store = await freshStore();
    const before = await store.changeMarker();
    await store.organizations.insert({ organizationId: "o" });
    const inserted = await store.changeMarker();
    await store.organizations.update("o", { models: ["a"] });
    const updated = await store.changeMarker();
    await store.organizations.delete(["o"]);
    expect(inserted).toBeGreaterThan(before);
    expect(updated).toBeGreaterThan(inserted);
    expect(await store.changeMarker()).toBeGreaterThan(updated);
  });
});

describe("teams in organisations", () => {
  test("a team names an existing organisation on create or update, and can leave it", async () => {
    const store = await freshStore();
    await store.organizations.insert({ organizationId: "org" });
    expect((await store.teams.insert({ teamId: "t1", organizationId: "org" })).organizationId).toBe("org");
    expect((await conflict(store.teams.insert({ teamId: "t2", organizationId: "ghost" }))).message).toBe('organization "ghost" does not exist');
    expect(await store.teams.byId("t2")).toBeUndefined();
    await store.teams.insert({ teamId: "t3" });
    expect((await conflict(store.teams.update("t3", { organizationId: "ghost" }))).message).toBe('organization "ghost" does not exist');
    expect((await store.teams.update("t3", { organizationId: "org" }))?.organizationId).toBe("org");
    expect((await store.teams.update("t3", { organizationId: null }))?.organizationId).toBeUndefined();
    expect((await store.teams.update("t1", { teamAlias: "kept" }))?.organizationId).toBe("org");
  });
});

describe("deleting organisations", () => {
  test("deletes their teams and those teams' keys in one go (LiteLLM's cascade); other teams, keys and the ledger stay", async () => {
    const store = await freshStore();
    await store.organizations.insert({ organizationId: "gone" });
    await store.organizations.insert({ organizationId: "kept" });
    await store.teams.insert({ teamId: "t-gone-1", organizationId: "gone", members: [{ userId: "u1", role: "admin" }] });
    await store.teams.insert({ teamId: "t-gone-2", organizationId: "gone" });
    await store.teams.insert({ teamId: "t-kept", organizationId: "kept" });
    await store.teams.insert({ teamId: "t-alone" });
    await store.keys.insert({ token: "a", keyName: "sk-...a", teamId: "t-gone-1", userId: "u1" });
    await store.keys.insert({ token: "b", keyName: "sk-...b", teamId: "t-gone-2" });
    await store.keys.insert({ token: "c", keyName: "sk-...c", teamId: "t-kept" });
    await store.keys.insert({ token: "d", keyName: "sk-...d", teamId: "t-alone" });
    await store.keys.insert({ token: "e", keyName: "sk-...e" });
    await store.spend.append([spendRow("call-a", { token: "a", teamId: "t-gone-1", organizationId: "gone", costNano: 5 })]);

    const deleted = await store.organizations.delete(["gone", "gone", "missing"]);
    expect(deleted).toEqual({ organizationIds: ["gone"], teamIds: ["t-gone-1", "t-gone-2"], tokens: ["a", "b"] });
    expect((await store.organizations.all()).map((o) => o.organizationId)).toEqual(["kept"]);
    expect((await store.teams.all()).map((t) => t.teamId)).toEqual(["t-kept", "t-alone"]);
    expect((await store.keys.all()).map((k) => k.token)).toEqual(["c", "d", "e"]);
    // The user the deleted team's key named stays (users are not the organisation's).
    expect(await store.users.byId("u1")).toBeDefined();
    expect((await store.spend.logs({ limit: 10, offset: 0 })).map((row) => row.callId)).toEqual(["call-a"]);
    expect(await store.organizations.delete(["missing"])).toEqual({ organizationIds: [], teamIds: [], tokens: [] });
  });
});

describe("spend rolled up to the organisation", () => {
  test("in the same batch as key, team and user, exactly, per budget window", async () => {
    const store = await freshStore();
    await store.organizations.insert({ organizationId: "org" });
    await store.teams.insert({ teamId: "team", organizationId: "org" });
    await store.keys.insert({ token: "k1", keyName: "sk-...k1", teamId: "team", userId: "user" });
    const rows = [
      spendRow("c1", { token: "k1", teamId: "team", userId: "user", organizationId: "org", costNano: 1_234_567_891, windows: { key: 0, team: 0, user: 0, org: 100 } }),
      spendRow("c2", { token: "k1", teamId: "team", userId: "user", organizationId: "org", costNano: 9, windows: { key: 0, team: 0, user: 0, org: 100 } }),
      // A later window restarts the window sum; the total keeps everything.
      spendRow("c3", { token: "k1", teamId: "team", userId: "user", organizationId: "org", costNano: 7, windows: { key: 0, team: 0, user: 0, org: 200 } }),
      spendRow("c4", { token: "k1", teamId: "team", userId: "user", organizationId: "org", costNano: null, windows: { org: 200 } }),
    ];
    await store.spend.append(rows);
    await store.spend.append(rows); // retried: never counted twice
    expect((await store.organizations.byId("org"))?.spend).toEqual({ totalNano: 1_234_567_907, windowNano: 7, windowStart: 200 });
    expect((await store.teams.byId("team"))?.spend).toEqual({ totalNano: 1_234_567_907, windowNano: 1_234_567_907, windowStart: 0 });
    expect((await store.spend.logs({ limit: 1, offset: 3 }))[0]).toMatchObject({ callId: "c1", organizationId: "org", windows: { org: 100 } });
  });
});
