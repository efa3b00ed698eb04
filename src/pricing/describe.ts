import type { ModelPrice, Rates } from "./types.ts";
import { picoToPerMillion } from "./units.ts";

const usd = (pico: number) => `$${picoToPerMillion(pico)}`;

function ratesText(rates: Rates): string {
  const parts = [`${usd(rates.input)} in`, `${usd(rates.output)} out`];
  if (rates.cacheRead !== rates.input) parts.push(`${usd(rates.cacheRead)} cache read`);
  if (rates.cacheWrite !== rates.input) parts.push(`${usd(rates.cacheWrite)} cache write`);
  if (rates.cacheWrite1h !== undefined) parts.push(`${usd(rates.cacheWrite1h)} 1h cache write`);
  if (rates.reasoning !== undefined) parts.push(`${usd(rates.reasoning)} reasoning`);
  return parts.join(", ");
}

/** A price as people read it: `$2.5 in, $10 out, $1.25 cache read per 1M tokens; past 200000 input tokens … (genai-prices openai/gpt-4o)`. */
export function describePrice(price: ModelPrice): string {
  let text = `${ratesText(price)} per 1M tokens`;
  for (const tier of price.tiers ?? []) text += `; past ${tier.above} input tokens ${ratesText(tier)}`;
  if (price.request !== undefined) text += `; ${usd(price.request)} per 1M calls`;
  return `${text} (${price.source})`;
}
