import { EFFORT_BUDGETS } from "../../canonical/reasoning.ts";
import type { ChatRequest } from "../../canonical/chat.ts";
import { GatewayError } from "../../canonical/errors.ts";
import { defaultMaxTokens } from "./max-tokens.ts";

/** Anthropic's smallest `thinking.budget_tokens`. */
export const MIN_THINKING_BUDGET = 1024;


/** Room for the answer itself when the gateway picks `max_tokens` around an explicit budget. */
const ANSWER_ROOM = 4096;

/** `max_tokens` and the thinking budget, decided together: the budget must stay below `max_tokens`. */
export interface TokenPlan {
  maxTokens: number;
  /** Undefined: thinking stays off. */
  budget?: number;
}

/**
 * Plans `max_tokens` and extended thinking. An explicit budget below the minimum, or not below an
 * explicit `max_tokens`, fails naming the field; an effort-derived budget is cut to fit under the
 * client's `max_tokens`. Without a client `max_tokens` the upstream `model`'s default is raised to fit the budget.
 */
export function planTokens(request: ChatRequest, model: string): TokenPlan {
  const reasoning = request.reasoning;
  const explicitMax = request.maxTokens;
  let budget: number | undefined;
  if (reasoning && reasoning.enabled !== false) {
    if (reasoning.budgetTokens !== undefined) {
      budget = reasoning.budgetTokens;
      if (!Number.isInteger(budget) || budget < MIN_THINKING_BUDGET) {
        throw new GatewayError("caller.invalid_request", `Anthropic needs a thinking budget of at least ${MIN_THINKING_BUDGET} tokens, got ${budget}.`, { param: "thinking" });
      }
      if (explicitMax !== undefined && budget >= explicitMax) {
        throw new GatewayError("caller.invalid_request", `max_tokens (${explicitMax}) must be greater than the thinking budget (${budget}) on Anthropic.`, { param: "max_tokens" });
      }
    } else if (reasoning.effort !== undefined) {
      budget = EFFORT_BUDGETS[reasoning.effort];
      if (explicitMax !== undefined && budget >= explicitMax) {
        if (explicitMax - 1 < MIN_THINKING_BUDGET) {
          throw new GatewayError(
            "caller.invalid_request",
            `Extended thinking on Anthropic needs max_tokens above ${MIN_THINKING_BUDGET}, got ${explicitMax}. Raise max_tokens or leave out reasoning_effort.`,
            { param: "max_tokens" },
          );
        }
        budget = explicitMax - 1;
      }
    }
  }
  if (explicitMax !== undefined) return budget === undefined ? { maxTokens: explicitMax } : { maxTokens: explicitMax, budget };
  const fallback = defaultMaxTokens(model);
  if (budget === undefined) return { maxTokens: fallback };
  return { maxTokens: budget < fallback ? fallback : budget + ANSWER_ROOM, budget };
}
