/**
 * The `/team/*` management routes through real HTTP, in LiteLLM's field names and answer shapes:
 * members with roles, per-member budgets, permissions, aliases, update, info, list, block, delete.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import type {
  GeneratedKeyJson,
  MemberAddJson,
  MemberUpdateJson,
  TeamInfoJson,
  TeamListEntryJson,
  TeamObjectJson,
  TeamUpdateJson,
  UserInfoJson,
} from "../../src/admin/responses.ts";
import { startAccountsGateway, type AccountsGateway, type ErrorBody } from "../support/accounts.ts";
import { useTempDir } from "../support/temp-dir.ts";

const tmp = useTempDir("switchboard-admin-teams-");
let gateway: AccountsGateway;

beforeAll(async () => {
  const dataDir = dirname(await tmp.file("marker", ""));
  gateway = await startAccountsGateway({}, { dataDir });
});
afterAll(async () => {
  await gateway?.stop();
});

type Warned<T> = T & { warnings?: string[] };

async function ok<T>(method: "GET" | "POST", path: string, body?: unknown): Promise<T> {
  const answer = await gateway.admin<T>(method, path, body);
  if (answer.status !== 200) throw new Error(`${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

const newTeam = (body: Record<string, unknown>) => ok<Warned<TeamObjectJson>>("POST", "/team/new", body);
const info = (teamId: string) => ok<TeamInfoJson>("GET", `/team/info?team_id=${encodeURIComponent(teamId)}`);

describe("POST /team/new", () => {
  test("members by id and by email (an existing user's email finds it, a new email creates the user), permissions and aliases, in LiteLLM's shapes", async () => {
    await ok("POST", "/user/new", { user_id: "amy", user_email: "amy@example.com" });
    const team = await newTeam({
      team_alias: "core",
      members_with_roles: [
        { role: "admin", user_id: "boss" },
        { role: "user", user_email: "amy@example.com" },
        { role: "user", user_email: "newcomer@example.com" },
      ],
      team_member_permissions: ["/key/generate", "/key/info"],
      model_aliases: { cheap: "mock/echo" },
    });
    expect(team.warnings).toBeUndefined();
    expect(team.team_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(team.members_with_roles.slice(0, 2)).toEqual([
      { user_id: "boss", user_email: null, role: "admin" },
      { user_id: "amy", user_email: "amy@example.com", role: "user" },
    ]);
    const newcomer = team.members_with_roles[2];
    expect(newcomer).toMatchObject({ user_email: "newcomer@example.com", role: "user" });
    expect(newcomer?.user_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(team).toMatchObject({ team_alias: "core", team_member_permissions: ["/key/generate", "/key/info"], model_aliases: { cheap: "mock/echo" } });
    // The users exist now: the one named by id, and the one made for the new email.
    expect((await gateway.admin("GET", "/user/info?user_id=boss")).status).toBe(200);
    const made = await ok<UserInfoJson>("GET", `/user/info?user_id=${newcomer?.user_id}`);
    expect(made.user_info.user_email).toBe("newcomer@example.com");
  });

  test("LiteLLM's other documented fields (and the `name` its tests send) are accepted and named in warnings; an unknown field or a member without user is a 400", async () => {
    const team = await newTeam({ name: "ignored", guardrails: ["pii"], team_member_budget: 5, admins: [], members: [], models: ["mock/echo"] });
    expect(team.models).toEqual(["mock/echo"]);
    expect(team.warnings).toEqual(
      ["guardrails", "team_member_budget", "admins", "members", "name"].map((field) => `'${field}' is accepted for LiteLLM compatibility but not applied by Switchboard.`),
    );
    const unknown = await gateway.admin<ErrorBody>("POST", "/team/new", { team_nickname: "x" });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain("team_nickname");
    const nobody = await gateway.admin<ErrorBody>("POST", "/team/new", { members_with_roles: [{ role: "user" }] });
    expect(nobody.status).toBe(400);
    expect(nobody.body.error.param).toBe("members_with_roles[0]");
    const badRole = await gateway.admin<ErrorBody>("POST", "/team/new", { members_with_roles: [{ role: "owner", user_id: "x" }] });
    expect(badRole.status).toBe(400);
  });
});

describe("members", () => {
  test("member_add takes one member or a list, by id or email, each with max_budget_in_team; a member already in is a 400 and nothing is added", async () => {
    const { team_id: teamId } = await newTeam({ members_with_roles: [{ role: "admin", user_id: "lead" }] });
    const one = await ok<MemberAddJson>("POST", "/team/member_add", { team_id: teamId, member: { role: "user", user_id: "solo" } });
    expect(one.members_with_roles.map((m) => m.user_id)).toEqual(["lead", "solo"]);
    expect(one.updated_users.map((u) => u.user_id)).toEqual(["solo"]);
    const many = await ok<MemberAddJson>("POST", "/team/member_add", {
      team_id: teamId,
      member: [
        { role: "user", user_id: "pair-1" },
        { role: "admin", user_email: "pair-2@example.com" },
      ],
      max_budget_in_team: 0.5,
    });
    expect(many.members_with_roles).toHaveLength(4);
    expect(many.updated_team_memberships.map((m) => m.litellm_budget_table.max_budget)).toEqual([0.5, 0.5]);
    expect(many.updated_team_memberships[0]).toEqual({
      team_id: teamId,
      user_id: "pair-1",
      budget_id: null,
      spend: 0,
      spend_usd: "0",
      litellm_budget_table: { budget_id: null, max_budget: 0.5, soft_budget: null, budget_duration: null, max_parallel_requests: null, rpm_limit: null, tpm_limit: null, model_max_budget: null },
    });
    expect(many.updated_users[1]).toMatchObject({ user_email: "pair-2@example.com" });

    const again = await gateway.admin<ErrorBody>("POST", "/team/member_add", { team_id: teamId, member: [{ role: "user", user_id: "fresh" }, { role: "user", user_id: "solo" }] });
    expect(again.status).toBe(400);
    expect(again.body.error.message).toContain("solo");
    expect((await info(teamId)).team_info.members_with_roles.map((m) => m.user_id)).not.toContain("fresh");
    expect((await gateway.admin<ErrorBody>("POST", "/team/member_add", { team_id: "no-such-team", member: { role: "user", user_id: "x" } })).status).toBe(404);
  });

  test("member_update changes role, budget and limits (null clears); member_delete by id or email; a non-member is a 400", async () => {
    const { team_id: teamId } = await newTeam({ members_with_roles: [{ role: "user", user_id: "uma" }, { role: "user", user_id: "vic", user_email: "vic@example.com" }] });
    const updated = await ok<MemberUpdateJson>("POST", "/team/member_update", { team_id: teamId, user_id: "uma", role: "admin", max_budget_in_team: 2, rpm_limit: 10, tpm_limit: 1000 });
    expect(updated).toEqual({ team_id: teamId, user_id: "uma", user_email: null, max_budget_in_team: 2, rpm_limit: 10, tpm_limit: 1000 });
    const cleared = await ok<MemberUpdateJson>("POST", "/team/member_update", { team_id: teamId, user_email: "vic@example.com", max_budget_in_team: 1 });
    expect(cleared).toMatchObject({ user_id: "vic", max_budget_in_team: 1 });
    expect(await ok<MemberUpdateJson>("POST", "/team/member_update", { team_id: teamId, user_id: "uma", rpm_limit: null })).toMatchObject({ rpm_limit: null, tpm_limit: 1000, max_budget_in_team: 2 });
    const team = await info(teamId);
    expect(team.team_info.members_with_roles).toEqual([
      { user_id: "uma", user_email: null, role: "admin" },
      { user_id: "vic", user_email: "vic@example.com", role: "user" },
    ]);
    expect(team.team_memberships.map((m) => [m.user_id, m.litellm_budget_table.max_budget])).toEqual([
      ["uma", 2],
      ["vic", 1],
    ]);

    const stranger = await gateway.admin<ErrorBody>("POST", "/team/member_update", { team_id: teamId, user_id: "stranger", role: "admin" });
    expect(stranger.status).toBe(400);
    expect(stranger.body.error.param).toBe("user_id");
    expect((await gateway.admin<ErrorBody>("POST", "/team/member_delete", { team_id: teamId })).status).toBe(400);
    const noEmail = await gateway.admin<ErrorBody>("POST", "/team/member_delete", { team_id: teamId, user_email: "nobody@example.com" });
    expect(noEmail.status).toBe(400);
    expect(noEmail.body.error).toMatchObject({ param: "user_email", message: `No member of team '${teamId}' has the email 'nobody@example.com'.` });

    const afterEmail = await ok<TeamObjectJson>("POST", "/team/member_delete", { team_id: teamId, user_email: "vic@example.com" });
    expect(afterEmail.members_with_roles.map((m) => m.user_id)).toEqual(["uma"]);
    const afterId = await ok<TeamObjectJson>("POST", "/team/member_delete", { team_id: teamId, user_id: "uma" });
    expect(afterId.members_with_roles).toEqual([]);
    // The users stay.
    expect((await gateway.admin("GET", "/user/info?user_id=vic")).status).toBe(200);
    expect((await gateway.admin<ErrorBody>("POST", "/team/member_delete", { team_id: teamId, user_id: "uma" })).status).toBe(400);
  });
});

describe("update, info, list, block, delete", () => {
  test("/team/update answers {team_id, data} with the team as /team/new showed it, changed only where asked", async () => {
    const created = await newTeam({ team_alias: "before", members_with_roles: [{ role: "admin", user_id: "ed" }], model_aliases: { a: "mock/echo" } });
    const updated = await ok<TeamUpdateJson>("POST", "/team/update", { team_id: created.team_id, team_alias: "after", team_member_permissions: ["/key/update"], guardrails: ["x"] });
    expect(updated.team_id).toBe(created.team_id);
    expect(updated.warnings).toEqual(["'guardrails' is accepted for LiteLLM compatibility but not applied by Switchboard."]);
    const { updated_at: _u1, team_alias: alias, team_member_permissions: permissions, ...rest } = updated.data;
    const { updated_at: _u2, team_alias: _a, team_member_permissions: _p, ...before } = created;
    expect({ alias, permissions }).toEqual({ alias: "after", permissions: ["/key/update"] });
    expect(rest).toEqual(before);
    // members_with_roles is not an update field (members change through /team/member_*).
    expect((await gateway.admin("POST", "/team/update", { team_id: created.team_id, members_with_roles: [] })).status).toBe(400);
    expect((await gateway.admin("POST", "/team/update", { team_id: "no-such-team", team_alias: "x" })).status).toBe(404);
  });

  test("/team/info has team_info, keys and team_memberships; /team/list (optionally a user's teams) carries memberships and keys", async () => {
    const { team_id: teamId } = await newTeam({ team_alias: "listed", members_with_roles: [{ role: "user", user_id: "lister" }] });
    const key = await ok<GeneratedKeyJson>("POST", "/key/generate", { team_id: teamId, user_id: "lister" });
    const team = await info(teamId);
    expect(Object.keys(team)).toEqual(["team_id", "team_info", "keys", "team_memberships"]);
    expect(team.keys.map((k) => k.token)).toEqual([key.token]);
    expect(team.team_memberships.map((m) => m.user_id)).toEqual(["lister"]);

    const all = await ok<TeamListEntryJson[]>("GET", "/team/list");
    const aliases = all.map((t) => t.team_alias ?? "");
    expect(aliases).toEqual([...aliases].sort());
    const mine = await ok<TeamListEntryJson[]>("GET", "/team/list?user_id=lister");
    expect(mine.map((t) => t.team_id)).toEqual([teamId]);
    expect(mine[0]?.keys.map((k) => k.token)).toEqual([key.token]);
    expect(mine[0]?.team_memberships.map((m) => m.user_id)).toEqual(["lister"]);
  });

  test("/team/block and /team/unblock answer the team; unknown teams are 404", async () => {
    const { team_id: teamId } = await newTeam({});
    expect((await ok<TeamObjectJson>("POST", "/team/block", { team_id: teamId })).blocked).toBe(true);
    expect((await ok<TeamObjectJson>("POST", "/team/unblock", { team_id: teamId })).blocked).toBe(false);
    expect((await gateway.admin("POST", "/team/block", { team_id: "no-such-team" })).status).toBe(404);
  });

  test("/team/delete removes the teams, their keys and memberships together; any missing team is a 404 and nothing is deleted", async () => {
    const first = await newTeam({ members_with_roles: [{ role: "user", user_id: "member-of-deleted" }] });
    const second = await newTeam({});
    const key = await ok<GeneratedKeyJson>("POST", "/key/generate", { team_id: first.team_id });
    const missing = await gateway.admin<ErrorBody>("POST", "/team/delete", { team_ids: [first.team_id, "no-such-team"] });
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toContain("no-such-team");
    expect((await gateway.admin("GET", `/key/info?key=${key.token}`)).status).toBe(200);

    expect(await ok("POST", "/team/delete", { team_ids: [first.team_id, second.team_id] })).toEqual({ deleted_teams: [first.team_id, second.team_id] });
    expect((await gateway.admin("GET", `/team/info?team_id=${first.team_id}`)).status).toBe(404);
    expect((await gateway.admin("GET", `/key/info?key=${key.token}`)).status).toBe(404);
    expect((await ok<TeamListEntryJson[]>("GET", "/team/list?user_id=member-of-deleted")).length).toBe(0);
    expect((await gateway.admin("GET", "/user/info?user_id=member-of-deleted")).status).toBe(200);
  });
});
