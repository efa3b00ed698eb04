/**
 * Where prices come from: the genai-prices data embedded in the binary, and optionally a newer
 * price file in the same format (genai-prices' published `data.json`) whose rows win.
 */
import pkg from "../../package.json" with { type: "json" };
import type { Config } from "../config/schema.ts";
import { PriceCatalogue, type PriceLayer, type ProviderSource } from "./catalogue.ts";
import type { GenaiProvider } from "./genai-format.ts";

/** The embedded data's label: the package and its exact version. */
export const EMBEDDED_LABEL = `genai-prices ${pkg.dependencies["@pydantic/genai-prices"]}`;

interface GenaiPackage {
  findProvider(options: { providerId: string }): GenaiProvider | undefined;
}

let embeddedModule: GenaiPackage | undefined;

/**
 * The package's provider rows. It is required on first use rather than imported: evaluating its
 * ~800 KB of data takes ~15 ms, which `--version`, `--help` and the `keys` commands never pay. A
 * literal `require` is still bundled by `bun build --compile`.
 */
const embeddedSource: ProviderSource = (id) => {
  embeddedModule ??= require("@pydantic/genai-prices") as GenaiPackage;
  const provider = embeddedModule.findProvider({ providerId: id });
  // The package falls back to a provider whose `provider_match` fits the id: only the exact id is wanted.
  return provider?.id === id ? provider : undefined;
};

let embedded: PriceCatalogue | undefined;

/** The catalogue of the embedded data alone (one per process). */
export function embeddedPrices(): PriceCatalogue {
  embedded ??= new PriceCatalogue([{ label: EMBEDDED_LABEL, source: embeddedSource }]);
  return embedded;
}

/** Checks a price file's shape (an array of providers with models) and returns a source over it, or throws naming what is wrong. */
export function priceFileLayer(text: string, file: string): PriceLayer {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(parsed)) throw new Error(`${file}: expected genai-prices' data.json format, an array of providers`);
  const providers = new Map<string, GenaiProvider>();
  parsed.forEach((item, index) => {
    const provider = item as Partial<GenaiProvider> | null;
    if (!provider || typeof provider.id !== "string" || !Array.isArray(provider.models)) {
      throw new Error(`${file}: provider [${index}] needs an "id" and a "models" array`);
    }
    provider.models.forEach((model, m) => {
      if (!model || typeof model.id !== "string" || model.match === undefined || !model.prices || typeof model.prices !== "object") {
        throw new Error(`${file}: provider '${provider.id}' model [${m}] needs "id", "match" and "prices"`);
      }
    });
    providers.set(provider.id, provider as GenaiProvider);
  });
  return { label: file, source: (id) => providers.get(id) };
}

/**
 * The catalogue the gateway prices with: a price file's rows first when one is given (read once,
 * at start), then the embedded data. Throws when the file cannot be read or is not in the format.
 */
export async function loadPrices(file: string | undefined): Promise<PriceCatalogue> {
  if (!file) return embeddedPrices();
  let text: string;
  try {
    text = await Bun.file(file).text();
  } catch (error) {
    throw new Error(`${file}: cannot read the price file (${(error as Error).message})`);
  }
  return new PriceCatalogue([priceFileLayer(text, file), { label: EMBEDDED_LABEL, source: embeddedSource }]);
}

/** The price file to read: SWITCHBOARD_PRICES_FILE, else the config's `pricing.file`, else none (the embedded data alone). */
export function pricesFileOf(config: Config, env: Record<string, string | undefined>): string | undefined {
  return env.SWITCHBOARD_PRICES_FILE || config.pricing?.file;
}
