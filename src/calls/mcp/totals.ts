/** What a tool loop's rounds and tool calls add up to: the usage and cost its final answer reports. */
import type { Usage } from "../../canonical/usage.ts";

export interface LoopTotals {
  usage?: Usage;
  /** Nano-dollars of every round and priced tool call so far. */
  costNano: number;
  /** False once a round had no known cost: the total is then unknown, and not reported. */
  priced: boolean;
}

const OPTIONAL = ["cacheRead", "cacheWrite", "reasoning", "audioInput", "audioOutput"] as const;

/** Adds one round's usage and cost. */
export function addUsage(totals: LoopTotals, usage: Usage | undefined, costNano: number | undefined): void {
  if (costNano === undefined) totals.priced = false;
  else totals.costNano += costNano;
  if (!usage) return;
  const sum: Usage = totals.usage ? { ...totals.usage } : { input: 0, output: 0 };
  sum.input += usage.input;
  sum.output += usage.output;
  for (const field of OPTIONAL) {
    const value = usage[field];
    if (value !== undefined) sum[field] = (sum[field] ?? 0) + value;
  }
  totals.usage = sum;
}
