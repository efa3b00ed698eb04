/**
 * A virtual key's allow-lists, rate limits and budgets on the pass-through routes, before anything
 * goes upstream: models are allowed by any name the gateway serves them under, a Message Batch by
 * every model it names, strict budgets reserve from the native output cap, and calls whose cost
 * the gateway cannot count are kept from budgeted keys. Calls of no model are open to every key.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import type { GeneratedKeyJson } from "../../src/admin/responses.ts";
import { startAccountsGateway, type AccountsGateway } from "../support/accounts.ts";
import { startMockAnthropic, type MockAnthropic } from "../support/mock-anthropic.ts";
import { useTempDir } from "../support/temp-dir.ts";

const tmp = useTempDir("switchboard-passthrough-policy-");
const UPSTREAM_KEY = "sk-ant-upstream-policy-0123456789";
const PRICE = { input: 3, output: 15 };

let mock: MockAnthropic;
let gateway: AccountsGateway;

beforeAll(async () => {
  mock = await startMockAnthropic();
  gateway = await startAccountsGateway(
    {
      models: [
        { model_name: "claude", model: "anthropic/text", api_base: mock.url, api_key: UPSTREAM_KEY, price: PRICE },
        { model_name: "claude-json", model: "anthropic/json", api_base: mock.url, api_key: UPSTREAM_KEY },
        // Lends its credential to calls no deployment serves by model (here: `thinking`).
        { model_name: "lent", model: "anthropic/lent-only", api_base: mock.url, api_key: UPSTREAM_KEY, use_in_pass_through: true },
      ],
    },
    { dataDir: dirname(await tmp.file("marker", "")), budgetMode: "strict" },
  );
});
afterAll(async () => {
  await gateway?.stop();
  await mock?.stop();
});

const newKey = async (body: Record<string, unknown>) => (await gateway.admin<GeneratedKeyJson>("POST", "/key/generate", body)).body.key;
const messages = (key: string, model: string, extra: Record<string, unknown> = {}) =>
  fetch(`${gateway.origin}/anthropic/v1/messages`, {
    method: "POST",
    headers: { "x-api-key": key, "anthropic-version": "2023-06-01", "content-type": "application/json" },
    body: JSON.stringify({ model, max_tokens: 32, messages: [{ role: "user", content: "hi" }], ...extra }),
  });
const batch = (key: string, models: string[]) =>
  fetch(`${gateway.origin}/anthropic/v1/messages/batches`, {
    method: "POST",
    headers: { "x-api-key": key, "anthropic-version": "2023-06-01", "content-type": "application/json" },
    body: JSON.stringify({ requests: models.map((model, i) => ({ custom_id: `r${i}`, params: { model, max_tokens: 8, messages: [{ role: "user", content: "hi" }] } })) }),
  });
const errorOf = async (response: Response) => ((await response.json()) as { error: { type: string; message: string } }).error;

describe("model access", () => {
  test("a key allowed a deployment's name may call its upstream model by id", async () => {
    const key = await newKey({ models: ["claude"] });
    const response = await messages(key, "text");
    expect(response.status).toBe(200);
    expect(gateway.records.at(-1)).toMatchObject({ model: "claude", upstreamModel: "text", deploymentId: "claude" });
  });

  test("`anthropic/*` allows any Anthropic model; one no deployment serves goes with the lent credential", async () => {
    const key = await newKey({ models: ["anthropic/*"] });
    const before = mock.requests.length;
    const response = await messages(key, "thinking");
    expect(response.status).toBe(200);
    expect(mock.requests[before]?.headers["x-api-key"]).toBe(UPSTREAM_KEY);
    expect(gateway.records.at(-1)).toMatchObject({ model: "anthropic/thinking", deploymentId: "lent", upstreamModel: "thinking" });
  });

  test("any other model is refused (403, LiteLLM's type), nothing sent upstream", async () => {
    const key = await newKey({ models: ["claude"] });
    const before = mock.requests.length;
    const response = await messages(key, "thinking");
    expect(response.status).toBe(403);
    const error = await errorOf(response);
    expect(error.type).toBe("key_model_access_denied");
    expect(error.message).toContain("'anthropic/thinking'");
    expect(mock.requests.length).toBe(before);
    expect(gateway.records.at(-1)).toMatchObject({ status: 403, errorCode: "policy.key_model_denied", provider: "anthropic" });
  });

  test("the team's list applies too", async () => {
    expect((await gateway.admin("POST", "/team/new", { team_id: "t-narrow", models: ["claude-json"] })).status).toBe(200);
    const key = await newKey({ team_id: "t-narrow" });
    expect((await messages(key, "text")).status).toBe(403);
    expect((await errorOf(await messages(key, "text"))).type).toBe("team_model_access_denied");
  });

  test("a Message Batch is checked for every model it names", async () => {
    const key = await newKey({ models: ["claude"] });
    const refused = await batch(key, ["text", "thinking"]);
    expect(refused.status).toBe(403);
    expect((await errorOf(refused)).message).toContain("anthropic/thinking");
    // Allowed: it goes upstream (the mock has no batches API and says so).
    const allowed = await batch(key, ["text"]);
    expect(allowed.status).toBe(404);
    expect(mock.requests.at(-1)?.path).toBe("/v1/messages/batches");
  });

  test("a call of no model is open to a key with a model list", async () => {
    const key = await newKey({ models: ["claude"] });
    const response = await fetch(`${gateway.origin}/anthropic/v1/models`, { headers: { "x-api-key": key, "anthropic-version": "2023-06-01" } });
    // The mock serves no GET: the upstream's own answer came back, so the gateway let the call through.
    expect(response.status).toBe(405);
    expect(gateway.records.at(-1)).toMatchObject({ model: "", deploymentId: "lent", status: 405, outcome: "error" });
  });
});

describe("limits and budgets", () => {
  test("a key's rpm limit applies (429 in Anthropic's shape)", async () => {
    const key = await newKey({ rpm_limit: 1 });
    expect((await messages(key, "text")).status).toBe(200);
    const limited = await messages(key, "text");
    expect(limited.status).toBe(429);
    expect(((await limited.json()) as { type: string }).type).toBe("error");
  });

  test("a strict budget reserves from the native max_tokens: too large a cap is refused before the call", async () => {
    // $0.001 covers a short prompt and 32 tokens at $15 per million, not 100,000 tokens.
    const key = await newKey({ max_budget: 0.001 });
    const before = mock.requests.length;
    const refused = await messages(key, "text", { max_tokens: 100_000 });
    expect(refused.status).toBe(400);
    // Anthropic's SDK knows no budget_exceeded type: the 400 is an invalid_request_error that says so.
    expect((await errorOf(refused)).message).toMatch(/budget/i);
    expect(mock.requests.length).toBe(before);
    expect((await messages(key, "text")).status).toBe(200);
  });

  test("a budgeted key cannot call an unpriced model, nor a call whose cost the gateway cannot count", async () => {
    const key = await newKey({ max_budget: 10 });
    const unpriced = await messages(key, "json", { tools: [{ name: "answer", input_schema: { type: "object" } }], tool_choice: { type: "tool", name: "answer" } });
    expect(unpriced.status).toBe(400);
    expect((await errorOf(unpriced)).message).toContain("has no price");
    const batched = await batch(key, ["text"]);
    expect(batched.status).toBe(400);
    expect((await errorOf(batched)).message).toContain("not one whose cost the gateway can count");
  });
});
