/** A deployment's pricer: the data searched once per model, the deployment's own price laid over it, memory bounded. */
import { describe, expect, test } from "bun:test";
import { PriceCatalogue } from "../../src/pricing/catalogue.ts";
import { priceFileLayer } from "../../src/pricing/load.ts";
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
