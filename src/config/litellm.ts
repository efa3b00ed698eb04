import { LITELLM_COST_KEYS, LITELLM_GENERAL_KEYS, LITELLM_MODEL_INFO_KEYS, LITELLM_PARAMS_KEYS, LITELLM_ROUTER_KEYS, LITELLM_SECTIONS, LITELLM_SETTINGS_KEYS } from "./litellm-keys.ts";
import {
  asDict,
  judgeKey,
  toCredentialsText,
  toFallbackMap,
  toHeaders,
  toIdText,
  toLatencyBuffer,
  toNumber,
  toRetries,
  toStrategy,
  toWhole,
  Translator,
  type Convert,
  type Dict,
} from "./litellm-values.ts";
import type { PathSegment } from "./paths.ts";
import type { Config, PriceEntry } from "./schema.ts";

/** Top-level keys that mark a LiteLLM proxy config. */
const LITELLM_KEYS = ["model_list", "litellm_settings", "general_settings", "router_settings", "environment_variables"];

/** True when a parsed config file is in LiteLLM's format. */
export function isLiteLLMConfig(raw: unknown): raw is Record<string, unknown> {
  return !!raw && typeof raw === "object" && LITELLM_KEYS.some((key) => key in (raw as object));
}

export interface Translation {
  /** Switchboard's format with `os.environ/` references as written; not yet validated (the loader checks it against the schema). */
  config: Config;
  warnings: string[];
  /** What makes the file unusable as written, each with the user's path. */
  problems: string[];
  /** LiteLLM's `environment_variables`: used to resolve `os.environ/` references, never exported. */
  env: Record<string, string>;
  /** Where each translated field came from, and the conversions waiting for resolved references. */
  translator: Translator;
}

interface Rule {
  to: string;
  convert?: Convert;
  /** The value keeps its shape (a header map, a list): paths inside it map one to one. */
  sameBelow?: boolean;
}

/** litellm_params we translate, and the deployment field each becomes. */
const PARAMS: Record<string, Rule> = {
  model: { to: "model" },
  api_key: { to: "api_key" },
  api_base: { to: "api_base" },
  base_url: { to: "api_base" },
  timeout: { to: "timeout_seconds", convert: toNumber },
  stream_timeout: { to: "first_byte_timeout_seconds", convert: toNumber },
  extra_headers: { to: "headers", convert: toHeaders, sameBelow: true },
  rpm: { to: "rpm", convert: toWhole },
  tpm: { to: "tpm", convert: toWhole },
  order: { to: "order", convert: toWhole },
  weight: { to: "weight", convert: toNumber },
  tags: { to: "tags", sameBelow: true },
  region_name: { to: "region" },
  // Cloud settings LiteLLM names as we do (Azure, Bedrock, Vertex AI).
  api_version: { to: "api_version" },
  aws_region_name: { to: "aws_region_name" },
  aws_access_key_id: { to: "aws_access_key_id" },
  aws_secret_access_key: { to: "aws_secret_access_key" },
  aws_session_token: { to: "aws_session_token" },
  vertex_project: { to: "vertex_project" },
  vertex_location: { to: "vertex_location" },
  vertex_credentials: { to: "vertex_credentials", convert: toCredentialsText },
};
/** litellm_params that only tune later features: named in the warning as not yet supported. */
const LATER_PARAMS = new Set(["max_retries", "max_parallel_requests"]);

/** Router settings, taken from router_settings or litellm_settings, and the router field each becomes. */
const ROUTER: Record<string, Rule> = {
  routing_strategy: { to: "strategy", convert: toStrategy },
  num_retries: { to: "num_retries", convert: toRetries },
  allowed_fails: { to: "allowed_fails", convert: toWhole },
  cooldown_time: { to: "cooldown_seconds", convert: toNumber },
  fallbacks: { to: "fallbacks", convert: toFallbackMap },
  context_window_fallbacks: { to: "context_window_fallbacks", convert: toFallbackMap },
  content_policy_fallbacks: { to: "content_policy_fallbacks", convert: toFallbackMap },
  routing_strategy_args: { to: "latency_buffer", convert: toLatencyBuffer },
};

/** litellm_settings we translate besides the router's, and where each goes. */
const SETTINGS: Record<string, { section: "settings" | "tracing"; rule: Rule }> = {
  drop_params: { section: "settings", rule: { to: "drop_params" } },
  request_timeout: { section: "settings", rule: { to: "request_timeout_seconds", convert: toNumber } },
  turn_off_message_logging: { section: "tracing", rule: { to: "redact_messages" } },
};

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
const INFO_LIMITS: Record<string, keyof PriceEntry> = { max_input_tokens: "context_window", max_output_tokens: "max_output_tokens", max_tokens: "max_output_tokens" };

/** The deployment field a litellm_params key becomes (`api_key` -> `api_key`, `extra_headers` -> `headers`); undefined for price fields and keys not applied. */
export function translatedParam(key: string): string | undefined {
  return Object.hasOwn(PARAMS, key) ? PARAMS[key]?.to : undefined;
}

/** Whether the import applies a litellm_params key (as a deployment field or a price). */
export const isAppliedParam = (key: string): boolean => translatedParam(key) !== undefined || isCostField(key);

/** Whether the import applies a model_info key (the id, a price, a token limit). */
export const isAppliedInfo = (key: string): boolean => key === "id" || Object.hasOwn(INFO_LIMITS, key) || isCostField(key);

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

/** Records which LiteLLM field each price field came from (litellm_params win over model_info, as in litellmPrice). */
function priceOrigins(at: PathSegment[], user: PathSegment[], params: Dict, info: Dict, price: PriceEntry, t: Translator): void {
  t.origins.add(at, user);
  for (const target of Object.keys(price)) {
    const fields = [...Object.entries(COST_FIELDS), ...Object.entries(INFO_LIMITS)].filter(([, to]) => to === target).map(([field]) => field);
    const inParams = fields.find((field) => params[field] !== undefined);
    const inInfo = fields.find((field) => info[field] !== undefined);
    if (inParams) t.origins.add([...at, target], [...user, "litellm_params", inParams]);
    else if (inInfo) t.origins.add([...at, target], [...user, "model_info", inInfo]);
  }
}

/**
 * Translates a LiteLLM `config.yaml` into Switchboard's config. Whatever it cannot honour yet is
 * named in one warning each, so a migrating team sees exactly what changed; what is wrong
 * (a missing model, a misspelt key, an unknown routing strategy) is a problem with the user's path.
 * Values are carried over as written and checked afterwards against Switchboard's schema, whose
 * errors are then reported at the user's path (see `translator.origins`).
 */
export function fromLiteLLM(raw: Dict): Translation {
  const t = new Translator();
  const config: Dict = {};
  const env: Record<string, string> = {};
  const section = (key: string): Dict | undefined => {
    if (raw[key] === undefined || raw[key] === null) return undefined;
    const dict = asDict(raw[key]);
    if (!dict) t.problem([key], "expected a mapping");
    return dict;
  };

  for (const [key, value] of Object.entries(section("environment_variables") ?? {})) env[key] = String(value);
  const models = translateModelList(raw.model_list, t);
  if (models.length > 0) config.models = models;

  for (const [key, value] of Object.entries(section("general_settings") ?? {})) {
    if (key === "master_key") t.put((config.auth = {}) as Dict, "master_key", ["auth", "master_key"], ["general_settings", key], value);
    else unsupported(["general_settings", key], LITELLM_GENERAL_KEYS, t);
  }

  const router: Dict = {};
  const settings: Dict = {};
  const tracing: Dict = {};
  for (const [key, value] of Object.entries(section("litellm_settings") ?? {})) {
    const user = ["litellm_settings", key];
    const setting = SETTINGS[key];
    if (ROUTER[key]) putRule(router, "router", ROUTER[key], user, value, t);
    else if (setting) putRule(setting.section === "settings" ? settings : tracing, setting.section, setting.rule, user, value, t);
    else unsupported(user, LITELLM_SETTINGS_KEYS, t);
  }
  // router_settings win over the same key in litellm_settings, as in LiteLLM.
  for (const [key, value] of Object.entries(section("router_settings") ?? {})) {
    const rule = ROUTER[key];
    if (rule) putRule(router, "router", rule, ["router_settings", key], value, t);
    else unsupported(["router_settings", key], LITELLM_ROUTER_KEYS, t);
  }
  if (Object.keys(settings).length > 0) config.settings = settings;
  if (Object.keys(tracing).length > 0) config.tracing = tracing;
  if (Object.keys(router).length > 0) config.router = router;

  for (const key of Object.keys(raw)) {
    if (LITELLM_KEYS.includes(key)) continue;
    const verdict = judgeKey(key, LITELLM_SECTIONS);
    if (verdict.kind === "misspelt") t.misspelt([key], verdict.suggestion);
    else t.warnings.push(`${key}: ${verdict.kind === "known" ? "not supported yet" : "not a LiteLLM config section"}; ignored`);
  }
  return { config: config as Config, warnings: t.warnings, problems: t.problems, env, translator: t };
}

/** Sets a field of a Switchboard section from one LiteLLM setting. */
function putRule(target: Dict, section: string, rule: Rule, user: PathSegment[], value: unknown, t: Translator): void {
  t.put(target, rule.to, [section, rule.to], user, value, rule.convert, rule.sameBelow);
}

/** A settings key we do not translate: a warning naming it, or an error when it is a misspelling of a LiteLLM key. */
function unsupported(user: PathSegment[], known: ReadonlySet<string>, t: Translator): void {
  const verdict = judgeKey(String(user[user.length - 1]), known);
  if (verdict.kind === "misspelt") t.misspelt(user, verdict.suggestion);
  else t.warnings.push(`${user.join(".")}: ${verdict.kind === "known" ? "not supported yet" : "not a LiteLLM setting"}; ignored`);
}

const ENTRY_KEYS: ReadonlySet<string> = new Set(["model_name", "litellm_params", "model_info"]);
const PARAM_KEYS: ReadonlySet<string> = new Set([...LITELLM_PARAMS_KEYS, ...LITELLM_COST_KEYS, ...Object.keys(PARAMS)]);
const INFO_KEYS: ReadonlySet<string> = new Set([...LITELLM_MODEL_INFO_KEYS, ...LITELLM_COST_KEYS]);

/**
 * Sorts a mapping's keys that `handled` does not take: LiteLLM keys and far-off keys are returned
 * (for a warning), a key a slip away from a known one is an error. Returns the keys a misspelling
 * was taken for, so their absence is not reported again.
 */
function otherKeys(dict: Dict, user: PathSegment[], handled: (key: string) => boolean, known: ReadonlySet<string>, t: Translator): { ignored: string[]; meant: Set<string> } {
  const ignored: string[] = [];
  const meant = new Set<string>();
  for (const key of Object.keys(dict)) {
    if (handled(key)) continue;
    const verdict = judgeKey(key, known);
    if (verdict.kind === "misspelt") {
      t.misspelt([...user, key], verdict.suggestion);
      meant.add(verdict.suggestion);
    } else ignored.push(LATER_PARAMS.has(key) ? `${key} (not yet supported)` : key);
  }
  return { ignored, meant };
}

/** model_list -> models; an entry without model_name or litellm_params.model is a problem, not skipped. */
function translateModelList(list: unknown, t: Translator): Dict[] {
  const models: Dict[] = [];
  if (list === undefined || list === null) return models;
  if (!Array.isArray(list)) {
    t.problem(["model_list"], "expected a list of models");
    return models;
  }
  list.forEach((item, index) => {
    const user: PathSegment[] = ["model_list", index];
    const entry = asDict(item);
    if (!entry) {
      t.problem(user, "expected a mapping with model_name and litellm_params");
      return;
    }
    const at: PathSegment[] = ["models", models.length];
    const out: Dict = {};
    const entryKeys = otherKeys(entry, user, (key) => ENTRY_KEYS.has(key), ENTRY_KEYS, t);
    const params = entry.litellm_params === undefined ? undefined : asDict(entry.litellm_params);
    let usable = true;
    if (entry.model_name === undefined) {
      if (!entryKeys.meant.has("model_name")) t.problem([...user, "model_name"], "missing (required)");
      usable = false;
    }
    if (!params) {
      if (!entryKeys.meant.has("litellm_params")) t.problem([...user, "litellm_params"], entry.litellm_params === undefined ? "missing (required)" : "expected a mapping");
      usable = false;
    }
    t.origins.add(at, user);
    t.put(out, "model_name", [...at, "model_name"], [...user, "model_name"], entry.model_name);

    const ignoredParams: string[] = [];
    if (params) {
      const userParams = [...user, "litellm_params"];
      const paramKeys = otherKeys(params, userParams, (key) => key in PARAMS || isCostField(key), PARAM_KEYS, t);
      ignoredParams.push(...paramKeys.ignored);
      if (params.model === undefined) {
        if (!paramKeys.meant.has("model")) t.problem([...userParams, "model"], "missing (required)");
        usable = false;
      }
      for (const [key, value] of Object.entries(params)) {
        const rule = PARAMS[key];
        if (rule) t.put(out, rule.to, [...at, rule.to], [...userParams, key], value, rule.convert, rule.sameBelow);
      }
    }
    if (entry.model_info !== undefined && !asDict(entry.model_info)) t.problem([...user, "model_info"], "expected a mapping");
    const info = asDict(entry.model_info) ?? {};
    const infoKeys = otherKeys(info, [...user, "model_info"], (key) => key === "id" || key in INFO_LIMITS || isCostField(key), INFO_KEYS, t);
    if (info.id !== undefined) t.put(out, "id", [...at, "id"], [...user, "model_info", "id"], info.id, toIdText);
    const price = litellmPrice(params ?? {}, info);
    if (price) {
      out.price = price;
      priceOrigins([...at, "price"], user, params ?? {}, info, price, t);
    }

    const name = typeof entry.model_name === "string" ? ` (${entry.model_name})` : "";
    if (infoKeys.ignored.length > 0) t.warnings.push(`model_list[${index}]${name}: ignoring model_info ${infoKeys.ignored.join(", ")}`);
    if (ignoredParams.length > 0) t.warnings.push(`model_list[${index}]${name}: ignoring litellm_params ${ignoredParams.join(", ")}`);
    if (entryKeys.ignored.length > 0) t.warnings.push(`model_list[${index}]${name}: ignoring ${entryKeys.ignored.join(", ")}`);
    if (usable) models.push(out);
  });
  return models;
}
