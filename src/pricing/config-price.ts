import type { PriceEntry } from "../config/schema.ts";
import type { PriceOverride } from "./cost.ts";
import type { Rates } from "./types.ts";
import { perMillion } from "./units.ts";

const RATE_FIELDS = { input: "input", output: "output", cache_read: "cacheRead", cache_write: "cacheWrite", cache_write_1h: "cacheWrite1h", reasoning: "reasoning" } as const;

type RateSource = Partial<Record<keyof typeof RATE_FIELDS, number>>;

/** The rates given in dollars per million tokens, as pico-dollars per token; a rate finer than that is a problem, not a rounding. */
function ratesOf(entry: RateSource, path: string, problems: string[]): Partial<Rates> {
  const rates: Partial<Rates> = {};
  for (const [field, target] of Object.entries(RATE_FIELDS) as [keyof typeof RATE_FIELDS, keyof Rates][]) {
    const value = entry[field];
    if (value === undefined) continue;
    try {
      rates[target] = perMillion(value);
    } catch (error) {
      problems.push(`${path}.${field}: ${(error as Error).message}`);
    }
  }
  return rates;
}

/** A config `price` (dollars per million tokens) as a price override in pico-dollars per token; problems are reported, not thrown. */
export function priceOverrideOf(entry: PriceEntry | undefined, path: string, problems: string[]): PriceOverride | undefined {
  if (!entry) return undefined;
  const override: PriceOverride = ratesOf(entry, path, problems);
  if (entry.tiers) override.tiers = entry.tiers.map((tier, index) => ({ above: tier.above, ...ratesOf(tier, `${path}.tiers[${index}]`, problems) }));
  if (entry.context_window !== undefined) override.contextWindow = entry.context_window;
  if (entry.max_output_tokens !== undefined) override.maxOutputTokens = entry.max_output_tokens;
  return override;
}
