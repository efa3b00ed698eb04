import type { Usage } from "../canonical/usage.ts";
import { lookupPrice } from "./lookup.ts";
import type { CostBreakdown, LongContextPrice, ModelPrice } from "./types.ts";
import { assertNano } from "./units.ts";

/** Extra counts the canonical model's Usage does not carry. */
export interface CostOptions {
  /** How many of `usage.cacheWrite` were Anthropic 1-hour TTL writes (the rest are 5-minute). */
  cacheWrite1h?: number;
}

/** A token count as a non-negative integer; missing or invalid counts are 0, fractions round up. */
const tokens = (value: number | undefined): number =>
  value !== undefined && Number.isFinite(value) && value > 0 ? Math.ceil(value) : 0;

/**
 * Prices one call's usage exactly in integer nano-dollars. `usage.input` includes cache reads and
 * writes (uncached = input − cacheRead − cacheWrite, never below 0); reasoning is priced apart only
 * when the model has a `reasoning` rate, otherwise it stays inside output. Past
 * `longContext.above` input tokens the whole call uses the long-context rates.
 */
export function costOf(usage: Usage, price: ModelPrice, options: CostOptions = {}): CostBreakdown {
  const input = tokens(usage.input);
  const cacheRead = Math.min(tokens(usage.cacheRead), input);
  const cacheWrite = Math.min(tokens(usage.cacheWrite), input - cacheRead);
  const write1h = Math.min(tokens(options.cacheWrite1h), cacheWrite);
  const tier: ModelPrice | LongContextPrice =
    price.longContext && input > price.longContext.above ? price.longContext : price;

  const output = tokens(usage.output);
  const reasoning = price.reasoning === undefined ? 0 : Math.min(tokens(usage.reasoning), output);

  const cost: CostBreakdown = {
    input: (input - cacheRead - cacheWrite) * tier.input,
    cacheRead: cacheRead * tier.cacheRead,
    cacheWrite: (cacheWrite - write1h) * tier.cacheWrite + write1h * (tier.cacheWrite1h ?? tier.cacheWrite),
    output: (output - reasoning) * tier.output,
    total: 0,
  };
  if (price.reasoning !== undefined) cost.reasoning = reasoning * price.reasoning;
  cost.total = assertNano(cost.input + cost.cacheRead + cost.cacheWrite + cost.output + (cost.reasoning ?? 0), "cost");
  return cost;
}

const RATE_FIELDS = ["input", "output", "cacheRead", "cacheWrite", "cacheWrite1h", "reasoning"] as const;
const LIMIT_FIELDS = ["contextWindow", "maxOutputTokens"] as const;

function checkOverride(override: Partial<ModelPrice>, where: string): void {
  for (const field of RATE_FIELDS) {
    const value = override[field];
    if (value !== undefined && !(Number.isSafeInteger(value) && value >= 0)) {
      throw new RangeError(`${where}.${field} must be a non-negative integer of nano-dollars per token, got ${value}`);
    }
  }
  for (const field of LIMIT_FIELDS) {
    const value = override[field];
    if (value !== undefined && !(Number.isSafeInteger(value) && value > 0)) {
      throw new RangeError(`${where}.${field} must be a positive integer of tokens, got ${value}`);
    }
  }
}

/**
 * The price of `<provider>/<model>`: the embedded row with a deployment's `override` fields laid
 * over it. A model missing from the table is priced from the override alone when it gives input,
 * output, contextWindow and maxOutputTokens (cache rates then default to the input rate);
 * otherwise undefined. Throws RangeError on a malformed override.
 */
export function priceFor(provider: string, model: string, override?: Partial<ModelPrice>): ModelPrice | undefined {
  const base = lookupPrice(provider, model);
  if (!override) return base;
  checkOverride(override, `price override for ${provider}/${model}`);
  const given = Object.fromEntries(Object.entries(override).filter(([, v]) => v !== undefined)) as Partial<ModelPrice>;
  if (base) return { ...base, ...given };
  const { input, output, contextWindow, maxOutputTokens } = given;
  if (input === undefined || output === undefined || contextWindow === undefined || maxOutputTokens === undefined) return undefined;
  return { cacheRead: input, cacheWrite: input, ...given, input, output, contextWindow, maxOutputTokens };
}
