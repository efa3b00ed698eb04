import type { Dict, Translator } from "./litellm-values.ts";
import type { PathSegment } from "./paths.ts";
import type { PriceEntry } from "./schema.ts";

/** LiteLLM's per-token cost fields (dollars per token) -> our per-million price fields. */
const COST_FIELDS = {
  input_cost_per_token: "input",
  output_cost_per_token: "output",
  cache_read_input_token_cost: "cache_read",
  cache_creation_input_token_cost: "cache_write",
  cache_creation_input_token_cost_above_1hr: "cache_write_1h",
  output_cost_per_reasoning_token: "reasoning",
} as const satisfies Record<string, keyof PriceEntry>;

type TierField = "input" | "output" | "cache_read" | "cache_write";

/** LiteLLM's long-context fields, `<cost field>_above_<N>k_tokens` (N thousand input tokens), e.g. `input_cost_per_token_above_200k_tokens`. */
const TIER_FIELD = /^(input_cost_per_token|output_cost_per_token|cache_read_input_token_cost|cache_creation_input_token_cost)_above_(\d+)k_tokens$/;

/** Whether a litellm_params / model_info key is a cost field this import reads. */
export const isCostField = (key: string): boolean => Object.hasOwn(COST_FIELDS, key) || TIER_FIELD.test(key);
export const INFO_LIMITS: Record<string, keyof PriceEntry> = { max_input_tokens: "context_window", max_output_tokens: "max_output_tokens", max_tokens: "max_output_tokens" };

/** Dollars per token as dollars per million, exactly (shift the decimal point in the text, not by a float multiply). */
function perTokenToPerMillion(value: number): number {
  const [mantissa = "0", exponent = "0"] = value.toExponential().split("e");
  return Number(`${mantissa}e${Number(exponent) + 6}`);
}

/**
 * A price override from LiteLLM's cost fields (litellm_params or model_info; litellm_params win),
 * long-context tiers (`…_above_200k_tokens`) and token limits (model_info).
 */
export function litellmPrice(params: Dict, info: Dict): PriceEntry | undefined {
  const price: PriceEntry = {};
  const tiers = new Map<number, Partial<Record<TierField, number>> & { above: number }>();
  const tierField: Record<string, TierField> = { input_cost_per_token: "input", output_cost_per_token: "output", cache_read_input_token_cost: "cache_read", cache_creation_input_token_cost: "cache_write" };
  for (const source of [info, params]) {
    for (const [field, value] of Object.entries(source)) {
      if (typeof value !== "number" || !(value >= 0)) continue;
      if (Object.hasOwn(COST_FIELDS, field)) price[COST_FIELDS[field as keyof typeof COST_FIELDS]] = perTokenToPerMillion(value);
      const tier = TIER_FIELD.exec(field);
      if (tier) {
        const above = Number(tier[2]) * 1000;
        const entry = tiers.get(above) ?? { above };
        entry[tierField[tier[1] as string] as TierField] = perTokenToPerMillion(value);
        tiers.set(above, entry);
      }
    }
  }
  if (tiers.size > 0) price.tiers = [...tiers.values()].sort((a, b) => a.above - b.above);
  if (typeof info.max_input_tokens === "number") price.context_window = info.max_input_tokens;
  const maxOut = info.max_output_tokens ?? info.max_tokens;
  if (typeof maxOut === "number") price.max_output_tokens = maxOut;
  return Object.keys(price).length > 0 ? price : undefined;
}

/** Records which LiteLLM field each price field came from (litellm_params win over model_info, as in litellmPrice). */
export function priceOrigins(at: PathSegment[], user: PathSegment[], params: Dict, info: Dict, price: PriceEntry, t: Translator): void {
  t.origins.add(at, user);
  for (const target of Object.keys(price)) {
    const fields = [...Object.entries(COST_FIELDS), ...Object.entries(INFO_LIMITS)].filter(([, to]) => to === target).map(([field]) => field);
    const inParams = fields.find((field) => params[field] !== undefined);
    const inInfo = fields.find((field) => info[field] !== undefined);
    if (inParams) t.origins.add([...at, target], [...user, "litellm_params", inParams]);
    else if (inInfo) t.origins.add([...at, target], [...user, "model_info", inInfo]);
  }
}
