/**
 * Ways a key could reach past what a proxy admin set, found in review and closed: a team's admin
 * acting as another member (or as a proxy admin it pulls into its team), a member moving keys between
 * teams, keys freed from a blocked team, an organisation's model list ignored by what a key is shown,
 * and what members see of their team's keys and other users' aliases. Raw HTTP, as a script would.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import type { GeneratedKeyJson, NewUserJson } from "../../src/admin/responses.ts";
import { startAccountsGateway, type AccountsGateway, type ErrorBody } from "../support/accounts.ts";
import { useTempDir } from "../support/temp-dir.ts";

const tmp = useTempDir("switchboard-escalation-");
let gateway: AccountsGateway;

beforeAll(async () => {
  const dataDir = dirname(await tmp.file("marker", ""));
  gateway = await startAccountsGateway({ models: [{ model_name: "echo", model: "mock/echo" }, { model_name: "internal-only", model: "mock/echo" }] }, { dataDir });
});
afterAll(async () => {
  await gateway?.stop();
});

const ok = async <T>(method: "GET" | "POST", path: string, body?: unknown, key?: string): Promise<T> => {
  const answer = await gateway.admin<T>(method, path, body, key);
  if (answer.status !== 200) throw new Error(`${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body;
};
const status = async (method: "GET" | "POST", path: string, body: unknown, key: string) => (await gateway.admin<ErrorBody>(method, path, body, key)).status;

describe("a team's admin cannot act as anybody else", () => {
  test("it cannot pull a proxy admin or viewer into its team, by id or email; nothing is added", async () => {
    await ok("POST", "/team/new", { team_id: "esc-t1" });
    await ok("POST", "/user/new", { user_id: "esc-boss", user_email: "boss@example.com", user_role: "proxy_admin", auto_create_key: false });
    await ok("POST", "/user/new", { user_id: "esc-viewer", user_role: "proxy_admin_viewer", auto_create_key: false });
    const eve = await ok<NewUserJson>("POST", "/user/new", { user_id: "esc-eve", max_budget: 0, models: ["echo"], teams: [{ team_id: "esc-t1", user_role: "admin" }] });
    for (const member of [{ user_email: "boss@example.com", role: "user" }, { user_id: "esc-viewer", role: "user" }]) {
      const answer = await gateway.admin<ErrorBody>("POST", "/team/member_add", { team_id: "esc-t1", member }, eve.key as string);
      expect(answer.status).toBe(403);
      expect(answer.body.error.message).toContain("only a proxy admin adds proxy admins or viewers");
    }
    const team = await ok<{ members_with_roles: { user_id: string }[] }>("GET", "/team/info?team_id=esc-t1").then((info) => (info as unknown as { team_info: { members_with_roles: { user_id: string }[] } }).team_info);
    expect(team.members_with_roles.map((m) => m.user_id)).toEqual(["esc-eve"]);
    // An internal user joins, and the admin learns its id, not its settings or spend.
    await ok("POST", "/user/new", { user_id: "esc-plain", max_budget: 7, auto_create_key: false });
    const added = await ok<{ updated_users: Record<string, unknown>[] }>("POST", "/team/member_add", { team_id: "esc-t1", member: { user_id: "esc-plain", role: "user" } }, eve.key as string);
    expect(added.updated_users).toEqual([{ user_id: "esc-plain", user_email: null }]);
  });

  test("a proxy admin's key in its team: not regenerated, not re-assigned, no key minted in its name", async () => {
    await ok("POST", "/team/new", { team_id: "esc-t2" });
    const boss = await ok<NewUserJson>("POST", "/user/new", { user_id: "esc-boss2", user_role: "proxy_admin", team_id: "esc-t2" });
    const eve = await ok<NewUserJson>("POST", "/user/new", { user_id: "esc-eve2", teams: [{ team_id: "esc-t2", user_role: "admin" }] });
    const eveKey = eve.key as string;
    expect(await status("POST", "/key/regenerate", { key: boss.token }, eveKey)).toBe(403);
    expect(await status("POST", "/key/generate", { team_id: "esc-t2", user_id: "esc-boss2" }, eveKey)).toBe(403);
    const own = await ok<GeneratedKeyJson>("POST", "/key/generate", { team_id: "esc-t2" }, eveKey);
    expect(await status("POST", "/key/update", { key: own.key, user_id: "esc-boss2" }, eveKey)).toBe(403);
    // Still a plain user: no management beyond its own.
    expect(await status("POST", "/user/update", { user_id: "esc-eve2", user_role: "proxy_admin" }, own.key)).toBe(403);
  });
});

describe("keys stay in their team", () => {
  test("a member allowed /key/update cannot move a team key into another team, even one it admins", async () => {
    await ok("POST", "/team/new", { team_id: "esc-a", team_member_permissions: ["/key/update", "/key/info"] });
    await ok("POST", "/team/new", { team_id: "esc-b" });
    const mallory = await ok<NewUserJson>("POST", "/user/new", { user_id: "esc-mallory", teams: ["esc-a", { team_id: "esc-b", user_role: "admin" }] });
    const other = await ok<NewUserJson>("POST", "/user/new", { user_id: "esc-other", team_id: "esc-a" });
    const answer = await gateway.admin<ErrorBody>("POST", "/key/update", { key: other.token, team_id: "esc-b" }, mallory.key as string);
    expect(answer.status).toBe(403);
    expect(answer.body.error.message).toContain("may take a key out of it");
    expect((await ok<{ info: { team_id: string } }>("GET", `/key/info?key=${other.token}`)).info.team_id).toBe("esc-a");
  });

  test("a blocked team's keys are not freed by taking them out of it", async () => {
    await ok("POST", "/team/new", { team_id: "esc-blocked" });
    const admin = await ok<NewUserJson>("POST", "/user/new", { user_id: "esc-badmin", teams: [{ team_id: "esc-blocked", user_role: "admin" }] });
    const worker = await ok<GeneratedKeyJson>("POST", "/key/generate", { team_id: "esc-blocked", user_id: "esc-badmin" });
    const personal = await ok<GeneratedKeyJson>("POST", "/key/generate", { user_id: "esc-badmin" });
    await ok("POST", "/team/block", { team_id: "esc-blocked" });
    const answer = await gateway.admin<ErrorBody>("POST", "/key/update", { key: worker.key, team_id: null }, personal.key);
    expect(answer.status).toBe(403);
    expect(answer.body.error.message).toContain("is blocked");
  });
});

describe("an organisation's model list", () => {
  test("narrows what its keys are shown and may put on new keys, as it narrows their calls", async () => {
    const org = await ok<{ organization_id: string }>("POST", "/organization/new", { organization_alias: "esc-acme", models: ["echo"] });
    await ok("POST", "/team/new", { team_id: "esc-acme-team", organization_id: org.organization_id, team_member_permissions: ["/key/generate"] });
    const user = await ok<NewUserJson>("POST", "/user/new", { user_id: "esc-acme-user", team_id: "esc-acme-team" });
    const key = user.key as string;
    const listed = await ok<{ data: { id: string }[] }>("GET", "/v1/models", undefined, key);
    expect(listed.data.map((m) => m.id)).toEqual(["echo"]);
    const info = await ok<{ data: { model_name: string }[] }>("GET", "/model/info", undefined, key);
    expect(info.data.map((m) => m.model_name)).toEqual(["echo"]);
    expect(await status("GET", "/v1/models/internal-only", undefined, key)).toBe(404);
    const outside = await gateway.admin<ErrorBody>("POST", "/key/generate", { team_id: "esc-acme-team", models: ["internal-only"] }, key);
    expect(outside.status).toBe(403);
    expect(outside.body.error.message).toContain(`organization '${org.organization_id}'`);
  });
});

describe("what members see", () => {
  test("/team/info lists only the team keys a member may read (its own, or all with /key/info allowed)", async () => {
    await ok("POST", "/team/new", { team_id: "esc-quiet", team_member_permissions: ["/key/generate"] });
    const member = await ok<NewUserJson>("POST", "/user/new", { user_id: "esc-quiet-member", team_id: "esc-quiet" });
    const teamKey = await ok<GeneratedKeyJson>("POST", "/key/generate", { team_id: "esc-quiet" });
    const info = await ok<{ keys: { token: string }[] }>("GET", "/team/info?team_id=esc-quiet", undefined, member.key as string);
    expect(info.keys.map((k) => k.token)).toEqual([member.token as string]);
    const all = await ok<{ keys: { token: string }[] }>("GET", "/team/info?team_id=esc-quiet");
    expect(all.keys.map((k) => k.token).sort()).toEqual([member.token as string, teamKey.token].sort());
  });

  test("/key/delete by alias deletes only the caller's keys with it; another user's key with the alias is untouched", async () => {
    const mine = await ok<NewUserJson>("POST", "/user/new", { user_id: "esc-alias-me" });
    await ok("POST", "/user/new", { user_id: "esc-alias-other", key_alias: "shared-alias" });
    const own = await ok<GeneratedKeyJson>("POST", "/key/generate", { key_alias: "shared-alias" }, mine.key as string);
    expect(await ok("POST", "/key/delete", { key_aliases: ["shared-alias"] }, mine.key as string)).toEqual({ deleted_keys: ["shared-alias"] });
    const left = await ok<{ keys: string[] }>("GET", "/key/list?key_alias=shared-alias");
    expect(left.keys).toHaveLength(1);
    expect(left.keys).not.toContain(own.token);
    expect(await status("POST", "/key/delete", { key_aliases: ["shared-alias"] }, mine.key as string)).toBe(404);
  });
});
