/**
 * `/global/spend/report` in LiteLLM's shapes, summed from the ledger's per-day, team, end user,
 * model and key breakdown. LiteLLM's dollar numbers come with exact `*_usd` twins; Switchboard's
 * own report (request counts, unpriced calls, any grouping) is `/spend/totals` (spend.ts).
 */
import { tokenFromKeyOrToken } from "../auth/key-material.ts";
import { formatUsd } from "../pricing/units.ts";
import type { RouteSpec } from "../server/route-spec.ts";
import type { BreakdownFilter, BreakdownRow } from "../store/types.ts";
import { dateRange } from "./dates.ts";
import { nanoToUsd } from "./money.ts";
import { textParam } from "./query.ts";
import { SpendReport } from "./responses.ts";
import { SpendReportQuery } from "./schemas.ts";
import type { AdminContext } from "./types.ts";

/** LiteLLM's name for the calls of no team. */
const UNASSIGNED_TEAM = "Unassigned Team";

/** Rows grouped by `keyOf`, in the order the groups first appear. */
function groupRows<K>(rows: readonly BreakdownRow[], keyOf: (row: BreakdownRow) => K): [K, BreakdownRow[]][] {
  const groups = new Map<K, BreakdownRow[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const group = groups.get(key);
    if (group) group.push(row);
    else groups.set(key, [row]);
  }
  return [...groups];
}

const sumOf = (rows: readonly BreakdownRow[], field: "costNano" | "inputTokens" | "outputTokens") => rows.reduce((sum, row) => sum + row[field], 0);
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** A group's spend: its total and one line per model and key, as LiteLLM's `metadata`. */
function spendOf(rows: readonly BreakdownRow[]) {
  const lines = groupRows(rows, (row) => `${row.model}\n${row.token ?? ""}`)
    .map(([, line]) => {
      const { model, token } = line[0] as BreakdownRow;
      const cost = sumOf(line, "costNano");
      return { model, api_key: token ?? "", spend: nanoToUsd(cost), spend_usd: formatUsd(cost), total_tokens: sumOf(line, "inputTokens") + sumOf(line, "outputTokens") };
    })
    .sort((a, b) => byText(a.model, b.model) || byText(a.api_key, b.api_key));
  const total = sumOf(rows, "costNano");
  return { total_spend: nanoToUsd(total), total_spend_usd: formatUsd(total), metadata: lines };
}

/** LiteLLM's `date_trunc('day', …)` as its answers print it. */
const dayStamp = (day: string) => `${day}T00:00:00+00:00`;

/** A team's name in the report: its alias, else its id; LiteLLM's "Unassigned Team" for none. */
function teamNameOf(teamId: string | undefined, aliases: ReadonlyMap<string, string>): string {
  return teamId === undefined ? UNASSIGNED_TEAM : (aliases.get(teamId) ?? teamId);
}

/** group_by=team: each day's teams and their spend by model and key. */
export function teamDays(rows: readonly BreakdownRow[], aliases: ReadonlyMap<string, string>) {
  return groupRows(rows, (row) => row.day).map(([day, dayRows]) => ({
    group_by_day: dayStamp(day),
    teams: groupRows(dayRows, (row) => row.teamId)
      .map(([teamId, teamRows]) => ({ team_name: teamNameOf(teamId, aliases), team_id: teamId ?? null, ...spendOf(teamRows) }))
      .sort((a, b) => byText(a.team_name, b.team_name)),
  }));
}

/** group_by=customer: each day's customers (the request's `user`; null for none) and their spend. */
export function customerDays(rows: readonly BreakdownRow[]) {
  return groupRows(rows, (row) => row.day).map(([day, dayRows]) => ({
    group_by_day: dayStamp(day),
    customers: groupRows(dayRows, (row) => row.endUser).map(([customer, customerRows]) => ({ customer: customer ?? null, ...spendOf(customerRows) })),
  }));
}

/** team_id with customer_id: each day's spend of that team for that customer. */
export function teamCustomerDays(rows: readonly BreakdownRow[], aliases: ReadonlyMap<string, string>) {
  return groupRows(rows, (row) => row.day).map(([day, dayRows]) => ({
    group_by_day: dayStamp(day),
    teams_customers: groupRows(dayRows, (row) => `${row.teamId ?? ""}\n${row.endUser ?? ""}`).map(([, group]) => {
      const { teamId, endUser } = group[0] as BreakdownRow;
      return { team_name: teamNameOf(teamId, aliases), team_id: teamId ?? null, customer: endUser ?? null, ...spendOf(group) };
    }),
  }));
}

/** A cost and its tokens, in LiteLLM's api_key report names. */
function costOf(rows: readonly BreakdownRow[]) {
  const cost = sumOf(rows, "costNano");
  return { total_cost: nanoToUsd(cost), total_cost_usd: formatUsd(cost), total_input_tokens: sumOf(rows, "inputTokens"), total_output_tokens: sumOf(rows, "outputTokens") };
}

/** group_by=api_key (and api_key=, internal_user_id=): each key's spend by model, dearest key first. */
export function keySpend(rows: readonly BreakdownRow[]) {
  return groupRows(rows, (row) => row.token ?? "")
    .map(([apiKey, keyRows]) => ({
      entry: {
        api_key: apiKey,
        ...costOf(keyRows),
        model_details: groupRows(keyRows, (row) => row.model)
          .map(([model, modelRows]) => ({ model, ...costOf(modelRows) }))
          .sort((a, b) => byText(a.model, b.model)),
      },
      nano: sumOf(keyRows, "costNano"),
    }))
    .sort((a, b) => b.nano - a.nano || byText(a.entry.api_key, b.entry.api_key))
    .map(({ entry }) => entry);
}

/** Team id -> alias, for team names. */
async function teamAliases(ctx: AdminContext): Promise<Map<string, string>> {
  const aliases = new Map<string, string>();
  for (const team of await ctx.store.teams.all()) if (team.teamAlias !== undefined) aliases.set(team.teamId, team.teamAlias);
  return aliases;
}

/** `GET /global/spend/report` over `ctx`; LiteLLM's precedence: api_key, internal_user_id, team_id with customer_id, then group_by. */
export function spendReportRoute(ctx: AdminContext): RouteSpec {
  return {
    method: "GET",
    paths: ["/global/spend/report"],
    summary: "Spend by day and team (or customer), or by key and model, in LiteLLM's shapes",
    access: "admin-read",
    query: SpendReportQuery,
    response: SpendReport,
    handle: async ({ query }) => {
      const range = dateRange(textParam(query, "start_date"), textParam(query, "end_date"));
      const apiKey = textParam(query, "api_key");
      const userId = textParam(query, "internal_user_id");
      const teamId = textParam(query, "team_id");
      const customerId = textParam(query, "customer_id");
      await ctx.flushSpend();
      const breakdown = (filter: BreakdownFilter) => ctx.store.spend.breakdown(filter);
      if (apiKey) return keySpend(await breakdown({ ...range, token: tokenFromKeyOrToken(apiKey) }));
      if (userId) return keySpend(await breakdown({ ...range, userId }));
      if (teamId && customerId) return teamCustomerDays(await breakdown({ ...range, teamId, endUser: customerId }), await teamAliases(ctx));
      const groupBy = textParam(query, "group_by") ?? "team";
      if (groupBy === "customer") return customerDays(await breakdown(range));
      if (groupBy === "api_key") return keySpend(await breakdown(range));
      return teamDays(await breakdown(range), await teamAliases(ctx));
    },
  };
}
