/** LiteLLM's `/global/spend/report` shapes from ledger breakdown rows (the route's HTTP tests are in spend.test.ts). */
import { describe, expect, test } from "bun:test";
import { customerDays, keySpend, teamCustomerDays, teamDays } from "../../src/admin/spend-report.ts";
import type { BreakdownRow } from "../../src/store/types.ts";

const row = (fields: Partial<BreakdownRow>): BreakdownRow => ({ day: "2025-03-01", model: "gpt-4o", costNano: 1_000, inputTokens: 10, outputTokens: 5, ...fields });

const ROWS: BreakdownRow[] = [
  row({ teamId: "t-alias", token: "k1", model: "a", costNano: 100_000_000 }),
  row({ teamId: "t-alias", token: "k1", model: "b", costNano: 200_000_000, endUser: "cust" }),
  row({ teamId: "t-bare", token: "k2", costNano: 3, inputTokens: 1, outputTokens: 1 }),
  row({ costNano: 0 }),
  row({ day: "2025-03-02", teamId: "t-alias", token: "k2", model: "a", costNano: 7 }),
];
const ALIASES = new Map([["t-alias", "Prod Team"]]);

describe("teamDays", () => {
  test("one entry per day; teams by alias, else id, else 'Unassigned Team'; dollars with exact twins", () => {
    const days = teamDays(ROWS, ALIASES);
    expect(days.map((d) => d.group_by_day)).toEqual(["2025-03-01T00:00:00+00:00", "2025-03-02T00:00:00+00:00"]);
    expect(days[0]?.teams.map((t) => [t.team_name, t.team_id, t.total_spend_usd])).toEqual([
      ["Prod Team", "t-alias", "0.3"],
      ["Unassigned Team", null, "0"],
      ["t-bare", "t-bare", "0.000000003"],
    ]);
    // 0.1 + 0.2 summed in nano-dollars: exactly 0.3, not 0.30000000000000004.
    expect(days[0]?.teams[0]?.total_spend).toBe(0.3);
    expect(days[0]?.teams[0]?.metadata).toEqual([
      { model: "a", api_key: "k1", spend: 0.1, spend_usd: "0.1", total_tokens: 15 },
      { model: "b", api_key: "k1", spend: 0.2, spend_usd: "0.2", total_tokens: 15 },
    ]);
    expect(days[0]?.teams[1]?.metadata).toEqual([{ model: "gpt-4o", api_key: "", spend: 0, spend_usd: "0", total_tokens: 15 }]);
  });

  test("no rows, no days", () => {
    expect(teamDays([], ALIASES)).toEqual([]);
  });
});

test("customerDays: null for calls without a customer", () => {
  const [first] = customerDays(ROWS);
  expect(first?.customers.map((c) => [c.customer, c.total_spend_usd])).toEqual([
    [null, "0.100000003"],
    ["cust", "0.2"],
  ]);
});

test("teamCustomerDays: one entry per team and customer", () => {
  expect(teamCustomerDays([ROWS[1] as BreakdownRow], ALIASES)).toEqual([
    {
      group_by_day: "2025-03-01T00:00:00+00:00",
      teams_customers: [{ team_name: "Prod Team", team_id: "t-alias", customer: "cust", total_spend: 0.2, total_spend_usd: "0.2", metadata: [{ model: "b", api_key: "k1", spend: 0.2, spend_usd: "0.2", total_tokens: 15 }] }],
    },
  ]);
});

test("keySpend: keys dearest first (ties by token), models by name, across days", () => {
  const keys = keySpend(ROWS);
  expect(keys.map((k) => [k.api_key, k.total_cost_usd])).toEqual([
    ["k1", "0.3"],
    ["k2", "0.00000001"],
    ["", "0"],
  ]);
  expect(keys[1]).toEqual({
    api_key: "k2",
    total_cost: 1e-8,
    total_cost_usd: "0.00000001",
    total_input_tokens: 11,
    total_output_tokens: 6,
    model_details: [
      { model: "a", total_cost: 7e-9, total_cost_usd: "0.000000007", total_input_tokens: 10, total_output_tokens: 5 },
      { model: "gpt-4o", total_cost: 3e-9, total_cost_usd: "0.000000003", total_input_tokens: 1, total_output_tokens: 1 },
    ],
  });
});
