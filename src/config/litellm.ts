import type { Config, ModelEntry, PriceEntry } from "./schema.ts";

/** Top-level keys that mark a LiteLLM proxy config. */
const LITELLM_KEYS = ["model_list", "litellm_settings", "general_settings", "router_settings", "environment_variables"];

/** True when a parsed config file is in LiteLLM's format. */
export function isLiteLLMConfig(raw: unknown): raw is Record<string, unknown> {
  return !!raw && typeof raw === "object" && LITELLM_KEYS.some((key) => key in (raw as object));
}

export interface Translation {
  config: Config;
  warnings: string[];
  /** LiteLLM's `environment_variables`: used to resolve `os.environ/` references, never exported. */
  env: Record<string, string>;
}

type Dict = Record<string, unknown>;
const asDict = (value: unknown): Dict => (value && typeof value === "object" && !Array.isArray(value) ? (value as Dict) : {});

/** litellm_params we translate, mapped to our field. */
const PARAMS: Record<string, keyof ModelEntry> = { api_key: "api_key", api_base: "api_base", base_url: "api_base", timeout: "timeout_seconds", extra_headers: "headers" };
/** litellm_params that only tune later features: accepted with one warning naming them. */
const LATER_PARAMS = new Set(["rpm", "tpm", "max_retries", "stream_timeout", "weight", "order", "max_parallel_requests", "region_name", "tags"]);

/** LiteLLM's per-token cost fields (dollars per token) -> our per-million price fields. */
const COST_FIELDS: Record<string, keyof PriceEntry> = {
  input_cost_per_token: "input",
  output_cost_per_token: "output",
  cache_read_input_token_cost: "cache_read",
  cache_creation_input_token_cost: "cache_write",
  output_cost_per_reasoning_token: "reasoning",
};
const INFO_LIMITS: Record<string, keyof PriceEntry> = { max_input_tokens: "context_window", max_output_tokens: "max_output_tokens", max_tokens: "max_output_tokens" };

/** Dollars per token as dollars per million, exactly (shift the decimal point in the text, not by a float multiply). */
function perTokenToPerMillion(value: number): number {
  const [mantissa = "0", exponent = "0"] = value.toExponential().split("e");
  return Number(`${mantissa}e${Number(exponent) + 6}`);
}

/** A price override from LiteLLM's cost fields (litellm_params or model_info) and token limits (model_info). */
function litellmPrice(params: Dict, info: Dict): PriceEntry | undefined {
  const price: PriceEntry = {};
  for (const source of [info, params]) {
    for (const [field, target] of Object.entries(COST_FIELDS)) {
      const value = source[field];
      if (typeof value === "number" && value >= 0) (price as Record<string, number>)[target] = perTokenToPerMillion(value);
    }
  }
  if (typeof info.max_input_tokens === "number") price.context_window = info.max_input_tokens;
  const maxOut = info.max_output_tokens ?? info.max_tokens;
  if (typeof maxOut === "number") price.max_output_tokens = maxOut;
  return Object.keys(price).length > 0 ? price : undefined;
}

/**
 * Translates a LiteLLM `config.yaml` into Switchboard's config. Whatever it cannot honour yet is
 * named in one warning each, so a migrating team sees exactly what changed.
 */
export function fromLiteLLM(raw: Dict): Translation {
  const warnings: string[] = [];
  const config: Config = {};
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(asDict(raw.environment_variables))) env[key] = String(value);

  const models: ModelEntry[] = [];
  const list = Array.isArray(raw.model_list) ? raw.model_list : [];
  list.forEach((item, index) => {
    const entry = asDict(item);
    const params = asDict(entry.litellm_params);
    const where = `model_list[${index}]`;
    const modelName = typeof entry.model_name === "string" ? entry.model_name : undefined;
    const model = typeof params.model === "string" ? params.model : undefined;
    if (!modelName || !model) {
      warnings.push(`${where}: needs model_name and litellm_params.model; skipped`);
      return;
    }
    const out: ModelEntry = { model_name: modelName, model };
    const ignored: string[] = [];
    for (const [key, value] of Object.entries(params)) {
      if (key === "model" || key in COST_FIELDS) continue;
      const target = PARAMS[key];
      if (target === "timeout_seconds" && typeof value === "number") out.timeout_seconds = value;
      else if (target === "headers" && value && typeof value === "object") out.headers = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
      else if ((target === "api_key" || target === "api_base") && typeof value === "string") out[target] = value;
      else ignored.push(LATER_PARAMS.has(key) ? `${key} (not yet supported)` : key);
    }
    const info = asDict(entry.model_info);
    if (typeof info.id === "string") out.id = info.id;
    const price = litellmPrice(params, info);
    if (price) out.price = price;
    const infoIgnored = Object.keys(info).filter((key) => key !== "id" && !(key in INFO_LIMITS) && !(key in COST_FIELDS));
    if (infoIgnored.length > 0) warnings.push(`${where} (${modelName}): ignoring model_info ${infoIgnored.join(", ")}`);
    if (ignored.length > 0) warnings.push(`${where} (${modelName}): ignoring litellm_params ${ignored.join(", ")}`);
    models.push(out);
  });
  if (models.length > 0) config.models = models;

  const general = asDict(raw.general_settings);
  for (const [key, value] of Object.entries(general)) {
    if (key === "master_key" && typeof value === "string") config.auth = { master_key: value };
    else warnings.push(`general_settings.${key}: not supported yet; ignored`);
  }

  const settings: NonNullable<Config["settings"]> = {};
  for (const [key, value] of Object.entries(asDict(raw.litellm_settings))) {
    if (key === "drop_params" && typeof value === "boolean") settings.drop_params = value;
    else if (key === "request_timeout" && typeof value === "number" && value > 0) settings.request_timeout_seconds = value;
    else warnings.push(`litellm_settings.${key}: not supported yet; ignored`);
  }
  if (Object.keys(settings).length > 0) config.settings = settings;

  for (const key of Object.keys(asDict(raw.router_settings))) warnings.push(`router_settings.${key}: not supported yet; ignored`);
  for (const key of Object.keys(raw)) if (!LITELLM_KEYS.includes(key)) warnings.push(`${key}: not a LiteLLM config section; ignored`);
  return { config, warnings, env };
}
