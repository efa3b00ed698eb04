/**
 * Records as the management API shows them: LiteLLM's field names, dollars as JSON numbers (plus
 * exact `*_usd` strings), times as ISO 8601, absent values as `null`. The key itself never
 * appears here: only its token and masked name.
 */
import { budgetWindow } from "../budgets/window.ts";
import { formatUsd } from "../pricing/units.ts";
import { memberId, type BudgetScope } from "../budgets/book.ts";
import type { KeyRecord, OrganizationRecord, Principal, TeamMembership, TeamRecord, UserRecord } from "../store/types.ts";
import { isoOrNull } from "./dates.ts";
import { nanoToUsd } from "./money.ts";
import { objectPermissionJson } from "./object-permission.ts";
import type { AdminContext } from "./types.ts";

const orNull = <T>(value: T | undefined): T | null => (value === undefined ? null : value);

/** Money fields: `spend` is the current budget window's spend (all time without a duration), as LiteLLM resets it. */
function principalJson(ctx: AdminContext, scope: BudgetScope, id: string, p: Principal) {
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
    object_permission: objectPermissionJson(key.objectPermission),
    ...principalJson(ctx, "key", key.token, key),
  };
}
export type KeyJson = ReturnType<typeof keyJson>;

/** A team, with its members as LiteLLM's `members_with_roles`. */
export function teamJson(ctx: AdminContext, team: TeamRecord) {
  return {
    team_id: team.teamId,
    team_alias: orNull(team.teamAlias),
    organization_id: orNull(team.organizationId),
    tags: team.tags,
    members_with_roles: team.members.map((member) => ({ user_id: member.userId, user_email: orNull(member.userEmail), role: member.role })),
    team_member_permissions: team.memberPermissions,
    model_aliases: team.modelAliases,
    object_permission: objectPermissionJson(team.objectPermission),
    ...principalJson(ctx, "team", team.teamId, team),
  };
}

/**
 * A user's membership of a team as LiteLLM's `team_memberships` show it: its spend with the team's
 * keys and its budget and limits there (`litellm_budget_table`; Switchboard keeps them on the
 * membership, so there is no budget id).
 */
export function membershipJson(ctx: AdminContext, teamId: string, member: TeamMembership) {
  const spend = ctx.spendOf("member", memberId(teamId, member.userId), member);
  return {
    team_id: teamId,
    user_id: member.userId,
    budget_id: null,
    spend: nanoToUsd(spend.totalNano),
    spend_usd: formatUsd(spend.totalNano),
    litellm_budget_table: {
      budget_id: null,
      max_budget: member.maxBudgetNano === undefined ? null : nanoToUsd(member.maxBudgetNano),
      soft_budget: null,
      budget_duration: null,
      max_parallel_requests: null,
      rpm_limit: orNull(member.rpmLimit),
      tpm_limit: orNull(member.tpmLimit),
      model_max_budget: null,
    },
  };
}

/** Every membership of a team, or only `userId`'s. */
export function membershipsJson(ctx: AdminContext, team: TeamRecord, userId?: string) {
  return team.members.filter((member) => userId === undefined || member.userId === userId).map((member) => membershipJson(ctx, team.teamId, member));
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

/** An organisation with its teams; its budget also nested as LiteLLM's `litellm_budget_table`, where LiteLLM clients read it. */
export function organizationJson(ctx: AdminContext, organization: OrganizationRecord, teams: readonly TeamRecord[]) {
  const principal = principalJson(ctx, "org", organization.organizationId, organization);
  return {
    organization_id: organization.organizationId,
    organization_alias: orNull(organization.organizationAlias),
    object_permission: objectPermissionJson(organization.objectPermission),
    ...principal,
    litellm_budget_table: {
      max_budget: principal.max_budget,
      budget_duration: principal.budget_duration,
      budget_reset_at: principal.budget_reset_at,
      rpm_limit: principal.rpm_limit,
      tpm_limit: principal.tpm_limit,
      max_parallel_requests: principal.max_parallel_requests,
    },
    teams: teams.map((team) => teamJson(ctx, team)),
  };
}
