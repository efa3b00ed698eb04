import type { ModelPrice } from "./types.ts";

/**
 * Output tokens a strict budget reserves for when neither the request (`max_tokens`…) nor the
 * model's price (a deployment's `max_output_tokens`, or a well-known family's published limit,
 * output-limits.ts) says how long the answer can be: 64Ki, the largest output of most current
 * models. Larger would hold back budget that calls could use; smaller would let a long answer
 * overrun what was reserved. An unlisted model allowed more keeps the guarantee only when the
 * request sets `max_tokens`. The price data gives no output limits, only context windows.
 */
export const DEFAULT_OUTPUT_RESERVE = 65_536;

/**
 * The output tokens a call is reserved for: the request's cap, else the model's largest output,
 * else DEFAULT_OUTPUT_RESERVE; never more than the model's largest output or its context window.
 */
export function outputReserve(price: ModelPrice, requested: number | undefined): number {
  let tokens = requested ?? price.maxOutputTokens ?? DEFAULT_OUTPUT_RESERVE;
  if (price.maxOutputTokens !== undefined && price.maxOutputTokens < tokens) tokens = price.maxOutputTokens;
  if (price.contextWindow !== undefined && price.contextWindow < tokens) tokens = price.contextWindow;
  return tokens;
}
