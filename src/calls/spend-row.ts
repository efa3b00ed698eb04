import type { Caller } from "../auth/caller.ts";
import type { BudgetScope } from "../budgets/book.ts";
import type { SpendRow } from "../store/types.ts";
import type { CallRecord } from "../telemetry/calls.ts";

const NO_TAGS: string[] = [];

/** The ledger row of a call that reached an upstream: who, what, how much, how it went. */
export function spendRowOf(record: CallRecord, caller: Caller, windows: Partial<Record<BudgetScope, number>>): SpendRow {
  const usage = record.usage;
  const key = caller.kind === "key" ? caller.key : undefined;
  // Built by assignment, not spreads: this runs once per call.
  const row: SpendRow = {
    callId: record.callId,
    operation: record.operation,
    modelRequested: record.model,
    inputTokens: usage?.input ?? 0,
    outputTokens: usage?.output ?? 0,
    cacheReadTokens: usage?.cacheRead ?? 0,
    cacheWriteTokens: usage?.cacheWrite ?? 0,
    reasoningTokens: usage?.reasoning ?? 0,
    costNano: costOfRow(record),
    status: record.status,
    outcome: record.outcome,
    startedAt: record.startedAt,
    endedAt: record.startedAt + Math.round(record.durationMs),
    stream: record.stream,
    tags: tagsOf(key?.tags ?? NO_TAGS, record.tags ?? NO_TAGS),
    windows,
  };
  if (key) {
    row.token = key.token;
    if (key.keyAlias) row.keyAlias = key.keyAlias;
    if (key.teamId) row.teamId = key.teamId;
    if (key.userId) row.userId = key.userId;
  }
  if (caller.kind === "key" && caller.organization) row.organizationId = caller.organization.organizationId;
  if (record.responseId) row.responseId = record.responseId;
  if (record.endUser) row.endUser = record.endUser;
  if (record.deploymentId) row.deploymentId = record.deploymentId;
  if (record.provider) row.provider = record.provider;
  if (record.upstreamModel) row.upstreamModel = record.upstreamModel;
  if (record.errorCode) row.errorCode = record.errorCode;
  if (record.ttftMs !== undefined) row.ttftMs = Math.round(record.ttftMs);
  return row;
}

/**
 * The ledger's cost: the priced cost; NULL ("cost unknown") when tokens were used but the model
 * has no price, or a call succeeded without reporting usage; 0 for a call that failed before
 * using anything (nothing was generated, nothing is billed).
 */
function costOfRow(record: CallRecord): number | null {
  if (record.costNano !== undefined) return record.costNano;
  return record.usage || record.outcome === "ok" ? null : 0;
}

/** The key's tags and the request's, once each. */
function tagsOf(keyTags: string[], requestTags: string[]): string[] {
  if (requestTags.length === 0) return keyTags;
  if (keyTags.length === 0) return requestTags;
  return [...new Set([...keyTags, ...requestTags])];
}
