import type { Config, ModelEntry } from "./schema.ts";

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
      if (key === "model") continue;
      const target = PARAMS[key];
      if (target === "timeout_seconds" && typeof value === "number") out.timeout_seconds = value;
      else if (target === "headers" && value && typeof value === "object") out.headers = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
      else if ((target === "api_key" || target === "api_base") && typeof value === "string") out[target] = value;
      else ignored.push(LATER_PARAMS.has(key) ? `${key} (not yet supported)` : key);
    }
    const info = asDict(entry.model_info);
    if (typeof info.id === "string") out.id = info.id;
    const infoIgnored = Object.keys(info).filter((key) => key !== "id");
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
