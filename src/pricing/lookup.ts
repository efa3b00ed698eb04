import { ALIASES, PRICES } from "./table.ts";
import type { ModelPrice } from "./types.ts";

/** Bedrock cross-region inference prefixes, only in front of a vendor id (`us.anthropic.…`). */
const GEO_PREFIX = /^(?:us|eu|apac|au|jp|ca|global|us-gov)\.(?=anthropic\.)/;
/** Bedrock model version suffix, always with a colon: `-v1:0`, `-v2:0`. */
const BEDROCK_VERSION = /-v\d+:\d+$/;
/** One trailing snapshot stamp: `-2024-08-06` (OpenAI), `-20250929` (Anthropic), `@20250929` (Vertex), `-latest`. */
const SNAPSHOT = /(?:-\d{4}-\d{2}-\d{2}|-\d{8}|@\d{8}|-latest)$/;

/**
 * Strips what names a snapshot or a route rather than a model: a Bedrock geo prefix and version
 * suffix, then one trailing date stamp or `-latest`. Only these whole, anchored patterns are removed,
 * so `gpt-4o-mini` can never become `gpt-4o`.
 */
export function normaliseModelId(model: string): string {
  return model.replace(GEO_PREFIX, "").replace(BEDROCK_VERSION, "").replace(SNAPSHOT, "");
}

function exact(key: string): ModelPrice | undefined {
  return PRICES.get(key) ?? PRICES.get(ALIASES.get(key) ?? "");
}

/**
 * Finds the embedded price of `<provider>/<model>`: the exact id (or a listed alias) first, so a
 * snapshot priced apart keeps its own row; then the normalised id. Undefined when unknown.
 */
export function lookupPrice(provider: string, model: string): ModelPrice | undefined {
  return exact(`${provider}/${model}`) ?? exact(`${provider}/${normaliseModelId(model)}`);
}
