/**
 * Anthropic requires `max_tokens`; OpenAI-format clients usually leave it out. When absent the
 * gateway sends the model's maximum output, from the "Max output" row of Anthropic's models
 * overview (platform.claude.com/docs/en/about-claude/models/overview, standard limits without
 * beta headers). Matched anywhere in the id so dated ids (`-20250514`), Bedrock
 * (`anthropic.claude-...-v1:0`) and Vertex (`...@20241022`) spellings resolve too. First match wins.
 */
const MAX_OUTPUT: readonly (readonly [RegExp, number])[] = [
  [/claude-3-(haiku|opus|sonnet)/, 4096],
  [/claude-3-5-(haiku|sonnet)/, 8192],
  [/claude-3-7-sonnet/, 64000],
  [/claude-opus-4-5/, 64000],
  [/claude-opus-4/, 32000],
  [/claude-(sonnet|haiku)-4/, 64000],
  // Later Claude generations: 32000, the smallest maximum of any Claude 4 model, so a model
  // this table has not heard of is never sent a value it rejects.
  [/claude-[a-z]+-([4-9]|\d\d)/, 32000],
];

/** Older or unknown models: 4096 is accepted by every Claude model. */
const FALLBACK = 4096;

/** The `max_tokens` to send when the client gave none. */
export function defaultMaxTokens(model: string): number {
  for (const [pattern, tokens] of MAX_OUTPUT) if (pattern.test(model)) return tokens;
  return FALLBACK;
}
