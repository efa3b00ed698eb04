import type { Reasoning } from "../../canonical/chat.ts";
import { GatewayError } from "../../canonical/errors.ts";
import { cannotDisableThinking, minimumThinkingLevel, usesGemini3Features } from "./models.ts";
import type { GeminiThinkingConfig } from "./wire.ts";

/**
 * Budgets for OpenAI's `reasoning_effort` on models that take a budget (Gemini 2.5): LiteLLM's
 * defaults, so a request moved from LiteLLM thinks as much as it did there.
 */
export const EFFORT_BUDGETS = { minimal: 128, low: 1024, medium: 2048, high: 4096 } as const;

/**
 * The canonical model's reasoning controls as `thinkingConfig`; undefined leaves the model's default (Gemini
 * 2.5 and 3 think by default, without returning thoughts).
 * - An explicit budget is sent as `thinkingBudget` on every model (Gemini 3 still takes budgets).
 * - An effort level is a `thinkingLevel` on Gemini 3 (`minimal` becomes the model's lowest level)
 *   and a budget (EFFORT_BUDGETS) on older models.
 * - Thinking turned off: budget 0, or 128 on 2.5 Pro (its minimum); on Gemini 3, which cannot turn
 *   thinking off, the lowest level.
 * Thought summaries (`includeThoughts`) are asked for whenever the client asked for reasoning.
 */
export function toGeminiThinkingConfig(reasoning: Reasoning | undefined, model: string): GeminiThinkingConfig | undefined {
  if (!reasoning) return undefined;
  const gemini3 = usesGemini3Features(model);
  if (reasoning.enabled === false) {
    if (gemini3) return { thinkingLevel: minimumThinkingLevel(model) };
    return { thinkingBudget: cannotDisableThinking(model) ? 128 : 0 };
  }
  if (reasoning.budgetTokens !== undefined) {
    const budget = reasoning.budgetTokens;
    if (!Number.isInteger(budget) || budget < 0) {
      throw new GatewayError("caller.invalid_request", `A thinking budget must be a whole number of tokens, got ${budget}.`, { param: "thinking" });
    }
    return { thinkingBudget: budget, includeThoughts: true };
  }
  if (reasoning.effort !== undefined) {
    if (!gemini3) return { thinkingBudget: EFFORT_BUDGETS[reasoning.effort], includeThoughts: true };
    const level = reasoning.effort === "minimal" ? minimumThinkingLevel(model) : reasoning.effort;
    return { thinkingLevel: level, includeThoughts: true };
  }
  // Reasoning asked for with no amount (e.g. `thinking: enabled` without a budget): the model's own.
  return reasoning.enabled === true ? { includeThoughts: true } : undefined;
}
