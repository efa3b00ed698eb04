import { scheduleOf, type ConversionNotes, type GenaiModel, type GenaiProvider } from "./genai-format.ts";
import { compileMatch, dashDates, type Matcher } from "./match.ts";
import type { PriceSchedule } from "./schedule.ts";

/** Finds a provider of the price data by its genai-prices id (`openai`, `google`, `aws`, …). */
export type ProviderSource = (id: string) => GenaiProvider | undefined;

/** One layer of price data: a price file, or the embedded package data. */
export interface PriceLayer {
  label: string;
  source: ProviderSource;
}

interface CompiledModel {
  row: GenaiModel;
  matches: Matcher;
  /** Converted on first use: undefined = not yet, null = the row prices no tokens. */
  schedule?: PriceSchedule | null;
}

interface CompiledProvider {
  id: string;
  models: CompiledModel[];
  fallbacks: readonly string[];
}

/** A row found for a model: its price schedule (null when the row prices no tokens) and its name. */
export interface CatalogueHit {
  schedule: PriceSchedule | null;
  row: string;
}

/**
 * The price database: genai-prices' provider rows, matched exactly as the package matches them
 * (first row of the provider whose rule matches the lower-cased id, then the provider's
 * `fallback_model_providers`, then all of that again with `-20250514` written `-2025-05-14`).
 * Layers are searched in order, so a price file's rows win over the embedded ones. A provider's
 * rows are compiled on its first lookup and a row's prices converted on its first match: this
 * runs while the model table is built at start-up (and once per new model a wildcard serves),
 * never per request.
 */
export class PriceCatalogue {
  /** Rates rounded up to the pico-dollar and rows that could not be read, as they were met. */
  readonly notes: ConversionNotes = { rounded: [], problems: [] };
  private readonly compiled: Map<string, CompiledProvider | null>[];

  constructor(readonly layers: readonly PriceLayer[]) {
    this.compiled = layers.map(() => new Map());
  }

  /** What the prices come from, for messages: `prices.json, then genai-prices 0.1.8`. */
  get label(): string {
    return this.layers.map((layer) => layer.label).join(", then ");
  }

  /** The row pricing `model` at provider `id` (genai-prices' id), or undefined when there is none. */
  lookup(id: string, model: string): CatalogueHit | undefined {
    const lower = model.toLowerCase().trim();
    const found = this.find(id, lower, true);
    if (found) return found;
    const dashed = dashDates(lower);
    return dashed === lower ? undefined : this.find(id, dashed, true);
  }

  private find(id: string, model: string, withFallbacks: boolean): CatalogueHit | undefined {
    let fallbacks: readonly string[] = [];
    for (let layer = 0; layer < this.layers.length; layer++) {
      const provider = this.provider(layer, id);
      if (!provider) continue;
      const hit = provider.models.find((m) => m.matches(model));
      if (hit) return { schedule: this.scheduleOf(provider.id, hit), row: `${provider.id}/${hit.row.id}` };
      if (fallbacks.length === 0) fallbacks = provider.fallbacks;
    }
    if (!withFallbacks) return undefined;
    for (const fallback of fallbacks) {
      const hit = this.find(fallback, model, false);
      if (hit) return hit;
    }
    return undefined;
  }

  private scheduleOf(provider: string, model: CompiledModel): PriceSchedule | null {
    if (model.schedule === undefined) model.schedule = scheduleOf(provider, model.row, this.notes) ?? null;
    return model.schedule;
  }

  private provider(layer: number, id: string): CompiledProvider | null {
    const cache = this.compiled[layer] as Map<string, CompiledProvider | null>;
    let compiled = cache.get(id);
    if (compiled === undefined) {
      const raw = (this.layers[layer] as PriceLayer).source(id);
      compiled = raw
        ? {
            id: raw.id,
            models: raw.models.map((row) => ({ row, matches: compileMatch(row.match) })),
            fallbacks: Array.isArray(raw.fallback_model_providers) ? raw.fallback_model_providers.filter((p) => typeof p === "string") : [],
          }
        : null;
      cache.set(id, compiled);
    }
    return compiled;
  }
}
