/**
 * Issue 12 §1 as it was seen: a LiteLLM config gives `input_cost_per_token` / `output_cost_per_token`
 * for a model the price data does not know, and no `max_input_tokens` / `max_output_tokens`. The
 * calls must be priced (cost header, spend) and a strict budget must hold against concurrent calls.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import OpenAI from "openai";
import type { GeneratedKeyJson, SpendLogJson } from "../../src/admin/responses.ts";
import { fromLiteLLM } from "../../src/config/litellm.ts";
import { startAccountsGateway, TEST_MASTER_KEY, type AccountsGateway } from "../support/accounts.ts";
import { startMockUpstream, type MockUpstream } from "../support/mock-upstream.ts";
import { useTempDir } from "../support/temp-dir.ts";

const tmp = useTempDir("switchboard-litellm-prices-");
let upstream: MockUpstream;
let gateway: AccountsGateway;

/** The upstream's `ok` answer: 19 prompt tokens (12 cached) and 5 completion tokens. At $1 and $2 per million (no cache price given, so cached input costs the input rate): 19 × 1000 + 5 × 2000 nano-dollars. */
const CALL_NANO = 19 * 1000 + 5 * 2000;

beforeAll(async () => {
  upstream = await startMockUpstream();
  const dataDir = dirname(await tmp.file("marker", ""));
  const { config } = fromLiteLLM({
    model_list: [
      {
        model_name: "house-model",
        litellm_params: { model: "openai_compatible/ok", api_base: upstream.url, api_key: "sk-upstream-house", input_cost_per_token: 0.000001, output_cost_per_token: 0.000002 },
      },
    ],
  });
  gateway = await startAccountsGateway(config, { dataDir, budgetMode: "strict" });
});
afterAll(async () => {
  await gateway?.stop();
  await upstream?.stop();
});

const messages = [{ role: "user" as const, content: "price me" }];

describe("LiteLLM per-token prices without token limits", () => {
  test("price the call: x-switchboard-response-cost and the spend row carry the cost", async () => {
    const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: TEST_MASTER_KEY, maxRetries: 0 });
    const { data, response } = await client.chat.completions.create({ model: "house-model", messages }).withResponse();
    expect(data.usage?.prompt_tokens).toBe(19);
    expect(response.headers.get("x-switchboard-response-cost")).toBe("0.000029");
    const callId = response.headers.get("x-switchboard-call-id");
    const logs = await gateway.admin<SpendLogJson[]>("GET", "/spend/logs?model=house-model");
    const row = logs.body.find((r) => r.call_id === callId);
    expect(row).toMatchObject({ spend_usd: "0.000029", spend: CALL_NANO / 1e9 });
  });

  test("200 concurrent calls against a strict budget worth 50 calls: at most 50 are admitted, the rest refused, spend within budget", async () => {
    const key = await gateway.admin<GeneratedKeyJson>("POST", "/key/generate", { key_alias: "fifty-calls", max_budget: (50 * CALL_NANO) / 1e9 });
    expect(key.status).toBe(200);
    const call = () =>
      fetch(`${gateway.baseURL}/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${key.body.key}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "house-model", messages, max_tokens: 5 }),
      });
    const answers = await Promise.all(Array.from({ length: 200 }, call));
    const statuses = answers.map((a) => a.status);
    const admitted = statuses.filter((s) => s === 200).length;
    expect(admitted).toBeGreaterThan(0);
    expect(admitted).toBeLessThanOrEqual(50);
    const refusals = await Promise.all(answers.filter((a) => a.status !== 200).map((a) => a.json() as Promise<{ error: { type: string } }>));
    expect(refusals.length).toBe(200 - admitted);
    expect(new Set(refusals.map((r) => r.error.type))).toEqual(new Set(["budget_exceeded"]));
    const info = await gateway.admin<{ info: { spend: number; spend_usd: string } }>("GET", `/key/info?key=${key.body.token}`);
    expect(Number(info.body.info.spend_usd)).toBeLessThanOrEqual((50 * CALL_NANO) / 1e9);
    expect(Number(info.body.info.spend_usd)).toBe((admitted * CALL_NANO) / 1e9);
  });
});
