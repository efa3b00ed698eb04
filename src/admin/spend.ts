/**
 * The ledger: `/spend/logs`, `/spend/totals` and `/global/spend/report` (spend-report.ts). Each
 * stores queued rows first, so recent calls show.
 */
import { tokenFromKeyOrToken } from "../auth/key-material.ts";
import { formatUsd } from "../pricing/units.ts";
import { forbidden, type AccessPolicy } from "../auth/policy.ts";
import type { Caller } from "../auth/caller.ts";
import type { RouteSpec } from "../server/route-spec.ts";
import type { ReportGroup, ReportRow, SpendRow } from "../store/types.ts";
import { dateRange, isoOrNull } from "./dates.ts";
import { nanoToUsd } from "./money.ts";
import { intParam, textParam } from "./query.ts";
import { SpendLogs, SpendTotals } from "./responses.ts";
import { SpendLogsQuery, SpendTotalsQuery } from "./schemas.ts";
import { spendReportRoute } from "./spend-report.ts";
import type { AdminContext } from "./types.ts";

const orNull = <T>(value: T | undefined): T | null => (value === undefined ? null : value);

/** One ledger row in LiteLLM's spend-log field names, plus ours. */
export function spendLogJson(row: SpendRow) {
  return {
    request_id: row.responseId ?? row.callId,
    call_id: row.callId,
    call_type: row.operation,
    api_key: row.token ?? "",
    key_alias: orNull(row.keyAlias),
    spend: row.costNano === null ? null : nanoToUsd(row.costNano),
    spend_usd: row.costNano === null ? null : formatUsd(row.costNano),
    total_tokens: row.inputTokens + row.outputTokens,
    prompt_tokens: row.inputTokens,
    completion_tokens: row.outputTokens,
    cache_read_input_tokens: row.cacheReadTokens,
    cache_creation_input_tokens: row.cacheWriteTokens,
    reasoning_tokens: row.reasoningTokens,
    startTime: new Date(row.startedAt).toISOString(),
    endTime: new Date(row.endedAt).toISOString(),
    completionStartTime: isoOrNull(row.ttftMs === undefined ? undefined : row.startedAt + row.ttftMs),
    ttft_ms: orNull(row.ttftMs),
    model: row.modelRequested,
    model_id: orNull(row.deploymentId),
    upstream_model: orNull(row.upstreamModel),
    custom_llm_provider: orNull(row.provider),
    user: row.userId ?? "",
    team_id: orNull(row.teamId),
    organization_id: orNull(row.organizationId),
    end_user: orNull(row.endUser),
    request_tags: row.tags,
    status: row.outcome === "ok" ? ("success" as const) : ("failure" as const),
    http_status: row.status,
    outcome: row.outcome,
    error_code: orNull(row.errorCode),
    stream: row.stream,
    metadata: {
      user_api_key: orNull(row.token),
      user_api_key_alias: orNull(row.keyAlias),
      user_api_key_team_id: orNull(row.teamId),
      user_api_key_org_id: orNull(row.organizationId),
      user_api_key_user_id: orNull(row.userId),
    },
  };
}

/** One report row. */
function reportRowJson(row: ReportRow) {
  return {
    group: row.group,
    spend: nanoToUsd(row.costNano),
    spend_usd: formatUsd(row.costNano),
    requests: row.requests,
    unpriced_requests: row.unpricedRequests,
    prompt_tokens: row.inputTokens,
    completion_tokens: row.outputTokens,
    cache_read_input_tokens: row.cacheReadTokens,
    cache_creation_input_tokens: row.cacheWriteTokens,
  };
}

/**
 * The ledger filter a caller may read: anything for those who read everything; else its own
 * user's calls, or (a key without a user) its own calls.
 */
function ownSpend(policy: AccessPolicy, caller: Caller, asked: { token?: string | undefined; userId?: string | undefined }): { token?: string; userId?: string } {
  const filter = { ...(asked.token ? { token: asked.token } : {}), ...(asked.userId ? { userId: asked.userId } : {}) };
  if (policy.readsAll(caller)) return filter;
  const userId = policy.userOf(caller);
  if (userId !== undefined) {
    if (asked.userId !== undefined && asked.userId !== userId) throw forbidden(`Only user '${asked.userId}' itself or a proxy admin may read its spend`, caller);
    return { ...filter, userId };
  }
  const own = policy.keyOf(caller)?.token;
  if (own === undefined || (asked.token !== undefined && asked.token !== own) || asked.userId !== undefined) throw forbidden("Only a proxy admin may read other keys' spend", caller);
  return { token: own };
}

/** The spend routes over `ctx`; `policy` narrows other callers to their own spend. */
export function spendRoutes(ctx: AdminContext, policy: AccessPolicy): RouteSpec[] {
  return [
    {
      method: "GET",
      paths: ["/spend/logs"],
      summary: "Ledger rows, newest first, filtered by answer id, key, user, team, model and date (a user's key reads its user's rows)",
      access: "self",
      query: SpendLogsQuery,
      response: SpendLogs,
      handle: async ({ query, caller }) => {
        const range = dateRange(textParam(query, "start_date"), textParam(query, "end_date"));
        const limit = intParam(query, "limit", 100, 1, 1_000);
        const offset = intParam(query, "offset", 0, 0, Number.MAX_SAFE_INTEGER);
        const requestId = textParam(query, "request_id");
        const apiKey = textParam(query, "api_key");
        const teamId = textParam(query, "team_id");
        const model = textParam(query, "model");
        const own = ownSpend(policy, caller, { token: apiKey ? tokenFromKeyOrToken(apiKey) : undefined, userId: textParam(query, "user_id") });
        await ctx.flushSpend();
        const rows = await ctx.store.spend.logs({
          ...range,
          ...(requestId ? { requestId } : {}),
          ...own,
          ...(teamId ? { teamId } : {}),
          ...(model ? { model } : {}),
          limit,
          offset,
        });
        return rows.map(spendLogJson);
      },
    },
    {
      method: "GET",
      paths: ["/spend/totals"],
      summary: "Exact spend, requests and tokens grouped by day, model, key, team or user (Switchboard's report)",
      access: "admin-read",
      query: SpendTotalsQuery,
      response: SpendTotals,
      handle: async ({ query }) => {
        const startDate = textParam(query, "start_date");
        const endDate = textParam(query, "end_date");
        const range = dateRange(startDate, endDate);
        const groupBy = (textParam(query, "group_by") ?? "day") as ReportGroup;
        await ctx.flushSpend();
        const rows = await ctx.store.spend.report(groupBy, range);
        return { group_by: groupBy, start_date: orNull(startDate), end_date: orNull(endDate), rows: rows.map(reportRowJson) };
      },
    },
    spendReportRoute(ctx),
  ];
}
