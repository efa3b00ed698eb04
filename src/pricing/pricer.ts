import type { PriceCatalogue } from "./catalogue.ts";
import { overlay, type PriceOverride } from "./cost.ts";
import { knownOutputLimit } from "./output-limits.ts";
import { PriceSchedule } from "./schedule.ts";
import type { ModelPrice } from "./types.ts";

/** A place the price data may price a provider's models: a genai-prices provider id, and the model id as its rows name it. */
export interface PriceSource {
  id: string;
  /** The upstream model id as this source's rows write it (Bedrock's `us.anthropic.claude-…-v1:0` for Anthropic's rows). */
  model?(model: string): string;
}

/** Where one deployment's models are priced. */
export interface PriceSpec {
  /** Price data sources, tried in order (a host of another vendor's models lists that vendor after its own). */
  sources: readonly PriceSource[];
  /** One price for every model of the provider (the mock's nominal price), instead of the data. */
  nominal?: PriceOverride;
  /** The deployment's own price (config `price:`, LiteLLM's cost fields), laid over either. */
  override?: PriceOverride;
}

/** Prices an upstream model of one deployment at a moment (epoch ms, default now); undefined when it has no price. */
export interface PriceOf {
  (model: string, at?: number): ModelPrice | undefined;
  /** Models this deployment was asked to price and could not, first seen first (at most MAX_UNPRICED). */
  unpriced(): readonly string[];
}

/** Distinct models one deployment remembers (a wildcard sees as many as clients send; the cache is emptied when full). */
const MAX_MODELS = 1024;
/** Unpriced models one deployment lists for `GET /health`. */
const MAX_UNPRICED = 100;

/** The price schedule of `model` under `spec`, or undefined: one lookup in the data, done once per model. */
function scheduleFor(catalogue: PriceCatalogue, spec: PriceSpec, model: string): PriceSchedule | undefined {
  let schedule: PriceSchedule | undefined;
  if (spec.nominal) {
    const nominal = overlay(undefined, spec.nominal, "nominal price");
    if (nominal) schedule = new PriceSchedule([{ price: nominal }]);
  } else {
    for (const source of spec.sources) {
      const hit = catalogue.lookup(source.id, source.model ? source.model(model) : model);
      if (hit?.schedule) {
        schedule = hit.schedule;
        break;
      }
    }
  }
  const override = spec.override;
  if (override) {
    if (schedule) schedule = schedule.map((price) => overlay(price, override) as ModelPrice);
    else {
      const own = overlay(undefined, override);
      if (own) schedule = new PriceSchedule([{ price: own }]);
    }
  }
  // The data has no output limits: a well-known family's bounds what a strict budget reserves, unless the deployment set its own.
  const limit = schedule && knownOutputLimit(model);
  if (!schedule || limit === undefined) return schedule;
  return schedule.map((price) => (price.maxOutputTokens === undefined ? { ...price, maxOutputTokens: limit } : price));
}

/**
 * A deployment's memoised pricer: the price data is searched once per distinct model, after
 * which pricing a call is a map lookup (plus, for the few models with dated or time-of-day
 * prices, a comparison or two). The memory is bounded: a wildcard deployment that has seen
 * MAX_MODELS models starts over.
 */
export function makePricer(catalogue: PriceCatalogue, spec: PriceSpec): PriceOf {
  const cache = new Map<string, PriceSchedule | null>();
  const unpriced: string[] = [];
  const priceOf = (model: string, at?: number): ModelPrice | undefined => {
    let schedule = cache.get(model);
    if (schedule === undefined) {
      if (cache.size >= MAX_MODELS) cache.clear();
      schedule = scheduleFor(catalogue, spec, model) ?? null;
      cache.set(model, schedule);
      if (!schedule && unpriced.length < MAX_UNPRICED && !unpriced.includes(model)) unpriced.push(model);
    }
    if (!schedule) return undefined;
    return schedule.fixed ?? schedule.at(at ?? Date.now());
  };
  return Object.assign(priceOf, { unpriced: () => unpriced });
}
