import { describe, expect, test } from "bun:test";
import { costOf, maxCostNano, overlay } from "../../src/pricing/cost.ts";
import { embeddedPrices } from "../../src/pricing/load.ts";
import { PriceSchedule } from "../../src/pricing/schedule.ts";
import type { ModelPrice } from "../../src/pricing/types.ts";
import { formatUsd, perMillion } from "../../src/pricing/units.ts";
import { fromAnthropicUsage, fromOpenAIUsage } from "../../src/canonical/usage.ts";

/** The embedded data's price of `<genai provider>/<model>` at `at` (default now). */
function mustPrice(provider: string, model: string, at = Date.now()): ModelPrice {
  const schedule = embeddedPrices().lookup(provider, model)?.schedule;
  if (!schedule) throw new Error(`no price for ${provider}/${model}`);
  return schedule.at(at);
}

describe("costOf", () => {
  test("OpenAI cached tokens are priced at the cached rate (gpt-4o)", () => {
    // gpt-4o: $2.50 / $1.25 cached / $10 per 1M = 2500 / 1250 / 10000 nano$ per token.
    const usage = fromOpenAIUsage({ prompt_tokens: 1000, completion_tokens: 200, prompt_tokens_details: { cached_tokens: 600 } });
    if (!usage) throw new Error("usage did not parse");
    const cost = costOf(usage, mustPrice("openai", "gpt-4o"));
    // 400 × 2500 + 600 × 1250 + 200 × 10000
    expect(cost).toEqual({ input: 1_000_000, cacheRead: 750_000, cacheWrite: 0, output: 2_000_000, total: 3_750_000 });
    expect(formatUsd(cost.total)).toBe("0.00375");
  });

  test("OpenAI reasoning tokens stay inside output when not priced apart (o4-mini)", () => {
    const usage = fromOpenAIUsage({ prompt_tokens: 100, completion_tokens: 500, completion_tokens_details: { reasoning_tokens: 400 } });
    if (!usage) throw new Error("usage did not parse");
    const cost = costOf(usage, mustPrice("openai", "o4-mini"));
    // 100 × 1100 + 500 × 4400
    expect(cost).toEqual({ input: 110_000, cacheRead: 0, cacheWrite: 0, output: 2_200_000, total: 2_310_000 });
    expect("reasoning" in cost).toBe(false);
  });

  test("Anthropic cache reads and cache writes are priced at their own rates (claude-sonnet-4-5)", () => {
    // $3 in, $0.30 read, $3.75 write (5m), $6 write (1h), $15 out per 1M.
    const usage = fromAnthropicUsage({ input_tokens: 100, cache_read_input_tokens: 2000, cache_creation_input_tokens: 500, output_tokens: 300 });
    if (!usage) throw new Error("usage did not parse");
    const price = mustPrice("anthropic", "claude-sonnet-4-5");
    expect(costOf(usage, price)).toEqual({
      input: 300_000, // 100 × 3000
      cacheRead: 600_000, // 2000 × 300
      cacheWrite: 1_875_000, // 500 × 3750
      output: 4_500_000, // 300 × 15000
      total: 7_275_000,
    });
    // 200 of the 500 writes were 1-hour writes: 300 × 3750 + 200 × 6000.
    expect(costOf(usage, price, { cacheWrite1h: 200 }).cacheWrite).toBe(2_325_000);
  });

  test("past a tier's threshold the whole call uses the tier's rates", () => {
    const price = mustPrice("google", "gemini-2.5-pro");
    expect(costOf({ input: 200_000, output: 1000 }, price).total).toBe(200_000 * 1250 + 1000 * 10_000);
    expect(costOf({ input: 300_000, output: 0 }, price).total).toBe(300_000 * 2500);
  });

  test("reasoning priced apart is taken out of output", () => {
    const price = { ...mustPrice("openai", "gpt-4o"), reasoning: perMillion(0.007) };
    const cost = costOf({ input: 0, output: 100, reasoning: 40 }, price);
    expect(cost).toEqual({ input: 0, cacheRead: 0, cacheWrite: 0, output: 600_000, reasoning: 280, total: 600_280 });
  });

  test("inconsistent counts never price negative tokens", () => {
    const cost = costOf({ input: 10, output: -5, cacheRead: 50 }, mustPrice("openai", "gpt-4o"));
    expect(cost).toEqual({ input: 0, cacheRead: 12_500, cacheWrite: 0, output: 0, total: 12_500 });
  });

  test("10,000 small costs sum exactly to count × unit cost", () => {
    const price = mustPrice("openai", "gpt-4o-mini");
    const unit = costOf({ input: 7, output: 3 }, price).total;
    expect(unit).toBe(7 * 150 + 3 * 600);
    let sum = 0;
    let floatDollars = 0;
    for (let i = 0; i < 10_000; i++) {
      sum += costOf({ input: 7, output: 3 }, price).total;
      floatDollars += (7 * 0.15 + 3 * 0.6) / 1e6;
    }
    expect(sum).toBe(10_000 * unit);
    expect(formatUsd(sum)).toBe("0.0285");
    expect(floatDollars).not.toBe(0.0285); // what float dollars would have billed
  });
});

describe("exact arithmetic with a published rate that is no whole nano-dollar", () => {
  // $0.0375 per million tokens = 37.5 nano-dollars (37,500 pico-dollars) per token.
  const price = overlay(undefined, { input: perMillion(0.0375), output: perMillion(0.0375) }) as ModelPrice;

  test("the rate is held exactly and a call's cost is exact before the one rounding", () => {
    expect(price.input).toBe(37_500);
    expect(costOf({ input: 2, output: 0 }, price).total).toBe(75);
    expect(costOf({ input: 1_000_000, output: 1_000_000 }, price).total).toBe(75_000_000);
    expect(formatUsd(costOf({ input: 1_000_000, output: 0 }, price).total)).toBe("0.0375");
  });

  test("a fraction of a nano-dollar is rounded UP once per call, never down", () => {
    // 1 token = 37.5 nano-dollars: the ledger books 38. 3 input + 2 output = 187.5 -> 188 (not 38 + 75).
    expect(costOf({ input: 1, output: 0 }, price).total).toBe(38);
    expect(costOf({ input: 3, output: 2 }, price)).toEqual({ input: 113, cacheRead: 0, cacheWrite: 0, output: 75, total: 188 });
  });

  test("a genai-prices rate of a fraction of a nano-dollar (DeepSeek V4 Pro cache hits, $0.003625 per million)", () => {
    const deepseek = mustPrice("deepseek", "deepseek-v4-pro", Date.UTC(2026, 0, 1, 12));
    expect(deepseek.cacheRead).toBe(3_625);
    expect(costOf({ input: 1000, cacheRead: 1000, output: 0 }, deepseek).cacheRead).toBe(3_625);
  });

  test("a cost past 2^53 pico-dollars is still exact (BigInt)", () => {
    const dear = overlay(undefined, { input: perMillion(1000), output: perMillion(3000) }) as ModelPrice;
    // 10M input tokens at 1e9 pico = 1e16 pico: past 2^53.
    const cost = costOf({ input: 10_000_001, output: 3 }, dear);
    expect(cost.total).toBe(10_000_001 * 1_000_000 + 3 * 3_000_000);
    expect(cost.input).toBe(10_000_001_000_000);
  });
});

describe("maxCostNano: what a strict budget reserves", () => {
  const price = mustPrice("anthropic", "claude-sonnet-4-5");
  test("input at the dearest input rate (1h cache writes), output at the output rate, at the tier of the input", () => {
    expect(maxCostNano(price, 1000, 100)).toBe(1000 * 6000 + 100 * 15_000);
    expect(maxCostNano(price, 300_000, 100)).toBe(300_000 * 12_000 + 100 * 22_500);
  });

  test("rounded up, and a per-call fee included", () => {
    const fractional = overlay(undefined, { input: 37_500, output: 37_500, request: 1 }) as ModelPrice;
    expect(maxCostNano(fractional, 1, 0)).toBe(38);
  });
});

describe("price schedules: dated and time-of-day prices", () => {
  test("o3's price cut on 2025-06-10 applies to calls from that day", () => {
    expect(mustPrice("openai", "o3", Date.UTC(2025, 5, 9, 23, 59)).input).toBe(10_000_000);
    expect(mustPrice("openai", "o3", Date.UTC(2025, 5, 10)).input).toBe(2_000_000);
  });

  test("DeepSeek's daily window (00:30-16:30 UTC) and the base price outside it", () => {
    expect(mustPrice("deepseek", "deepseek-chat", Date.UTC(2026, 0, 1, 12)).input).toBe(270_000);
    expect(mustPrice("deepseek", "deepseek-chat", Date.UTC(2026, 0, 1, 20)).input).toBe(135_000);
    expect(mustPrice("deepseek", "deepseek-chat", Date.UTC(2026, 0, 1, 0, 29)).input).toBe(135_000);
  });

  test("a window that wraps past midnight", () => {
    const cheap = overlay(undefined, { input: 1, output: 1 }) as ModelPrice;
    const dear = overlay(undefined, { input: 2, output: 2 }) as ModelPrice;
    const schedule = new PriceSchedule([{ price: cheap }, { price: dear, when: { kind: "daily", start: 22 * 3600, end: 2 * 3600 } }]);
    expect(schedule.at(Date.UTC(2026, 0, 1, 23))).toBe(dear);
    expect(schedule.at(Date.UTC(2026, 0, 1, 1))).toBe(dear);
    expect(schedule.at(Date.UTC(2026, 0, 1, 2))).toBe(cheap);
    expect(schedule.fixed).toBeUndefined();
    expect(new PriceSchedule([{ price: cheap }]).fixed).toBe(cheap);
  });
});

describe("overlay: a deployment's own price", () => {
  const base = mustPrice("openai", "gpt-4o");
  test("override fields replace the data's, the others stay", () => {
    const price = overlay(base, { input: 2_000_000 }) as ModelPrice;
    expect(price).toMatchObject({ input: 2_000_000, output: 10_000_000, cacheRead: 1_250_000, source: "deployment price over genai-prices openai/gpt-4o" });
  });

  test("a model the data lacks is priced from input and output alone, cache rates defaulting to input, no token limits needed", () => {
    expect(overlay(undefined, { input: 10, output: 20 })).toEqual({ input: 10, output: 20, cacheRead: 10, cacheWrite: 10, source: "deployment price" });
    expect(overlay(undefined, { input: 10 })).toBeUndefined();
    expect(overlay(undefined, { output: 10, cacheRead: 1 })).toBeUndefined();
  });

  test("the data's tiers stay unless the override gives its own; a tier's missing rates are the base rates", () => {
    const claude = mustPrice("anthropic", "claude-sonnet-4-5");
    expect(overlay(claude, { input: 1 })?.tiers).toBe(claude.tiers as never);
    expect(overlay(claude, { tiers: [] })?.tiers).toBeUndefined();
    const own = overlay(undefined, { input: 10, output: 20, tiers: [{ above: 1000, input: 30 }] }) as ModelPrice;
    expect(own.tiers).toEqual([{ above: 1000, input: 30, output: 20, cacheRead: 10, cacheWrite: 10 }]);
    expect(costOf({ input: 1001, output: 1 }, own).total).toBe(Math.ceil((1001 * 30 + 20) / 1000));
  });
});
