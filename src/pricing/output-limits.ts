/**
 * The largest answer of well-known model families, in tokens. The price data (genai-prices) gives
 * context windows but no output limits, and a strict budget reserves for the largest answer a call
 * may get when the request sets no `max_tokens`: without these, every model would reserve the
 * default (reserve.ts), too much for GPT-4o (16Ki) and too little for GPT-5 (128k). Limits as the
 * vendors publish them (model pages, late 2025); a deployment's `max_output_tokens` wins, and a
 * model not listed keeps the default. Only the limit of a whole family is listed, never a guess.
 */

/** Patterns on the lower-cased upstream model id (any prefix: `us.anthropic.`, `models/`, `ft:`), first match wins. */
const LIMITS: readonly (readonly [RegExp, number])[] = [
  // OpenAI
  [/gpt-5/, 128_000],
  [/(?:^|[/.:])o[134](?:-|$)/, 100_000],
  [/gpt-4\.1/, 32_768],
  [/gpt-4o-2024-05-13/, 4_096],
  [/gpt-4o/, 16_384],
  [/gpt-4-turbo|gpt-4-(?:1106|0125)|gpt-3\.5-turbo/, 4_096],
  // Anthropic (and Claude on Bedrock and Vertex AI)
  // A version is matched whole (a later claude-opus-4-x may allow more, so it is not listed).
  [/claude-(?:opus-4-5|sonnet-4-5|sonnet-4|haiku-4-5|3-7-sonnet)(?:-\d{8}|@\d{8}|-v\d|-latest|$)/, 64_000],
  [/claude-opus-4(?:-1)?(?:-\d{8}|@\d{8}|-v\d|$)/, 32_000],
  [/claude-3-5-(?:sonnet|haiku)/, 8_192],
  [/claude-3-(?:opus|sonnet|haiku)/, 4_096],
  // Google
  [/gemini-(?:2\.5|3)/, 65_536],
  [/gemini-(?:2\.0|1\.5)/, 8_192],
  // DeepSeek
  [/deepseek-reasoner/, 65_536],
  [/deepseek-chat/, 8_192],
];

/** The published output limit of `model`'s family, or undefined when it is not a listed family. */
export function knownOutputLimit(model: string): number | undefined {
  const id = model.toLowerCase();
  for (const [pattern, limit] of LIMITS) if (pattern.test(id)) return limit;
  return undefined;
}
