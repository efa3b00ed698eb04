/**
 * Self-service with a virtual key, over raw HTTP, in the scenarios LiteLLM's own e2e tests walk
 * through (tests/test_keys.py, test_users.py, test_team.py, otel_tests/test_team_member_permissions.py):
 * a key reads itself, a user manages its own keys within its models, a team's members act within the
 * team's member permissions, and what a user lists is narrowed to its own.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import type { GeneratedKeyJson, KeyInfoJson, KeyListJson, NewUserJson } from "../../src/admin/responses.ts";
import { startAccountsGateway, type AccountsGateway, type ErrorBody } from "../support/accounts.ts";
import { useTempDir } from "../support/temp-dir.ts";

const tmp = useTempDir("switchboard-self-service-");
let gateway: AccountsGateway;

beforeAll(async () => {
  const dataDir = dirname(await tmp.file("marker", ""));
  gateway = await startAccountsGateway({ models: [{ model_name: "echo", model: "mock/echo" }] }, { dataDir });
});
afterAll(async () => {
  await gateway?.stop();
});

const ok = async <T>(method: "GET" | "POST", path: string, body?: unknown, key?: string): Promise<T> => {
  const answer = await gateway.admin<T>(method, path, body, key);
  if (answer.status !== 200) throw new Error(`${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body;
};
const newUser = (body: Record<string, unknown>) => ok<NewUserJson>("POST", "/user/new", body);
const newKey = (body: Record<string, unknown>, key?: string) => ok<GeneratedKeyJson>("POST", "/key/generate", body, key);
/** Sets a team's member permissions in the store (the /team/* routes that set them are another piece's). */
async function memberPermissions(teamId: string, permissions: string[]): Promise<void> {
  await gateway.accounts.store.teams.update(teamId, { memberPermissions: permissions });
  await gateway.accounts.directory.reload();
}

describe("a key reads itself (test_keys.py::test_key_info)", () => {
  test("by key, by token and with no ?key=; an unknown key is a 404", async () => {
    const created = await newKey({});
    for (const path of [`/key/info?key=${created.key}`, `/key/info?key=${created.token}`, "/key/info"]) {
      const info = await ok<KeyInfoJson>("GET", path, undefined, created.key);
      expect(info.info.token).toBe(created.token);
    }
    const unknown = await gateway.admin<ErrorBody>("GET", `/key/info?key=sk-${crypto.randomUUID()}`, undefined, created.key);
    expect(unknown.status).toBe(404);
  });
});

describe("a user manages its own keys (test_users.py)", () => {
  test("a user's key makes keys for itself, within its models, and cannot give them away or touch another's", async () => {
    const user1 = await newUser({ user_id: "ss-user1", models: ["echo", "mock/*"] });
    const user2 = await newUser({ user_id: "ss-user2" });
    const extra = await newKey({ user_id: "ss-user1", duration: "7d", key_alias: "ss-extra", models: ["echo"] }, user1.key as string);
    expect(extra).toMatchObject({ user_id: "ss-user1", key_alias: "ss-extra", models: ["echo"] });
    // No user_id: the key is the caller's.
    expect((await newKey({}, user1.key as string)).user_id).toBe("ss-user1");
    // A pattern inside the user's own is fine; a model outside is a 403 naming it.
    expect((await newKey({ models: ["mock/echo"] }, user1.key as string)).models).toEqual(["mock/echo"]);
    const outside = await gateway.admin<ErrorBody>("POST", "/key/generate", { models: ["gpt-4"] }, user1.key as string);
    expect(outside.status).toBe(403);
    expect(outside.body.error.message).toContain("gpt-4");
    // Another user's key, or giving one's key away: 403 (test_key_update_user_isolation, test_key_delete_user_isolation).
    const forOther = await gateway.admin<ErrorBody>("POST", "/key/generate", { user_id: "ss-user2" }, user1.key as string);
    expect(forOther.status).toBe(403);
    const giveAway = await gateway.admin<ErrorBody>("POST", "/key/update", { key: extra.key, user_id: "ss-user2", metadata: { purpose: "isolation" } }, user1.key as string);
    expect(giveAway.status).toBe(403);
    const deleteOthers = await gateway.admin<ErrorBody>("POST", "/key/delete", { keys: [extra.key] }, user2.key as string);
    expect(deleteOthers.status).toBe(403);
    // Its own: changed, regenerated and deleted.
    expect((await ok<{ metadata: unknown }>("POST", "/key/update", { key: extra.key, metadata: { mine: true } }, user1.key as string)).metadata).toEqual({ mine: true });
    const regenerated = await ok<GeneratedKeyJson>("POST", "/key/regenerate", { key: extra.token }, user1.key as string);
    expect(await ok("POST", "/key/delete", { keys: [regenerated.key] }, user1.key as string)).toEqual({ deleted_keys: [regenerated.key] });
  });

  test("a user cannot free its keys from itself or from an admin's block", async () => {
    const user = await newUser({ user_id: "ss-bound", models: ["echo"], max_budget: 1 });
    const other = await newKey({}, user.key as string);
    // user_id: null would leave the key bound by nothing but its own settings: not the user's models or budget.
    const freed = await gateway.admin<ErrorBody>("POST", "/key/update", { key: other.key, user_id: null }, user.key as string);
    expect(freed.status).toBe(403);
    expect(freed.body.error.message).toContain("user_id: null");
    // A proxy admin blocks a key; the user's other key cannot unblock it (nor block through /key/update).
    expect((await gateway.admin("POST", "/key/block", { key: other.key })).status).toBe(200);
    for (const blocked of [false, true]) {
      const answer = await gateway.admin<ErrorBody>("POST", "/key/update", { key: other.key, blocked }, user.key as string);
      expect(answer.status).toBe(403);
      expect(answer.body.error.message).toContain("/key/unblock");
    }
    expect((await gateway.admin<ErrorBody>("POST", "/key/generate", { blocked: false }, user.key as string)).status).toBe(403);
    const info = await ok<KeyInfoJson>("GET", `/key/info?key=${other.token}`);
    expect(info.info).toMatchObject({ user_id: "ss-bound", blocked: true });
    // The master key may do both.
    expect((await gateway.admin("POST", "/key/update", { key: other.key, blocked: false, user_id: null })).status).toBe(200);
  });

  test("/key/list and /spend/logs show a user only its own", async () => {
    const mine = await newUser({ user_id: "ss-lister" });
    await newUser({ user_id: "ss-someone" });
    await newKey({ user_id: "ss-lister" });
    const listed = await ok<KeyListJson>("GET", "/key/list?return_full_object=true", undefined, mine.key as string);
    expect(listed.total_count).toBe(2);
    expect(listed.keys.every((key) => typeof key !== "string" && key.user_id === "ss-lister")).toBe(true);
    const call = await fetch(`${gateway.baseURL}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${mine.key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "echo", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(call.status).toBe(200);
    const logs = await ok<{ user: string }[]>("GET", "/spend/logs", undefined, mine.key as string);
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.every((row) => row.user === "ss-lister")).toBe(true);
    expect((await gateway.admin("GET", "/spend/logs?user_id=ss-someone", undefined, mine.key as string)).status).toBe(403);
  });

  test("a proxy_admin user's key manages everyone's keys (test_keys.py::test_key_delete_ui)", async () => {
    await ok("POST", "/team/new", { team_id: "ss-dashboard" });
    const someone = await newKey({ user_id: "ss-ishaan" });
    const admin = await newUser({ user_role: "proxy_admin", team_id: "ss-dashboard" });
    expect(await ok("POST", "/key/delete", { keys: [someone.key] }, admin.key as string)).toEqual({ deleted_keys: [someone.key] });
  });
});

describe("teams (test_team.py::test_team_info)", () => {
  test("a team's key and its members read /team/info; another key cannot", async () => {
    await ok("POST", "/team/new", { team_id: "ss-info" });
    const teamKey = await newKey({ team_id: "ss-info" });
    expect((await ok<{ team_id: string }>("GET", "/team/info?team_id=ss-info", undefined, teamKey.key)).team_id).toBe("ss-info");
    const member = await newUser({ teams: ["ss-info"] });
    expect((await gateway.admin("GET", "/team/info?team_id=ss-info", undefined, member.key as string)).status).toBe(200);
    const stranger = await newKey({});
    expect((await gateway.admin("GET", "/team/info?team_id=ss-info", undefined, stranger.key)).status).toBe(403);
  });
});

describe("team member permissions (otel_tests/test_team_member_permissions.py)", () => {
  /** A team with a key of its own and a plain member whose personal key acts. */
  async function teamWithMember(teamId: string, permissions: string[] | undefined) {
    await ok("POST", "/team/new", { team_id: teamId });
    if (permissions) await memberPermissions(teamId, permissions);
    const teamKey = await newKey({ team_id: teamId });
    const member = await newUser({ user_id: `${teamId}-member`, team_id: teamId });
    const memberKey = await newKey({ user_id: member.user_id });
    return { teamKey, memberKey: memberKey.key };
  }
  const denied = async (method: "GET" | "POST", path: string, body: unknown, key: string) => {
    const answer = await gateway.admin<ErrorBody>(method, path, body, key);
    return `${answer.status} ${answer.body.error?.type ?? ""}`;
  };
  const MEMBER_DENIED = "403 team_member_permission_error";

  test("by default a member may read the team's keys, nothing more", async () => {
    const { teamKey, memberKey } = await teamWithMember("ss-perm-default", undefined);
    expect(await denied("POST", "/key/generate", { team_id: "ss-perm-default" }, memberKey)).toBe(MEMBER_DENIED);
    expect(await denied("POST", "/key/update", { key: teamKey.key, team_id: "ATTACKER_TEAM_ID", metadata: { updated: true } }, memberKey)).toBe(MEMBER_DENIED);
    expect(await denied("POST", "/key/delete", { keys: [teamKey.key] }, memberKey)).toBe(MEMBER_DENIED);
    expect(await denied("POST", "/key/regenerate", { key: teamKey.key }, memberKey)).toBe(MEMBER_DENIED);
    expect((await ok<KeyInfoJson>("GET", `/key/info?key=${teamKey.key}`, undefined, memberKey)).info.team_id).toBe("ss-perm-default");
  });

  test("members allowed /key/update and /key/delete change and delete the team's keys, and still cannot create or regenerate", async () => {
    const { teamKey, memberKey } = await teamWithMember("ss-perm-edit", ["/key/update", "/key/delete", "/key/info"]);
    expect((await ok<{ metadata: unknown }>("POST", "/key/update", { key: teamKey.key, team_id: "ss-perm-edit", metadata: { updated: true } }, memberKey)).metadata).toEqual({ updated: true });
    // Taking the key out of the team is for the team's admins.
    expect(await denied("POST", "/key/update", { key: teamKey.key, team_id: null }, memberKey)).toBe("403 permission_error");
    expect(await denied("POST", "/key/generate", { team_id: "ss-perm-edit" }, memberKey)).toBe(MEMBER_DENIED);
    expect(await denied("POST", "/key/regenerate", { key: teamKey.key, team_id: "ss-perm-edit" }, memberKey)).toBe(MEMBER_DENIED);
    expect(await ok("POST", "/key/delete", { keys: [teamKey.key] }, memberKey)).toEqual({ deleted_keys: [teamKey.key] });
  });

  test("members allowed /key/generate create the team's keys, and cannot change, delete or regenerate them", async () => {
    const { teamKey, memberKey } = await teamWithMember("ss-perm-create", ["/key/generate"]);
    const created = await newKey({ team_id: "ss-perm-create" }, memberKey);
    expect(created).toMatchObject({ team_id: "ss-perm-create", user_id: "ss-perm-create-member" });
    expect(await denied("POST", "/key/update", { key: teamKey.key, team_id: "ss-perm-create", metadata: { updated: true } }, memberKey)).toBe(MEMBER_DENIED);
    expect(await denied("POST", "/key/delete", { keys: [teamKey.key] }, memberKey)).toBe(MEMBER_DENIED);
    expect(await denied("POST", "/key/regenerate", { key: teamKey.key, team_id: "ss-perm-create" }, memberKey)).toBe(MEMBER_DENIED);
  });

  test("a team admin manages all the team's keys, but makes and regenerates only its own (a key acts with its user's rights)", async () => {
    await ok("POST", "/team/new", { team_id: "ss-admin-team" });
    const admin = await newUser({ user_id: "ss-team-admin", teams: [{ team_id: "ss-admin-team", user_role: "admin" }] });
    await newUser({ user_id: "ss-team-user", teams: ["ss-admin-team"] });
    const forMember = await newKey({ team_id: "ss-admin-team", user_id: "ss-team-user" });
    const listed = await ok<KeyListJson>("GET", "/key/list?team_id=ss-admin-team", undefined, admin.key as string);
    expect(listed.keys).toContain(forMember.token);
    expect((await ok<{ rpm_limit: number }>("POST", "/key/update", { key: forMember.key, rpm_limit: 5 }, admin.key as string)).rpm_limit).toBe(5);
    // A key for a member, or a member's key regenerated, would let the admin act as that member.
    expect(await denied("POST", "/key/generate", { team_id: "ss-admin-team", user_id: "ss-team-user" }, admin.key as string)).toBe("403 permission_error");
    expect(await denied("POST", "/key/regenerate", { key: forMember.key }, admin.key as string)).toBe("403 permission_error");
    expect(await denied("POST", "/key/update", { key: forMember.key, user_id: "ss-team-admin" }, admin.key as string)).toBe("403 permission_error");
    expect(await denied("POST", "/key/generate", { team_id: "ss-admin-team", user_id: "ss-user2" }, admin.key as string)).toBe("403 permission_error");
    const teamless = await newKey({ team_id: "ss-admin-team" }, admin.key as string);
    expect((await ok<{ team_id: string | null }>("POST", "/key/update", { key: teamless.key, team_id: null }, admin.key as string)).team_id).toBeNull();
    expect(await ok("POST", "/key/delete", { keys: [forMember.key] }, admin.key as string)).toEqual({ deleted_keys: [forMember.key] });
  });
});
