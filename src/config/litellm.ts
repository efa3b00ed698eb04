import type { Strategy } from "../router/types.ts";
import type { Config, ModelEntry, PriceEntry, RouterConfig } from "./schema.ts";

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
/** Cloud settings LiteLLM names as we do (Azure, Bedrock, Vertex AI): strings, taken as written. */
const CLOUD_PARAMS = new Set(["api_version", "aws_region_name", "aws_access_key_id", "aws_secret_access_key", "aws_session_token", "vertex_project", "vertex_location", "vertex_credentials"] as const);
type CloudParam = typeof CLOUD_PARAMS extends Set<infer T> ? T : never;
/** litellm_params that only tune later features: accepted with one warning naming them. */
const LATER_PARAMS = new Set(["max_retries", "max_parallel_requests"]);
/** Numeric litellm_params that map one to one onto a deployment field. */
const ROUTING_PARAMS: Record<string, "weight" | "order" | "rpm" | "tpm" | "first_byte_timeout_seconds"> = { weight: "weight", order: "order", rpm: "rpm", tpm: "tpm", stream_timeout: "first_byte_timeout_seconds" };

/** LiteLLM's routing_strategy names. */
const STRATEGY_NAMES: Record<string, Strategy> = {
  "simple-shuffle": "simple-shuffle",
  "least-busy": "least-busy",
  "latency-based-routing": "latency-based",
  "usage-based-routing": "usage-based",
  "usage-based-routing-v2": "usage-based",
  "cost-based-routing": "cost-based",
};

/** LiteLLM writes fallbacks as a list of one-key maps: `[{"gpt-4": ["gpt-3.5"]}]`. */
function fallbackMap(value: unknown): Record<string, string[]> | undefined {
  if (!Array.isArray(value)) return undefined;
  const out: Record<string, string[]> = {};
  for (const item of value) {
    for (const [model, list] of Object.entries(asDict(item))) {
      const names = (Array.isArray(list) ? list : [list]).filter((n): n is string => typeof n === "string" && n.length > 0);
      if (names.length > 0) out[model] = names;
    }
  }
  return out;
}

/** One router setting from router_settings or litellm_settings; false when the key is not a router setting we take. */
function routerSetting(router: RouterConfig, key: string, value: unknown): boolean {
  const count = typeof value === "number" && Number.isInteger(value) && value >= 0 ? value : undefined;
  switch (key) {
    case "routing_strategy": {
      const strategy = typeof value === "string" ? STRATEGY_NAMES[value] : undefined;
      if (strategy) router.strategy = strategy;
      return strategy !== undefined;
    }
    case "num_retries":
      if (count !== undefined) router.num_retries = Math.min(count, 10);
      return count !== undefined;
    case "allowed_fails":
      if (count !== undefined) router.allowed_fails = count;
      return count !== undefined;
    case "cooldown_time":
      if (typeof value === "number" && value >= 0) router.cooldown_seconds = value;
      return typeof value === "number" && value >= 0;
    case "fallbacks":
    case "context_window_fallbacks":
    case "content_policy_fallbacks": {
      const map = fallbackMap(value);
      if (map) router[key] = map;
      return map !== undefined;
    }
    case "routing_strategy_args": {
      const buffer = asDict(value).lowest_latency_buffer;
      if (typeof buffer === "number" && buffer >= 0) router.latency_buffer = buffer;
      return typeof buffer === "number";
    }
    default:
      return false;
  }
}

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
const isCostField = (key: string): boolean => key in COST_FIELDS || TIER_FIELD.test(key);
const INFO_LIMITS: Record<string, keyof PriceEntry> = { max_input_tokens: "context_window", max_output_tokens: "max_output_tokens", max_tokens: "max_output_tokens" };

/** Dollars per token as dollars per million, exactly (shift the decimal point in the text, not by a float multiply). */
function perTokenToPerMillion(value: number): number {
  const [mantissa = "0", exponent = "0"] = value.toExponential().split("e");
  return Number(`${mantissa}e${Number(exponent) + 6}`);
}

/**
 * A price override from LiteLLM's cost fields (litellm_params or model_info; litellm_params win),
 * long-context tiers (`…_above_200k_tokens`) and token limits (model_info).
 */
function litellmPrice(params: Dict, info: Dict): PriceEntry | undefined {
  const price: PriceEntry = {};
  const tiers = new Map<number, Partial<Record<TierField, number>> & { above: number }>();
  const tierField: Record<string, TierField> = { input_cost_per_token: "input", output_cost_per_token: "output", cache_read_input_token_cost: "cache_read", cache_creation_input_token_cost: "cache_write" };
  for (const source of [info, params]) {
    for (const [field, value] of Object.entries(source)) {
      if (typeof value !== "number" || !(value >= 0)) continue;
      if (field in COST_FIELDS) price[COST_FIELDS[field as keyof typeof COST_FIELDS]] = perTokenToPerMillion(value);
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
      if (key === "model" || isCostField(key)) continue;
      const target = PARAMS[key];
      const routing = ROUTING_PARAMS[key];
      if (routing && typeof value === "number" && value >= 0) out[routing] = routing === "weight" || routing === "first_byte_timeout_seconds" ? value : Math.floor(value);
      else if (key === "tags" && Array.isArray(value)) out.tags = value.filter((t): t is string => typeof t === "string" && t.length > 0);
      else if (key === "region_name" && typeof value === "string" && value) out.region = value;
      else if (target === "timeout_seconds" && typeof value === "number") out.timeout_seconds = value;
      else if (target === "headers" && value && typeof value === "object") out.headers = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
      else if ((target === "api_key" || target === "api_base") && typeof value === "string") out[target] = value;
      else if (CLOUD_PARAMS.has(key as CloudParam) && typeof value === "string" && value) out[key as CloudParam] = value;
      // LiteLLM also takes the service account as a mapping.
      else if (key === "vertex_credentials" && value && typeof value === "object") out.vertex_credentials = JSON.stringify(value);
      else ignored.push(LATER_PARAMS.has(key) ? `${key} (not yet supported)` : key);
    }
    const info = asDict(entry.model_info);
    if (typeof info.id === "string") out.id = info.id;
    const price = litellmPrice(params, info);
    if (price) out.price = price;
    const infoIgnored = Object.keys(info).filter((key) => key !== "id" && !(key in INFO_LIMITS) && !isCostField(key));
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
  const router: RouterConfig = {};
  for (const [key, value] of Object.entries(asDict(raw.litellm_settings))) {
    if (key === "drop_params" && typeof value === "boolean") settings.drop_params = value;
    else if (routerSetting(router, key, value)) continue;
    else if (key === "turn_off_message_logging" && typeof value === "boolean") config.tracing = { ...config.tracing, redact_messages: value };
    else if (key === "request_timeout" && typeof value === "number" && value > 0) settings.request_timeout_seconds = value;
    else warnings.push(`litellm_settings.${key}: not supported yet; ignored`);
  }
  if (Object.keys(settings).length > 0) config.settings = settings;

  // router_settings win over the same key in litellm_settings, as in LiteLLM.
  for (const [key, value] of Object.entries(asDict(raw.router_settings))) {
    if (!routerSetting(router, key, value)) warnings.push(`router_settings.${key}: not supported yet; ignored`);
  }
  if (Object.keys(router).length > 0) config.router = router;
  for (const key of Object.keys(raw)) if (!LITELLM_KEYS.includes(key)) warnings.push(`${key}: not a LiteLLM config section; ignored`);
  return { config, warnings, env };
}
