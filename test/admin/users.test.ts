/**
 * The `/user/*` routes with LiteLLM's fields, over raw HTTP (the first key is used with the
 * official `openai` SDK): the first key, teams joined, roles, LiteLLM's upsert on update, the spend
 * reset, delete with the user's keys, and the paged list.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import OpenAI from "openai";
import type { KeyObjectJson, NewUserJson, TeamObjectJson, UserListJson, UserObjectJson } from "../../src/admin/responses.ts";
import { startAccountsGateway, type AccountsGateway, type ErrorBody } from "../support/accounts.ts";
import { startMockUpstream, type MockUpstream } from "../support/mock-upstream.ts";
import { useTempDir } from "../support/temp-dir.ts";

const tmp = useTempDir("switchboard-admin-users-");
let upstream: MockUpstream;
let gateway: AccountsGateway;

beforeAll(async () => {
  upstream = await startMockUpstream();
  const dataDir = dirname(await tmp.file("marker", ""));
  gateway = await startAccountsGateway(
    { models: [{ model_name: "priced", model: "openai/gpt-4o-2024-08-06", api_base: upstream.url, api_key: "sk-upstream-user-tests" }] },
    { dataDir, budgetMode: "soft" },
  );
  for (const teamId of ["users-t1", "users-t2"]) expect((await gateway.admin("POST", "/team/new", { team_id: teamId })).status).toBe(200);
});
afterAll(async () => {
  await gateway?.stop();
  await upstream?.stop();
});

interface UserInfo {
  user_id: string;
  user_info: UserObjectJson;
  keys: KeyObjectJson[];
  teams: TeamObjectJson[];
}
type UserUpdate = { user_id: string; data: UserObjectJson; warnings?: string[] };

const newUser = async (body: Record<string, unknown>) => {
  const answer = await gateway.admin<NewUserJson>("POST", "/user/new", body);
  if (answer.status !== 200) throw new Error(`/user/new answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body;
};
const userInfo = (userId: string) => gateway.admin<UserInfo>("GET", `/user/info?user_id=${encodeURIComponent(userId)}`);
/** What a call rejects with (the SDK's promise is not one `expect().rejects` can read). */
async function rejection(call: Promise<unknown>): Promise<Error> {
  try {
    await call;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected the call to fail");
}
const ask = (key: string) => new OpenAI({ baseURL: gateway.baseURL, apiKey: key, maxRetries: 0 }).chat.completions.create({ model: "priced", messages: [{ role: "user", content: "hi" }] });

describe("POST /user/new", () => {
  test("takes LiteLLM's fields, joins the teams named and answers with the user's first key", async () => {
    const created = await newUser({
      user_id: "u-new@example.com",
      user_email: "u-new@example.com",
      user_alias: "New",
      user_role: "internal_user_viewer",
      models: ["priced"],
      aliases: { cheap: "priced" },
      duration: "1h",
      key_alias: "first",
      max_budget: 10,
      budget_duration: "30d",
      rpm_limit: 100,
      tpm_limit: 10_000,
      metadata: { dept: "r&d" },
      team_id: "users-t1",
      teams: [{ team_id: "users-t2", user_role: "admin" }],
      send_invite_email: true,
    });
    expect(created).toMatchObject({
      user_id: "u-new@example.com",
      user_email: "u-new@example.com",
      user_alias: "New",
      user_role: "internal_user_viewer",
      models: ["priced"],
      max_budget: 10,
      budget_duration: "30d",
      rpm_limit: 100,
      tpm_limit: 10_000,
      metadata: { dept: "r&d" },
      teams: ["users-t1", "users-t2"],
      key_alias: "first",
      team_id: "users-t1",
      aliases: { cheap: "priced" },
      warnings: ["'send_invite_email' is accepted for LiteLLM compatibility but not applied by Switchboard."],
    });
    expect(created.key).toMatch(/^sk-/);
    const expires = Date.parse(created.expires ?? "") - Date.parse(created.created_at);
    expect(Math.abs(expires - 3_600_000)).toBeLessThan(2_000);
    // The first key works at once, through its alias too.
    expect((await ask(created.key as string)).choices[0]?.message.content).toBeDefined();
    const info = await userInfo("u-new@example.com");
    expect(info.status).toBe(200);
    expect(info.body.keys.map((key) => key.token)).toEqual([created.token as string]);
    expect(info.body.teams.map((team) => team.team_id).sort()).toEqual(["users-t1", "users-t2"]);
  });

  test("a new user's role defaults to internal_user; auto_create_key: false makes no key", async () => {
    const created = await newUser({ user_id: "u-nokey", auto_create_key: false });
    expect(created).toMatchObject({ user_role: "internal_user", key: null, token: null, teams: [] });
    expect((await userInfo("u-nokey")).body.keys).toEqual([]);
  });

  test("a user id is generated when none is given", async () => {
    const created = await newUser({});
    expect(created.user_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  test("an unknown field, a role LiteLLM does not know, and a missing team are 400s; nothing is created", async () => {
    for (const [body, param] of [
      [{ user_id: "u-bad1", nope: 1 }, "nope"],
      [{ user_id: "u-bad2", user_role: "app_owner" }, "user_role"],
      [{ user_id: "u-bad3", team_id: "no-such-team" }, "team_id"],
      [{ user_id: "u-bad4", spend: 5 }, "spend"],
    ] as const) {
      const answer = await gateway.admin<ErrorBody>("POST", "/user/new", body);
      expect(answer.status).toBe(400);
      expect(answer.body.error.param).toBe(param);
      expect((await userInfo(body.user_id)).status).toBe(404);
    }
  });
});

describe("GET /user/info", () => {
  test("a user's key reads its user without naming it, and not another user", async () => {
    const me = await newUser({ user_id: "u-self" });
    await newUser({ user_id: "u-other" });
    const own = await gateway.admin<UserInfo>("GET", "/user/info", undefined, me.key as string);
    expect(own.status).toBe(200);
    expect(own.body.user_id).toBe("u-self");
    expect(own.body.keys.map((key) => key.token)).toEqual([me.token as string]);
    const other = await gateway.admin<ErrorBody>("GET", "/user/info?user_id=u-other", undefined, me.key as string);
    expect(other.status).toBe(403);
    expect(other.body.error.message).toContain("u-self");
  });
});

describe("GET /user/info teams", () => {
  test("each team carries this user's membership (budget and spend in the team), never another member's", async () => {
    const team = await gateway.admin<{ team_id: string }>("POST", "/team/new", {
      team_id: "t-info",
      members_with_roles: [
        { user_id: "u-info-a", role: "user" },
        { user_id: "u-info-b", role: "admin" },
      ],
    });
    expect(team.status).toBe(200);
    expect((await gateway.admin("POST", "/team/member_update", { team_id: "t-info", user_id: "u-info-a", max_budget_in_team: 2 })).status).toBe(200);
    const info = await gateway.admin<{ teams: { team_id: string; team_memberships: { user_id: string; spend: number; litellm_budget_table: { max_budget: number | null } }[] }[] }>(
      "GET",
      "/user/info?user_id=u-info-a",
    );
    expect(info.status).toBe(200);
    expect(info.body.teams.map((t) => t.team_id)).toEqual(["t-info"]);
    expect(info.body.teams[0]?.team_memberships).toEqual([expect.objectContaining({ user_id: "u-info-a", spend: 0, litellm_budget_table: expect.objectContaining({ max_budget: 2 }) })]);
  });
});

describe("POST /user/update", () => {
  test("a spend reset while the ledger cannot store its queued rows is a 503 that changes nothing", async () => {
    const user = await newUser({ user_id: "u-reset-fail", max_budget: 1 });
    await ask(user.key as string); // a row queued for the ledger
    const spend = gateway.accounts.store.spend;
    const append = spend.append.bind(spend);
    spend.append = () => Promise.reject(new Error("SQLITE_FULL: database or disk is full"));
    try {
      const answer = await gateway.admin<ErrorBody>("POST", "/user/update", { user_id: "u-reset-fail", spend: 0, max_budget: 9 });
      expect(answer.status).toBe(503);
    } finally {
      spend.append = append;
    }
    expect((await gateway.accounts.store.users.byId("u-reset-fail"))?.maxBudgetNano).toBe(1_000_000_000);
  });

  test("changes settings and the role, which takes effect on the user's keys at once", async () => {
    const user = await newUser({ user_id: "u-role" });
    expect((await gateway.admin("GET", "/user/list", undefined, user.key as string)).status).toBe(403);
    const updated = await gateway.admin<UserUpdate>("POST", "/user/update", { user_id: "u-role", user_role: "proxy_admin_viewer", max_budget: 3, password: "x" });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ user_id: "u-role", data: { user_role: "proxy_admin_viewer", max_budget: 3 } });
    expect(updated.body.warnings).toEqual(["'password' is accepted for LiteLLM compatibility but not applied by Switchboard."]);
    expect((await gateway.admin("GET", "/user/list", undefined, user.key as string)).status).toBe(200);
    // A viewer still cannot write.
    expect((await gateway.admin("POST", "/user/update", { user_id: "u-role", max_budget: 100 }, user.key as string)).status).toBe(403);
  });

  test("a user not yet known is created, as LiteLLM's upsert does; user_email finds an existing user", async () => {
    const answer = await gateway.admin<UserUpdate>("POST", "/user/update", { user_id: "litellm-proxy-budget", spend: 0 });
    expect(answer.status).toBe(200);
    expect((await userInfo("litellm-proxy-budget")).status).toBe(200);
    await newUser({ user_id: "u-mail", user_email: "mail@example.com" });
    const byMail = await gateway.admin<UserUpdate>("POST", "/user/update", { user_email: "mail@example.com", user_alias: "Mail" });
    expect(byMail.body).toMatchObject({ user_id: "u-mail", data: { user_alias: "Mail" } });
  });

  test("spend: 0 resets what the budget counts: the window with a budget_duration; all of it without", async () => {
    const windowed = await newUser({ user_id: "u-reset-window", max_budget: 0.000001, budget_duration: "30d" });
    const lifetime = await newUser({ user_id: "u-reset-all", max_budget: 0.000001 });
    for (const user of [windowed, lifetime]) {
      await ask(user.key as string);
      // Soft mode: over budget now, so the next call is refused.
      expect((await rejection(ask(user.key as string))).message).toMatch(/budget/i);
    }
    for (const [user, total] of [
      [windowed, true],
      [lifetime, false],
    ] as const) {
      const before = (await userInfo(user.user_id)).body.user_info;
      expect(before.spend).toBeGreaterThan(0);
      const reset = await gateway.admin<UserUpdate>("POST", "/user/update", { user_id: user.user_id, spend: 0 });
      expect(reset.status).toBe(200);
      expect(reset.body.data.spend).toBe(0);
      const after = (await userInfo(user.user_id)).body.user_info;
      expect(after.spend).toBe(0);
      // The lifetime total stays where a window was reset; without a window the budget counts the lifetime.
      expect(after.total_spend).toBe(total ? before.total_spend : 0);
      // The budget counts from zero again: the key is served.
      expect((await ask(user.key as string)).choices.length).toBe(1);
      // The ledger keeps every row.
      const logs = await gateway.admin<unknown[]>("GET", `/spend/logs?user_id=${user.user_id}`);
      expect(logs.body.length).toBe(2);
    }
  });

  test("spend other than 0 is a 400", async () => {
    await newUser({ user_id: "u-spend5" });
    const answer = await gateway.admin<ErrorBody>("POST", "/user/update", { user_id: "u-spend5", spend: 5 });
    expect(answer.status).toBe(400);
    expect(answer.body.error.param).toBe("spend");
  });
});

describe("POST /user/delete", () => {
  test("deletes the users with their keys and team memberships; their spend rows stay", async () => {
    const gone = await newUser({ user_id: "u-gone", teams: ["users-t1"] });
    await ask(gone.key as string);
    const extra = await gateway.admin<{ key: string }>("POST", "/key/generate", { user_id: "u-gone" });
    const answer = await gateway.admin<{ deleted_users: string[]; deleted_keys: number }>("POST", "/user/delete", { user_ids: ["u-gone"] });
    expect(answer.body).toEqual({ deleted_users: ["u-gone"], deleted_keys: 2 });
    expect((await userInfo("u-gone")).status).toBe(404);
    expect((await rejection(ask(gone.key as string))).message).toContain("Invalid API key");
    expect((await rejection(ask(extra.body.key))).message).toContain("Invalid API key");
    const team = await gateway.admin<{ team_info: unknown }>("GET", "/team/info?team_id=users-t1");
    expect(team.status).toBe(200);
    const list = await gateway.admin<UserListJson>("GET", "/user/list?team=users-t1");
    expect(list.body.users.map((user) => user.user_id)).not.toContain("u-gone");
    expect((await gateway.admin<unknown[]>("GET", "/spend/logs?user_id=u-gone")).body.length).toBe(1);
  });

  test("an unknown user is a 404 and nothing is deleted", async () => {
    await newUser({ user_id: "u-kept" });
    const answer = await gateway.admin<ErrorBody>("POST", "/user/delete", { user_ids: ["u-kept", "u-never"] });
    expect(answer.status).toBe(404);
    expect((await userInfo("u-kept")).status).toBe(200);
  });
});

describe("GET /user/list", () => {
  test("LiteLLM's page shape, filters and sort", async () => {
    for (const id of ["list-a", "list-b", "list-c"]) await newUser({ user_id: id, user_email: `${id}@Example.com`, teams: id === "list-c" ? [] : ["users-t2"] });
    const all = await gateway.admin<UserListJson>("GET", "/user/list?user_ids=list-a,list-b,list-c&sort_by=user_id");
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ total: 3, page: 1, page_size: 25, total_pages: 1 });
    expect(all.body.users.map((user) => [user.user_id, user.key_count])).toEqual([
      ["list-a", 1],
      ["list-b", 1],
      ["list-c", 1],
    ]);
    const paged = await gateway.admin<UserListJson>("GET", "/user/list?user_ids=list-a,list-b,list-c&sort_by=user_id&sort_order=desc&page=2&page_size=2");
    expect(paged.body).toMatchObject({ total: 3, page: 2, page_size: 2, total_pages: 2 });
    expect(paged.body.users.map((user) => user.user_id)).toEqual(["list-a"]);
    const team = await gateway.admin<UserListJson>("GET", "/user/list?team=users-t2&user_email=LIST-");
    expect(team.body.users.map((user) => user.user_id).sort()).toEqual(["list-a", "list-b"]);
    const viewers = await gateway.admin<UserListJson>("GET", "/user/list?role=internal_user_viewer");
    expect(viewers.body.users.every((user) => user.user_role === "internal_user_viewer")).toBe(true);
    expect((await gateway.admin<ErrorBody>("GET", "/user/list?page_size=101")).status).toBe(400);
  });
});
