/**
 * Records as the management API shows them: LiteLLM's field names, dollars as JSON numbers (plus
 * exact `*_usd` strings), times as ISO 8601, absent values as `null`. The key itself never
 * appears here: only its token and masked name.
 */
import { budgetWindow } from "../budgets/window.ts";
import { formatUsd } from "../pricing/units.ts";
import type { KeyRecord, Principal, TeamRecord, UserRecord } from "../store/types.ts";
import { isoOrNull } from "./dates.ts";
import { nanoToUsd } from "./money.ts";
import type { AdminContext } from "./types.ts";

const orNull = <T>(value: T | undefined): T | null => (value === undefined ? null : value);

/** Money fields: `spend` is the current budget window's spend (all time without a duration), as LiteLLM resets it. */
function principalJson(ctx: AdminContext, scope: "key" | "team" | "user", id: string, p: Principal) {
  const now = ctx.now();
  const spend = ctx.spendOf(scope, id, p);
  return {
    models: p.models,
    max_budget: p.maxBudgetNano === undefined ? null : nanoToUsd(p.maxBudgetNano),
    budget_duration: orNull(p.budgetDuration),
    budget_reset_at: isoOrNull(budgetWindow(p.budgetAnchor, p.budgetDuration, now).resetAt),
    rpm_limit: orNull(p.rpmLimit),
    tpm_limit: orNull(p.tpmLimit),
    max_parallel_requests: orNull(p.maxParallelRequests),
    metadata: p.metadata,
    blocked: p.blocked,
    spend: nanoToUsd(spend.windowNano),
    spend_usd: formatUsd(spend.windowNano),
    total_spend: nanoToUsd(spend.totalNano),
    total_spend_usd: formatUsd(spend.totalNano),
    created_at: new Date(p.createdAt).toISOString(),
    updated_at: new Date(p.updatedAt).toISOString(),
  };
}

/** A key without its secret. */
export function keyJson(ctx: AdminContext, key: KeyRecord) {
  return {
    token: key.token,
    key_name: key.keyName,
    key_alias: orNull(key.keyAlias),
    expires: isoOrNull(key.expiresAt),
    team_id: orNull(key.teamId),
    user_id: orNull(key.userId),
    aliases: key.aliases,
    tags: key.tags,
    ...principalJson(ctx, "key", key.token, key),
  };
}
export type KeyJson = ReturnType<typeof keyJson>;

/** A team. */
export function teamJson(ctx: AdminContext, team: TeamRecord) {
  return { team_id: team.teamId, team_alias: orNull(team.teamAlias), tags: team.tags, ...principalJson(ctx, "team", team.teamId, team) };
}

/** A user, with the ids of the teams it is a member of. */
export function userJson(ctx: AdminContext, user: UserRecord, teams: readonly string[]) {
  return {
    user_id: user.userId,
    user_email: orNull(user.userEmail),
    user_alias: orNull(user.userAlias),
    user_role: user.userRole,
    teams: [...teams],
    ...principalJson(ctx, "user", user.userId, user),
  };
}
