/**
 * A deployment with no price anywhere (not in the price data, no `price`, no LiteLLM cost fields):
 * its calls are served, their cost is unknown (not 0) in the ledger, `GET /health` lists it, and a
 * caller with a budget is refused with a 400 that names the model and the setting that prices it.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import OpenAI from "openai";
import type { GeneratedKeyJson, SpendLogJson, SpendTotalsJson } from "../../src/admin/responses.ts";
import { startAccountsGateway, TEST_MASTER_KEY, type AccountsGateway } from "../support/accounts.ts";
import { startMockUpstream, type MockUpstream } from "../support/mock-upstream.ts";
import { apiFailure } from "../support/scripted-upstream.ts";
import { useTempDir } from "../support/temp-dir.ts";

const tmp = useTempDir("switchboard-unpriced-");
let upstream: MockUpstream;
let gateway: AccountsGateway;

beforeAll(async () => {
  upstream = await startMockUpstream();
  const dataDir = dirname(await tmp.file("marker", ""));
  gateway = await startAccountsGateway(
    {
      models: [
        { model_name: "house", model: "openai_compatible/ok", api_base: upstream.url, api_key: "sk-upstream-house" },
        { model_name: "house/*", model: "openai_compatible/*", api_base: upstream.url, api_key: "sk-upstream-house" },
      ],
    },
    { dataDir, budgetMode: "strict" },
  );
});
afterAll(async () => {
  await gateway?.stop();
  await upstream?.stop();
});

const client = (key: string) => new OpenAI({ baseURL: gateway.baseURL, apiKey: key, maxRetries: 0 });
const ask = (key: string, model = "house") => client(key).chat.completions.create({ model, messages: [{ role: "user", content: "what does it cost?" }] }).withResponse();
const generate = async (body: Record<string, unknown>) => (await gateway.admin<GeneratedKeyJson>("POST", "/key/generate", body)).body;

describe("a deployment without a price", () => {
  test("the master key and a key without a budget are served, with no cost header", async () => {
    const { response } = await ask(TEST_MASTER_KEY);
    expect(response.status).toBe(200);
    expect(response.headers.get("x-switchboard-response-cost")).toBeNull();
    const open = await generate({ key_alias: "no-budget" });
    const answer = await ask(open.key);
    expect(answer.data.choices[0]?.message.content).toBe("Hello from the mock upstream.");
  });

  test("its spend rows say the cost is unknown, not 0; the report counts them apart", async () => {
    const { response } = await ask(TEST_MASTER_KEY);
    const callId = response.headers.get("x-switchboard-call-id");
    const logs = await gateway.admin<SpendLogJson[]>("GET", "/spend/logs?model=house");
    const row = logs.body.find((r) => r.call_id === callId);
    expect(row).toMatchObject({ prompt_tokens: 19, completion_tokens: 5, spend: null, spend_usd: null });
    const report = await gateway.admin<SpendTotalsJson>("GET", "/spend/totals?group_by=model");
    const house = report.body.rows.find((r) => r.group === "house");
    expect(house?.unpriced_requests).toBe(house?.requests as number);
    expect(house).toMatchObject({ spend_usd: "0" });
  });

  test("a key with a budget is refused with a 400 naming the model and the setting that prices it, before any upstream call", async () => {
    const budgeted = await generate({ key_alias: "budgeted", max_budget: 10 });
    const hits = upstream.requestsFor("ok").length;
    const error = await apiFailure(ask(budgeted.key));
    expect(error.status).toBe(400);
    expect(error.type).toBe("invalid_request_error");
    expect(error.code).toBe("model_unpriced");
    expect(error.param).toBe("model");
    expect(error.message).toContain("'house'");
    expect(error.message).toContain("price:");
    expect(error.message).toContain("input_cost_per_token");
    expect(error.message).not.toContain("exceeded");
    expect(upstream.requestsFor("ok").length).toBe(hits);
  });

  test("a budget on the key's team refuses it too", async () => {
    expect((await gateway.admin("POST", "/team/new", { team_id: "capped", max_budget: 5 })).status).toBe(200);
    const member = await generate({ team_id: "capped" });
    expect((await apiFailure(ask(member.key))).code).toBe("model_unpriced");
  });

  test("a wildcard decides per model at call time; GET /health lists each unpriced deployment and model", async () => {
    const { response } = await ask(TEST_MASTER_KEY, "house/ok");
    expect(response.status).toBe(200);
    const budgeted = await generate({ max_budget: 1 });
    expect((await apiFailure(ask(budgeted.key, "house/ok"))).message).toContain("openai_compatible/ok");
    const health = await gateway.admin<{ unpriced: { model_id: string; model_name: string; model: string; fix: string }[] }>("GET", "/health");
    expect(health.status).toBe(200);
    expect(health.body.unpriced).toEqual([
      { model_id: "house", model_name: "house", model: "openai_compatible/ok", fix: expect.stringContaining("input_cost_per_token") },
      { model_id: "house/*", model_name: "house/*", model: "openai_compatible/ok", fix: expect.stringContaining("price:") },
    ]);
  });
});
