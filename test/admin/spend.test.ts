/** `/spend/logs` and `/global/spend/report` after real calls through the gateway (the routes store queued rows first). */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import OpenAI from "openai";
import type { GeneratedKeyJson, SpendLogJson, SpendReportJson } from "../../src/admin/responses.ts";
import { startAccountsGateway, TEST_MASTER_KEY, type AccountsGateway, type ErrorBody } from "../support/accounts.ts";
import { startMockUpstream, type MockUpstream } from "../support/mock-upstream.ts";
import { useTempDir } from "../support/temp-dir.ts";

const tmp = useTempDir("switchboard-admin-spend-");
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const DAY_MS = 86_400_000;
let upstream: MockUpstream;
let gateway: AccountsGateway;
let keyA: GeneratedKeyJson;
let keyB: GeneratedKeyJson;
let today: string;

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

beforeAll(async () => {
  upstream = await startMockUpstream();
  const dataDir = dirname(await tmp.file("marker", ""));
  gateway = await startAccountsGateway(
    { models: [{ model_name: "priced", model: "openai/gpt-4o-2024-08-06", api_base: upstream.url, api_key: "sk-upstream-spend-tests" }] },
    { dataDir, budgetMode: "soft" },
  );
  expect((await gateway.admin("POST", "/team/new", { team_id: "t-spend" })).status).toBe(200);
  keyA = (await gateway.admin<GeneratedKeyJson>("POST", "/key/generate", { team_id: "t-spend", user_id: "u-spend", tags: ["tag-a"], key_alias: "key-a" })).body;
  keyB = (await gateway.admin<GeneratedKeyJson>("POST", "/key/generate", { user_id: "u-other" })).body;
  const call = (key: string, model: string, user?: string) =>
    new OpenAI({ baseURL: gateway.baseURL, apiKey: key, maxRetries: 0 }).chat.completions.create({ model, messages: [{ role: "user", content: "count me" }], ...(user ? { user } : {}) });
  await call(keyA.key, "priced", "end-user-1");
  await call(keyA.key, "priced");
  await call(keyA.key, "mock/echo");
  await call(keyB.key, "priced");
  await call(TEST_MASTER_KEY, "mock/echo");
});
afterAll(async () => {
  await gateway?.stop();
  await upstream?.stop();
});

const logs = async (query = "") => {
  const answer = await gateway.admin<SpendLogJson[]>("GET", `/spend/logs${query}`);
  expect(answer.status).toBe(200);
  return answer.body;
};
const report = async (query: string) => {
  const answer = await gateway.admin<SpendReportJson>("GET", `/global/spend/report${query}`);
  expect(answer.status).toBe(200);
  return answer.body;
};

describe("GET /spend/logs", () => {
  test("every call is there, newest first, in LiteLLM's field names", async () => {
    const rows = await logs();
    expect(rows.map((r) => r.model)).toEqual(["mock/echo", "priced", "mock/echo", "priced", "priced"]);
    const first = rows[4] as SpendLogJson;
    today = day(Date.parse(first.startTime));
    expect(first.call_id).toMatch(UUID);
    // LiteLLM's request_id is the answer's id (the mock upstream's chatcmpl-…).
    expect(first.request_id).toStartWith("chatcmpl-");
    expect(first).toMatchObject({
      call_type: "chat",
      api_key: keyA.token,
      key_alias: "key-a",
      spend: 0.0000825,
      spend_usd: "0.0000825",
      prompt_tokens: 19,
      completion_tokens: 5,
      total_tokens: 24,
      cache_read_input_tokens: 12,
      cache_creation_input_tokens: 0,
      model: "priced",
      model_id: "priced",
      custom_llm_provider: "openai",
      user: "u-spend",
      team_id: "t-spend",
      end_user: "end-user-1",
      status: "success",
      http_status: 200,
      stream: false,
    });
    expect(first.request_tags).toContain("tag-a");
    expect(Date.parse(first.endTime)).toBeGreaterThanOrEqual(Date.parse(first.startTime));
    // The master key's call has no key.
    expect(rows[0]).toMatchObject({ api_key: "", user: "", team_id: null });
  });

  test("filters: api_key (key or token), team_id, user_id, model", async () => {
    expect(await logs(`?api_key=${keyA.key}`)).toHaveLength(3);
    expect(await logs(`?api_key=${keyB.token}`)).toHaveLength(1);
    expect(await logs("?team_id=t-spend")).toHaveLength(3);
    expect((await logs("?user_id=u-other")).map((r) => r.api_key)).toEqual([keyB.token]);
    expect(await logs("?model=mock/echo")).toHaveLength(2);
    expect(await logs(`?api_key=${keyA.token}&model=priced`)).toHaveLength(2);
  });

  test("dates: a day is inclusive; limit and offset page", async () => {
    const todayMs = Date.parse(today);
    expect(await logs(`?start_date=${today}&end_date=${today}`)).toHaveLength(5);
    expect(await logs(`?end_date=${day(todayMs - DAY_MS)}`)).toHaveLength(0);
    expect(await logs(`?start_date=${day(todayMs + DAY_MS)}`)).toHaveLength(0);
    expect(await logs(`?start_date=${today}T00:00:00Z`)).toHaveLength(5);
    const all = await logs();
    expect(await logs("?limit=2")).toEqual(all.slice(0, 2));
    expect(await logs("?limit=2&offset=2")).toEqual(all.slice(2, 4));
  });

  test.each([
    ["start_date", "yesterday"],
    ["end_date", "2025-13-01"],
    ["limit", "0"],
    ["offset", "-1"],
  ])("a bad %s (%s) is a 400 naming it", async (param, value) => {
    const answer = await gateway.admin<ErrorBody>("GET", `/spend/logs?${param}=${value}`);
    expect(answer.status).toBe(400);
    expect(answer.body.error.param).toBe(param);
  });

  test("an end before the start is a 400", async () => {
    const answer = await gateway.admin<ErrorBody>("GET", "/spend/logs?start_date=2025-02-02&end_date=2025-02-01");
    expect(answer.status).toBe(400);
    expect(answer.body.error.param).toBe("end_date");
  });
});

describe("GET /global/spend/report", () => {
  test("group_by model, key, team, user and day", async () => {
    const byModel = await report("?group_by=model");
    expect(byModel.group_by).toBe("model");
    const priced = byModel.rows.find((r) => r.group === "priced");
    expect(priced).toMatchObject({ requests: 3, spend_usd: "0.0002475", spend: 0.0002475, prompt_tokens: 57, completion_tokens: 15, cache_read_input_tokens: 36 });
    // mock/echo's nominal price, $0.001 a token: "count me" (2 tokens) answered "Echo: count me" (3 tokens).
    expect(byModel.rows.find((r) => r.group === "mock/echo")).toMatchObject({ requests: 2, spend_usd: "0.01", unpriced_requests: 0 });

    const byKey = await report("?group_by=key");
    expect(byKey.rows.find((r) => r.group === keyA.token)).toMatchObject({ requests: 3, spend_usd: "0.005165" });
    expect(byKey.rows.find((r) => r.group === keyB.token)).toMatchObject({ requests: 1, spend_usd: "0.0000825" });
    expect(byKey.rows.find((r) => r.group === "")).toMatchObject({ requests: 1 });

    const byTeam = await report("?group_by=team");
    expect(byTeam.rows.find((r) => r.group === "t-spend")).toMatchObject({ requests: 3, spend_usd: "0.005165" });
    const byUser = await report("?group_by=user");
    expect(byUser.rows.find((r) => r.group === "u-other")).toMatchObject({ requests: 1 });

    const byDay = await report(`?start_date=${today}&end_date=${today}`);
    expect(byDay).toMatchObject({ group_by: "day", start_date: today, end_date: today });
    expect(byDay.rows).toEqual([expect.objectContaining({ group: today, requests: 5, spend_usd: "0.0102475" })]);
  });

  test("an unknown group_by is a 400 listing the choices", async () => {
    const answer = await gateway.admin<ErrorBody>("GET", "/global/spend/report?group_by=week");
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatchObject({ param: "group_by" });
    expect(answer.body.error.message).toContain('"model"');
  });

  test("key and user spend in /key/info and /user/info match the ledger", async () => {
    const info = await gateway.admin<{ info: { spend_usd: string; total_spend_usd: string } }>("GET", `/key/info?key=${keyA.token}`);
    expect(info.body.info).toMatchObject({ spend_usd: "0.005165", total_spend_usd: "0.005165" });
    const user = await gateway.admin<{ user_info: { spend_usd: string } }>("GET", "/user/info?user_id=u-spend");
    expect(user.body.user_info.spend_usd).toBe("0.005165");
  });
});
