import type { Database, SQLQueryBindings } from "bun:sqlite";
import type { BreakdownFilter, BreakdownRow, ReportGroup, ReportRow, SpendFilter, SpendRow, SpendStore } from "../types.ts";
import { type Bindings, nullable, stringArray } from "./columns.ts";
import { Conditions, page } from "./filters.ts";

interface SpendLogRow {
  call_id: string;
  response_id: string | null;
  token: string | null;
  key_alias: string | null;
  team_id: string | null;
  organization_id: string | null;
  user_id: string | null;
  end_user: string | null;
  operation: string;
  model_requested: string;
  deployment_id: string | null;
  provider: string | null;
  upstream_model: string | null;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  cache_write_tokens: number;
  reasoning_tokens: number;
  cost_nano: number | null;
  status: number;
  outcome: string;
  error_code: string | null;
  started_at: number;
  ended_at: number;
  ttft_ms: number | null;
  stream: number;
  tags: string;
  window_key: number | null;
  window_team: number | null;
  window_user: number | null;
  window_org: number | null;
  window_member: number | null;
}

const OUTCOMES: readonly SpendRow["outcome"][] = ["ok", "error", "cancelled"];

function outcomeOf(text: string): SpendRow["outcome"] {
  // The CHECK constraint keeps other values out; "error" is only a fallback for a hand-edited row.
  return OUTCOMES.find((outcome) => outcome === text) ?? "error";
}

function spendFromRow(row: SpendLogRow): SpendRow {
  const spend: SpendRow = {
    callId: row.call_id,
    operation: row.operation,
    modelRequested: row.model_requested,
    inputTokens: row.input_tokens,
    outputTokens: row.output_tokens,
    cacheReadTokens: row.cache_read_tokens,
    cacheWriteTokens: row.cache_write_tokens,
    reasoningTokens: row.reasoning_tokens,
    costNano: row.cost_nano,
    status: row.status,
    outcome: outcomeOf(row.outcome),
    startedAt: row.started_at,
    endedAt: row.ended_at,
    stream: row.stream === 1,
    tags: stringArray(row.tags),
    windows: {},
  };
  if (row.response_id !== null) spend.responseId = row.response_id;
  if (row.token !== null) spend.token = row.token;
  if (row.key_alias !== null) spend.keyAlias = row.key_alias;
  if (row.team_id !== null) spend.teamId = row.team_id;
  if (row.organization_id !== null) spend.organizationId = row.organization_id;
  if (row.user_id !== null) spend.userId = row.user_id;
  if (row.end_user !== null) spend.endUser = row.end_user;
  if (row.deployment_id !== null) spend.deploymentId = row.deployment_id;
  if (row.provider !== null) spend.provider = row.provider;
  if (row.upstream_model !== null) spend.upstreamModel = row.upstream_model;
  if (row.error_code !== null) spend.errorCode = row.error_code;
  if (row.ttft_ms !== null) spend.ttftMs = row.ttft_ms;
  if (row.window_key !== null) spend.windows.key = row.window_key;
  if (row.window_team !== null) spend.windows.team = row.window_team;
  if (row.window_user !== null) spend.windows.user = row.window_user;
  if (row.window_org !== null) spend.windows.org = row.window_org;
  if (row.window_member !== null) spend.windows.member = row.window_member;
  return spend;
}

function spendBindings(row: SpendRow): Bindings {
  return {
    call_id: row.callId,
    response_id: nullable(row.responseId),
    token: nullable(row.token),
    key_alias: nullable(row.keyAlias),
    team_id: nullable(row.teamId),
    organization_id: nullable(row.organizationId),
    user_id: nullable(row.userId),
    end_user: nullable(row.endUser),
    operation: row.operation,
    model_requested: row.modelRequested,
    deployment_id: nullable(row.deploymentId),
    provider: nullable(row.provider),
    upstream_model: nullable(row.upstreamModel),
    input_tokens: row.inputTokens,
    output_tokens: row.outputTokens,
    cache_read_tokens: row.cacheReadTokens,
    cache_write_tokens: row.cacheWriteTokens,
    reasoning_tokens: row.reasoningTokens,
    cost_nano: row.costNano,
    status: row.status,
    outcome: row.outcome,
    error_code: nullable(row.errorCode),
    started_at: row.startedAt,
    ended_at: row.endedAt,
    ttft_ms: nullable(row.ttftMs),
    stream: row.stream ? 1 : 0,
    tags: JSON.stringify(row.tags),
    window_key: nullable(row.windows.key),
    window_team: nullable(row.windows.team),
    window_user: nullable(row.windows.user),
    window_org: nullable(row.windows.org),
    window_member: nullable(row.windows.member),
  };
}

// Derived from spendBindings so the INSERT's column list and its bound names cannot drift apart.
const SPEND_COLUMNS = Object.keys(spendBindings({
  callId: "",
  operation: "",
  modelRequested: "",
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  reasoningTokens: 0,
  costNano: null,
  status: 0,
  outcome: "ok",
  startedAt: 0,
  endedAt: 0,
  stream: false,
  tags: [],
  windows: {},
}));

/**
 * Adds a cost to one rollup. The window only moves forward: a row from a later window restarts the
 * window sum at its cost, a row from the current window adds to it, and a straggler from an older
 * window (settled late) counts in the total but cannot reset the newer window. SQLite evaluates every
 * SET expression against the row as it was, so the CASE sees the old `spend_window_start`.
 */
function rollupSql(table: "keys" | "teams" | "users" | "organizations" | "team_members", where: string): string {
  return `UPDATE ${table} SET
      spend_total_nano = spend_total_nano + $cost,
      spend_window_nano = CASE
        WHEN $window > spend_window_start THEN $cost
        WHEN $window = spend_window_start THEN spend_window_nano + $cost
        ELSE spend_window_nano END,
      spend_window_start = MAX(spend_window_start, $window)
    WHERE ${where}`;
}

type RollupStatement = ReturnType<Database["query"]>;

/** One rollup: its statement, and the owner's bindings (an id, or a team and user for a member). */
interface Rollup {
  statement: RollupStatement;
  owner(id: string): Bindings;
}

const byId = (id: string): Bindings => ({ id });
/** A member's owner id within a batch: its team and user, unambiguous whatever characters they hold. */
const memberOwner = (teamId: string, userId: string): string => JSON.stringify([teamId, userId]);
const memberBindings = (owner: string): Bindings => {
  const [teamId, userId] = JSON.parse(owner) as [string, string];
  return { team_id: teamId, user_id: userId };
};

/** Costs of one batch summed per rollup, owner and budget window. */
class Rollups {
  private readonly sums = new Map<Rollup, Map<string, Map<number, number>>>();

  add(rollup: Rollup, id: string, window: number, cost: number): void {
    let owners = this.sums.get(rollup);
    if (!owners) this.sums.set(rollup, (owners = new Map()));
    let windows = owners.get(id);
    if (!windows) owners.set(id, (windows = new Map()));
    windows.set(window, (windows.get(window) ?? 0) + cost);
  }

  apply(): void {
    for (const [rollup, owners] of this.sums) {
      for (const [id, windows] of owners) {
        const owner = rollup.owner(id);
        for (const window of [...windows.keys()].sort((a, b) => a - b)) rollup.statement.run({ ...owner, cost: windows.get(window) as number, window });
      }
    }
  }
}

/** The grouping expression per report group (constants; `""` stands for "none"). */
const GROUP_EXPRESSIONS: Record<ReportGroup, string> = {
  day: "strftime('%Y-%m-%d', started_at / 1000, 'unixepoch')",
  model: "model_requested",
  key: "COALESCE(token, '')",
  team: "COALESCE(team_id, '')",
  user: "COALESCE(user_id, '')",
};

/** The SpendStore over `db`. */
export function sqliteSpendStore(db: Database): SpendStore {
  // Positional parameters: binding an array is markedly cheaper per row than binding 30 names.
  const insertRow = db.query<unknown, SQLQueryBindings[]>(
    `INSERT INTO spend_logs (${SPEND_COLUMNS.join(", ")}) VALUES (${SPEND_COLUMNS.map(() => "?").join(", ")})
     ON CONFLICT (call_id) DO NOTHING`,
  );
  const rollKey: Rollup = { statement: db.query<unknown, Bindings>(rollupSql("keys", "token = $id")), owner: byId };
  const rollTeam: Rollup = { statement: db.query<unknown, Bindings>(rollupSql("teams", "team_id = $id")), owner: byId };
  const rollUser: Rollup = { statement: db.query<unknown, Bindings>(rollupSql("users", "user_id = $id")), owner: byId };
  const rollMember: Rollup = { statement: db.query<unknown, Bindings>(rollupSql("team_members", "team_id = $team_id AND user_id = $user_id")), owner: memberBindings };
  const rollOrganization: Rollup = { statement: db.query<unknown, Bindings>(rollupSql("organizations", "organization_id = $id")), owner: byId };

  // One transaction for the batch: any failure rolls back every row and every rollup change.
  const append = db.transaction((rows: readonly SpendRow[]): void => {
    const rollups = new Rollups();
    for (const row of rows) {
      // Already stored (a retried batch): skip it entirely so its cost is never counted twice.
      const bindings = spendBindings(row);
      if (insertRow.run(...SPEND_COLUMNS.map((column) => bindings[column] as SQLQueryBindings)).changes !== 1) continue;
      const cost = row.costNano ?? 0;
      if (row.token !== undefined) rollups.add(rollKey, row.token, row.windows.key ?? 0, cost);
      if (row.teamId !== undefined) rollups.add(rollTeam, row.teamId, row.windows.team ?? 0, cost);
      if (row.userId !== undefined) rollups.add(rollUser, row.userId, row.windows.user ?? 0, cost);
      if (row.organizationId !== undefined) rollups.add(rollOrganization, row.organizationId, row.windows.org ?? 0, cost);
      // Only a call that counted against a membership (its window is set) adds to the member's spend.
      if (row.teamId !== undefined && row.userId !== undefined && row.windows.member !== undefined) rollups.add(rollMember, memberOwner(row.teamId, row.userId), row.windows.member, cost);
    }
    // One UPDATE per owner and window rather than per row; older windows first, so applying the
    // sums gives exactly what applying each row in turn would. A rollup whose owner is gone
    // (deleted key, a member who left) matches no row and is simply not updated.
    rollups.apply();
  });

  function where(filter: { requestId?: string; token?: string; teamId?: string; userId?: string; endUser?: string; model?: string; from?: number; to?: number }): Conditions {
    return new Conditions()
      // Both columns are indexed (the primary key and spend_logs_response): SQLite answers the OR from the two.
      .add("(response_id = $request_id OR call_id = $request_id)", "request_id", filter.requestId)
      .add("token = $token", "token", filter.token)
      .add("team_id = $team_id", "team_id", filter.teamId)
      .add("user_id = $user_id", "user_id", filter.userId)
      .add("end_user = $end_user", "end_user", filter.endUser)
      .add("model_requested = $model", "model", filter.model)
      .add("started_at >= $from", "from", filter.from)
      .add("started_at < $to", "to", filter.to);
  }

  function logs(filter: SpendFilter): SpendRow[] {
    const conditions = where(filter);
    // call_id breaks ties so paging is stable when calls start in the same millisecond.
    const sql = `SELECT * FROM spend_logs${conditions.sql()} ORDER BY started_at DESC, call_id DESC LIMIT $limit OFFSET $offset`;
    return db
      .query<SpendLogRow, Bindings>(sql)
      .all({ ...conditions.params, ...page(filter.limit, filter.offset) })
      .map(spendFromRow);
  }

  function report(group: ReportGroup, range: { from?: number; to?: number }): ReportRow[] {
    const conditions = where(range);
    // SUM over INTEGER columns stays integer (and raises on overflow rather than rounding).
    const sql = `SELECT ${GROUP_EXPRESSIONS[group]} AS grp, COUNT(*) AS requests, COALESCE(SUM(cost_nano), 0) AS cost_nano, SUM(cost_nano IS NULL) AS unpriced,
        SUM(input_tokens) AS input_tokens, SUM(output_tokens) AS output_tokens,
        SUM(cache_read_tokens) AS cache_read_tokens, SUM(cache_write_tokens) AS cache_write_tokens
      FROM spend_logs${conditions.sql()} GROUP BY grp ORDER BY grp`;
    const rows = db
      .query<
        { grp: string; requests: number; cost_nano: number; unpriced: number; input_tokens: number; output_tokens: number; cache_read_tokens: number; cache_write_tokens: number },
        Bindings
      >(sql)
      .all(conditions.params);
    return rows.map((row) => ({
      group: row.grp,
      requests: row.requests,
      costNano: row.cost_nano,
      unpricedRequests: row.unpriced,
      inputTokens: row.input_tokens,
      outputTokens: row.output_tokens,
      cacheReadTokens: row.cache_read_tokens,
      cacheWriteTokens: row.cache_write_tokens,
    }));
  }

  function breakdown(filter: BreakdownFilter): BreakdownRow[] {
    const conditions = where(filter);
    const sql = `SELECT ${GROUP_EXPRESSIONS.day} AS day, team_id, end_user, model_requested, token,
        COALESCE(SUM(cost_nano), 0) AS cost_nano, SUM(input_tokens) AS input_tokens, SUM(output_tokens) AS output_tokens
      FROM spend_logs${conditions.sql()} GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`;
    const rows = db
      .query<
        { day: string; team_id: string | null; end_user: string | null; model_requested: string; token: string | null; cost_nano: number; input_tokens: number; output_tokens: number },
        Bindings
      >(sql)
      .all(conditions.params);
    return rows.map((row) => {
      const out: BreakdownRow = { day: row.day, model: row.model_requested, costNano: row.cost_nano, inputTokens: row.input_tokens, outputTokens: row.output_tokens };
      if (row.team_id !== null) out.teamId = row.team_id;
      if (row.end_user !== null) out.endUser = row.end_user;
      if (row.token !== null) out.token = row.token;
      return out;
    });
  }

  return {
    // IMMEDIATE: the batch writes from its first statement, so take the write lock up front.
    append: async (rows) => {
      if (rows.length > 0) append.immediate(rows);
    },
    logs: async (filter) => logs(filter),
    report: async (group, range) => report(group, range),
    breakdown: async (filter) => breakdown(filter),
  };
}
