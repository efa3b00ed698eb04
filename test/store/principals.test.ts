import { afterAll, beforeAll, describe, expect, setSystemTime, test } from "bun:test";
import { dirname, join } from "node:path";
import { openSqliteStore } from "../../src/store/sqlite/index.ts";
import { StoreConflict, type Store, type TeamMembership } from "../../src/store/types.ts";
import { useTempDir } from "../support/temp-dir.ts";
import { spendRow } from "./spend-rows.ts";
import { rejection } from "../support/rejection.ts";

const tmp = useTempDir("switchboard-store-principals-");
let counter = 0;

/** A new store on a fresh file, so tests do not see each other's rows. */
async function freshStore(): Promise<Store> {
  counter++;
  return openSqliteStore(join(dirname(await tmp.file(`s${counter}.marker`, "")), `s${counter}.db`));
}

const conflict = (promise: Promise<unknown>): Promise<StoreConflict> => rejection(promise, StoreConflict);

const token = (n: number): string => n.toString(16).padStart(64, "0");
/** A member's user and role only. */
const roleOf = ({ userId, role }: TeamMembership) => ({ userId, role });

let store: Store;
beforeAll(async () => {
  store = await freshStore();
});
afterAll(async () => {
  setSystemTime();
  await store.close();
});

describe("keys", () => {
  test("a minimal key gets the defaults and no optional properties", async () => {
    setSystemTime(1_000_000);
    const key = await store.keys.insert({ token: token(1), keyName: "sk-...0001" });
    setSystemTime();
    expect(key).toStrictEqual({
      token: token(1),
      keyName: "sk-...0001",
      models: [],
      blocked: false,
      metadata: {},
      aliases: {},
      tags: [],
      budgetAnchor: 1_000_000,
      spend: { totalNano: 0, windowNano: 0, windowStart: 0 },
      createdAt: 1_000_000,
      updatedAt: 1_000_000,
    });
    expect(await store.keys.byToken(token(1))).toStrictEqual(key);
  });

  test("every field round-trips", async () => {
    await store.teams.insert({ teamId: "team-a" });
    const key = await store.keys.insert({
      token: token(2),
      keyName: "sk-...0002",
      keyAlias: "ci",
      teamId: "team-a",
      userId: "alice",
      models: ["gpt-4o", "openai/*"],
      aliases: { fast: "gpt-4o-mini" },
      tags: ["ci", "prod"],
      metadata: { owner: "ops", nested: { n: 1 } },
      blocked: true,
      rpmLimit: 60,
      tpmLimit: 100_000,
      maxParallelRequests: 4,
      maxBudgetNano: 5_000_000_000,
      budgetDuration: "30d",
      expiresAt: 2_000_000_000_000,
    });
    expect(key).toMatchObject({
      keyAlias: "ci",
      teamId: "team-a",
      userId: "alice",
      models: ["gpt-4o", "openai/*"],
      aliases: { fast: "gpt-4o-mini" },
      tags: ["ci", "prod"],
      metadata: { owner: "ops", nested: { n: 1 } },
      blocked: true,
      rpmLimit: 60,
      tpmLimit: 100_000,
      maxParallelRequests: 4,
      maxBudgetNano: 5_000_000_000,
      budgetDuration: "30d",
      expiresAt: 2_000_000_000_000,
    });
    expect(await store.keys.byToken(token(2))).toStrictEqual(key);
  });

  test("a key naming a user nobody created creates that user (the foreign key holds)", async () => {
    expect(await store.users.byId("alice")).toMatchObject({ userId: "alice", models: [], blocked: false });
  });

  test("a duplicate token is a StoreConflict and changes nothing", async () => {
    const before = await store.keys.byToken(token(1));
    const error = await conflict(store.keys.insert({ token: token(1), keyName: "other", keyAlias: "x" }));
    expect(error.message).toContain("already exists");
    expect(await store.keys.byToken(token(1))).toStrictEqual(before);
  });

  test("a key naming a missing team is a StoreConflict that names the team", async () => {
    const error = await conflict(store.keys.insert({ token: token(3), keyName: "k", teamId: "nope" }));
    expect(error.message).toBe('team "nope" does not exist');
    expect(await store.keys.byToken(token(3))).toBeUndefined();
  });

  test("byToken on unknown and injection-shaped tokens returns undefined", async () => {
    const shapes = ["", token(999), "' OR '1'='1", "' OR 1=1 --", `${token(1)}' OR '1'='1`, "x\u0000y", `${token(1)}\u0000`, "a".repeat(64 * 1024), "%", "_"];
    for (const shape of shapes) {
      expect(await store.keys.byToken(shape)).toBeUndefined();
    }
    expect((await store.keys.list({ keyAlias: "' OR '1'='1", limit: 10, offset: 0 })).total).toBe(0);
    // A NUL byte is part of the bound value, not the end of it: a prefix that exists must not match.
    await store.keys.insert({ token: "nul-prefix", keyName: "n" });
    expect(await store.keys.byToken("nul-prefix\u0000' OR '1'='1")).toBeUndefined();
    expect((await store.keys.byToken("nul-prefix"))?.keyName).toBe("n");
    // The table is still whole.
    expect((await store.keys.all()).length).toBeGreaterThanOrEqual(2);
  });

  test("list filters by team, user and alias, pages, and counts the total", async () => {
    const s = await freshStore();
    await s.teams.insert({ teamId: "t1" });
    await s.teams.insert({ teamId: "t2" });
    for (let i = 0; i < 7; i++) {
      setSystemTime(10_000 + i);
      await s.keys.insert({ token: token(100 + i), keyName: `k${i}`, teamId: i < 5 ? "t1" : "t2", userId: i % 2 === 0 ? "even" : "odd", keyAlias: i === 3 ? "three" : `alias-${i}` });
    }
    setSystemTime();
    const all = await s.keys.list({ limit: 100, offset: 0 });
    expect(all.total).toBe(7);
    expect(all.keys.map((k) => k.keyName)).toEqual(["k0", "k1", "k2", "k3", "k4", "k5", "k6"]);

    const t1 = await s.keys.list({ teamId: "t1", limit: 2, offset: 2 });
    expect(t1.total).toBe(5);
    expect(t1.keys.map((k) => k.keyName)).toEqual(["k2", "k3"]);
    expect((await s.keys.list({ teamId: "t1", limit: 2, offset: 4 })).keys.map((k) => k.keyName)).toEqual(["k4"]);

    const oddT1 = await s.keys.list({ teamId: "t1", userId: "odd", limit: 10, offset: 0 });
    expect(oddT1.total).toBe(2);
    expect(oddT1.keys.map((k) => k.keyName)).toEqual(["k1", "k3"]);

    const alias = await s.keys.list({ keyAlias: "three", limit: 10, offset: 0 });
    expect(alias).toEqual({ keys: [expect.objectContaining({ keyName: "k3" })], total: 1 });

    const none = await s.keys.list({ teamId: "t2", userId: "nobody", limit: 10, offset: 0 });
    expect(none).toEqual({ keys: [], total: 0 });
    await expect(s.keys.list({ limit: -1, offset: 0 })).rejects.toThrow(RangeError);
    expect((await s.keys.all()).length).toBe(7);
    await s.close();
  });

  test("update applies only present fields, null clears, and a new duration re-anchors the budget", async () => {
    setSystemTime(50_000);
    await store.keys.insert({
      token: token(4),
      keyName: "k4",
      keyAlias: "before",
      models: ["a"],
      tags: ["t"],
      aliases: { x: "y" },
      metadata: { m: 1 },
      maxBudgetNano: 10,
      rpmLimit: 5,
      budgetDuration: "1d",
      expiresAt: 99,
    });
    setSystemTime(60_000);
    const renamed = await store.keys.update(token(4), { keyAlias: "after" });
    expect(renamed).toMatchObject({ keyAlias: "after", models: ["a"], tags: ["t"], maxBudgetNano: 10, budgetDuration: "1d", budgetAnchor: 50_000, updatedAt: 60_000, createdAt: 50_000 });

    setSystemTime(70_000);
    // Same duration: the anchor stays.
    expect((await store.keys.update(token(4), { budgetDuration: "1d" }))?.budgetAnchor).toBe(50_000);
    setSystemTime(80_000);
    expect((await store.keys.update(token(4), { budgetDuration: "7d" }))?.budgetAnchor).toBe(80_000);

    setSystemTime(90_000);
    const cleared = await store.keys.update(token(4), {
      keyAlias: null,
      models: null,
      tags: null,
      aliases: null,
      metadata: null,
      maxBudgetNano: null,
      rpmLimit: null,
      expiresAt: null,
      budgetDuration: null,
      blocked: true,
    });
    setSystemTime();
    expect(cleared).toStrictEqual({
      token: token(4),
      keyName: "k4",
      models: [],
      blocked: true,
      metadata: {},
      aliases: {},
      tags: [],
      budgetAnchor: 90_000,
      spend: { totalNano: 0, windowNano: 0, windowStart: 0 },
      createdAt: 50_000,
      updatedAt: 90_000,
    });
    expect(await store.keys.byToken(token(4))).toStrictEqual(cleared);
  });

  test("update of a missing key is undefined; moving a key to a missing team is refused", async () => {
    expect(await store.keys.update(token(404), { keyAlias: "x" })).toBeUndefined();
    const before = await store.keys.byToken(token(2));
    await conflict(store.keys.update(token(2), { teamId: "missing", keyAlias: "changed" }));
    expect(await store.keys.byToken(token(2))).toStrictEqual(before);
  });

  test("delete returns the tokens that existed and keeps their spend rows", async () => {
    const s = await freshStore();
    await s.keys.insert({ token: token(1), keyName: "a" });
    await s.keys.insert({ token: token(2), keyName: "b" });
    await s.spend.append([spendRow("c1", { token: token(1) })]);
    expect(await s.keys.delete([token(1), token(1), token(3)])).toEqual([token(1)]);
    expect(await s.keys.byToken(token(1))).toBeUndefined();
    expect(await s.keys.byToken(token(2))).toBeDefined();
    expect((await s.spend.logs({ token: token(1), limit: 10, offset: 0 })).map((r) => r.callId)).toEqual(["c1"]);
    // Spend for a deleted key is still recorded, with no rollup to update.
    await s.spend.append([spendRow("c2", { token: token(1) })]);
    expect((await s.spend.logs({ token: token(1), limit: 10, offset: 0 })).length).toBe(2);
    expect(await s.keys.delete([])).toEqual([]);
    await s.close();
  });

  test("replaceToken moves settings and spend to the new token and applies the patch", async () => {
    const s = await freshStore();
    await s.teams.insert({ teamId: "t" });
    const original = await s.keys.insert({ token: token(1), keyName: "sk-...old1", teamId: "t", models: ["m"], maxBudgetNano: 1_000, keyAlias: "alias" });
    await s.spend.append([spendRow("c1", { token: token(1), costNano: 123 }), spendRow("c2", { token: token(1), costNano: 877 })]);

    const moved = await s.keys.replaceToken(token(1), { token: token(2), keyName: "sk-...new2" }, { keyAlias: "renamed", maxBudgetNano: null });
    expect(moved).toMatchObject({
      token: token(2),
      keyName: "sk-...new2",
      keyAlias: "renamed",
      teamId: "t",
      models: ["m"],
      spend: { totalNano: 1_000, windowNano: 1_000, windowStart: 0 },
      createdAt: original.createdAt,
    });
    expect(moved && "maxBudgetNano" in moved).toBe(false);
    expect(await s.keys.byToken(token(1))).toBeUndefined();
    expect(await s.keys.byToken(token(2))).toStrictEqual(moved);

    // Without a patch, only the token and name change.
    const again = await s.keys.replaceToken(token(2), { token: token(3), keyName: "sk-...new3" });
    expect(again).toMatchObject({ token: token(3), keyName: "sk-...new3", keyAlias: "renamed", spend: { totalNano: 1_000 } });

    expect(await s.keys.replaceToken(token(404), { token: token(5), keyName: "x" })).toBeUndefined();
    expect(await s.keys.byToken(token(5))).toBeUndefined();
    await s.close();
  });

  test("replaceToken onto an existing token is a StoreConflict and moves nothing", async () => {
    const s = await freshStore();
    await s.keys.insert({ token: token(1), keyName: "a" });
    await s.keys.insert({ token: token(2), keyName: "b" });
    await conflict(s.keys.replaceToken(token(1), { token: token(2), keyName: "c" }));
    expect((await s.keys.byToken(token(1)))?.keyName).toBe("a");
    expect((await s.keys.byToken(token(2)))?.keyName).toBe("b");
    // A patch that fails (missing team) rolls the move back too.
    await conflict(s.keys.replaceToken(token(1), { token: token(3), keyName: "c" }, { teamId: "missing" }));
    expect((await s.keys.byToken(token(1)))?.keyName).toBe("a");
    expect(await s.keys.byToken(token(3))).toBeUndefined();
    await s.close();
  });
});

describe("teams", () => {
  test("insert, duplicate, update with null-clears, all", async () => {
    const s = await freshStore();
    const team = await s.teams.insert({ teamId: "red", teamAlias: "Red", tags: ["x"], models: ["m"], tpmLimit: 7 });
    expect(team).toMatchObject({ teamId: "red", teamAlias: "Red", tags: ["x"], models: ["m"], tpmLimit: 7, spend: { totalNano: 0 } });
    const error = await conflict(s.teams.insert({ teamId: "red" }));
    expect(error.message).toBe('team "red" already exists');
    const updated = await s.teams.update("red", { teamAlias: null, tags: null, tpmLimit: null, blocked: true });
    expect(updated).toMatchObject({ teamId: "red", tags: [], models: ["m"], blocked: true });
    expect(updated && ("teamAlias" in updated || "tpmLimit" in updated)).toBe(false);
    expect(await s.teams.update("blue", { blocked: true })).toBeUndefined();
    expect(await s.teams.byId("blue")).toBeUndefined();
    expect((await s.teams.all()).map((t) => t.teamId)).toEqual(["red"]);
    await s.close();
  });

  test("deleting teams takes their keys and memberships in one transaction; spend rows stay; a missing team deletes nothing", async () => {
    const s = await freshStore();
    for (const teamId of ["used1", "used2", "free"]) await s.teams.insert({ teamId, members: [{ userId: "ann", role: "user" }] });
    await s.keys.insert({ token: token(1), keyName: "a", teamId: "used1" });
    await s.keys.insert({ token: token(2), keyName: "b", teamId: "used2" });
    await s.keys.insert({ token: token(3), keyName: "c" });
    await s.spend.append([spendRow("kept", { token: token(1), teamId: "used1", costNano: 5 })]);

    expect(await s.teams.delete(["used1", "ghost", "free"])).toEqual({ deleted: [], deletedKeys: [], missing: ["ghost"] });
    expect((await s.teams.all()).map((t) => t.teamId)).toEqual(["used1", "used2", "free"]);
    expect(await s.keys.byToken(token(1))).toBeDefined();

    expect(await s.teams.delete(["used1", "free", "used1"])).toEqual({ deleted: ["used1", "free"], deletedKeys: [token(1)], missing: [] });
    expect((await s.teams.all()).map((t) => t.teamId)).toEqual(["used2"]);
    expect(await s.keys.byToken(token(1))).toBeUndefined();
    expect(await s.keys.byToken(token(3))).toBeDefined();
    expect((await s.spend.logs({ limit: 10, offset: 0 })).map((row) => row.callId)).toEqual(["kept"]);
    // The user stays; its membership of the deleted team does not (a new team of that name starts empty).
    expect(await s.users.byId("ann")).toBeDefined();
    await s.teams.insert({ teamId: "used1" });
    expect((await s.teams.byId("used1"))?.members).toEqual([]);
    await s.close();
  });
});

describe("team members", () => {
  test("members join (creating missing users), change role, leave; every read carries them in join order", async () => {
    const s = await freshStore();
    await s.users.insert({ userId: "ann", userRole: "proxy_admin_viewer" });
    const created = await s.teams.insert({ teamId: "blue", members: [{ userId: "ann", role: "admin" }], memberPermissions: ["/key/generate"], modelAliases: { fast: "mock/echo" } });
    expect(created).toMatchObject({ members: [{ userId: "ann", role: "admin" }], memberPermissions: ["/key/generate"], modelAliases: { fast: "mock/echo" } });
    const joined = await s.teams.putMembers("blue", [{ userId: "bob", role: "user" }, { userId: "ann", role: "user" }]);
    expect(joined?.members.map(roleOf)).toEqual([{ userId: "ann", role: "user" }, { userId: "bob", role: "user" }]);
    expect((await s.users.byId("bob"))?.userRole).toBe("internal_user");
    expect((await s.users.byId("ann"))?.userRole).toBe("proxy_admin_viewer");
    const left = await s.teams.removeMembers("blue", ["ann", "nobody"]);
    expect(left?.members.map(roleOf)).toEqual([{ userId: "bob", role: "user" }]);
    expect((await s.teams.all()).map((t) => t.members.map(roleOf))).toEqual([[{ userId: "bob", role: "user" }]]);
    expect((await s.teams.byId("blue"))?.members.map(roleOf)).toEqual([{ userId: "bob", role: "user" }]);
    expect(await s.teams.putMembers("ghost", [{ userId: "bob", role: "user" }])).toBeUndefined();
    expect(await s.teams.removeMembers("ghost", ["bob"])).toBeUndefined();
    await s.close();
  });

  test("a user role outside LiteLLM's four is refused by the database", async () => {
    const s = await freshStore();
    await expect(s.users.insert({ userId: "x", userRole: "root" as never })).rejects.toThrow(/CHECK constraint/);
    await s.close();
  });
});

describe("users", () => {
  test("ensure creates a user with defaults once and then returns it unchanged", async () => {
    const s = await freshStore();
    setSystemTime(5_000);
    const created = await s.users.ensure("bob");
    expect(created).toStrictEqual({
      userId: "bob",
      userRole: "internal_user",
      models: [],
      blocked: false,
      metadata: {},
      budgetAnchor: 5_000,
      spend: { totalNano: 0, windowNano: 0, windowStart: 0 },
      createdAt: 5_000,
      updatedAt: 5_000,
    });
    setSystemTime(6_000);
    await s.users.update("bob", { userEmail: "bob@example.com", maxBudgetNano: 9 });
    setSystemTime(7_000);
    const ensured = await s.users.ensure("bob");
    setSystemTime();
    expect(ensured).toMatchObject({ userId: "bob", userEmail: "bob@example.com", maxBudgetNano: 9, createdAt: 5_000, updatedAt: 6_000 });
    expect((await s.users.all()).length).toBe(1);
    await s.close();
  });

  test("insert, duplicate, update and null-clears", async () => {
    const s = await freshStore();
    await s.users.insert({ userId: "carol", userEmail: "c@example.com", userAlias: "C", models: ["x"] });
    const error = await conflict(s.users.insert({ userId: "carol" }));
    expect(error.message).toBe('user "carol" already exists');
    const updated = await s.users.update("carol", { userAlias: null, models: null, metadata: { team: "blue" } });
    expect(updated).toStrictEqual({
      userId: "carol",
      userEmail: "c@example.com",
      userRole: "internal_user",
      models: [],
      blocked: false,
      metadata: { team: "blue" },
      budgetAnchor: updated?.createdAt ?? -1,
      spend: { totalNano: 0, windowNano: 0, windowStart: 0 },
      createdAt: updated?.createdAt ?? -1,
      updatedAt: updated?.updatedAt ?? -1,
    });
    expect(await s.users.update("dave", { userAlias: "D" })).toBeUndefined();
    expect(await s.users.byId("dave")).toBeUndefined();
    await s.close();
  });
});
