import type { Usage } from "../canonical/usage.ts";
import type { CostBreakdown, ModelPrice, PriceTier, Rates } from "./types.ts";
import { assertNano, picoToNanoUp, PICO_PER_NANO } from "./units.ts";

/** Extra counts the canonical model's Usage does not carry. */
export interface CostOptions {
  /** How many of `usage.cacheWrite` were Anthropic 1-hour TTL writes (the rest are 5-minute). */
  cacheWrite1h?: number;
}

/** A token count as a non-negative integer; missing or invalid counts are 0, fractions round up. */
const tokens = (value: number | undefined): number =>
  value !== undefined && Number.isFinite(value) && value > 0 ? Math.ceil(value) : 0;

/** The rates a call with `input` tokens is priced at: the highest tier it passes, else the base rates. */
export function ratesFor(price: ModelPrice, input: number): Rates {
  const tiers = price.tiers;
  if (tiers) {
    for (let i = tiers.length - 1; i >= 0; i--) {
      const tier = tiers[i] as PriceTier;
      if (input > tier.above) return tier;
    }
  }
  return price;
}

const BIG_NANO = BigInt(PICO_PER_NANO);
const bigNanoUp = (pico: bigint): number => assertNano(Number((pico + BIG_NANO - 1n) / BIG_NANO), "cost");

/**
 * Prices one call's usage exactly: per kind of token, count × rate in integer pico-dollars, summed
 * exactly, then rounded up once to the ledger's nano-dollar (units.ts). `usage.input` includes
 * cache reads and writes (uncached = input − cacheRead − cacheWrite, never below 0); reasoning is
 * priced apart only when the model has a `reasoning` rate, otherwise it stays inside output. Past
 * a tier's `above` input tokens the whole call uses that tier's rates. A per-call fee is added
 * once. Each part of the breakdown is rounded up on its own; `total` is the exact sum rounded up.
 */
export function costOf(usage: Usage, price: ModelPrice, options: CostOptions = {}): CostBreakdown {
  const input = tokens(usage.input);
  const cacheRead = Math.min(tokens(usage.cacheRead), input);
  const cacheWrite = Math.min(tokens(usage.cacheWrite), input - cacheRead);
  const write1h = Math.min(tokens(options.cacheWrite1h), cacheWrite);
  const rates = ratesFor(price, input);
  const output = tokens(usage.output);
  const reasoning = rates.reasoning === undefined ? 0 : Math.min(tokens(usage.reasoning), output);
  const write1hRate = rates.cacheWrite1h ?? rates.cacheWrite;

  const inputPico = (input - cacheRead - cacheWrite) * rates.input;
  const readPico = cacheRead * rates.cacheRead;
  const writePico = (cacheWrite - write1h) * rates.cacheWrite + write1h * write1hRate;
  const outputPico = (output - reasoning) * rates.output;
  const reasoningPico = reasoning * (rates.reasoning ?? 0);
  const requestPico = price.request ?? 0;
  const totalPico = inputPico + readPico + writePico + outputPico + reasoningPico + requestPico;
  // Every term is a non-negative integer product: while the sum is a safe integer, so is each term,
  // and all of it was computed exactly. Past 2^53 pico-dollars (~$9,000 for one call) redo it in BigInt.
  if (totalPico > Number.MAX_SAFE_INTEGER) {
    return bigCostOf([input - cacheRead - cacheWrite, rates.input], [cacheRead, rates.cacheRead], [cacheWrite - write1h, rates.cacheWrite, write1h, write1hRate], [output - reasoning, rates.output], [reasoning, rates.reasoning ?? 0], requestPico, rates.reasoning !== undefined);
  }
  const cost: CostBreakdown = {
    input: picoToNanoUp(inputPico),
    cacheRead: picoToNanoUp(readPico),
    cacheWrite: picoToNanoUp(writePico),
    output: picoToNanoUp(outputPico),
    total: picoToNanoUp(totalPico),
  };
  if (rates.reasoning !== undefined) cost.reasoning = picoToNanoUp(reasoningPico);
  if (requestPico > 0) cost.request = picoToNanoUp(requestPico);
  return cost;
}

/** `costOf` in BigInt, for a call whose cost passes 2^53 pico-dollars. */
function bigCostOf(input: number[], read: number[], write: number[], output: number[], reasoning: number[], request: number, reasoningApart: boolean): CostBreakdown {
  const product = (pairs: number[]): bigint => {
    let sum = 0n;
    for (let i = 0; i < pairs.length; i += 2) sum += BigInt(pairs[i] as number) * BigInt(pairs[i + 1] as number);
    return sum;
  };
  const parts = [product(input), product(read), product(write), product(output), product(reasoning), BigInt(request)] as const;
  const total = parts.reduce((a, b) => a + b, 0n);
  const cost: CostBreakdown = { input: bigNanoUp(parts[0]), cacheRead: bigNanoUp(parts[1]), cacheWrite: bigNanoUp(parts[2]), output: bigNanoUp(parts[3]), total: bigNanoUp(total) };
  if (reasoningApart) cost.reasoning = bigNanoUp(parts[4]);
  if (request > 0) cost.request = bigNanoUp(parts[5]);
  return cost;
}

/**
 * The most a call can cost, in nano-dollars rounded up: `inputTokens` at the dearest input rate
 * (uncached, cache read or cache write) plus `outputTokens` at the dearest output rate, at the
 * tier `inputTokens` falls in, plus any per-call fee. What a strict budget reserves.
 */
export function maxCostNano(price: ModelPrice, inputTokens: number, outputTokens: number): number {
  const rates = ratesFor(price, inputTokens);
  const inputRate = Math.max(rates.input, rates.cacheRead, rates.cacheWrite, rates.cacheWrite1h ?? 0);
  const outputRate = Math.max(rates.output, rates.reasoning ?? 0);
  const request = price.request ?? 0;
  const pico = inputTokens * inputRate + outputTokens * outputRate + request;
  if (pico <= Number.MAX_SAFE_INTEGER) return picoToNanoUp(pico);
  return bigNanoUp(BigInt(inputTokens) * BigInt(inputRate) + BigInt(outputTokens) * BigInt(outputRate) + BigInt(request));
}

/** A deployment's own price fields (pico-dollars per token), laid over the price data's row. */
export interface PriceOverride extends Partial<Rates> {
  /** Replaces the row's tiers (an empty list removes them); each tier's missing rates are the base rates. */
  tiers?: readonly (Partial<Rates> & { above: number })[];
  request?: number;
  contextWindow?: number;
  maxOutputTokens?: number;
}

const RATE_FIELDS = ["input", "output", "cacheRead", "cacheWrite", "cacheWrite1h", "reasoning"] as const;

/** The rates of `from` with `override`'s defined rates laid over them. */
function laid(from: Rates, override: Partial<Rates>): Rates {
  const rates: Rates = { input: from.input, output: from.output, cacheRead: from.cacheRead, cacheWrite: from.cacheWrite };
  if (from.cacheWrite1h !== undefined) rates.cacheWrite1h = from.cacheWrite1h;
  if (from.reasoning !== undefined) rates.reasoning = from.reasoning;
  for (const field of RATE_FIELDS) {
    const value = override[field];
    if (value !== undefined) rates[field] = value;
  }
  return rates;
}

/**
 * A deployment's price: its override laid over the data's row, field by field; the row's tiers
 * stay unless the override gives its own. Without a row the override must give input and output
 * (cache rates then default to the input rate); it needs no token limits. Undefined when neither
 * prices the model.
 */
export function overlay(base: ModelPrice | undefined, override: PriceOverride | undefined, source = "deployment price"): ModelPrice | undefined {
  if (!override) return base;
  let rates: Rates;
  if (base) rates = laid(base, override);
  else if (override.input !== undefined && override.output !== undefined) {
    rates = laid({ input: override.input, output: override.output, cacheRead: override.input, cacheWrite: override.input }, override);
  } else return undefined;
  const price: ModelPrice = { ...rates, source: base ? `${source} over ${base.source}` : source };
  if (override.tiers) {
    if (override.tiers.length > 0) price.tiers = [...override.tiers].sort((a, b) => a.above - b.above).map((tier) => ({ above: tier.above, ...laid(rates, tier) }));
  } else if (base?.tiers) price.tiers = base.tiers;
  const request = override.request ?? base?.request;
  if (request !== undefined) price.request = request;
  const contextWindow = override.contextWindow ?? base?.contextWindow;
  if (contextWindow !== undefined) price.contextWindow = contextWindow;
  const maxOutputTokens = override.maxOutputTokens ?? base?.maxOutputTokens;
  if (maxOutputTokens !== undefined) price.maxOutputTokens = maxOutputTokens;
  return price;
}
