import { LITELLM_SECTIONS } from "./litellm-keys.ts";
import { translateMcpServers } from "./litellm-mcp.ts";
import { translatePassThroughEndpoints } from "./litellm-pass-through.ts";
import { translateModelList, type GroupSettings } from "./litellm-models.ts";
import { overlay } from "./litellm-overlay.ts";
import { applyDeferred, translateSettings } from "./litellm-settings.ts";
import { guardrailsWarning, unsupportedReason } from "./litellm-unsupported.ts";
import { asDict, judgeKey, toRetries, Translator, type Dict } from "./litellm-values.ts";
import type { Config } from "./schema.ts";

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

/** Sections of Switchboard's format that `general_settings.switchboard` may set (models and the master key have LiteLLM places). */
const SWITCHBOARD_SECTIONS: Record<string, string | undefined> = {
  models: "write deployments in model_list",
  auth: "write the master key as general_settings.master_key",
  pass_through_endpoints: "write them in general_settings.pass_through_endpoints",
};

/**
 * Translates a LiteLLM `config.yaml` into Switchboard's config, as LiteLLM reads it: provider
 * prefixes and api_base conventions (litellm-providers.ts), router and timeout settings, and
 * budgets in LiteLLM's soft mode unless `general_settings.switchboard.budgets.mode` says otherwise,
 * and only model_list's models served (no mock or environment-key models unless `settings` asks).
 * Whatever it cannot honour is named in one warning each, so a migrating team sees exactly what
 * changed; what is wrong (a missing model, a misspelt key, an unknown routing strategy) is a problem
 * with the user's path. Values are carried over as written and checked afterwards against
 * Switchboard's schema, whose errors are then reported at the user's path (see `translator.origins`).
 * `processEnv` is read only where LiteLLM takes a default from the environment (ANTHROPIC_API_BASE,
 * AZURE_AI_API_BASE, ...): such a default is written as an `os.environ/` reference, never copied.
 */
export function fromLiteLLM(raw: Dict, processEnv: Record<string, string | undefined> = {}): Translation {
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
  const scope = { ...processEnv, ...env };
  const { models, groups } = translateModelList(raw.model_list, t, scope);
  const settings = translateSettings(raw, section, t);
  if (settings.masterKey !== undefined) t.put((config.auth = {}) as Dict, "master_key", ["auth", "master_key"], ["general_settings", "master_key"], settings.masterKey);
  const router = settings.sections.router;
  applyGroupSettings(groups, router, t);
  applyDeferred(settings.deferred, models, router, t);
  if (models.length > 0) config.models = models;
  const endpoints = settings.passThrough ? translatePassThroughEndpoints(settings.passThrough.value, settings.passThrough.user, t) : undefined;
  if (endpoints && endpoints.length > 0) config.pass_through_endpoints = endpoints;
  const mcpServers = translateMcpServers(raw.mcp_servers, t);
  if (mcpServers && Object.keys(mcpServers).length > 0) config.mcp_servers = mcpServers;
  for (const [name, values] of Object.entries(settings.sections)) if (Object.keys(values).length > 0) config[name] = values;

  if (settings.switchboard) {
    const block = asDict(settings.switchboard.value);
    if (!block) t.problem(settings.switchboard.user, "expected a mapping of Switchboard settings (server, settings, store, budgets, pricing, router, tracing)");
    else {
      for (const [key, instead] of Object.entries(SWITCHBOARD_SECTIONS)) {
        if (block[key] !== undefined && instead) t.problem([...settings.switchboard.user, key], `not taken here: ${instead}`);
      }
      const allowed = Object.fromEntries(Object.entries(block).filter(([key]) => !(key in SWITCHBOARD_SECTIONS)));
      overlay(config, allowed, [], settings.switchboard.user, t);
    }
  }
  // LiteLLM admits a call while spend is under budget: a LiteLLM file keeps that rule unless it asks for strict.
  const budgets = (asDict(config.budgets) ?? (config.budgets = {})) as Dict;
  budgets.mode ??= "soft";
  // LiteLLM serves model_list and nothing else: a provider key in the environment must not quietly
  // open `<provider>/*` to every key (nor the built-in mock models) unless the file asks for it.
  const served = (asDict(config.settings) ?? (config.settings = {})) as Dict;
  served.mock_models ??= false;
  served.env_provider_models ??= false;

  for (const key of Object.keys(raw)) {
    if (LITELLM_KEYS.includes(key) || key === "mcp_servers") continue;
    if (key === "guardrails") {
      t.warnings.push(guardrailsWarning(key, raw[key]));
      continue;
    }
    const verdict = judgeKey(key, LITELLM_SECTIONS);
    const reason = unsupportedReason(undefined, key);
    if (verdict.kind === "misspelt") t.misspelt([key], verdict.suggestion);
    else t.warnings.push(`${key}: ${verdict.kind === "unknown" ? "not a LiteLLM config section" : (reason ?? "not supported yet")}; ignored`);
  }
  return { config: config as Config, warnings: t.warnings, problems: t.problems, env, translator: t };
}

/** Per-deployment max_retries / cooldown_time, as the group policy of their model name (router.groups). */
function applyGroupSettings(groups: Map<string, GroupSettings>, router: Dict, t: Translator): void {
  if (groups.size === 0) return;
  const out = (asDict(router.groups) ?? (router.groups = {})) as Dict;
  for (const [name, settings] of groups) {
    const group = (asDict(out[name]) ?? (out[name] = {})) as Dict;
    if (settings.num_retries) t.put(group, "num_retries", ["router", "groups", name, "num_retries"], settings.num_retries.user, settings.num_retries.value, toRetries);
    if (settings.cooldown_seconds) t.put(group, "cooldown_seconds", ["router", "groups", name, "cooldown_seconds"], settings.cooldown_seconds.user, settings.cooldown_seconds.value);
  }
}
