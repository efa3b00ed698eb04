/**
 * API fields (snake_case, dollars, durations) to store fields (camelCase, nano-dollars, epoch ms).
 * A field absent from the body is left out of the patch (kept); `null` clears it on update.
 */
import { budgetWindow, parseDuration } from "../budgets/window.ts";
import type { KeyPatch, OrganizationPatch, TeamPatch, UserPatch } from "../store/types.ts";
import { invalid } from "./errors.ts";
import { usdToNano } from "./money.ts";
import { objectPermissionPatch } from "./object-permission.ts";
import type { KeyFields, NewUserBody, PrincipalBody, UpdateOrganizationBody, UpdateTeamBody } from "./schemas.ts";
import { echo } from "../canonical/echo.ts";

type PrincipalPatch = Pick<KeyPatch, "models" | "blocked" | "metadata" | "rpmLimit" | "tpmLimit" | "maxParallelRequests" | "maxBudgetNano" | "budgetDuration">;

/** Checks a duration with the budget windows' own parser (the schema's pattern says the same; this keeps them honest). */
export function checkDuration(param: string, text: string): string {
  if (!parseDuration(text)) throw invalid(`Invalid value for '${param}': expected a duration such as 30s, 15m, 1h, 30d or 1mo, got '${echo(text)}'.`, param);
  return text.trim();
}

/** When a key set to last `duration` from `now` expires ("mo" is calendar months). */
export function expiryAfter(duration: string, now: number): number {
  const { resetAt } = budgetWindow(now, checkDuration("duration", duration), now);
  if (resetAt === undefined) throw invalid(`Invalid value for 'duration': '${echo(duration)}' is not a duration.`, "duration");
  return resetAt;
}

/** Copies `value` under `key` unless it is undefined (absent), mapping non-null values. */
function put<T, K extends string, V>(out: Partial<Record<K, V | null>>, key: K, value: T | null | undefined, map: (value: T) => V): void {
  if (value === undefined) return;
  out[key] = value === null ? null : map(value);
}

const same = <T>(value: T): T => value;

/** The principal part of a patch. */
export function principalPatch(body: PrincipalBody): PrincipalPatch {
  const out: Record<string, unknown> = {};
  put(out, "models", body.models, same);
  put(out, "blocked", body.blocked, same);
  put(out, "metadata", body.metadata, same);
  put(out, "rpmLimit", body.rpm_limit, same);
  put(out, "tpmLimit", body.tpm_limit, same);
  put(out, "maxParallelRequests", body.max_parallel_requests, same);
  put(out, "maxBudgetNano", body.max_budget, (usd) => usdToNano(usd, "max_budget"));
  put(out, "budgetDuration", body.budget_duration, (text) => checkDuration("budget_duration", text));
  return out as PrincipalPatch;
}

/** A key patch from the key fields of a body; `duration` becomes an expiry counted from `now`. */
export function keyPatch(body: KeyFields, now: number): KeyPatch {
  const out: KeyPatch = { ...principalPatch(body) };
  put(out, "keyAlias", body.key_alias, same);
  put(out, "teamId", body.team_id, same);
  put(out, "userId", body.user_id, same);
  put(out, "aliases", body.aliases, same);
  put(out, "tags", body.tags, same);
  put(out, "expiresAt", body.duration, (duration) => expiryAfter(duration, now));
  put(out, "objectPermission", body.object_permission, objectPermissionPatch);
  return out;
}

/** A team patch. */
export function teamPatch(body: Omit<UpdateTeamBody, "team_id">): TeamPatch {
  const out: TeamPatch = { ...principalPatch(body) };
  put(out, "teamAlias", body.team_alias, same);
  put(out, "organizationId", body.organization_id, same);
  put(out, "tags", body.tags, same);
  put(out, "memberPermissions", body.team_member_permissions, same);
  put(out, "modelAliases", body.model_aliases, same);
  put(out, "objectPermission", body.object_permission, objectPermissionPatch);
  return out;
}

/** An organisation patch (its unapplied LiteLLM fields already removed). */
export function organizationPatch(body: Omit<UpdateOrganizationBody, "organization_id">): OrganizationPatch {
  const out: OrganizationPatch = { ...principalPatch(body) };
  put(out, "organizationAlias", body.organization_alias, same);
  put(out, "objectPermission", body.object_permission, objectPermissionPatch);
  return out;
}

/** A user patch. */
export function userPatch(body: Pick<NewUserBody, keyof PrincipalBody | "user_email" | "user_alias" | "user_role">): UserPatch {
  const out: UserPatch = { ...principalPatch(body) };
  put(out, "userEmail", body.user_email, same);
  put(out, "userAlias", body.user_alias, same);
  put(out, "userRole", body.user_role, same);
  return out;
}

/** A patch without its nulls: what a create takes (`null` on create means "not set"). */
export function withoutNulls<T extends object>(patch: T): { [K in keyof T]: Exclude<T[K], null> } {
  return Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== null)) as { [K in keyof T]: Exclude<T[K], null> };
}
