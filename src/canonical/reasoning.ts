import type { Reasoning } from "./chat.ts";

/**
 * The gateway's one table between OpenAI's `reasoning_effort` and a thinking budget in tokens, for
 * providers that take only one of the two. `minimal` and `low` get Anthropic's minimum budget; `high`
 * leaves room for an answer under every Claude 4 model's max output.
 */
export const EFFORT_BUDGETS = { minimal: 1024, low: 1024, medium: 4096, high: 16000 } as const;

/** The effort a thinking budget stands for (the inverse of EFFORT_BUDGETS). */
export function effortOfBudget(budget: number): NonNullable<Reasoning["effort"]> {
  return budget <= EFFORT_BUDGETS.low ? "low" : budget <= EFFORT_BUDGETS.medium ? "medium" : "high";
}
