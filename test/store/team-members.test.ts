import { describe, expect, test } from "bun:test";
import { dirname, join } from "node:path";
import { openSqliteStore } from "../../src/store/sqlite/index.ts";
import { StoreConflict, UnknownUser, type Store } from "../../src/store/types.ts";
import { useTempDir } from "../support/temp-dir.ts";
import { spendRow } from "./spend-rows.ts";
import { rejection } from "../support/rejection.ts";

const tmp = useTempDir("switchboard-store-team-members-");
let counter = 0;

async function freshStore(): Promise<Store> {
  counter++;
  return openSqliteStore(join(dirname(await tmp.file(`m${counter}.marker`, "")), `m${counter}.db`), { writerThread: false });
}

const conflict = (promise: Promise<unknown>): Promise<StoreConflict> => rejection(promise, StoreConflict);

describe("adding members", () => {
  test("by id or by email: an email finds its user, or creates one with that email; each joins with the budget given", async () => {
    const s = await freshStore();
    await s.users.insert({ userId: "ann", userEmail: "ann@example.com" });
    await s.teams.insert({ teamId: "t" });
    const added = await s.teams.addMembers("t", [
      { userEmail: "ann@example.com", role: "user", maxBudgetNano: 500 },
      { userEmail: "new@example.com", role: "admin", maxBudgetNano: 500 },
      { userId: "cy", userEmail: "cy@example.com", role: "user" },
    ]);
    const [, created] = added?.userIds ?? [];
    expect(added?.userIds[0]).toBe("ann");
    expect(created).toMatch(/^[0-9a-f-]{36}$/);
    expect(await s.users.byId(created as string)).toMatchObject({ userEmail: "new@example.com", userRole: "internal_user" });
    expect(await s.users.byId("cy")).toMatchObject({ userEmail: "cy@example.com" });
    expect(added?.team.members).toMatchObject([
      { userId: "ann", role: "user", userEmail: "ann@example.com", maxBudgetNano: 500, spend: { totalNano: 0 } },
      { userId: created, role: "admin", userEmail: "new@example.com", maxBudgetNano: 500 },
      { userId: "cy", role: "user", userEmail: "cy@example.com" },
    ]);
    expect(added?.team.members[2]).not.toHaveProperty("maxBudgetNano");
    // Naming a user by id never changes the email an existing user has.
    await s.teams.insert({ teamId: "u", members: [{ userId: "ann", userEmail: "other@example.com", role: "user" }] });
    expect((await s.users.byId("ann"))?.userEmail).toBe("ann@example.com");
    await s.close();
  });

  test("a member already in is a conflict naming it, and nothing of the call is kept (not even users it created)", async () => {
    const s = await freshStore();
    await s.teams.insert({ teamId: "t", members: [{ userId: "ann", role: "user" }] });
    const error = await conflict(s.teams.addMembers("t", [{ userEmail: "fresh@example.com", role: "user" }, { userId: "ann", role: "admin" }]));
    expect(error.message).toBe('user already in team "t": ann');
    expect((await s.teams.byId("t"))?.members.map((m) => [m.userId, m.role])).toEqual([["ann", "user"]]);
    expect((await s.users.all()).map((u) => u.userId)).toEqual(["ann"]);
    expect(await s.teams.addMembers("ghost", [{ userId: "ann", role: "user" }])).toBeUndefined();
    await s.close();
  });

  test("an email two users share is a conflict asking for the user_id", async () => {
    const s = await freshStore();
    await s.users.insert({ userId: "a", userEmail: "same@example.com" });
    await s.users.insert({ userId: "b", userEmail: "same@example.com" });
    await s.teams.insert({ teamId: "t" });
    const error = await conflict(s.teams.addMembers("t", [{ userEmail: "same@example.com", role: "user" }]));
    expect(error.message).toContain("user_id");
    await s.close();
  });

  test("told not to create users, a member naming no existing user is an UnknownUser and nothing is added", async () => {
    const s = await freshStore();
    await s.users.insert({ userId: "ann", userEmail: "ann@example.com" });
    await s.teams.insert({ teamId: "t" });
    const byId = await conflict(s.teams.addMembers("t", [{ userId: "ann", role: "user" }, { userId: "ghost", role: "user" }], { createUsers: false }));
    expect(byId).toBeInstanceOf(UnknownUser);
    expect(byId).toMatchObject({ userId: "ghost", message: 'no user "ghost" exists' });
    const byEmail = await conflict(s.teams.addMembers("t", [{ userEmail: "nobody@example.com", role: "user" }], { createUsers: false }));
    expect(byEmail).toMatchObject({ userEmail: "nobody@example.com", message: 'no user has the email "nobody@example.com"' });
    expect((await s.teams.byId("t"))?.members).toEqual([]);
    expect((await s.users.all()).map((u) => u.userId)).toEqual(["ann"]);
    // Existing users, by id or email, still join.
    const added = await s.teams.addMembers("t", [{ userEmail: "ann@example.com", role: "admin" }], { createUsers: false });
    expect(added?.team.members.map((m) => [m.userId, m.role])).toEqual([["ann", "admin"]]);
    await s.close();
  });
});

describe("changing a member", () => {
  test("role, budget and limits change; null clears a limit; a non-member or missing team is undefined", async () => {
    const s = await freshStore();
    await s.teams.insert({ teamId: "t", members: [{ userId: "ann", role: "user" }] });
    const changed = await s.teams.updateMember("t", "ann", { role: "admin", maxBudgetNano: 100, rpmLimit: 5, tpmLimit: 50 });
    expect(changed?.members[0]).toMatchObject({ userId: "ann", role: "admin", maxBudgetNano: 100, rpmLimit: 5, tpmLimit: 50 });
    const cleared = await s.teams.updateMember("t", "ann", { rpmLimit: null });
    expect(cleared?.members[0]).toMatchObject({ role: "admin", maxBudgetNano: 100, tpmLimit: 50 });
    expect(cleared?.members[0]).not.toHaveProperty("rpmLimit");
    expect(await s.teams.updateMember("t", "bob", { role: "admin" })).toBeUndefined();
    expect(await s.teams.updateMember("ghost", "ann", { role: "admin" })).toBeUndefined();
    await s.close();
  });

  test("a budget change moves the change marker (the gateway reloads); member spend alone does not", async () => {
    const s = await freshStore();
    await s.teams.insert({ teamId: "t", members: [{ userId: "ann", role: "user" }] });
    const before = await s.changeMarker();
    await s.teams.updateMember("t", "ann", { maxBudgetNano: 100 });
    const afterBudget = await s.changeMarker();
    expect(afterBudget).not.toBe(before);
    await s.spend.append([spendRow("c1", { teamId: "t", userId: "ann", costNano: 7, windows: { member: 0 } })]);
    expect(await s.changeMarker()).toBe(afterBudget);
    await s.close();
  });
});

describe("member spend", () => {
  test("rolls up with the batch when the call counted against the membership, and reads back with its window", async () => {
    const s = await freshStore();
    await s.teams.insert({ teamId: "t", members: [{ userId: "ann", role: "user" }, { userId: "bob", role: "user" }] });
    await s.teams.insert({ teamId: "other", members: [{ userId: "ann", role: "user" }] });
    await s.spend.append([
      spendRow("c1", { teamId: "t", userId: "ann", costNano: 7, windows: { member: 0 } }),
      spendRow("c2", { teamId: "t", userId: "ann", costNano: 5, windows: { member: 0 } }),
      // Not counted against a membership (the user was not a member then): the team's spend, not the member's.
      spendRow("c3", { teamId: "t", userId: "bob", costNano: 11 }),
      // A member who has left (or never joined) matches no membership row.
      spendRow("c4", { teamId: "t", userId: "cy", costNano: 13, windows: { member: 0 } }),
    ]);
    const team = await s.teams.byId("t");
    expect(team?.members.map((m) => [m.userId, m.spend.totalNano])).toEqual([
      ["ann", 12],
      ["bob", 0],
    ]);
    expect(team?.spend.totalNano).toBe(36);
    expect((await s.teams.byId("other"))?.members[0]?.spend.totalNano).toBe(0);
    expect((await s.spend.logs({ limit: 10, offset: 0 })).find((row) => row.callId === "c1")?.windows).toEqual({ member: 0 });
    // A retried batch never counts twice.
    await s.spend.append([spendRow("c1", { teamId: "t", userId: "ann", costNano: 7, windows: { member: 0 } })]);
    expect((await s.teams.byId("t"))?.members[0]?.spend.totalNano).toBe(12);
    await s.close();
  });
});
