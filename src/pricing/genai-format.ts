/**
 * genai-prices' data format (what `@pydantic/genai-prices` embeds and what its published
 * `data.json` holds), converted into Switchboard's exact prices. Only what a chat or embeddings
 * call is billed for is read: input, output, cache read, cache write (5-minute and 1-hour),
 * reasoning output, a per-request fee, long-context tiers, and dated or time-of-day prices.
 * Audio, image, video, web-search and storage prices are not modelled. A malformed entry is
 * reported and leaves its model unpriced; it never throws, so a price file cannot break a call.
 */
import { PriceSchedule, type PriceCondition, type ScheduledPrice } from "./schedule.ts";
import type { ModelPrice, PriceTier, Rates } from "./types.ts";
import { perMillionRoundedUp, perThousandCallsRoundedUp } from "./units.ts";

/** A price that changes past an input-token count (`tiers` apply when input > `start`). */
interface TieredValue {
  base: number;
  tiers: { start: number; price: number }[];
}

/** A model's prices: `<unit>_mtok` dollars per million, `requests_kcount` dollars per thousand calls, … */
export type GenaiPrices = Record<string, unknown>;

/** One model row of the price data. */
export interface GenaiModel {
  id: string;
  match: unknown;
  context_window?: number;
  prices: GenaiPrices | { constraint?: Record<string, unknown>; prices: GenaiPrices }[];
}

/** One provider of the price data. */
export interface GenaiProvider {
  id: string;
  models: GenaiModel[];
  /** Providers whose rows this one's models fall back to (Azure: OpenAI, Anthropic, …). */
  fallback_model_providers?: string[];
}

/** What converting prices noticed: rates rounded up to the pico-dollar, entries that could not be read. */
export interface ConversionNotes {
  rounded: string[];
  problems: string[];
}

const RATE_KEYS = {
  input_mtok: "input",
  output_mtok: "output",
  cache_read_mtok: "cacheRead",
  cache_write_mtok: "cacheWrite",
  cache_write_1h_mtok: "cacheWrite1h",
  output_reasoning_mtok: "reasoning",
} as const satisfies Record<string, keyof Rates>;

type RateKey = keyof typeof RATE_KEYS;

const isNumber = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value) && value >= 0;

function isTiered(value: unknown): value is TieredValue {
  if (!value || typeof value !== "object") return false;
  const { base, tiers } = value as Partial<TieredValue>;
  return isNumber(base) && Array.isArray(tiers) && tiers.every((t) => t && Number.isSafeInteger(t.start) && t.start >= 0 && isNumber(t.price));
}

/** Reads one price object; undefined when it prices no tokens (audio-only, per-request-only) or is malformed. */
function priceOf(prices: GenaiPrices, label: string, source: string, contextWindow: number | undefined, notes: ConversionNotes): ModelPrice | undefined {
  const values = new Map<RateKey, TieredValue>();
  for (const key of Object.keys(RATE_KEYS) as RateKey[]) {
    const value = prices[key];
    if (value === undefined) continue;
    if (isNumber(value)) values.set(key, { base: value, tiers: [] });
    else if (isTiered(value)) values.set(key, { base: value.base, tiers: [...value.tiers].sort((a, b) => a.start - b.start) });
    else {
      notes.problems.push(`${label}: ${key} is not a non-negative number or tiered price`);
      return undefined;
    }
  }
  if (!values.has("input_mtok") && !values.has("output_mtok")) return undefined;

  const pico = (key: RateKey, dollars: number): number => {
    const { pico: rate, exact } = perMillionRoundedUp(dollars);
    if (!exact) notes.rounded.push(`${label} ${key} $${dollars} per million tokens`);
    return rate;
  };
  /** Each key's rate for calls with more than `above` input tokens (its last tier starting at or below it). */
  const ratesAbove = (above: number): Rates => {
    const rate = (key: RateKey): number | undefined => {
      const value = values.get(key);
      if (!value) return undefined;
      let dollars = value.base;
      for (const tier of value.tiers) if (above >= tier.start) dollars = tier.price;
      return pico(key, dollars);
    };
    const input = rate("input_mtok") ?? 0;
    const rates: Rates = { input, output: rate("output_mtok") ?? 0, cacheRead: rate("cache_read_mtok") ?? input, cacheWrite: rate("cache_write_mtok") ?? input };
    const write1h = rate("cache_write_1h_mtok");
    if (write1h !== undefined) rates.cacheWrite1h = write1h;
    const reasoning = rate("output_reasoning_mtok");
    if (reasoning !== undefined) rates.reasoning = reasoning;
    return rates;
  };

  const price: ModelPrice = { ...ratesAbove(-1), source };
  const starts = [...new Set([...values.values()].flatMap((v) => v.tiers.map((t) => t.start)))].sort((a, b) => a - b);
  if (starts.length > 0) price.tiers = starts.map((above): PriceTier => ({ above, ...ratesAbove(above) }));
  const requests = prices.requests_kcount;
  if (isNumber(requests)) {
    const { pico: perCall, exact } = perThousandCallsRoundedUp(requests);
    if (!exact) notes.rounded.push(`${label} requests_kcount $${requests}`);
    if (perCall > 0) price.request = perCall;
  }
  if (contextWindow !== undefined && Number.isSafeInteger(contextWindow) && contextWindow > 0) price.contextWindow = contextWindow;
  return price;
}

const TIME = /^(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(Z|([+-])(\d{2}):(\d{2}))$/;

/** `HH:MM:SS` with a zone, as seconds of the UTC day. */
function utcSecond(text: unknown): number | undefined {
  const match = typeof text === "string" ? TIME.exec(text) : null;
  if (!match) return undefined;
  const [, h, m, s, zone, sign, zh = "0", zm = "0"] = match;
  const local = Number(h) * 3600 + Number(m) * 60 + Number(s);
  const offset = zone === "Z" ? 0 : (sign === "+" ? 1 : -1) * (Number(zh) * 3600 + Number(zm) * 60);
  return (((local - offset) % 86_400) + 86_400) % 86_400;
}

/** A price entry's constraint; undefined when there is none, null when it cannot be read. */
function conditionOf(constraint: Record<string, unknown> | undefined): PriceCondition | undefined | null {
  if (constraint === undefined) return undefined;
  if (typeof constraint.start_date === "string" && /^\d{4}-\d{2}-\d{2}$/.test(constraint.start_date)) {
    const ms = Date.parse(`${constraint.start_date}T00:00:00Z`);
    return Number.isNaN(ms) ? null : { kind: "from", ms };
  }
  const start = utcSecond(constraint.start_time);
  const end = utcSecond(constraint.end_time);
  return start === undefined || end === undefined ? null : { kind: "daily", start, end };
}

/** A model's price schedule, or undefined when it has no token price Switchboard can apply. */
export function scheduleOf(provider: string, model: GenaiModel, notes: ConversionNotes): PriceSchedule | undefined {
  const label = `${provider}/${model.id}`;
  const source = `genai-prices ${label}`;
  const contextWindow = typeof model.context_window === "number" ? model.context_window : undefined;
  const list = Array.isArray(model.prices) ? model.prices : [{ prices: model.prices }];
  const entries: ScheduledPrice[] = [];
  for (const entry of list) {
    if (!entry || typeof entry !== "object" || !entry.prices || typeof entry.prices !== "object") {
      notes.problems.push(`${label}: a price entry has no prices`);
      return undefined;
    }
    const when = conditionOf(entry.constraint);
    if (when === null) {
      notes.problems.push(`${label}: unreadable price constraint ${JSON.stringify(entry.constraint)}`);
      return undefined;
    }
    const price = priceOf(entry.prices, label, source, contextWindow, notes);
    if (!price) return undefined;
    entries.push(when ? { price, when } : { price });
  }
  return entries.length > 0 ? new PriceSchedule(entries) : undefined;
}
