import type { Caller } from "../auth/caller.ts";
import type { BudgetScope } from "../budgets/book.ts";
import type { SpendRow } from "../store/types.ts";
import type { CallRecord } from "../telemetry/calls.ts";

/** The ledger row of a call that reached an upstream: who, what, how much, how it went. */
export function spendRowOf(record: CallRecord, caller: Caller, windows: Partial<Record<BudgetScope, number>>): SpendRow {
  const usage = record.usage;
  const key = caller.kind === "key" ? caller.key : undefined;
  const tags = [...(key?.tags ?? []), ...(record.tags ?? [])];
  return {
    callId: record.callId,
    ...(key ? { token: key.token } : {}),
    ...(key?.keyAlias ? { keyAlias: key.keyAlias } : {}),
    ...(key?.teamId ? { teamId: key.teamId } : {}),
    ...(key?.userId ? { userId: key.userId } : {}),
    ...(record.endUser ? { endUser: record.endUser } : {}),
    operation: record.operation,
    modelRequested: record.model,
    ...(record.deploymentId ? { deploymentId: record.deploymentId } : {}),
    ...(record.provider ? { provider: record.provider } : {}),
    ...(record.upstreamModel ? { upstreamModel: record.upstreamModel } : {}),
    inputTokens: usage?.input ?? 0,
    outputTokens: usage?.output ?? 0,
    cacheReadTokens: usage?.cacheRead ?? 0,
    cacheWriteTokens: usage?.cacheWrite ?? 0,
    reasoningTokens: usage?.reasoning ?? 0,
    costNano: record.costNano ?? null,
    status: record.status,
    outcome: record.outcome,
    ...(record.errorCode ? { errorCode: record.errorCode } : {}),
    startedAt: record.startedAt,
    endedAt: record.startedAt + Math.round(record.durationMs),
    ...(record.ttftMs !== undefined ? { ttftMs: Math.round(record.ttftMs) } : {}),
    stream: record.stream,
    tags: [...new Set(tags)],
    windows,
  };
}
