import type { ModelPrice } from "./types.ts";

/** When a dated or time-of-day price applies (genai-prices' `constraint`). */
export type PriceCondition =
  | { kind: "from"; ms: number }
  /** Seconds of the UTC day; `end` before `start` wraps past midnight. */
  | { kind: "daily"; start: number; end: number };

/** One price of a schedule and when it applies (none: always, the base). */
export interface ScheduledPrice {
  price: ModelPrice;
  when?: PriceCondition;
}

const DAY_MS = 86_400_000;

function holds(when: PriceCondition, ms: number): boolean {
  if (when.kind === "from") return ms >= when.ms;
  const second = (((ms % DAY_MS) + DAY_MS) % DAY_MS) / 1000;
  return when.end < when.start ? second >= when.start || second < when.end : second >= when.start && second < when.end;
}

/**
 * A model's prices over time, resolved as genai-prices does: the last entry whose condition holds
 * wins (later price changes are listed later), else the first. A model with one price is `fixed`,
 * so pricing a call costs no date arithmetic at all.
 */
export class PriceSchedule {
  /** The only price, when the model has no dated or time-of-day prices. */
  readonly fixed: ModelPrice | undefined;

  constructor(readonly entries: readonly ScheduledPrice[]) {
    if (entries.length === 0) throw new RangeError("a price schedule needs at least one price");
    this.fixed = entries.length === 1 ? (entries[0] as ScheduledPrice).price : undefined;
  }

  /** The price in force at `ms` (epoch milliseconds). */
  at(ms: number): ModelPrice {
    if (this.fixed) return this.fixed;
    for (let i = this.entries.length - 1; i >= 0; i--) {
      const entry = this.entries[i] as ScheduledPrice;
      if (!entry.when || holds(entry.when, ms)) return entry.price;
    }
    return (this.entries[0] as ScheduledPrice).price;
  }

  /** The same schedule with every price passed through `change` (a deployment's override). */
  map(change: (price: ModelPrice) => ModelPrice): PriceSchedule {
    return new PriceSchedule(this.entries.map((entry) => ({ ...entry, price: change(entry.price) })));
  }
}
