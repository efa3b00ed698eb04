import { describePrice } from "../pricing/describe.ts";
import type { PriceCatalogue } from "../pricing/catalogue.ts";
import type { ModelTable } from "../router/models.ts";
import { unpricedWarning } from "../router/unpriced.ts";

/** What the gateway will charge, per configured deployment, and the warnings for what it cannot. */
export interface PriceReport {
  /** One line per deployment: `name (provider/model): $… in, $… out per 1M tokens (source)`. */
  lines: string[];
  /** One per unpriced deployment, then the price data's own problems and rounded rates. */
  warnings: string[];
}

/** Prices every deployment of the table once (what start-up and `config check` report). */
export function priceReport(table: ModelTable, prices: PriceCatalogue): PriceReport {
  const lines: string[] = [];
  const nominal = new Set<unknown>();
  for (const deployment of table.deployments()) {
    const model = deployment.target.model;
    let name = `${deployment.id} (${deployment.provider.id}/${model})`;
    // A provider with one price for every model (the mock) is shown once, for all its models.
    if (deployment.provider.price) {
      if (nominal.has(deployment.priceOf)) continue;
      nominal.add(deployment.priceOf);
      name = `${deployment.provider.id}/* (every ${deployment.provider.label} model)`;
    } else if (model.includes("*")) {
      lines.push(`${name}: priced per model when called`);
      continue;
    }
    const price = deployment.priceOf(model);
    lines.push(`${name}: ${price ? describePrice(price) : "no price"}`);
  }
  const warnings = table.unpriced().map(unpricedWarning);
  for (const problem of prices.notes.problems) warnings.push(`price data: ${problem}; that model is unpriced`);
  if (prices.notes.rounded.length > 0) {
    warnings.push(`price data: ${prices.notes.rounded.length} rate(s) finer than $0.000001 per million tokens rounded up to it: ${prices.notes.rounded.join("; ")}`);
  }
  return { lines, warnings };
}
