/**
 * An organisation bounds the calls of every key of its teams, checked from memory on the call path
 * and seen with the official `openai` SDK against a real gateway socket: its models, its budget
 * (spend rolled up to it exactly, in nano-dollars), its limits and its blocked flag; changes made
 * through the API apply at once, changes made by another process within the directory's poll.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import OpenAI, { APIError } from "openai";
import type { GeneratedKeyJson, OrganizationObjectJson, SpendLogJson } from "../../src/admin/responses.ts";
import { openStore } from "../../src/store/open.ts";
import { startAccountsGateway, type AccountsGateway } from "../support/accounts.ts";
import { startMockUpstream, type MockUpstream } from "../support/mock-upstream.ts";
import { useTempDir } from "../support/temp-dir.ts";
import { rejection } from "../support/rejection.ts";

/** gpt-4o prices on the mock's `ok` usage (19 prompt tokens, 12 of them cached, 5 completion): see test/integration/cost.test.ts. */
const CALL_NANO = 82_500;

const tmp = useTempDir("switchboard-organization-calls-");
let upstream: MockUpstream;
let gateway: AccountsGateway;
let dataDir: string;

beforeAll(async () => {
  upstream = await startMockUpstream();
  dataDir = dirname(await tmp.file("marker", ""));
  gateway = await startAccountsGateway(
    { models: [{ model_name: "priced", model: "openai/gpt-4o-2024-08-06", api_base: upstream.url, api_key: "sk-upstream-organization-tests" }] },
    // LiteLLM's budget mode: a call is admitted while spend is under budget.
    { dataDir, budgetMode: "soft" },
  );
});
afterAll(async () => {
  await gateway?.stop();
  await upstream?.stop();
});

const admin = async <T = unknown>(method: "GET" | "POST" | "PATCH" | "DELETE", path: string, body?: unknown): Promise<T> => {
  const answer = await gateway.admin<T>(method, path, body);
  if (answer.status !== 200) throw new Error(`${method} ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body;
};

/** An organisation with one team (no settings of its own) and a key of that team. */
async function keyInOrganization(organizationId: string, settings: Record<string, unknown> = {}): Promise<GeneratedKeyJson> {
  await admin("POST", "/organization/new", { organization_id: organizationId, organization_alias: organizationId, ...settings });
  await admin("POST", "/team/new", { team_id: `${organizationId}-team`, organization_id: organizationId });
  return admin<GeneratedKeyJson>("POST", "/key/generate", { team_id: `${organizationId}-team` });
}

const client = (key: string) => new OpenAI({ baseURL: gateway.baseURL, apiKey: key, maxRetries: 0 });
const ask = (key: string, model = "mock/echo") => client(key).chat.completions.create({ model, messages: [{ role: "user", content: "hello there" }] });

const failure = (promise: Promise<unknown>): Promise<APIError> => rejection(promise, APIError);

describe("an organisation's models", () => {
  test("bound its teams' keys: a model outside the list is a 403 naming the organisation", async () => {
    const { key } = await keyInOrganization("echo-org", { models: ["mock/echo"] });
    expect((await ask(key)).choices).toHaveLength(1);
    const denied = await failure(ask(key, "mock/tool-call"));
    expect(denied).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(denied.message).toContain("organization 'echo-org'");
    // Widened through the API: the next call sees it, no restart.
    await admin("PATCH", "/organization/update", { organization_id: "echo-org", models: ["mock/*"] });
    expect((await ask(key, "mock/tool-call")).choices).toHaveLength(1);
  });
});

describe("an organisation's budget", () => {
  test("is shared by every team's keys and refuses once spent, in LiteLLM's words", async () => {
    const first = await keyInOrganization("small-org", { max_budget: 0.0001 });
    await admin("POST", "/team/new", { team_id: "small-org-team-2", organization_id: "small-org" });
    const second = await admin<GeneratedKeyJson>("POST", "/key/generate", { team_id: "small-org-team-2" });
    await ask(first.key, "priced");
    await ask(second.key, "priced");
    const refused = await failure(ask(first.key, "priced"));
    expect(refused).toBeInstanceOf(OpenAI.BadRequestError);
    expect(refused.type).toBe("budget_exceeded");
    expect(refused.message).toBe("400 Budget has been exceeded! Organization=small-org Current cost: 0.000165, Max budget: 0.0001");
    // The key from the other team is refused too: the organisation's budget is theirs together.
    expect((await failure(ask(second.key, "priced"))).type).toBe("budget_exceeded");
    // Raising the budget lets them call again at once.
    await admin("PATCH", "/organization/update", { organization_id: "small-org", max_budget: 1 });
    expect((await ask(second.key, "priced")).choices).toHaveLength(1);
  });

  test("spend is rolled up to the organisation exactly, in the store and in the answers", async () => {
    const { key, token } = await keyInOrganization("counted-org");
    for (let i = 0; i < 3; i++) await ask(key, "priced");
    const info = await admin<OrganizationObjectJson>("GET", "/organization/info?organization_id=counted-org");
    expect(info.spend_usd).toBe("0.0002475");
    expect(info.teams[0]?.spend_usd).toBe("0.0002475");
    await gateway.accounts.accounting.writer.flush();
    expect((await gateway.accounts.store.organizations.byId("counted-org"))?.spend).toEqual({ totalNano: 3 * CALL_NANO, windowNano: 3 * CALL_NANO, windowStart: 0 });
    // The ledger rows carry the organisation as LiteLLM's spend logs do (what test_spend_logs_with_org_id reads).
    const rows = await admin<SpendLogJson[]>("GET", `/spend/logs?api_key=${token}`);
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      expect(row).toMatchObject({ team_id: "counted-org-team", organization_id: "counted-org" });
      expect(row.metadata).toEqual({
        user_api_key: token,
        user_api_key_alias: null,
        user_api_key_team_id: "counted-org-team",
        user_api_key_org_id: "counted-org",
        user_api_key_user_id: null,
      });
    }
  });
});

describe("an organisation's limits and state", () => {
  test("rpm_limit counts the calls of all its keys", async () => {
    const { key } = await keyInOrganization("slow-org", { rpm_limit: 2 });
    await ask(key);
    await ask(key);
    const limited = await failure(ask(key));
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    expect(limited.message).toContain("organization 'slow-org': 2 requests per minute");
  });

  test("a blocked organisation's keys are refused", async () => {
    const { key } = await keyInOrganization("blocked-org");
    await admin("PATCH", "/organization/update", { organization_id: "blocked-org", blocked: true });
    const refused = await failure(ask(key));
    expect(refused).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(refused.message).toContain("organization 'blocked-org' is blocked");
  });
});

describe("changes made by another process", () => {
  test("reach the call path through the directory's poll", async () => {
    const { key } = await keyInOrganization("remote-org");
    expect((await ask(key)).choices).toHaveLength(1);
    // Another connection (the CLI, another tool) narrows the organisation's models.
    const other = await openStore({ dataDir });
    try {
      await other.organizations.update("remote-org", { models: ["priced"] });
    } finally {
      await other.close();
    }
    const deadline = Date.now() + 5_000;
    let denied: APIError | undefined;
    while (!denied && Date.now() < deadline) {
      await Bun.sleep(100);
      denied = await ask(key).then(
        () => undefined,
        (error: unknown) => (error instanceof APIError ? error : undefined),
      );
    }
    expect(denied).toBeInstanceOf(OpenAI.PermissionDeniedError);
  });
});
