/**
 * Virtual keys made through the management API, used by the official `openai` SDK against a real
 * gateway socket: authentication, model access, rate limits, budgets, teams and regeneration.
 */
import { afterAll, afterEach, beforeAll, describe, expect, setSystemTime, test } from "bun:test";
import { dirname } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI, { APIError } from "openai";
import type { GeneratedKeyJson, KeyInfoJson, TeamInfoJson } from "../../src/admin/responses.ts";
import { startAccountsGateway, type AccountsGateway } from "../support/accounts.ts";
import { startMockUpstream, type MockUpstream } from "../support/mock-upstream.ts";
import { useTempDir } from "../support/temp-dir.ts";
import { rejection } from "../support/rejection.ts";

/** gpt-4o prices on the mock's `ok` usage (19 prompt tokens, 12 of them cached, 5 completion): see test/integration/cost.test.ts. */
const CALL_NANO = 82_500;

const tmp = useTempDir("switchboard-admin-sdk-");
let upstream: MockUpstream;
let gateway: AccountsGateway;

beforeAll(async () => {
  upstream = await startMockUpstream();
  const dataDir = dirname(await tmp.file("marker", ""));
  gateway = await startAccountsGateway(
    {
      models: [
        { model_name: "priced", model: "openai/gpt-4o-2024-08-06", api_base: upstream.url, api_key: "sk-upstream-admin-tests" },
        // A name that starts like the mock's but is another provider's: `mock/*` must not reach it.
        { model_name: "mockz/echo", model: "mock/echo" },
      ],
    },
    // LiteLLM's budget mode: a call is admitted while spend is under budget.
    { dataDir, budgetMode: "soft" },
  );
});
afterAll(async () => {
  await gateway?.stop();
  await upstream?.stop();
});
afterEach(() => {
  setSystemTime();
});

const generate = async (body: Record<string, unknown> = {}): Promise<GeneratedKeyJson> => {
  const answer = await gateway.admin<GeneratedKeyJson>("POST", "/key/generate", body);
  if (answer.status !== 200) throw new Error(`/key/generate answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body;
};
const client = (key: string) => new OpenAI({ baseURL: gateway.baseURL, apiKey: key, maxRetries: 0 });
const ask = (key: string, model = "mock/echo") => client(key).chat.completions.create({ model, messages: [{ role: "user", content: "hello there" }] });

const failure = (promise: Promise<unknown>): Promise<APIError> => rejection(promise, APIError);

describe("authentication", () => {
  test("a generated key works with the official SDK", async () => {
    const { key } = await generate();
    const answer = await ask(key);
    expect(answer.choices[0]?.message.content).toBe("Echo: hello there");
  });

  test("a wrong key, a blocked key, a deleted key and an expired key are AuthenticationErrors", async () => {
    const wrong = await failure(ask(`sk-${"A".repeat(43)}`));
    expect(wrong).toBeInstanceOf(OpenAI.AuthenticationError);

    const blocked = await generate();
    expect((await gateway.admin("POST", "/key/block", { key: blocked.key })).status).toBe(200);
    const blockedError = await failure(ask(blocked.key));
    expect(blockedError).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(blockedError.message).toContain("blocked");
    expect((await gateway.admin("POST", "/key/unblock", { key: blocked.key })).status).toBe(200);
    expect((await ask(blocked.key)).choices).toHaveLength(1);

    const deleted = await generate();
    expect((await ask(deleted.key)).choices).toHaveLength(1);
    expect((await gateway.admin("POST", "/key/delete", { keys: [deleted.key] })).status).toBe(200);
    expect(await failure(ask(deleted.key))).toBeInstanceOf(OpenAI.AuthenticationError);

    const expiring = await generate({ duration: "1h" });
    expect((await ask(expiring.key)).choices).toHaveLength(1);
    setSystemTime(new Date(Date.now() + 2 * 3_600_000));
    const expired = await failure(ask(expiring.key));
    expect(expired).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(expired.message).toContain("expired");
  });

  test("a regenerated key replaces the old one at once and keeps its spend", async () => {
    const original = await generate({ key_alias: "regen-sdk" });
    await ask(original.key, "priced");
    await ask(original.key, "priced");
    const regenerated = await gateway.admin<GeneratedKeyJson>("POST", "/key/regenerate", { key: original.key });
    expect(regenerated.status).toBe(200);
    expect(await failure(ask(original.key))).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((await ask(regenerated.body.key)).choices).toHaveLength(1);
    const info = await gateway.admin<KeyInfoJson>("GET", `/key/info?key=${regenerated.body.key}`);
    // Two priced calls, then one mock/echo call at the mock's nominal $0.001 a token (2 in, 3 out).
    expect(info.body.info).toMatchObject({ key_alias: "regen-sdk", spend_usd: "0.005165", spend: 0.005165 });
  });
});

describe("model access", () => {
  test("a key limited to mock/echo gets PermissionDeniedError naming mock/tool-call", async () => {
    const { key } = await generate({ models: ["mock/echo"] });
    expect((await ask(key)).choices).toHaveLength(1);
    const denied = await failure(ask(key, "mock/tool-call"));
    expect(denied).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(denied.message).toContain("'mock/tool-call'");
  });

  test("a refused model keeps 403 and carries LiteLLM's type, param, code and words (key_model_access_denied)", async () => {
    const { key } = await generate({ models: ["mock/*"] });
    const denied = await failure(ask(key, "priced"));
    expect(denied).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(denied.status).toBe(403);
    expect(denied.type).toBe("key_model_access_denied");
    expect(denied.param).toBe("model");
    // LiteLLM's value, which its clients compare; the status stays HTTP's 403.
    expect(denied.code).toBe("401");
    expect((denied.error as { message: string }).message).toContain("key not allowed to access model 'priced'");
    expect((denied.error as { message: string }).message).toContain("mock/*");
  });

  test("a model the key's team or user may not use: team_model_access_denied, user_model_access_denied", async () => {
    expect((await gateway.admin("POST", "/team/new", { team_id: "team-mock-only", models: ["mock/*"] })).status).toBe(200);
    const teamKey = await generate({ team_id: "team-mock-only" });
    const byTeam = await failure(ask(teamKey.key, "priced"));
    expect(byTeam).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(byTeam).toMatchObject({ type: "team_model_access_denied", param: "model", code: "401" });
    expect((byTeam.error as { message: string }).message).toContain("Team not allowed to access model 'priced'");

    expect((await gateway.admin("POST", "/user/new", { user_id: "user-priced-only", models: ["priced"] })).status).toBe(200);
    const userKey = await generate({ user_id: "user-priced-only" });
    const byUser = await failure(ask(userKey.key, "mock/echo"));
    expect(byUser).toMatchObject({ status: 403, type: "user_model_access_denied", param: "model", code: "401" });
    expect((byUser.error as { message: string }).message).toContain("User not allowed to access model 'mock/echo'");
  });

  test("the Anthropic dialect's refusal carries the same type", async () => {
    const { key } = await generate({ models: ["priced"] });
    const anthropic = new Anthropic({ baseURL: gateway.origin, apiKey: key, maxRetries: 0 });
    const denied = await anthropic.messages.create({ model: "mock/echo", max_tokens: 10, messages: [{ role: "user", content: "hi" }] }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(denied).toBeInstanceOf(Anthropic.PermissionDeniedError);
    expect((denied as InstanceType<typeof Anthropic.PermissionDeniedError>).error).toEqual({
      type: "error",
      error: { type: "key_model_access_denied", message: expect.stringContaining("key not allowed to access model 'mock/echo'") },
    });
  });

  test("/v1/models lists only what a restricted key may call", async () => {
    const { key } = await generate({ models: ["mock/echo", "priced"] });
    const listed = [];
    for await (const model of client(key).models.list()) listed.push(model.id);
    expect(listed.sort()).toEqual(["mock/echo", "priced"]);
  });

  test("a `mock/*` pattern reaches mock models, never `mockz/echo`", async () => {
    const { key } = await generate({ models: ["mock/*"] });
    expect((await ask(key, "mock/tool-call")).choices).toHaveLength(1);
    expect(await failure(ask(key, "mockz/echo"))).toBeInstanceOf(OpenAI.PermissionDeniedError);
    const listed = [];
    for await (const model of client(key).models.list()) listed.push(model.id);
    expect(listed).toContain("mock/echo");
    expect(listed).not.toContain("mockz/echo");
    expect(listed).not.toContain("priced");
  });

  test("a key alias routes to its model", async () => {
    const { key } = await generate({ models: ["mock/echo"], aliases: { "my-echo": "mock/echo" } });
    expect((await ask(key, "my-echo")).choices[0]?.message.content).toBe("Echo: hello there");
  });

  test("/v1/models lists a key's models, not its aliases, as LiteLLM does (key or team allow-list)", async () => {
    const listed = async (key: string) => {
      const ids = [];
      for await (const model of client(key).models.list()) ids.push(model.id);
      return ids;
    };
    const own = await generate({ models: ["priced"], aliases: { "my-priced": "priced" } });
    expect(await listed(own.key)).toEqual(["priced"]);
    expect((await ask(own.key, "my-priced")).choices).toHaveLength(1);
    expect((await gateway.admin("POST", "/team/new", { team_id: "team-priced-only", models: ["priced"] })).status).toBe(200);
    const viaTeam = await generate({ team_id: "team-priced-only", aliases: { "my-priced": "priced" } });
    expect(await listed(viaTeam.key)).toEqual(["priced"]);
  });
});

describe("limits and budgets", () => {
  test("rpm_limit 2: the third call is a RateLimitError, and every answer carries x-ratelimit-* headers", async () => {
    const { key } = await generate({ rpm_limit: 2 });
    for (const remaining of ["1", "0"]) {
      const { response } = await client(key).chat.completions.create({ model: "mock/echo", messages: [{ role: "user", content: "hi" }] }).withResponse();
      expect(response.headers.get("x-ratelimit-limit-requests")).toBe("2");
      expect(response.headers.get("x-ratelimit-remaining-requests")).toBe(remaining);
    }
    const limited = await failure(ask(key));
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    const headers = limited.headers;
    expect(headers?.get("x-ratelimit-limit-requests")).toBe("2");
    expect(headers?.get("x-ratelimit-remaining-requests")).toBe("0");
    expect(headers?.get("retry-after")).toMatch(/^\d+$/);
  });

  test("max_budget 0: the first call is a 400 budget_exceeded in LiteLLM's words", async () => {
    const { key } = await generate({ max_budget: 0 });
    const refused = await failure(ask(key));
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    const error = refused;
    expect(error.status).toBe(400);
    expect(error.type).toBe("budget_exceeded");
    expect(error.code).toBe("400");
    // The SDK prefixes its message with the status; the body's message is LiteLLM's.
    expect((error.error as { message: string }).message).toStartWith("Budget has been exceeded!");
  });

  test("a key's spend shows in /key/info as calls settle, and its budget stops it once spent", async () => {
    const { key, token } = await generate({ max_budget: 0.0001 });
    await ask(key, "priced");
    const info = await gateway.admin<KeyInfoJson>("GET", `/key/info?key=${token}`);
    expect(info.body.info.spend_usd).toBe("0.0000825");
    await ask(key, "priced");
    const refused = await failure(ask(key, "priced"));
    expect(refused.type).toBe("budget_exceeded");
    expect(refused.message).toContain(`Current cost: ${(2 * CALL_NANO) / 1e9}`);
  });
});

describe("teams", () => {
  test("a team's model list applies to its keys", async () => {
    const team = await gateway.admin<{ team_id: string }>("POST", "/team/new", { team_id: "echo-only", models: ["mock/echo"] });
    expect(team.status).toBe(200);
    const { key } = await generate({ team_id: "echo-only" });
    expect((await ask(key)).choices).toHaveLength(1);
    const denied = await failure(ask(key, "mock/tool-call"));
    expect(denied).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(denied.message).toContain("echo-only");
  });

  test("a team's budget is shared by its keys", async () => {
    expect((await gateway.admin("POST", "/team/new", { team_id: "small-budget", max_budget: 0.0001 })).status).toBe(200);
    const first = await generate({ team_id: "small-budget" });
    const second = await generate({ team_id: "small-budget" });
    await ask(first.key, "priced");
    await ask(second.key, "priced");
    const refused = await failure(ask(first.key, "priced"));
    expect(refused.type).toBe("budget_exceeded");
    expect(refused.message).toContain("Team=small-budget");
    const team = await gateway.admin<{ team_info: { spend_usd: string }; keys: unknown[] }>("GET", "/team/info?team_id=small-budget");
    expect(team.body.team_info.spend_usd).toBe("0.000165");
    expect(team.body.keys).toHaveLength(2);
    // Raising the budget lets the keys call again at once.
    expect((await gateway.admin("POST", "/team/update", { team_id: "small-budget", max_budget: 1 })).status).toBe(200);
    expect((await ask(second.key, "priced")).choices).toHaveLength(1);
  });

  test("a member's budget within the team (max_budget_in_team) stops that member's keys of the team once spent, in LiteLLM's words; other members go on", async () => {
    expect((await gateway.admin("POST", "/team/new", { team_id: "member-budgets", members_with_roles: [{ role: "user", user_id: "capped" }, { role: "user", user_id: "free" }] })).status).toBe(200);
    const update = await gateway.admin("POST", "/team/member_update", { team_id: "member-budgets", user_id: "capped", max_budget_in_team: 0.0000001 });
    expect(update.status).toBe(200);
    const capped = await generate({ team_id: "member-budgets", user_id: "capped" });
    const free = await generate({ team_id: "member-budgets", user_id: "free" });
    // Soft mode (LiteLLM's): the first call is admitted while spend is under the budget.
    await ask(capped.key, "priced");
    const refused = await failure(ask(capped.key, "priced"));
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    expect(refused.type).toBe("budget_exceeded");
    expect((refused.error as { message: string }).message).toBe(`Budget has been exceeded! User=capped in Team=member-budgets Current cost: ${CALL_NANO / 1e9}, Max budget: 0.0000001`);
    expect((await ask(free.key, "priced")).choices).toHaveLength(1);
    // The member's spend in the team shows in team_memberships; raising its budget lets it call again at once.
    const team = await gateway.admin<TeamInfoJson>("GET", "/team/info?team_id=member-budgets");
    expect(team.body.team_memberships.map((m) => [m.user_id, m.spend_usd, m.litellm_budget_table.max_budget])).toEqual([
      ["capped", String(CALL_NANO / 1e9), 0.0000001],
      ["free", String(CALL_NANO / 1e9), null],
    ]);
    expect((await gateway.admin("POST", "/team/member_update", { team_id: "member-budgets", user_id: "capped", max_budget_in_team: 1 })).status).toBe(200);
    expect((await ask(capped.key, "priced")).choices).toHaveLength(1);
  });

  test("a member's rpm limit within the team is a RateLimitError naming the member", async () => {
    expect((await gateway.admin("POST", "/team/new", { team_id: "member-rpm", members_with_roles: [{ role: "user", user_id: "hasty" }] })).status).toBe(200);
    expect((await gateway.admin("POST", "/team/member_update", { team_id: "member-rpm", user_id: "hasty", rpm_limit: 1 })).status).toBe(200);
    const { key } = await generate({ team_id: "member-rpm", user_id: "hasty" });
    await ask(key);
    const limited = await failure(ask(key));
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    expect(limited.message).toContain("'hasty' in team 'member-rpm'");
  });

  test("a team's model_aliases serve its keys (a key's own alias wins); /v1/models lists model names, not aliases", async () => {
    const created = await gateway.admin("POST", "/team/new", { team_id: "aliased", models: ["priced", "mock/echo"], model_aliases: { cheap: "priced", other: "mock/tool-call" } });
    expect(created.status).toBe(200);
    const { key } = await generate({ team_id: "aliased", models: ["priced", "mock/echo"] });
    const answer = await ask(key, "cheap");
    expect(answer.choices).toHaveLength(1);
    expect(answer.model).toContain("gpt-4o");
    expect((await client(key).models.retrieve("cheap")).id).toBe("cheap");
    const listed = [];
    for await (const model of client(key).models.list()) listed.push(model.id);
    expect(listed).toEqual(["priced", "mock/echo"]);
    // The alias names a model the team may not use: refused like the model itself.
    expect(await failure(ask(key, "other"))).toBeInstanceOf(OpenAI.PermissionDeniedError);
    const own = await generate({ team_id: "aliased", aliases: { cheap: "mock/echo" } });
    expect((await ask(own.key, "cheap")).choices[0]?.message.content).toBe("Echo: hello there");
  });

  test("a blocked team's keys are refused until unblocked; deleting the team deletes its keys, which stop authenticating at once", async () => {
    expect((await gateway.admin("POST", "/team/new", { team_id: "to-block" })).status).toBe(200);
    const { key, token } = await generate({ team_id: "to-block" });
    expect((await gateway.admin("POST", "/team/block", { team_id: "to-block" })).status).toBe(200);
    expect(await failure(ask(key))).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((await gateway.admin("POST", "/team/unblock", { team_id: "to-block" })).status).toBe(200);
    expect((await ask(key)).choices).toHaveLength(1);
    expect(await gateway.admin("POST", "/team/delete", { team_ids: ["to-block"] })).toMatchObject({ status: 200, body: { deleted_teams: ["to-block"] } });
    const refused = await failure(ask(key));
    expect(refused).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(refused.message).toContain("Invalid API key");
    expect((await gateway.admin("GET", `/key/info?key=${token}`)).status).toBe(404);
    expect((await gateway.admin("GET", "/team/info?team_id=to-block")).status).toBe(404);
  });
});
