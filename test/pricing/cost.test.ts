import { describe, expect, test } from "bun:test";
import { costOf, priceFor } from "../../src/pricing/cost.ts";
import type { ModelPrice } from "../../src/pricing/types.ts";
import { formatUsd } from "../../src/pricing/units.ts";
import { fromAnthropicUsage, fromOpenAIUsage } from "../../src/canonical/usage.ts";

function mustPrice(provider: string, model: string): ModelPrice {
  const price = priceFor(provider, model);
  if (!price) throw new Error(`no price for ${provider}/${model}`);
  return price;
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

  test("DeepSeek cache hits reported at the top level use the hit price", () => {
    const usage = fromOpenAIUsage({ prompt_tokens: 1000, completion_tokens: 10, prompt_cache_hit_tokens: 900 });
    if (!usage) throw new Error("usage did not parse");
    // 100 × 280 + 900 × 28 + 10 × 420
    expect(costOf(usage, mustPrice("deepseek", "deepseek-chat")).total).toBe(28_000 + 25_200 + 4_200);
  });

  test("past the long-context threshold the whole call uses the long rates", () => {
    const price = mustPrice("anthropic", "claude-sonnet-4-5");
    expect(costOf({ input: 200_000, output: 1000 }, price).total).toBe(200_000 * 3000 + 1000 * 15_000);
    expect(costOf({ input: 250_000, output: 1000 }, price).total).toBe(250_000 * 6000 + 1000 * 22_500);
    expect(costOf({ input: 300_000, output: 0 }, mustPrice("gemini", "gemini-2.5-pro")).total).toBe(300_000 * 2500);
  });

  test("reasoning priced apart is taken out of output", () => {
    const price = { ...mustPrice("openai", "gpt-4o"), reasoning: 7 };
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

describe("priceFor overrides", () => {
  test("override fields replace the embedded ones, undefined fields do not", () => {
    const price = priceFor("openai", "gpt-4o", { input: 2000, output: undefined });
    expect(price?.input).toBe(2000);
    expect(price?.output).toBe(10_000);
    expect(price?.cacheRead).toBe(1250);
  });

  test("an unknown model is priced from a complete override, cache rates defaulting to input", () => {
    expect(priceFor("vllm", "my-model", { input: 10, output: 20 })).toBeUndefined();
    expect(priceFor("vllm", "my-model", { input: 10, output: 20, contextWindow: 8192, maxOutputTokens: 2048 })).toEqual({
      input: 10, output: 20, cacheRead: 10, cacheWrite: 10, contextWindow: 8192, maxOutputTokens: 2048,
    });
  });

  test("a malformed override throws naming the field", () => {
    expect(() => priceFor("openai", "gpt-4o", { input: 2.5 })).toThrow(/gpt-4o\.input/);
    expect(() => priceFor("openai", "gpt-4o", { cacheRead: -1 })).toThrow(RangeError);
    expect(() => priceFor("openai", "gpt-4o", { contextWindow: 0 })).toThrow(/contextWindow/);
  });
});
