/** A deployment's pricer: the data searched once per model, the deployment's own price laid over it, memory bounded. */
import { describe, expect, test } from "bun:test";
import { PriceCatalogue } from "../../src/pricing/catalogue.ts";
import { embeddedPrices, priceFileLayer } from "../../src/pricing/load.ts";
import { knownOutputLimit } from "../../src/pricing/output-limits.ts";
import { outputReserve } from "../../src/pricing/reserve.ts";
import { makePricer } from "../../src/pricing/pricer.ts";

/** A catalogue that counts how often the data is searched. */
function countingCatalogue(): { catalogue: PriceCatalogue; searches: () => number } {
  const layer = priceFileLayer(JSON.stringify([{ id: "p", models: [{ id: "known", match: { starts_with: "known" }, prices: { input_mtok: 1, output_mtok: 2 } }] }]), "p.json");
  let searches = 0;
  const catalogue = new PriceCatalogue([{ label: "counting", source: (id) => (searches++, layer.source(id)) }]);
  return { catalogue, searches: () => searches };
}

describe("makePricer", () => {
  test("each model is looked up once; later calls reuse it", () => {
    const catalogue = new PriceCatalogue([priceFileLayer(JSON.stringify([{ id: "p", models: [{ id: "known", match: { starts_with: "known" }, prices: { input_mtok: 1, output_mtok: 2 } }] }]), "p.json")]);
    let lookups = 0;
    const lookup = catalogue.lookup.bind(catalogue);
    catalogue.lookup = (id, model) => (lookups++, lookup(id, model));
    const priceOf = makePricer(catalogue, { sources: [{ id: "p" }] });
    const first = priceOf("known-1");
    for (let i = 0; i < 100; i++) expect(priceOf("known-1")).toBe(first as never);
    expect(lookups).toBe(1);
    expect(first).toMatchObject({ input: 1_000_000, output: 2_000_000 });
  });

  test("a wildcard's memory is bounded, and so is its list of unpriced models", () => {
    const { catalogue } = countingCatalogue();
    const priceOf = makePricer(catalogue, { sources: [{ id: "p" }] });
    for (let i = 0; i < 5_000; i++) expect(priceOf(`made-up-${i}`)).toBeUndefined();
    expect(priceOf.unpriced()).toHaveLength(100);
    expect(priceOf.unpriced()[0]).toBe("made-up-0");
  });

  test("the deployment's own price wins over the data, and prices what the data lacks", () => {
    const { catalogue } = countingCatalogue();
    const priceOf = makePricer(catalogue, { sources: [{ id: "p" }], override: { output: 5 } });
    expect(priceOf("known")).toMatchObject({ input: 1_000_000, output: 5 });
    expect(priceOf("unknown")).toBeUndefined();
    const own = makePricer(catalogue, { sources: [], override: { input: 7, output: 9 } });
    expect(own("anything")).toMatchObject({ input: 7, output: 9, cacheRead: 7, cacheWrite: 7, source: "deployment price" });
    expect(own.unpriced()).toEqual([]);
  });

  test("a nominal price prices every model without the data", () => {
    const { catalogue, searches } = countingCatalogue();
    const priceOf = makePricer(catalogue, { sources: [{ id: "p" }], nominal: { input: 1, output: 1, maxOutputTokens: 100 } });
    expect(priceOf("anything")).toMatchObject({ input: 1, output: 1, maxOutputTokens: 100, source: "nominal price" });
    expect(searches()).toBe(0);
  });
});

describe("output limits of well-known families (the price data has none)", () => {
  const catalogue = embeddedPrices();
  const openai = makePricer(catalogue, { sources: [{ id: "openai" }] });
  const anthropic = makePricer(catalogue, { sources: [{ id: "anthropic" }] });
  const bedrock = makePricer(catalogue, { sources: [{ id: "aws" }, { id: "anthropic", model: (m) => m.replace(/^(?:[a-z-]+\.)?anthropic\./, "").replace(/-v\d+:\d+$/, "") }] });
  const google = makePricer(catalogue, { sources: [{ id: "google" }] });

  test("priced models carry their family's published output limit", () => {
    expect(openai("gpt-4o")?.maxOutputTokens).toBe(16_384);
    expect(openai("gpt-4o-mini-2024-07-18")?.maxOutputTokens).toBe(16_384);
    expect(openai("gpt-4.1")?.maxOutputTokens).toBe(32_768);
    // Above the 64Ki default: without its own limit a strict budget would under-reserve.
    expect(openai("gpt-5")?.maxOutputTokens).toBe(128_000);
    expect(openai("o3-mini")?.maxOutputTokens).toBe(100_000);
    expect(anthropic("claude-sonnet-4-5-20250929")?.maxOutputTokens).toBe(64_000);
    expect(anthropic("claude-opus-4-1-20250805")?.maxOutputTokens).toBe(32_000);
    expect(anthropic("claude-3-5-haiku-20241022")?.maxOutputTokens).toBe(8_192);
    expect(bedrock("us.anthropic.claude-sonnet-4-5-20250929-v1:0")?.maxOutputTokens).toBe(64_000);
    expect(google("gemini-2.5-flash")?.maxOutputTokens).toBe(65_536);
    expect(google("gemini-2.0-flash")?.maxOutputTokens).toBe(8_192);
  });

  test("a later version of a family is not guessed, and the deployment's own limit wins", () => {
    expect(knownOutputLimit("claude-opus-4-9")).toBeUndefined();
    expect(knownOutputLimit("llama-3.3-70b-versatile")).toBeUndefined();
    const own = makePricer(catalogue, { sources: [{ id: "openai" }], override: { maxOutputTokens: 1_000 } });
    expect(own("gpt-5")?.maxOutputTokens).toBe(1_000);
  });

  test("a strict budget reserves for that limit when the request sets no max_tokens", () => {
    const price = openai("gpt-4o");
    if (!price) throw new Error("gpt-4o is priced by the embedded data");
    expect(outputReserve(price, undefined)).toBe(16_384);
    expect(outputReserve(price, 100)).toBe(100);
    const gpt5 = openai("gpt-5");
    if (!gpt5) throw new Error("gpt-5 is priced by the embedded data");
    expect(outputReserve(gpt5, undefined)).toBe(128_000);
  });
});
