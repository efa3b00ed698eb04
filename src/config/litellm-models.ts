import { LITELLM_COST_KEYS, LITELLM_MODEL_INFO_KEYS, LITELLM_PARAMS_KEYS } from "./litellm-keys.ts";
import { INFO_LIMITS, isCostField, litellmPrice, priceOrigins } from "./litellm-prices.ts";
import { litellmProvider } from "./litellm-providers.ts";
import { overlay } from "./litellm-overlay.ts";
import { unsupportedReason } from "./litellm-unsupported.ts";
import { asDict, judgeKey, toCredentialsText, toHeaders, toIdText, toNumber, toRetries, toWhole, type Convert, type Dict, type Translator } from "./litellm-values.ts";
import { formatPath, type PathSegment } from "./paths.ts";

interface Rule {
  to: string;
  convert?: Convert;
  /** The value keeps its shape (a header map, a list): paths inside it map one to one. */
  sameBelow?: boolean;
}

/** litellm_params we translate one to one, and the deployment field each becomes (model and api_base go through the provider's rules). */
const PARAMS: Record<string, Rule> = {
  api_key: { to: "api_key" },
  timeout: { to: "timeout_seconds", convert: toNumber },
  stream_timeout: { to: "first_byte_timeout_seconds", convert: toNumber },
  extra_headers: { to: "headers", convert: toHeaders, sameBelow: true },
  rpm: { to: "rpm", convert: toWhole },
  tpm: { to: "tpm", convert: toWhole },
  order: { to: "order", convert: toWhole },
  weight: { to: "weight", convert: toNumber },
  tags: { to: "tags", sameBelow: true },
  region_name: { to: "region" },
  use_in_pass_through: { to: "use_in_pass_through" },
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
/** litellm_params read elsewhere in this file: the provider's (model, custom_llm_provider, api_base), and the retries and cooldown that become the group's. */
const SPECIAL_PARAMS = new Set(["model", "custom_llm_provider", "api_base", "base_url", "max_retries", "num_retries", "cooldown_time"]);

/**
 * The deployment field a litellm_params key becomes (`api_key` -> `api_key`, `extra_headers` ->
 * `headers`); undefined for price fields and keys not applied. For runtime models, which sort a
 * stored entry's secrets by the field they land in.
 */
export function translatedParam(key: string): string | undefined {
  if (key === "model") return "model";
  if (key === "api_base" || key === "base_url") return "api_base";
  return Object.hasOwn(PARAMS, key) ? PARAMS[key]?.to : undefined;
}

/** The provider's own litellm_params (the rest of SPECIAL_PARAMS are group settings, which one deployment added at run time does not set). */
const PROVIDER_PARAMS = new Set(["model", "custom_llm_provider", "api_base", "base_url", "aws_bedrock_runtime_endpoint"]);

/** Whether a model added at run time applies a litellm_params key (as a deployment field or a price). */
export const isAppliedParam = (key: string): boolean => Object.hasOwn(PARAMS, key) || PROVIDER_PARAMS.has(key) || isCostField(key);

/** Whether the import applies a model_info key (the id, a price, a token limit). */
export const isAppliedInfo = (key: string): boolean => key === "id" || Object.hasOwn(INFO_LIMITS, key) || isCostField(key);

/** Per-deployment retry settings, which Switchboard keeps per model group (router.groups). */
export interface GroupSettings {
  num_retries?: { value: unknown; user: PathSegment[] };
  cooldown_seconds?: { value: unknown; user: PathSegment[] };
}

const ENTRY_KEYS: ReadonlySet<string> = new Set(["model_name", "litellm_params", "model_info"]);
const PARAM_KEYS: ReadonlySet<string> = new Set([...LITELLM_PARAMS_KEYS, ...LITELLM_COST_KEYS, ...Object.keys(PARAMS)]);
const INFO_KEYS: ReadonlySet<string> = new Set([...LITELLM_MODEL_INFO_KEYS, ...LITELLM_COST_KEYS, "switchboard"]);

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
    } else {
      const reason = unsupportedReason("model_list", key);
      ignored.push(reason ? `${key} (${reason})` : key);
    }
  }
  return { ignored, meant };
}

/**
 * model_list -> models. An entry without model_name or litellm_params.model is a problem, not
 * skipped; an entry whose provider Switchboard does not support is skipped with one warning, so
 * the gateway starts with the rest. `env` is read only to decide LiteLLM's environment defaults.
 */
export function translateModelList(list: unknown, t: Translator, env: Record<string, string | undefined>): { models: Dict[]; groups: Map<string, GroupSettings> } {
  const models: Dict[] = [];
  const groups = new Map<string, GroupSettings>();
  if (list === undefined || list === null) return { models, groups };
  if (!Array.isArray(list)) {
    t.problem(["model_list"], "expected a list of models");
    return { models, groups };
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
    const name = typeof entry.model_name === "string" ? ` (${entry.model_name})` : "";
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
    const verdict = params ? litellmProvider(params, env) : undefined;
    if (verdict?.kind === "skip") {
      t.warnings.push(`model_list[${index}]${name}: ${verdict.warning}`);
      return;
    }
    t.origins.add(at, user);
    t.put(out, "model_name", [...at, "model_name"], [...user, "model_name"], entry.model_name);

    const ignoredParams: string[] = [];
    if (params) {
      const userParams = [...user, "litellm_params"];
      const bedrockEndpoint = (key: string) => key === "aws_bedrock_runtime_endpoint" && verdict?.kind === "mapped" && verdict.model.startsWith("bedrock/");
      const paramKeys = otherKeys(params, userParams, (key) => Object.hasOwn(PARAMS, key) || SPECIAL_PARAMS.has(key) || isCostField(key) || bedrockEndpoint(key), PARAM_KEYS, t);
      ignoredParams.push(...paramKeys.ignored);
      if (params.model === undefined) {
        if (!paramKeys.meant.has("model")) t.problem([...userParams, "model"], "missing (required)");
        usable = false;
      }
      if (verdict?.kind === "problem") {
        t.problem([...userParams, "model"], verdict.message);
        usable = false;
      }
      const mapped = verdict?.kind === "mapped" ? verdict : undefined;
      t.put(out, "model", [...at, "model"], [...userParams, "model"], mapped ? mapped.model : params.model);
      if (mapped?.warning) t.warnings.push(`model_list[${index}]${name}: ${mapped.warning}`);
      for (const [key, value] of Object.entries(params)) {
        const rule = PARAMS[key];
        if (rule) t.put(out, rule.to, [...at, rule.to], [...userParams, key], value, rule.convert, rule.sameBelow);
      }
      for (const [field, value] of Object.entries(mapped?.defaults ?? {})) {
        if (field !== "api_base" && out[field] === undefined) t.put(out, field, [...at, field], [...userParams, field], value);
      }
      // api_base last: a Vertex AI model URL sets the project and location too, over the entry's own (as the URL does in LiteLLM).
      const baseKey = params.api_base !== undefined ? "api_base" : params.base_url !== undefined ? "base_url" : undefined;
      const base = baseKey ? params[baseKey] : mapped?.defaults?.api_base;
      const baseFrom = baseKey ?? (params.aws_bedrock_runtime_endpoint !== undefined && mapped?.model.startsWith("bedrock/") ? "aws_bedrock_runtime_endpoint" : "api_base");
      if (base !== undefined) t.put(out, "api_base", [...at, "api_base"], [...userParams, baseFrom], base, mapped?.base);
      if (mapped?.headers) {
        const headers = (asDict(out.headers) ?? {}) as Dict;
        for (const [header, value] of Object.entries(mapped.headers)) {
          if (headers[header] === undefined) t.put(headers, header, [...at, "headers", header], [...userParams, "api_key"], value);
        }
        out.headers = headers;
      }
      collectGroupSettings(groups, entry.model_name, params, userParams, t);
    }
    if (entry.model_info !== undefined && !asDict(entry.model_info)) t.problem([...user, "model_info"], "expected a mapping");
    const info = asDict(entry.model_info) ?? {};
    const infoKeys = otherKeys(info, [...user, "model_info"], (key) => key === "id" || key === "switchboard" || Object.hasOwn(INFO_LIMITS, key) || isCostField(key), INFO_KEYS, t);
    if (info.id !== undefined) t.put(out, "id", [...at, "id"], [...user, "model_info", "id"], info.id, toIdText);
    const price = litellmPrice(params ?? {}, info);
    if (price) {
      out.price = price;
      priceOrigins([...at, "price"], user, params ?? {}, info, price, t);
    }
    if (info.switchboard !== undefined) {
      const block = asDict(info.switchboard);
      if (block) overlay(out, block, at, [...user, "model_info", "switchboard"], t);
      else t.problem([...user, "model_info", "switchboard"], "expected a mapping of Switchboard deployment settings (e.g. connect_timeout_seconds)");
    }

    if (infoKeys.ignored.length > 0) t.warnings.push(`model_list[${index}]${name}: ignoring model_info ${infoKeys.ignored.join(", ")}`);
    if (ignoredParams.length > 0) t.warnings.push(`model_list[${index}]${name}: ignoring litellm_params ${ignoredParams.join(", ")}`);
    if (entryKeys.ignored.length > 0) t.warnings.push(`model_list[${index}]${name}: ignoring ${entryKeys.ignored.join(", ")}`);
    if (usable) models.push(out);
  });
  return { models, groups };
}

/**
 * A deployment's max_retries / num_retries and cooldown_time: LiteLLM applies them to calls to that
 * deployment; Switchboard sets retries and cooldowns per model group, so they become the group's
 * (the largest retry count when deployments of a group differ, with a warning).
 */
function collectGroupSettings(groups: Map<string, GroupSettings>, modelName: unknown, params: Dict, userParams: PathSegment[], t: Translator): void {
  if (typeof modelName !== "string") return;
  const group = groups.get(modelName) ?? {};
  for (const key of ["num_retries", "max_retries"] as const) {
    if (params[key] === undefined) continue;
    const value = toRetries(params[key]).value;
    const current = group.num_retries;
    if (current && typeof current.value === "number" && typeof value === "number" && current.value !== value) {
      t.warnings.push(`${formatPath([...userParams, key])}: Switchboard retries per model group; ${modelName}'s deployments ask for ${current.value} and ${value}, so the group retries up to ${Math.max(current.value, value)} times`);
      if (value < current.value) continue;
    }
    group.num_retries = { value, user: [...userParams, key] };
  }
  if (params.cooldown_time !== undefined) group.cooldown_seconds = { value: toNumber(params.cooldown_time).value, user: [...userParams, "cooldown_time"] };
  if (group.num_retries || group.cooldown_seconds) groups.set(modelName, group);
}
