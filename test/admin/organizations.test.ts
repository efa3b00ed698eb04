/**
 * The `/organization/*` management routes and the organisation of a team, through real HTTP (raw
 * fetch, as LiteLLM's scripts call them): a gateway on port 0 with a master key and a store in a
 * temp directory.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import type { GeneratedKeyJson, NewOrganizationJson, OrganizationObjectJson, TeamObjectJson } from "../../src/admin/responses.ts";
import { startAccountsGateway, type AccountsGateway, type ErrorBody } from "../support/accounts.ts";
import { useTempDir } from "../support/temp-dir.ts";

const tmp = useTempDir("switchboard-admin-organizations-");
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
let gateway: AccountsGateway;

beforeAll(async () => {
  gateway = await startAccountsGateway({}, { dataDir: dirname(await tmp.file("marker", "")) });
});
afterAll(async () => {
  await gateway?.stop();
});

const newOrganization = async (body: Record<string, unknown>) => {
  const answer = await gateway.admin<NewOrganizationJson>("POST", "/organization/new", body);
  expect(answer.status).toBe(200);
  return answer.body;
};
const newTeam = (body: Record<string, unknown>) => gateway.admin<TeamObjectJson & ErrorBody>("POST", "/team/new", body);

describe("POST /organization/new", () => {
  test("creates an organisation with LiteLLM's fields; its budget also shows as litellm_budget_table", async () => {
    const created = await newOrganization({
      organization_id: "acme",
      organization_alias: "Acme Corp",
      models: ["mock/echo", "priced"],
      max_budget: 25,
      budget_duration: "30d",
      rpm_limit: 100,
      tpm_limit: 10_000,
      max_parallel_requests: 4,
      metadata: { cost_centre: "R&D" },
    });
    expect(created).toMatchObject({
      organization_id: "acme",
      organization_alias: "Acme Corp",
      models: ["mock/echo", "priced"],
      max_budget: 25,
      budget_duration: "30d",
      rpm_limit: 100,
      tpm_limit: 10_000,
      max_parallel_requests: 4,
      metadata: { cost_centre: "R&D" },
      blocked: false,
      spend: 0,
      spend_usd: "0",
      total_spend: 0,
      teams: [],
      litellm_budget_table: { max_budget: 25, budget_duration: "30d", rpm_limit: 100, tpm_limit: 10_000, max_parallel_requests: 4 },
    });
    expect(created.litellm_budget_table.budget_reset_at).toBe(created.budget_reset_at);
    expect(Date.parse(created.budget_reset_at ?? "") - Date.parse(created.created_at)).toBe(30 * 86_400_000);
    expect(created.warnings).toBeUndefined();
  });

  test("without an id it gets a uuid, as in LiteLLM (what test_spend_logs_with_org_id sends)", async () => {
    const created = await newOrganization({ organization_alias: "test-org-1" });
    expect(created.organization_id).toMatch(UUID);
    expect(created).toMatchObject({ organization_alias: "test-org-1", models: [], max_budget: null, litellm_budget_table: { max_budget: null } });
  });

  test("LiteLLM fields it does not apply are accepted and named in warnings; unknown fields and a missing alias are 400s", async () => {
    const created = await newOrganization({ organization_alias: "warned", soft_budget: 5, budget_id: "b-1", model_max_budget: null });
    expect(created.warnings).toEqual([
      "'budget_id' is accepted for LiteLLM compatibility but not applied by Switchboard.",
      "'soft_budget' is accepted for LiteLLM compatibility but not applied by Switchboard.",
    ]);
    const unknown = await gateway.admin<ErrorBody>("POST", "/organization/new", { organization_alias: "x", spend: 3 });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.param).toBe("spend");
    const noAlias = await gateway.admin<ErrorBody>("POST", "/organization/new", { models: [] });
    expect(noAlias.status).toBe(400);
    expect(noAlias.body.error.param).toBe("organization_alias");
    const duplicate = await gateway.admin<ErrorBody>("POST", "/organization/new", { organization_id: "acme", organization_alias: "again" });
    expect(duplicate.status).toBe(400);
    expect(duplicate.body.error.message).toBe('Organization "acme" already exists.');
  });

  test("needs the master key", async () => {
    const { key } = (await gateway.admin<GeneratedKeyJson>("POST", "/key/generate", {})).body;
    const refused = await gateway.admin<ErrorBody>("POST", "/organization/new", { organization_alias: "mine" }, key);
    expect(refused.status).toBe(403);
    expect((await gateway.admin<ErrorBody>("GET", "/organization/list", undefined, key)).status).toBe(403);
  });
});

describe("teams in an organisation", () => {
  beforeAll(async () => {
    await newOrganization({ organization_id: "bounded", organization_alias: "Bounded", models: ["mock/echo", "openai/*"], max_budget: 10, tpm_limit: 1_000, rpm_limit: 50 });
  });

  test("/team/new takes organization_id; the team shows it and the organisation lists the team", async () => {
    const team = await newTeam({ team_id: "inside", organization_id: "bounded", models: ["mock/echo", "openai/gpt-4o"], max_budget: 10, rpm_limit: 50 });
    expect(team.status).toBe(200);
    expect(team.body).toMatchObject({ team_id: "inside", organization_id: "bounded" });
    // A team with no models of its own may use what its organisation allows.
    expect((await newTeam({ team_id: "inside-open", organization_id: "bounded" })).status).toBe(200);
    const info = await gateway.admin<OrganizationObjectJson>("GET", "/organization/info?organization_id=bounded");
    expect(info.status).toBe(200);
    expect(info.body.teams.map((t) => t.team_id)).toEqual(["inside", "inside-open"]);
    expect((await gateway.admin<TeamObjectJson>("POST", "/team/new", { team_id: "outside" })).body.organization_id).toBeNull();
  });

  test("an organisation that does not exist is a 400 in LiteLLM's words, on create and on update", async () => {
    const refused = await newTeam({ team_id: "lost", organization_id: "ghost" });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ message: "Organization not found for organization_id=ghost.", param: "organization_id" });
    expect((await gateway.admin("GET", "/team/info?team_id=lost")).status).toBe(404);
    const update = await gateway.admin<ErrorBody>("POST", "/team/update", { team_id: "outside", organization_id: "ghost" });
    expect(update.status).toBe(400);
    expect(update.body.error.param).toBe("organization_id");
  });

  test("a team's models must be among its organisation's (patterns included)", async () => {
    const refused = await newTeam({ team_id: "too-wide", organization_id: "bounded", models: ["mock/echo", "mock/tool-call"] });
    expect(refused.status).toBe(400);
    expect(refused.body.error.param).toBe("models");
    expect(refused.body.error.message).toContain("Model 'mock/tool-call' not in organization's allowed models.");
    // `openai/*` on the team is no wider than the organisation's `openai/*`; `*` is.
    expect((await newTeam({ team_id: "same-pattern", organization_id: "bounded", models: ["openai/*"] })).status).toBe(200);
    expect((await newTeam({ team_id: "everything", organization_id: "bounded", models: ["*"] })).status).toBe(400);
    const update = await gateway.admin<ErrorBody>("POST", "/team/update", { team_id: "inside", models: ["priced"] });
    expect(update.status).toBe(400);
    expect(update.body.error.message).toContain("Model 'priced' not in organization's allowed models.");
  });

  test("a team's max_budget, tpm_limit and rpm_limit may not exceed its organisation's", async () => {
    const budget = await newTeam({ team_id: "rich", organization_id: "bounded", max_budget: 10.5 });
    expect(budget.status).toBe(400);
    expect(budget.body.error).toMatchObject({ message: "Team max_budget (10.5) exceeds organization's max_budget (10).", param: "max_budget" });
    expect((await newTeam({ team_id: "fast", organization_id: "bounded", tpm_limit: 1_001 })).body.error.message).toBe("Team tpm_limit (1001) exceeds organization's tpm_limit (1000).");
    expect((await newTeam({ team_id: "busy", organization_id: "bounded", rpm_limit: 51 })).body.error.message).toBe("Team rpm_limit (51) exceeds organization's rpm_limit (50).");
    expect((await gateway.admin<ErrorBody>("POST", "/team/update", { team_id: "inside", max_budget: 11 })).status).toBe(400);
    expect((await gateway.admin("POST", "/team/update", { team_id: "inside", max_budget: 9 })).status).toBe(200);
  });

  test("a team moving into an organisation must fit whole; leaving it is not checked", async () => {
    expect((await newTeam({ team_id: "mover", models: ["priced"], max_budget: 100 })).status).toBe(200);
    const refused = await gateway.admin<ErrorBody>("POST", "/team/update", { team_id: "mover", organization_id: "bounded" });
    expect(refused.status).toBe(400);
    expect(refused.body.error.param).toBe("models");
    expect((await gateway.admin<ErrorBody>("POST", "/team/update", { team_id: "mover", organization_id: "bounded", models: [] })).body.error.param).toBe("max_budget");
    // /team/update answers LiteLLM's {team_id, data: team}.
    const moved = await gateway.admin<{ data: TeamObjectJson }>("POST", "/team/update", { team_id: "mover", organization_id: "bounded", models: [], max_budget: 1 });
    expect(moved).toMatchObject({ status: 200, body: { data: { organization_id: "bounded", models: [], max_budget: 1 } } });
    const left = await gateway.admin<{ data: TeamObjectJson }>("POST", "/team/update", { team_id: "mover", organization_id: null, max_budget: 1_000 });
    expect(left).toMatchObject({ status: 200, body: { data: { organization_id: null, max_budget: 1_000 } } });
  });

  test("lowering an organisation's budget leaves its teams' budgets as they are (as in LiteLLM)", async () => {
    await newOrganization({ organization_id: "shrinking", organization_alias: "Shrinking", max_budget: 50 });
    expect((await newTeam({ team_id: "big-team", organization_id: "shrinking", max_budget: 40 })).status).toBe(200);
    expect((await gateway.admin("PATCH", "/organization/update", { organization_id: "shrinking", max_budget: 5 })).status).toBe(200);
    const team = await gateway.admin<{ team_info: TeamObjectJson }>("GET", "/team/info?team_id=big-team");
    expect(team.body.team_info.max_budget).toBe(40);
    // An update that does not touch the budget is not refused for it.
    expect((await gateway.admin("POST", "/team/update", { team_id: "big-team", team_alias: "renamed" })).status).toBe(200);
  });
});

describe("reading organisations", () => {
  test("GET /organization/info: one organisation with its teams; 404 when unknown", async () => {
    const missing = await gateway.admin<ErrorBody>("GET", "/organization/info?organization_id=nobody");
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ message: "No organization 'nobody'.", param: "organization_id" });
    expect((await gateway.admin<ErrorBody>("GET", "/organization/info")).status).toBe(400);
  });

  test("POST /organization/info (LiteLLM's older form) answers the ones that exist; an empty list is a 400", async () => {
    const answer = await gateway.admin<OrganizationObjectJson[]>("POST", "/organization/info", { organizations: ["acme", "nobody", "bounded"] });
    expect(answer.status).toBe(200);
    expect(answer.body.map((o) => o.organization_id)).toEqual(["acme", "bounded"]);
    expect((await gateway.admin<ErrorBody>("POST", "/organization/info", { organizations: [] })).body.error.param).toBe("organizations");
  });

  test("GET /organization/list: every organisation with its teams, oldest first", async () => {
    const answer = await gateway.admin<OrganizationObjectJson[]>("GET", "/organization/list");
    expect(answer.status).toBe(200);
    const ids = answer.body.map((o) => o.organization_id);
    expect(ids.slice(0, 1)).toEqual(["acme"]);
    expect(ids).toContain("bounded");
    expect(answer.body.find((o) => o.organization_id === "bounded")?.teams.map((t) => t.team_id)).toContain("inside");
  });
});

describe("PATCH (and POST) /organization/update", () => {
  test("changes the settings given, keeps the rest, clears with null; unapplied LiteLLM fields are named", async () => {
    await newOrganization({ organization_id: "changing", organization_alias: "Before", models: ["a"], max_budget: 3, metadata: { k: 1 } });
    const patched = await gateway.admin<NewOrganizationJson>("PATCH", "/organization/update", {
      organization_id: "changing",
      organization_alias: "After",
      max_budget: null,
      budget_duration: "1d",
      updated_by: "someone",
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ organization_alias: "After", models: ["a"], max_budget: null, budget_duration: "1d", metadata: { k: 1 }, teams: [] });
    expect(patched.body.warnings).toEqual(["'updated_by' is accepted for LiteLLM compatibility but not applied by Switchboard."]);
    const viaPost = await gateway.admin<NewOrganizationJson>("POST", "/organization/update", { organization_id: "changing", models: [] });
    expect(viaPost).toMatchObject({ status: 200, body: { models: [], organization_alias: "After" } });
    const missing = await gateway.admin<ErrorBody>("PATCH", "/organization/update", { organization_id: "nobody", models: [] });
    expect(missing.status).toBe(404);
    expect((await gateway.admin<ErrorBody>("PATCH", "/organization/update", { organization_id: "changing", spend: 0 })).body.error.param).toBe("spend");
  });
});

describe("DELETE /organization/delete", () => {
  test("deletes the organisation, its teams and their keys (LiteLLM's cascade); answers them as they were", async () => {
    await newOrganization({ organization_id: "doomed", organization_alias: "Doomed" });
    expect((await newTeam({ team_id: "doomed-team", organization_id: "doomed" })).status).toBe(200);
    const { key, token } = (await gateway.admin<GeneratedKeyJson>("POST", "/key/generate", { team_id: "doomed-team" })).body;
    const { token: survivor } = (await gateway.admin<GeneratedKeyJson>("POST", "/key/generate", { team_id: "outside" })).body;

    const answer = await gateway.admin<OrganizationObjectJson[]>("DELETE", "/organization/delete", { organization_ids: ["doomed"] });
    expect(answer.status).toBe(200);
    expect(answer.body.map((o) => [o.organization_id, o.teams.map((t) => t.team_id)])).toEqual([["doomed", ["doomed-team"]]]);
    expect((await gateway.admin("GET", "/organization/info?organization_id=doomed")).status).toBe(404);
    expect((await gateway.admin("GET", "/team/info?team_id=doomed-team")).status).toBe(404);
    expect((await gateway.admin("GET", `/key/info?key=${token}`)).status).toBe(404);
    expect((await gateway.admin("GET", `/key/info?key=${survivor}`)).status).toBe(200);
    // The deleted key no longer authenticates.
    const call = await fetch(`${gateway.baseURL}/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "mock/echo", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(call.status).toBe(401);
  });

  test("an id that does not exist is a 404 and nothing is deleted", async () => {
    await newOrganization({ organization_id: "spared", organization_alias: "Spared" });
    const refused = await gateway.admin<ErrorBody>("DELETE", "/organization/delete", { organization_ids: ["spared", "nobody"] });
    expect(refused.status).toBe(404);
    expect(refused.body.error.message).toBe("No organization 'nobody'; nothing was deleted.");
    expect((await gateway.admin("GET", "/organization/info?organization_id=spared")).status).toBe(200);
    expect((await gateway.admin<ErrorBody>("DELETE", "/organization/delete", { organization_ids: [] })).status).toBe(400);
  });
});
