import type { Principal } from "../types.ts";
import { type Bindings, nullable, objectOf, patched, stringArray } from "./columns.ts";

/** The columns keys, teams and users share (see PRINCIPAL_COLUMNS in migrations.ts), as read. */
export interface PrincipalRow {
  models: string;
  blocked: number;
  metadata: string;
  rpm_limit: number | null;
  tpm_limit: number | null;
  max_parallel_requests: number | null;
  max_budget_nano: number | null;
  budget_duration: string | null;
  budget_anchor: number;
  spend_total_nano: number;
  spend_window_nano: number;
  spend_window_start: number;
  created_at: number;
  updated_at: number;
}

/** The principal fields a caller can set; the spend rollups and timestamps are the store's. */
export type PrincipalSettings = Pick<
  Principal,
  "models" | "blocked" | "metadata" | "rpmLimit" | "tpmLimit" | "maxParallelRequests" | "maxBudgetNano" | "budgetDuration" | "budgetAnchor"
>;

/** A patch of the settable principal fields: absent keeps, `null` clears. */
export type PrincipalPatch = { [K in Exclude<keyof PrincipalSettings, "budgetAnchor">]?: PrincipalSettings[K] | null };

/** Settable principal columns, in one fixed order for INSERT and UPDATE statements. */
const SETTABLE_COLUMNS = [
  "models",
  "blocked",
  "metadata",
  "rpm_limit",
  "tpm_limit",
  "max_parallel_requests",
  "max_budget_nano",
  "budget_duration",
  "budget_anchor",
] as const;

/** `models, blocked, ...` for an INSERT column list (constant names only, no values). */
export const PRINCIPAL_INSERT_COLUMNS = SETTABLE_COLUMNS.join(", ");
/** `$models, $blocked, ...` matching PRINCIPAL_INSERT_COLUMNS. */
export const PRINCIPAL_INSERT_VALUES = SETTABLE_COLUMNS.map((column) => `$${column}`).join(", ");
/** `models = $models, ...` for an UPDATE. */
export const PRINCIPAL_SET = SETTABLE_COLUMNS.map((column) => `${column} = $${column}`).join(", ");

/** The principal part of a record; NULL columns are left out. */
export function principalFromRow(row: PrincipalRow): Principal {
  const principal: Principal = {
    models: stringArray(row.models),
    blocked: row.blocked === 1,
    metadata: objectOf(row.metadata),
    budgetAnchor: row.budget_anchor,
    spend: { totalNano: row.spend_total_nano, windowNano: row.spend_window_nano, windowStart: row.spend_window_start },
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  if (row.rpm_limit !== null) principal.rpmLimit = row.rpm_limit;
  if (row.tpm_limit !== null) principal.tpmLimit = row.tpm_limit;
  if (row.max_parallel_requests !== null) principal.maxParallelRequests = row.max_parallel_requests;
  if (row.max_budget_nano !== null) principal.maxBudgetNano = row.max_budget_nano;
  if (row.budget_duration !== null) principal.budgetDuration = row.budget_duration;
  return principal;
}

/**
 * Applies a patch. A changed `budgetDuration` re-anchors the budget at `now`, so the first window of
 * the new duration starts when it was set rather than at some point in the past.
 */
export function patchPrincipal(current: PrincipalSettings, patch: PrincipalPatch, now: number): PrincipalSettings {
  const budgetDuration = patched(current.budgetDuration, patch.budgetDuration, undefined);
  return {
    models: patched(current.models, patch.models, []),
    blocked: patched(current.blocked, patch.blocked, false),
    metadata: patched(current.metadata, patch.metadata, {}),
    rpmLimit: patched(current.rpmLimit, patch.rpmLimit, undefined),
    tpmLimit: patched(current.tpmLimit, patch.tpmLimit, undefined),
    maxParallelRequests: patched(current.maxParallelRequests, patch.maxParallelRequests, undefined),
    maxBudgetNano: patched(current.maxBudgetNano, patch.maxBudgetNano, undefined),
    budgetDuration,
    budgetAnchor: budgetDuration === current.budgetDuration ? current.budgetAnchor : now,
  };
}

/** The settings of a principal created at `now` from the caller's fields. */
export function newPrincipal(fields: PrincipalPatch, now: number): PrincipalSettings {
  return patchPrincipal({ models: [], blocked: false, metadata: {}, budgetAnchor: now }, fields, now);
}

/** Named parameters for PRINCIPAL_INSERT_VALUES / PRINCIPAL_SET. */
export function principalBindings(settings: PrincipalSettings): Bindings {
  return {
    models: JSON.stringify(settings.models),
    blocked: settings.blocked ? 1 : 0,
    metadata: JSON.stringify(settings.metadata),
    rpm_limit: nullable(settings.rpmLimit),
    tpm_limit: nullable(settings.tpmLimit),
    max_parallel_requests: nullable(settings.maxParallelRequests),
    max_budget_nano: nullable(settings.maxBudgetNano),
    budget_duration: nullable(settings.budgetDuration),
    budget_anchor: settings.budgetAnchor,
  };
}
