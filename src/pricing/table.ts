/**
 * Embedded price table, keyed by provider-qualified model id (`<provider>/<upstream model>`).
 *
 * Prices are the providers' published standard (non-batch, non-priority) list prices in US dollars
 * per million tokens, converted by `perMillion` at load time, so a price that is not a whole number
 * of nano-dollars per token fails on import instead of rounding. As published around 2025-11
 * (compiled from these pages' content as known then; not re-fetched on 2026-11-23, so re-check):
 *   OpenAI     https://platform.openai.com/docs/pricing  (cached input = "Cached input")
 *   Anthropic  https://docs.claude.com/en/docs/about-claude/pricing  (5m / 1h cache writes, cache hits)
 *   Bedrock    https://aws.amazon.com/bedrock/pricing/  (Claude, on-demand, same as Anthropic's list)
 *   Gemini     https://ai.google.dev/gemini-api/docs/pricing  (paid tier, text input, context caching)
 *   Mistral    https://mistral.ai/pricing#api-pricing
 *   DeepSeek   https://api-docs.deepseek.com/quick_start/pricing  (V3.2: cache hit / cache miss)
 *   Groq       https://groq.com/pricing
 * Prices change: every deployment can override any field in config (see `priceFor`).
 * Where a provider has no cache discount, `cacheRead` equals `input`; where cache writes cost no
 * more than input (OpenAI, Gemini implicit caching, DeepSeek), `cacheWrite` equals `input`.
 * Not modelled: batch/flex/priority tiers, Gemini cache storage per hour, audio/image token rates.
 */
import type { LongContextPrice, ModelPrice } from "./types.ts";
import { perMillion } from "./units.ts";

/** A price row as published: dollars per million tokens. */
interface Published {
  in: number;
  out: number;
  /** Cache-hit input; defaults to `in` (no discount). */
  cached?: number;
  /** Cache write (Anthropic 5m); defaults to `in`. */
  write?: number;
  write1h?: number;
  reasoning?: number;
  long?: { above: number; in: number; out: number; cached: number; write?: number; write1h?: number };
  ctx: number;
  max: number;
}

function row(p: Published): ModelPrice {
  const price: ModelPrice = {
    input: perMillion(p.in),
    output: perMillion(p.out),
    cacheRead: perMillion(p.cached ?? p.in),
    cacheWrite: perMillion(p.write ?? p.in),
    contextWindow: p.ctx,
    maxOutputTokens: p.max,
  };
  if (p.write1h !== undefined) price.cacheWrite1h = perMillion(p.write1h);
  if (p.reasoning !== undefined) price.reasoning = perMillion(p.reasoning);
  if (p.long) {
    const long: LongContextPrice = {
      above: p.long.above,
      input: perMillion(p.long.in),
      output: perMillion(p.long.out),
      cacheRead: perMillion(p.long.cached),
      cacheWrite: perMillion(p.long.write ?? p.long.in),
    };
    if (p.long.write1h !== undefined) long.cacheWrite1h = perMillion(p.long.write1h);
    price.longContext = long;
  }
  return price;
}

// Anthropic rows are shared with Bedrock. Cache write 5m = 1.25× input, 1h = 2×, read = 0.1×.
const claude = {
  "claude-opus-4-5": { in: 5, out: 25, cached: 0.5, write: 6.25, write1h: 10, ctx: 200_000, max: 64_000 },
  "claude-opus-4-1": { in: 15, out: 75, cached: 1.5, write: 18.75, write1h: 30, ctx: 200_000, max: 32_000 },
  "claude-opus-4": { in: 15, out: 75, cached: 1.5, write: 18.75, write1h: 30, ctx: 200_000, max: 32_000 },
  // Sonnet 4 / 4.5: 200k context; the 1M-context beta bills the whole call at the long rates past 200k.
  "claude-sonnet-4-5": {
    in: 3, out: 15, cached: 0.3, write: 3.75, write1h: 6, ctx: 200_000, max: 64_000,
    long: { above: 200_000, in: 6, out: 22.5, cached: 0.6, write: 7.5, write1h: 12 },
  },
  "claude-sonnet-4": {
    in: 3, out: 15, cached: 0.3, write: 3.75, write1h: 6, ctx: 200_000, max: 64_000,
    long: { above: 200_000, in: 6, out: 22.5, cached: 0.6, write: 7.5, write1h: 12 },
  },
  "claude-3-7-sonnet": { in: 3, out: 15, cached: 0.3, write: 3.75, write1h: 6, ctx: 200_000, max: 64_000 },
  "claude-haiku-4-5": { in: 1, out: 5, cached: 0.1, write: 1.25, write1h: 2, ctx: 200_000, max: 64_000 },
  "claude-3-5-haiku": { in: 0.8, out: 4, cached: 0.08, write: 1, write1h: 1.6, ctx: 200_000, max: 8_192 },
  "claude-3-haiku": { in: 0.25, out: 1.25, cached: 0.03, write: 0.3, write1h: 0.5, ctx: 200_000, max: 4_096 },
} satisfies Record<string, Published>;

const published: Record<string, Published> = {
  // OpenAI. Reasoning tokens are billed as output.
  "openai/gpt-5.1": { in: 1.25, out: 10, cached: 0.125, ctx: 400_000, max: 128_000 },
  "openai/gpt-5": { in: 1.25, out: 10, cached: 0.125, ctx: 400_000, max: 128_000 },
  "openai/gpt-5-mini": { in: 0.25, out: 2, cached: 0.025, ctx: 400_000, max: 128_000 },
  "openai/gpt-5-nano": { in: 0.05, out: 0.4, cached: 0.005, ctx: 400_000, max: 128_000 },
  "openai/gpt-4.1": { in: 2, out: 8, cached: 0.5, ctx: 1_047_576, max: 32_768 },
  "openai/gpt-4.1-mini": { in: 0.4, out: 1.6, cached: 0.1, ctx: 1_047_576, max: 32_768 },
  "openai/gpt-4.1-nano": { in: 0.1, out: 0.4, cached: 0.025, ctx: 1_047_576, max: 32_768 },
  "openai/gpt-4o": { in: 2.5, out: 10, cached: 1.25, ctx: 128_000, max: 16_384 },
  // The first gpt-4o snapshot kept its launch price and has no cache discount.
  "openai/gpt-4o-2024-05-13": { in: 5, out: 15, ctx: 128_000, max: 4_096 },
  "openai/gpt-4o-mini": { in: 0.15, out: 0.6, cached: 0.075, ctx: 128_000, max: 16_384 },
  "openai/o3": { in: 2, out: 8, cached: 0.5, ctx: 200_000, max: 100_000 },
  "openai/o4-mini": { in: 1.1, out: 4.4, cached: 0.275, ctx: 200_000, max: 100_000 },
  "openai/o3-mini": { in: 1.1, out: 4.4, cached: 0.55, ctx: 200_000, max: 100_000 },
  "openai/o1": { in: 15, out: 60, cached: 7.5, ctx: 200_000, max: 100_000 },

  ...Object.fromEntries(Object.entries(claude).map(([id, p]) => [`anthropic/${id}`, p])),
  // Bedrock model ids (geo prefix, date and version suffix are stripped by lookup.ts).
  ...Object.fromEntries(Object.entries(claude).map(([id, p]) => [`bedrock/anthropic.${id}`, p])),

  // Gemini (paid tier, text/image/video input). Thinking tokens are billed as output.
  "gemini/gemini-2.5-pro": {
    in: 1.25, out: 10, cached: 0.125, ctx: 1_048_576, max: 65_536,
    long: { above: 200_000, in: 2.5, out: 15, cached: 0.25 },
  },
  "gemini/gemini-2.5-flash": { in: 0.3, out: 2.5, cached: 0.03, ctx: 1_048_576, max: 65_536 },
  "gemini/gemini-2.5-flash-lite": { in: 0.1, out: 0.4, cached: 0.01, ctx: 1_048_576, max: 65_536 },
  "gemini/gemini-2.0-flash": { in: 0.1, out: 0.4, cached: 0.025, ctx: 1_048_576, max: 8_192 },
  "gemini/gemini-2.0-flash-lite": { in: 0.075, out: 0.3, ctx: 1_048_576, max: 8_192 },

  // Mistral publishes no separate output cap; the context window is the limit.
  "mistral/mistral-large": { in: 2, out: 6, ctx: 131_072, max: 131_072 },
  "mistral/mistral-medium": { in: 0.4, out: 2, ctx: 131_072, max: 131_072 },
  "mistral/mistral-small": { in: 0.1, out: 0.3, ctx: 131_072, max: 131_072 },
  "mistral/codestral": { in: 0.3, out: 0.9, ctx: 256_000, max: 256_000 },
  "mistral/ministral-8b": { in: 0.1, out: 0.1, ctx: 131_072, max: 131_072 },
  "mistral/ministral-3b": { in: 0.04, out: 0.04, ctx: 131_072, max: 131_072 },
  "mistral/open-mistral-nemo": { in: 0.15, out: 0.15, ctx: 131_072, max: 131_072 },

  // DeepSeek V3.2: `cached` is the cache-hit price, `in` the cache-miss price.
  "deepseek/deepseek-chat": { in: 0.28, out: 0.42, cached: 0.028, ctx: 128_000, max: 8_192 },
  "deepseek/deepseek-reasoner": { in: 0.28, out: 0.42, cached: 0.028, ctx: 128_000, max: 65_536 },

  // Groq (no prompt-cache discount modelled).
  "groq/llama-3.3-70b-versatile": { in: 0.59, out: 0.79, ctx: 131_072, max: 32_768 },
  "groq/llama-3.1-8b-instant": { in: 0.05, out: 0.08, ctx: 131_072, max: 131_072 },
  "groq/meta-llama/llama-4-scout-17b-16e-instruct": { in: 0.11, out: 0.34, ctx: 131_072, max: 8_192 },
  "groq/meta-llama/llama-4-maverick-17b-128e-instruct": { in: 0.2, out: 0.6, ctx: 131_072, max: 8_192 },
  "groq/openai/gpt-oss-120b": { in: 0.15, out: 0.75, ctx: 131_072, max: 65_536 },
  "groq/openai/gpt-oss-20b": { in: 0.1, out: 0.5, ctx: 131_072, max: 65_536 },
};

/** Every embedded price, keyed by `<provider>/<model>`, in nano-dollars per token. */
export const PRICES: ReadonlyMap<string, ModelPrice> = new Map(
  Object.entries(published).map(([id, p]) => [id, Object.freeze(row(p))]),
);

/**
 * Exact aliases the generic snapshot rules in lookup.ts do not cover: other published ids of the
 * same model at the same price. Older snapshots at other prices are deliberately absent.
 */
export const ALIASES: ReadonlyMap<string, string> = new Map([
  ["gemini/gemini-2.0-flash-001", "gemini/gemini-2.0-flash"],
  ["gemini/gemini-2.0-flash-lite-001", "gemini/gemini-2.0-flash-lite"],
  ["mistral/mistral-large-2411", "mistral/mistral-large"],
  ["mistral/mistral-medium-2505", "mistral/mistral-medium"],
  ["mistral/mistral-medium-2508", "mistral/mistral-medium"],
  ["mistral/mistral-small-2506", "mistral/mistral-small"],
  ["mistral/codestral-2508", "mistral/codestral"],
  ["mistral/ministral-8b-2410", "mistral/ministral-8b"],
  ["mistral/ministral-3b-2410", "mistral/ministral-3b"],
  ["mistral/open-mistral-nemo-2407", "mistral/open-mistral-nemo"],
  ["mistral/mistral-nemo", "mistral/open-mistral-nemo"],
]);
