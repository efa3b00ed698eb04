/** `/spend/logs` and `/global/spend/report` after real calls through the gateway (the routes store queued rows first). */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import OpenAI from "openai";
import type { GeneratedKeyJson, SpendLogJson, SpendReportJson, SpendTotalsJson } from "../../src/admin/responses.ts";
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
  expect((await gateway.admin("POST", "/team/new", { team_id: "t-spend", team_alias: "spend-team" })).status).toBe(200);
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
const totals = async (query: string) => {
  const answer = await gateway.admin<SpendTotalsJson>("GET", `/spend/totals${query}`);
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

  test("LiteLLM's summarize=false is what it always answers (rows); summarize=true is a 400 naming the reports", async () => {
    expect(await logs("?summarize=false")).toEqual(await logs());
    const answer = await gateway.admin<ErrorBody>("GET", "/spend/logs?summarize=true");
    expect(answer.status).toBe(400);
    expect(answer.body.error.param).toBe("summarize");
    expect(answer.body.error.message).toContain("/spend/totals");
  });

  test("an end before the start is a 400", async () => {
    const answer = await gateway.admin<ErrorBody>("GET", "/spend/logs?start_date=2025-02-02&end_date=2025-02-01");
    expect(answer.status).toBe(400);
    expect(answer.body.error.param).toBe("end_date");
  });
});

describe("GET /global/spend/report (LiteLLM's shapes)", () => {
  const dayStamp = () => `${today}T00:00:00+00:00`;
  const ECHO_NANO = 5_000_000; // mock/echo at $0.001 a token: 2 in + 3 out.
  const PRICED_NANO = 82_500;
  const usd = (nano: number) => nano / 1e9;

  test("by team (the default): days, then teams by alias (or id; 'Unassigned Team' for none), spend by model and key", async () => {
    const days = await report("");
    expect(days).toHaveLength(1);
    const [day] = days as { group_by_day: string; teams: { team_name: string; team_id: string | null; total_spend: number; total_spend_usd: string; metadata: unknown[] }[] }[];
    expect(day?.group_by_day).toBe(dayStamp());
    expect(day?.teams.map((t) => t.team_name).sort()).toEqual(["Unassigned Team", "spend-team"]);
    const team = day?.teams.find((t) => t.team_name === "spend-team");
    expect(team).toMatchObject({ team_id: "t-spend", total_spend: usd(2 * PRICED_NANO + ECHO_NANO), total_spend_usd: "0.005165" });
    expect(team?.metadata).toEqual([
      { model: "mock/echo", api_key: keyA.token, spend: usd(ECHO_NANO), spend_usd: "0.005", total_tokens: 5 },
      { model: "priced", api_key: keyA.token, spend: usd(2 * PRICED_NANO), spend_usd: "0.000165", total_tokens: 48 },
    ]);
    const none = day?.teams.find((t) => t.team_name === "Unassigned Team");
    expect(none).toMatchObject({ team_id: null, total_spend_usd: "0.0050825" });
    // The master key's calls have no key: api_key "" as in /spend/logs.
    expect(none?.metadata).toContainEqual({ model: "mock/echo", api_key: "", spend: usd(ECHO_NANO), spend_usd: "0.005", total_tokens: 5 });
    expect(await report(`?group_by=team&start_date=${today}&end_date=${today}`)).toEqual(days);
  });

  test("LiteLLM's e2e reading of it works: every team has a name, spend and metadata", async () => {
    const start = new Date(Date.now() - 30 * DAY_MS).toISOString().slice(0, 10);
    const end = new Date(Date.now() + DAY_MS).toISOString().slice(0, 10);
    for (const row of (await report(`?start_date=${start}&end_date=${end}`)) as { group_by_day: string; teams: { team_name: string; total_spend: number; metadata: unknown[] }[] }[]) {
      expect(typeof row.group_by_day).toBe("string");
      for (const team of row.teams) {
        expect(team.team_name).not.toBeNull();
        expect(typeof team.total_spend).toBe("number");
        expect(Array.isArray(team.metadata)).toBe(true);
      }
    }
  });

  test("by customer: the request's user, null for calls without one", async () => {
    const [day] = (await report("?group_by=customer")) as { group_by_day: string; customers: { customer: string | null; total_spend: number; total_spend_usd: string; metadata: unknown[] }[] }[];
    expect(day?.group_by_day).toBe(dayStamp());
    expect(day?.customers.find((c) => c.customer === "end-user-1")).toEqual({
      customer: "end-user-1",
      total_spend: usd(PRICED_NANO),
      total_spend_usd: "0.0000825",
      metadata: [{ model: "priced", api_key: keyA.token, spend: usd(PRICED_NANO), spend_usd: "0.0000825", total_tokens: 24 }],
    });
    expect(day?.customers.find((c) => c.customer === null)?.total_spend_usd).toBe("0.010165");
  });

  test("by api_key, or for one key (key or token) or one internal user: totals and model details, dearest first", async () => {
    const byKey = (await report("?group_by=api_key")) as { api_key: string; total_cost: number; total_cost_usd: string }[];
    expect(byKey.map((k) => k.api_key)).toEqual([keyA.token, "", keyB.token]);
    const keyAEntry = {
      api_key: keyA.token,
      total_cost: usd(2 * PRICED_NANO + ECHO_NANO),
      total_cost_usd: "0.005165",
      total_input_tokens: 40,
      total_output_tokens: 13,
      model_details: [
        { model: "mock/echo", total_cost: usd(ECHO_NANO), total_cost_usd: "0.005", total_input_tokens: 2, total_output_tokens: 3 },
        { model: "priced", total_cost: usd(2 * PRICED_NANO), total_cost_usd: "0.000165", total_input_tokens: 38, total_output_tokens: 10 },
      ],
    };
    expect(byKey[0]).toEqual(keyAEntry);
    expect(await report(`?api_key=${keyA.key}`)).toEqual([keyAEntry]);
    expect(await report(`?api_key=${keyA.token}&group_by=customer`)).toEqual([keyAEntry]);
    expect(await report("?internal_user_id=u-other")).toEqual([expect.objectContaining({ api_key: keyB.token, total_cost_usd: "0.0000825" })]);
    expect(await report("?internal_user_id=nobody")).toEqual([]);
  });

  test("team_id with customer_id: that team's spend for that customer", async () => {
    expect(await report("?team_id=t-spend&customer_id=end-user-1")).toEqual([
      {
        group_by_day: dayStamp(),
        teams_customers: [
          {
            team_name: "spend-team",
            team_id: "t-spend",
            customer: "end-user-1",
            total_spend: usd(PRICED_NANO),
            total_spend_usd: "0.0000825",
            metadata: [{ model: "priced", api_key: keyA.token, spend: usd(PRICED_NANO), spend_usd: "0.0000825", total_tokens: 24 }],
          },
        ],
      },
    ]);
  });

  test("Switchboard's groupings are a 400 pointing to /spend/totals; bad dates are a 400 naming them", async () => {
    const answer = await gateway.admin<ErrorBody>("GET", "/global/spend/report?group_by=model");
    expect(answer.status).toBe(400);
    expect(answer.body.error.param).toBe("group_by");
    expect(answer.body.error.message).toContain("/spend/totals");
    const bad = await gateway.admin<ErrorBody>("GET", "/global/spend/report?start_date=yesterday");
    expect(bad.status).toBe(400);
    expect(bad.body.error.param).toBe("start_date");
  });
});

describe("GET /spend/totals (Switchboard's exact report)", () => {
  test("group_by model, key, team, user and day", async () => {
    const byModel = await totals("?group_by=model");
    expect(byModel.group_by).toBe("model");
    const priced = byModel.rows.find((r) => r.group === "priced");
    expect(priced).toMatchObject({ requests: 3, spend_usd: "0.0002475", spend: 0.0002475, prompt_tokens: 57, completion_tokens: 15, cache_read_input_tokens: 36 });
    // mock/echo's nominal price, $0.001 a token: "count me" (2 tokens) answered "Echo: count me" (3 tokens).
    expect(byModel.rows.find((r) => r.group === "mock/echo")).toMatchObject({ requests: 2, spend_usd: "0.01", unpriced_requests: 0 });

    const byKey = await totals("?group_by=key");
    expect(byKey.rows.find((r) => r.group === keyA.token)).toMatchObject({ requests: 3, spend_usd: "0.005165" });
    expect(byKey.rows.find((r) => r.group === keyB.token)).toMatchObject({ requests: 1, spend_usd: "0.0000825" });
    expect(byKey.rows.find((r) => r.group === "")).toMatchObject({ requests: 1 });

    const byTeam = await totals("?group_by=team");
    expect(byTeam.rows.find((r) => r.group === "t-spend")).toMatchObject({ requests: 3, spend_usd: "0.005165" });
    const byUser = await totals("?group_by=user");
    expect(byUser.rows.find((r) => r.group === "u-other")).toMatchObject({ requests: 1 });

    const byDay = await totals(`?start_date=${today}&end_date=${today}`);
    expect(byDay).toMatchObject({ group_by: "day", start_date: today, end_date: today });
    expect(byDay.rows).toEqual([expect.objectContaining({ group: today, requests: 5, spend_usd: "0.0102475" })]);
  });

  test("an unknown group_by is a 400 listing the choices", async () => {
    const answer = await gateway.admin<ErrorBody>("GET", "/spend/totals?group_by=week");
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
