import type { SpendRow } from "../../src/store/types.ts";

/** 2023-11-14T22:13:20.000Z: a fixed start so day grouping is deterministic. */
export const T0 = 1_700_000_000_000;

/** A spend row with plain defaults (priced, ok, no key/team/user); `fields` overrides any of them. */
export function spendRow(callId: string, fields: Partial<SpendRow> = {}): SpendRow {
  return {
    callId,
    operation: "chat",
    modelRequested: "gpt-4o",
    inputTokens: 10,
    outputTokens: 20,
    cacheReadTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    costNano: 1_000,
    status: 200,
    outcome: "ok",
    startedAt: T0,
    endedAt: T0 + 500,
    stream: false,
    tags: [],
    windows: {},
    ...fields,
  };
}
