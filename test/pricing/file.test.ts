/** A price file in genai-prices' format: layered over the embedded data, checked at start, never throwing per call. */
import { describe, expect, test } from "bun:test";
import { PriceCatalogue } from "../../src/pricing/catalogue.ts";
import { EMBEDDED_LABEL, loadPrices, priceFileLayer } from "../../src/pricing/load.ts";
import { useTempDir } from "../support/temp-dir.ts";

const tmp = useTempDir("switchboard-price-file-");

const provider = (id: string, models: unknown[], extra: Record<string, unknown> = {}) => ({ id, name: id, api_pattern: "x", models, ...extra });

describe("loadPrices with a file", () => {
  test("the file's rows win; what it lacks comes from the embedded data", async () => {
    const file = await tmp.file(
      "prices.json",
      JSON.stringify([provider("openai", [{ id: "gpt-4o", match: { equals: "gpt-4o" }, prices: { input_mtok: 2, output_mtok: 8 } }]), provider("house", [{ id: "h1", match: { starts_with: "h1" }, prices: { input_mtok: 0.5, output_mtok: 1 } }])]),
    );
    const prices = await loadPrices(file);
    expect(prices.label).toBe(`${file}, then ${EMBEDDED_LABEL}`);
    expect(prices.lookup("openai", "gpt-4o")?.schedule?.at(0)).toMatchObject({ input: 2_000_000, output: 8_000_000, source: "genai-prices openai/gpt-4o" });
    expect(prices.lookup("openai", "gpt-4o-mini")?.schedule?.at(0).input).toBe(150_000);
    expect(prices.lookup("house", "h1-large")?.row).toBe("house/h1");
  });

  test("a file that is not the format is refused at start, naming what is wrong", async () => {
    expect(() => priceFileLayer("{", "p.json")).toThrow(/p\.json: not JSON/);
    expect(() => priceFileLayer("{}", "p.json")).toThrow(/an array of providers/);
    expect(() => priceFileLayer(JSON.stringify([{ id: "x" }]), "p.json")).toThrow(/provider \[0\] needs an "id" and a "models" array/);
    expect(() => priceFileLayer(JSON.stringify([provider("x", [{ id: "m", prices: {} }])]), "p.json")).toThrow(/model \[0\] needs "id", "match" and "prices"/);
    await expect(loadPrices("/nonexistent-switchboard-dir/none.json")).rejects.toThrow(/cannot read the price file/);
  });

  test("a row it cannot read leaves that model unpriced and is reported; rates finer than a pico-dollar are rounded up and reported", () => {
    const layer = priceFileLayer(
      JSON.stringify([
        provider("p", [
          { id: "bad", match: { equals: "bad" }, prices: { input_mtok: "one", output_mtok: 1 } },
          { id: "odd", match: { equals: "odd" }, prices: [{ prices: { input_mtok: 1, output_mtok: 1 } }, { constraint: { start_time: "25:00" }, prices: { input_mtok: 2 } }] },
          { id: "twelfth", match: { equals: "twelfth" }, prices: { input_mtok: 1, output_mtok: 1, cache_write_mtok: 0.08333333333333334 } },
          { id: "audio", match: { equals: "audio" }, prices: { input_audio_mtok: 1 } },
          { id: "offset", match: { equals: "offset" }, prices: [{ prices: { input_mtok: 1, output_mtok: 1 } }, { constraint: { start_time: "08:00:00+08:00", end_time: "09:00:00+08:00" }, prices: { input_mtok: 3, output_mtok: 3 } }] },
        ]),
      ]),
      "p.json",
    );
    const prices = new PriceCatalogue([layer]);
    expect(prices.lookup("p", "bad")?.schedule).toBeNull();
    expect(prices.lookup("p", "odd")?.schedule).toBeNull();
    expect(prices.lookup("p", "audio")?.schedule).toBeNull();
    expect(prices.notes.problems).toEqual(["p/bad: input_mtok is not a non-negative number or tiered price", 'p/odd: unreadable price constraint {"start_time":"25:00"}']);
    expect(prices.lookup("p", "twelfth")?.schedule?.at(0).cacheWrite).toBe(83_334);
    expect(prices.notes.rounded).toEqual(["p/twelfth cache_write_mtok $0.08333333333333334 per million tokens"]);
    // 08:00-09:00 at UTC+8 is 00:00-01:00 UTC.
    const offset = prices.lookup("p", "offset")?.schedule;
    expect(offset?.at(Date.UTC(2026, 0, 1, 0, 30)).input).toBe(3_000_000);
    expect(offset?.at(Date.UTC(2026, 0, 1, 8, 30)).input).toBe(1_000_000);
  });
});
