/**
 * The `/key/*` management routes through real HTTP: a gateway on port 0 with a master key and a
 * store in a temp directory.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import type { GeneratedKeyJson, KeyInfoJson, KeyListJson, KeyObjectJson } from "../../src/admin/responses.ts";
import { tokenOf } from "../../src/auth/key-material.ts";
import { startAccountsGateway, type AccountsGateway, type ErrorBody } from "../support/accounts.ts";
import { useTempDir } from "../support/temp-dir.ts";

const tmp = useTempDir("switchboard-admin-keys-");
let gateway: AccountsGateway;

beforeAll(async () => {
  const dataDir = dirname(await tmp.file("marker", ""));
  gateway = await startAccountsGateway({}, { dataDir });
});
afterAll(async () => {
  await gateway?.stop();
});

const generate = async (body: Record<string, unknown> = {}) => {
  const answer = await gateway.admin<GeneratedKeyJson>("POST", "/key/generate", body);
  expect(answer.status).toBe(200);
  return answer.body;
};

describe("POST /key/generate", () => {
  test("creates a key with every settable field and shows the key once", async () => {
    const created = await generate({
      models: ["mock/echo"],
      aliases: { echo: "mock/echo" },
      max_budget: 12.5,
      budget_duration: "30d",
      rpm_limit: 10,
      tpm_limit: 1000,
      max_parallel_requests: 2,
      duration: "1h",
      key_alias: "all-fields",
      user_id: "user-made-on-the-fly",
      metadata: { owner: "tests" },
      tags: ["a", "b"],
      blocked: false,
    });
    expect(created.key).toMatch(/^sk-[A-Za-z0-9_-]{43}$/);
    expect(created.token).toBe(tokenOf(created.key));
    // LiteLLM's name for the token, which its clients read.
    expect(created.token_id).toBe(created.token);
    expect(created).toMatchObject({
      key_name: `sk-...${created.key.slice(-4)}`,
      key_alias: "all-fields",
      models: ["mock/echo"],
      aliases: { echo: "mock/echo" },
      max_budget: 12.5,
      budget_duration: "30d",
      rpm_limit: 10,
      tpm_limit: 1000,
      max_parallel_requests: 2,
      team_id: null,
      user_id: "user-made-on-the-fly",
      metadata: { owner: "tests" },
      tags: ["a", "b"],
      blocked: false,
      spend: 0,
      spend_usd: "0",
    });
    const expires = Date.parse(created.expires ?? "");
    const createdAt = Date.parse(created.created_at);
    expect(expires - createdAt).toBeGreaterThanOrEqual(3_600_000 - 1_000);
    expect(expires - createdAt).toBeLessThanOrEqual(3_600_000 + 1_000);
    expect(Date.parse(created.budget_reset_at ?? "") - createdAt).toBe(30 * 86_400_000);
    // The user named was created, as LiteLLM does.
    const user = await gateway.admin<{ user_id: string; keys: KeyObjectJson[] }>("GET", "/user/info?user_id=user-made-on-the-fly");
    expect(user.status).toBe(200);
    expect(user.body.keys.map((k) => k.token)).toEqual([created.token]);
    // The secret never shows again.
    const info = await gateway.admin<KeyInfoJson>("GET", `/key/info?key=${created.key}`);
    expect(JSON.stringify(info.body)).not.toContain(created.key);
  });

  test("money converts exactly: 0.1 + 0.2 dollars of budget is 0.3, not 0.30000000000000004", async () => {
    const created = await generate({ max_budget: 0.3 });
    expect(created.max_budget).toBe(0.3);
    const stored = await gateway.accounts.store.keys.byToken(created.token);
    expect(stored?.maxBudgetNano).toBe(300_000_000);
  });

  test.each([
    ["token", "0".repeat(64)],
    ["created_at", "2024-01-01"],
    ["max_budgett", 1],
  ])("'%s' cannot be set: 400 naming it", async (field, value) => {
    const answer = await gateway.admin<ErrorBody>("POST", "/key/generate", { [field]: value });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toEqual({ message: `Unknown or read-only field '${field}': it cannot be set here.`, type: "invalid_request_error", param: field, code: "invalid_request" });
  });

  test.each([
    ["spend", 5, "the ledger's sum of its calls"],
    ["key", "sk-my-own-key", "from 256 random bits"],
    ["organization_id", "org-1", "the organisation of its team"],
  ])("LiteLLM's '%s' is refused with the reason (ignoring it would do something else than asked)", async (field, value, reason) => {
    const answer = await gateway.admin<ErrorBody>("POST", "/key/generate", { [field]: value });
    expect(answer.status).toBe(400);
    expect(answer.body.error.param).toBe(field);
    expect(answer.body.error.message).toStartWith(`Invalid value for '${field}': `);
    expect(answer.body.error.message).toContain(reason);
    // null is "not set", as LiteLLM clients send it.
    expect((await gateway.admin("POST", "/key/generate", { [field]: null })).status).toBe(200);
  });

  test("LiteLLM's key fields that Switchboard does not apply are accepted, named in warnings, and not stored", async () => {
    const created = await gateway.admin<GeneratedKeyJson & { warnings?: string[] }>("POST", "/key/generate", { soft_budget: 5, guardrails: ["pii"], send_invite_email: null, max_budget: 1 });
    expect(created.status).toBe(200);
    expect(created.body.warnings).toEqual([
      "'soft_budget' is accepted for LiteLLM compatibility but not applied by Switchboard.",
      "'guardrails' is accepted for LiteLLM compatibility but not applied by Switchboard.",
    ]);
    expect(created.body).not.toHaveProperty("soft_budget");
    const updated = await gateway.admin<{ warnings?: string[] }>("POST", "/key/update", { key: created.body.key, permissions: { allow_pii: true } });
    expect(updated.body.warnings).toEqual(["'permissions' is accepted for LiteLLM compatibility but not applied by Switchboard."]);
    // Without such fields the answer keeps its shape.
    expect(await gateway.admin("POST", "/key/update", { key: created.body.key, max_budget: 2 })).not.toHaveProperty("body.warnings");
  });

  test.each([
    ["budget_duration", "30 days", "expected a duration such as 30s, 15m, 1h, 30d or 1mo"],
    ["duration", "0d", "expected a duration such as 30s, 15m, 1h, 30d or 1mo"],
    ["max_budget", -1, "expected number to be greater or equal to 0"],
    ["max_budget", "ten", "expected number"],
    ["rpm_limit", 1.5, "expected integer"],
    ["models", ["mock/echo", 3], "expected string"],
  ])("%s = %j is a 400 naming the field", async (field, value, wording) => {
    const answer = await gateway.admin<ErrorBody>("POST", "/key/generate", { [field]: value });
    expect(answer.status).toBe(400);
    expect(answer.body.error.param ?? "").toStartWith(field);
    expect(answer.body.error.message).toContain(wording);
  });

  test("a team that does not exist is a 400 naming team_id, and no key is written", async () => {
    const before = (await gateway.accounts.store.keys.all()).length;
    const answer = await gateway.admin<ErrorBody>("POST", "/key/generate", { team_id: "no-such-team" });
    expect(answer.status).toBe(400);
    expect(answer.body.error.param).toBe("team_id");
    expect(answer.body.error.message).toContain("no-such-team");
    expect((await gateway.accounts.store.keys.all()).length).toBe(before);
  });

  test("null means not set", async () => {
    const created = await generate({ max_budget: null, models: null, key_alias: null });
    expect(created).toMatchObject({ max_budget: null, models: [], key_alias: null });
  });
});

describe("reading and changing keys", () => {
  test("/key/info takes the key or its token; unknown is a 404", async () => {
    const created = await generate({ key_alias: "info-me" });
    for (const ref of [created.key, created.token]) {
      const info = await gateway.admin<KeyInfoJson>("GET", `/key/info?key=${encodeURIComponent(ref)}`);
      expect(info.status).toBe(200);
      expect(info.body.key).toBe(created.token);
      expect(info.body.info).toMatchObject({ token: created.token, key_alias: "info-me", spend: 0 });
    }
    const missing = await gateway.admin<ErrorBody>("GET", `/key/info?key=sk-${"x".repeat(43)}`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.type).toBe("not_found_error");
    expect(missing.body.error.message).not.toContain("x".repeat(43));
    const noParam = await gateway.admin<ErrorBody>("GET", "/key/info");
    expect(noParam.status).toBe(400);
    expect(noParam.body.error.param).toBe("key");
  });

  test("/key/update changes fields, null clears them, and read-only fields are refused", async () => {
    const created = await generate({ max_budget: 1, rpm_limit: 5, key_alias: "before" });
    const updated = await gateway.admin<KeyObjectJson & { key: string }>("POST", "/key/update", { key: created.key, key_alias: "after", rpm_limit: null, tpm_limit: 99 });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ key: created.token, key_alias: "after", rpm_limit: null, tpm_limit: 99, max_budget: 1 });
    const refused = await gateway.admin<ErrorBody>("POST", "/key/update", { key: created.token, spend: 0 });
    expect(refused.status).toBe(400);
    expect(refused.body.error.param).toBe("spend");
    const missing = await gateway.admin<ErrorBody>("POST", "/key/update", { key: "f".repeat(64), rpm_limit: 1 });
    expect(missing.status).toBe(404);
  });

  test("/key/block and /key/unblock answer the key", async () => {
    const created = await generate();
    const blocked = await gateway.admin<KeyObjectJson>("POST", "/key/block", { key: created.key });
    expect(blocked.status).toBe(200);
    expect(blocked.body.blocked).toBe(true);
    const unblocked = await gateway.admin<KeyObjectJson>("POST", "/key/unblock", { key: created.token });
    expect(unblocked.body.blocked).toBe(false);
  });

  test("/key/list pages tokens, filters, and returns objects on request", async () => {
    const team = await gateway.admin<{ team_id: string }>("POST", "/team/new", { team_alias: "listing" });
    expect(team.status).toBe(200);
    const teamId = team.body.team_id;
    const made = [await generate({ team_id: teamId }), await generate({ team_id: teamId }), await generate({ team_id: teamId })];
    const page1 = await gateway.admin<KeyListJson>("GET", `/key/list?team_id=${teamId}&size=2`);
    expect(page1.body).toEqual({ keys: made.slice(0, 2).map((k) => k.token), total_count: 3, current_page: 1, total_pages: 2 });
    const page2 = await gateway.admin<KeyListJson>("GET", `/key/list?team_id=${teamId}&size=2&page=2&return_full_object=true`);
    expect(page2.body.keys).toHaveLength(1);
    expect(page2.body.keys[0]).toMatchObject({ token: made[2]?.token, team_id: teamId });
    const bad = await gateway.admin<ErrorBody>("GET", "/key/list?size=0");
    expect(bad.status).toBe(400);
    expect(bad.body.error.param).toBe("size");
    const notNumber = await gateway.admin<ErrorBody>("GET", "/key/list?page=two");
    expect(notNumber.body.error).toMatchObject({ param: "page", message: "Invalid value for 'page': expected a whole number." });
  });

  test("/key/delete takes keys or tokens, answers what existed, 404 when none did", async () => {
    const a = await generate();
    const b = await generate();
    const deleted = await gateway.admin<{ deleted_keys: string[] }>("POST", "/key/delete", { keys: [a.key, b.token, "e".repeat(64)] });
    expect(deleted.status).toBe(200);
    expect(deleted.body.deleted_keys).toEqual([a.key, b.token]);
    expect((await gateway.admin("GET", `/key/info?key=${a.token}`)).status).toBe(404);
    const again = await gateway.admin<ErrorBody>("POST", "/key/delete", { keys: [a.key] });
    expect(again.status).toBe(404);
  });

  test("/key/regenerate (body or path) gives a new key with the same settings", async () => {
    const created = await generate({ key_alias: "regen", max_budget: 3 });
    const viaBody = await gateway.admin<GeneratedKeyJson>("POST", "/key/regenerate", { key: created.key, rpm_limit: 7 });
    expect(viaBody.status).toBe(200);
    expect(viaBody.body.key).not.toBe(created.key);
    expect(viaBody.body).toMatchObject({ token: tokenOf(viaBody.body.key), token_id: tokenOf(viaBody.body.key), key_alias: "regen", max_budget: 3, rpm_limit: 7 });
    expect((await gateway.admin("GET", `/key/info?key=${created.token}`)).status).toBe(404);
    const viaPath = await gateway.admin<GeneratedKeyJson>("POST", `/key/${viaBody.body.key}/regenerate`);
    expect(viaPath.status).toBe(200);
    expect(viaPath.body).toMatchObject({ token_id: viaPath.body.token, key_alias: "regen", rpm_limit: 7 });
    const withBody = await gateway.admin<GeneratedKeyJson>("POST", `/key/${viaPath.body.token}/regenerate`, { tpm_limit: 5 });
    expect(withBody.body).toMatchObject({ key_alias: "regen", tpm_limit: 5 });
    const unknownField = await gateway.admin<ErrorBody>("POST", `/key/${withBody.body.token}/regenerate`, { spend: 1 });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.error.param).toBe("spend");
    const missing = await gateway.admin<ErrorBody>("POST", `/key/${"d".repeat(64)}/regenerate`, {});
    expect(missing.status).toBe(404);
  });
});

describe("access", () => {
  test("a key without a user reads only itself: 403 on every write and on others' records; no key gets 401", async () => {
    const created = await generate();
    const other = await generate();
    for (const [method, path, body] of [
      ["POST", "/key/generate", {}],
      ["POST", "/key/update", { key: created.key, metadata: {} }],
      ["GET", `/key/info?key=${other.token}`, undefined],
      ["GET", "/key/list", undefined],
      ["GET", "/global/spend/report", undefined],
      ["POST", "/team/new", {}],
    ] as const) {
      const answer = await gateway.admin<ErrorBody>(method, path, body, created.key);
      expect(answer.status).toBe(403);
      expect(answer.body.error.type).toBe("permission_error");
    }
    const itself = await gateway.admin<KeyInfoJson>("GET", "/key/info", undefined, created.key);
    expect(itself.status).toBe(200);
    expect(itself.body.info.token).toBe(created.token);
    const anonymous = await fetch(`${gateway.origin}/key/list`);
    expect(anonymous.status).toBe(401);
  });

  test("/openapi.json documents the management routes, their query parameters and master-key security", async () => {
    const document = (await (await fetch(`${gateway.origin}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { parameters?: { name: string; in: string; required: boolean }[]; security: unknown; requestBody?: unknown }>>;
      components: { securitySchemes: Record<string, unknown> };
    };
    const info = document.paths["/key/info"]?.get;
    expect(info?.parameters).toContainEqual(expect.objectContaining({ name: "key", in: "query", required: false }));
    // A key reads itself: /key/info is a self-service route; the spend report is for admins.
    expect(info?.security).toEqual([{ bearer: [] }, { apiKey: [] }, { azureApiKey: [] }]);
    expect(document.paths["/global/spend/report"]?.get?.security).toEqual([{ masterKey: [] }]);
    expect(document.paths["/spend/logs"]?.get?.parameters?.map((p) => p.name)).toEqual(["request_id", "api_key", "user_id", "team_id", "model", "start_date", "end_date", "limit", "offset", "summarize"]);
    expect(document.paths["/key/generate"]?.post?.requestBody).toBeDefined();
    expect(document.paths["/key/{key}/regenerate"]?.post).toBeDefined();
    expect(document.components.securitySchemes.masterKey).toBeDefined();
    expect(document.paths["/v1/chat/completions"]?.post?.security).toEqual([{ bearer: [] }, { apiKey: [] }, { azureApiKey: [] }]);
  });
});
