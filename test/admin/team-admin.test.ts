/**
 * A team's admin manages the team's members with a virtual key of its user, over raw HTTP, as
 * LiteLLM's /team/member_add, /team/member_update and /team/member_delete allow a proxy admin "OR
 * team admin" (`_is_user_team_admin`): its own team only; everyone else keeps the 403.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import type { GeneratedKeyJson, MemberAddJson, MemberUpdateJson, NewUserJson, TeamInfoJson, TeamObjectJson } from "../../src/admin/responses.ts";
import { startAccountsGateway, type AccountsGateway, type ErrorBody } from "../support/accounts.ts";
import { useTempDir } from "../support/temp-dir.ts";

const tmp = useTempDir("switchboard-team-admin-");
let gateway: AccountsGateway;
const TEAM = "ta-team";
const OTHER = "ta-other";
const keys: Record<string, string> = {};

const ok = async <T>(method: "GET" | "POST", path: string, body?: unknown, key?: string): Promise<T> => {
  const answer = await gateway.admin<T>(method, path, body, key);
  if (answer.status !== 200) throw new Error(`${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body;
};
const newUser = (body: Record<string, unknown>) => ok<NewUserJson>("POST", "/user/new", body);
/** The team's members as [user_id, role], read with the master key. */
const members = async (teamId: string) =>
  (await ok<TeamInfoJson>("GET", `/team/info?team_id=${teamId}`)).team_info.members_with_roles.map((m) => [m.user_id, m.role]);

beforeAll(async () => {
  const dataDir = dirname(await tmp.file("marker", ""));
  gateway = await startAccountsGateway({}, { dataDir });
  await ok("POST", "/team/new", { team_id: TEAM });
  await ok("POST", "/team/new", { team_id: OTHER, members_with_roles: [{ role: "user", user_id: "ta-other-member" }] });
  const userKey = async (body: Record<string, unknown>) => (await newUser(body)).key as string;
  keys.admin = await userKey({ user_id: "ta-admin", teams: [{ team_id: TEAM, user_role: "admin" }] });
  keys.member = await userKey({ user_id: "ta-member", teams: [TEAM] });
  keys.outsider = await userKey({ user_id: "ta-outsider" });
  keys.otherAdmin = await userKey({ user_id: "ta-other-admin", teams: [{ team_id: OTHER, user_role: "admin" }] });
  keys.viewerAdmin = await userKey({ user_id: "ta-viewer-admin", user_role: "internal_user_viewer", teams: [{ team_id: TEAM, user_role: "admin" }] });
  keys.teamKey = (await ok<GeneratedKeyJson>("POST", "/key/generate", { team_id: TEAM })).key;
  for (const userId of ["ta-cand1", "ta-cand2", "ta-cand3"]) await newUser({ user_id: userId, user_email: `${userId}@example.com`, auto_create_key: false });
});
afterAll(async () => {
  await gateway?.stop();
});

describe("a team's admin manages its team's members", () => {
  test("adds (with a budget in the team, and as admin), changes and removes members of its team", async () => {
    const added = await ok<MemberAddJson>("POST", "/team/member_add", { team_id: TEAM, member: { role: "user", user_id: "ta-cand1" }, max_budget_in_team: 5 }, keys.admin);
    expect(added.team_id).toBe(TEAM);
    expect(added.updated_team_memberships).toMatchObject([{ user_id: "ta-cand1", team_id: TEAM, litellm_budget_table: { max_budget: 5 } }]);
    // By email, and as an admin of the team: LiteLLM lets a team admin assign admins.
    await ok("POST", "/team/member_add", { team_id: TEAM, member: [{ role: "admin", user_email: "ta-cand2@example.com" }] }, keys.admin);
    expect(await members(TEAM)).toEqual([
      ["ta-admin", "admin"],
      ["ta-member", "user"],
      ["ta-viewer-admin", "admin"],
      ["ta-cand1", "user"],
      ["ta-cand2", "admin"],
    ]);

    const updated = await ok<MemberUpdateJson>("POST", "/team/member_update", { team_id: TEAM, user_id: "ta-cand1", max_budget_in_team: 10, rpm_limit: 7 }, keys.admin);
    expect(updated).toMatchObject({ team_id: TEAM, user_id: "ta-cand1", max_budget_in_team: 10, rpm_limit: 7 });
    await ok("POST", "/team/member_update", { team_id: TEAM, user_email: "ta-cand1@example.com", role: "admin" }, keys.admin);
    expect(await members(TEAM)).toContainEqual(["ta-cand1", "admin"]);

    const after = await ok<TeamObjectJson>("POST", "/team/member_delete", { team_id: TEAM, user_id: "ta-cand1" }, keys.admin);
    expect(after.members_with_roles.map((m) => m.user_id)).not.toContain("ta-cand1");
    await ok("POST", "/team/member_delete", { team_id: TEAM, user_email: "ta-cand2@example.com" }, keys.admin);
    expect((await members(TEAM)).map(([userId]) => userId)).toEqual(["ta-admin", "ta-member", "ta-viewer-admin"]);
  });

  test("a member it makes admin may manage members at once; an admin demoted by a proxy admin may not", async () => {
    const cand = await newUser({ user_id: "ta-promoted" });
    await ok("POST", "/team/member_add", { team_id: TEAM, member: { role: "user", user_id: "ta-promoted" } }, keys.admin);
    const before = await gateway.admin<ErrorBody>("POST", "/team/member_add", { team_id: TEAM, member: { role: "user", user_id: "ta-cand3" } }, cand.key as string);
    expect(before.status).toBe(403);
    await ok("POST", "/team/member_update", { team_id: TEAM, user_id: "ta-promoted", role: "admin" }, keys.admin);
    await ok("POST", "/team/member_add", { team_id: TEAM, member: { role: "user", user_id: "ta-cand3" } }, cand.key as string);
    await ok("POST", "/team/member_update", { team_id: TEAM, user_id: "ta-promoted", role: "user" });
    const demoted = await gateway.admin<ErrorBody>("POST", "/team/member_delete", { team_id: TEAM, user_id: "ta-cand3" }, cand.key as string);
    expect(demoted.status).toBe(403);
    await ok("POST", "/team/member_delete", { team_id: TEAM, user_id: "ta-cand3" });
    await ok("POST", "/team/member_delete", { team_id: TEAM, user_id: "ta-promoted" });
  });
});

describe("everyone else keeps the 403, and nothing changes", () => {
  const attempts = (teamId: string, memberId: string) => [
    { path: "/team/member_add", body: { team_id: teamId, member: { role: "user", user_id: "ta-cand3" } } },
    { path: "/team/member_update", body: { team_id: teamId, user_id: memberId, max_budget_in_team: 1, role: "admin" } },
    { path: "/team/member_delete", body: { team_id: teamId, user_id: memberId } },
  ];

  test("a team's admin on another team, and another team's admin on this one", async () => {
    for (const [key, teamId, memberId] of [
      [keys.admin, OTHER, "ta-other-member"],
      [keys.otherAdmin, TEAM, "ta-member"],
    ] as const) {
      const before = await members(teamId);
      for (const { path, body } of attempts(teamId, memberId)) {
        const answer = await gateway.admin<ErrorBody>("POST", path, body, key);
        expect(`${path} ${answer.status} ${answer.body.error?.type}`).toBe(`${path} 403 permission_error`);
        expect(answer.body.error.message).toContain(`Only an admin of team '${teamId}'`);
      }
      expect(await members(teamId)).toEqual(before);
    }
  });

  test("a plain member, an internal user outside the team, a viewer that is a team admin, the team's key without a user", async () => {
    const before = await members(TEAM);
    for (const [who, key, words] of [
      ["member", keys.member, `Only an admin of team '${TEAM}'`],
      ["outsider", keys.outsider, `Only an admin of team '${TEAM}'`],
      ["viewer admin", keys.viewerAdmin, "needs the proxy_admin or internal_user role"],
      ["team key", keys.teamKey, "needs the proxy_admin or internal_user role"],
    ] as const) {
      for (const { path, body } of attempts(TEAM, "ta-member")) {
        const answer = await gateway.admin<ErrorBody>("POST", path, body, key);
        expect(`${who} ${path} ${answer.status} ${answer.body.error?.type}`).toBe(`${who} ${path} 403 permission_error`);
        expect(answer.body.error.message).toContain(words);
      }
    }
    // The member's own role in the message says what it lacks.
    const plain = await gateway.admin<ErrorBody>("POST", "/team/member_add", attempts(TEAM, "ta-member")[0]?.body, keys.member);
    expect(plain.body.error.message).toContain("user 'ta-member'");
    expect(await members(TEAM)).toEqual(before);
  });

  test("a team's admin may not change the team itself: /team/update stays for proxy admins, as in LiteLLM", async () => {
    for (const body of [{ team_id: TEAM, max_budget: 1000 }, { team_id: TEAM, team_alias: "renamed" }, { team_id: TEAM, models: ["gpt-4o"] }]) {
      const answer = await gateway.admin<ErrorBody>("POST", "/team/update", body, keys.admin);
      expect(answer.status).toBe(403);
      expect(answer.body.error.message).toContain("proxy_admin role");
    }
    expect((await ok<TeamInfoJson>("GET", `/team/info?team_id=${TEAM}`)).team_info).toMatchObject({ team_alias: null, max_budget: null, models: [] });
  });
});

describe("a team's admin adds users that exist; creating users stays with proxy admins (stricter than LiteLLM)", () => {
  test("an unknown user_id or email is a 403, and neither the user nor any member of the call is added", async () => {
    for (const member of [
      { role: "user", user_id: "ta-ghost" },
      { role: "user", user_email: "ta-ghost@example.com" },
      [
        { role: "user", user_id: "ta-cand3" },
        { role: "user", user_id: "ta-ghost" },
      ],
    ]) {
      const answer = await gateway.admin<ErrorBody>("POST", "/team/member_add", { team_id: TEAM, member }, keys.admin);
      expect(answer.status).toBe(403);
      expect(answer.body.error.type).toBe("permission_error");
      expect(answer.body.error.message).toContain("ta-ghost");
      expect(answer.body.error.message).toContain("POST /user/new");
    }
    expect((await gateway.admin("GET", "/user/info?user_id=ta-ghost")).status).toBe(404);
    expect((await members(TEAM)).map(([userId]) => userId)).not.toContain("ta-cand3");
    // A proxy admin still creates the user it names, as LiteLLM does.
    await ok("POST", "/team/member_add", { team_id: TEAM, member: { role: "user", user_id: "ta-ghost" } });
    expect((await gateway.admin("GET", "/user/info?user_id=ta-ghost")).status).toBe(200);
    await ok("POST", "/team/member_delete", { team_id: TEAM, user_id: "ta-ghost" });
  });
});
