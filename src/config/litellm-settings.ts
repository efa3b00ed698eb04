import { LITELLM_GENERAL_KEYS, LITELLM_ROUTER_KEYS, LITELLM_SETTINGS_KEYS } from "./litellm-keys.ts";
import { guardrailsWarning, unsupportedReason } from "./litellm-unsupported.ts";
import { asDict, judgeKey, toFallbackMap, toLatencyBuffer, toNumber, toRetries, toStrategy, toWhole, type Convert, type Dict, type Translator } from "./litellm-values.ts";
import { formatPath, type PathSegment } from "./paths.ts";
import { shown } from "./validate.ts";

interface Rule {
  /** Switchboard section and field. */
  section: "router" | "settings" | "tracing" | "server";
  to: string;
  convert?: Convert;
}

/** Router and timeout settings, taken from router_settings or litellm_settings (router_settings win), and the field each becomes. */
const ROUTER: Record<string, Rule> = {
  routing_strategy: { section: "router", to: "strategy", convert: toStrategy },
  num_retries: { section: "router", to: "num_retries", convert: toRetries },
  allowed_fails: { section: "router", to: "allowed_fails", convert: toWhole },
  cooldown_time: { section: "router", to: "cooldown_seconds", convert: toNumber },
  retry_after: { section: "router", to: "retry_after_seconds", convert: toNumber },
  fallbacks: { section: "router", to: "fallbacks", convert: toFallbackMap },
  context_window_fallbacks: { section: "router", to: "context_window_fallbacks", convert: toFallbackMap },
  content_policy_fallbacks: { section: "router", to: "content_policy_fallbacks", convert: toFallbackMap },
  routing_strategy_args: { section: "router", to: "latency_buffer", convert: toLatencyBuffer },
  // LiteLLM's timeout for a whole call; a deployment's own litellm_params.timeout wins, as in LiteLLM.
  timeout: { section: "settings", to: "request_timeout_seconds", convert: toNumber },
};

/** litellm_settings besides the router's. */
const SETTINGS: Record<string, Rule> = {
  drop_params: { section: "settings", to: "drop_params" },
  request_timeout: { section: "settings", to: "request_timeout_seconds", convert: toNumber },
  turn_off_message_logging: { section: "tracing", to: "redact_messages" },
};

/** general_settings keys, and the one Switchboard adds (so `switchbord` is taken for a slip). */
const GENERAL_KEYS: ReadonlySet<string> = new Set([...LITELLM_GENERAL_KEYS, "switchboard"]);

/** Settings read after the tables above, since they combine with other settings or with the model list. */
export interface Deferred {
  /** router_settings.stream_timeout: the default time to first byte of every deployment without its own. */
  streamTimeout?: { value: unknown; user: PathSegment[] };
  /** router_settings.max_retries: the router's retries when num_retries is not set. */
  maxRetries?: { value: unknown; user: PathSegment[] };
  /** default_fallbacks: fallbacks for every model name without its own. */
  defaultFallbacks?: { value: unknown; user: PathSegment[] };
  /** max_fallbacks: 0 turns fallbacks off. */
  maxFallbacks?: { value: unknown; user: PathSegment[] };
  /** model_group_alias: alias -> model name. */
  aliases?: { value: unknown; user: PathSegment[] };
  /** enable_tag_filtering / tag_filtering_match_any set to false (Switchboard always filters by any shared tag). */
  tagFiltering: PathSegment[][];
}

/** The Switchboard sections the LiteLLM settings become, and what waits for the model list. */
export interface SettingsTranslation {
  sections: Record<Rule["section"], Dict>;
  deferred: Deferred;
  /** auth.master_key from general_settings.master_key. */
  masterKey?: unknown;
  /** general_settings.switchboard, as written. */
  switchboard?: { value: unknown; user: PathSegment[] };
  /** general_settings.pass_through_endpoints, as written. */
  passThrough?: { value: unknown; user: PathSegment[] };
}

/** Translates general_settings, litellm_settings and router_settings (in that order; router_settings win over litellm_settings). */
export function translateSettings(raw: Dict, section: (key: string) => Dict | undefined, t: Translator): SettingsTranslation {
  const out: SettingsTranslation = { sections: { router: {}, settings: {}, tracing: {}, server: {} }, deferred: { tagFiltering: [] } };
  const put = (rule: Rule, user: PathSegment[], value: unknown) => t.put(out.sections[rule.section], rule.to, [rule.section, rule.to], user, value, rule.convert);

  const general = section("general_settings") ?? {};
  for (const [key, value] of Object.entries(general)) {
    const user = ["general_settings", key];
    if (key === "master_key") out.masterKey = value;
    else if (key === "switchboard") out.switchboard = { value, user };
    else if (key === "pass_through_endpoints") out.passThrough = { value, user };
    else if (key === "max_request_size_mb") put({ section: "server", to: "max_request_body_mb", convert: toNumber }, user, value);
    else if (key === "background_health_checks" || key === "health_check_interval") continue;
    else unsupported(user, GENERAL_KEYS, value, t);
  }
  healthChecks(general, out.sections.router, t);

  for (const [key, value] of Object.entries(section("litellm_settings") ?? {})) {
    const user = ["litellm_settings", key];
    const rule = key === "timeout" ? undefined : (ROUTER[key] ?? SETTINGS[key]);
    if (rule) put(rule, user, value);
    else if (!deferred(key, value, user, out.deferred)) {
      if (key === "callbacks" || key === "success_callback" || key === "failure_callback") callbacks(user, value, out.sections.tracing, t);
      else unsupported(user, LITELLM_SETTINGS_KEYS, value, t);
    }
  }
  for (const [key, value] of Object.entries(section("router_settings") ?? {})) {
    const user = ["router_settings", key];
    const rule = ROUTER[key];
    if (rule) put(rule, user, value);
    else if (key === "stream_timeout") out.deferred.streamTimeout = { value, user };
    else if (key === "max_retries") out.deferred.maxRetries = { value, user };
    else if (!deferred(key, value, user, out.deferred)) unsupported(user, LITELLM_ROUTER_KEYS, value, t);
  }
  return out;
}

/** Keys read after the model list (both sections take them); false when `key` is not one. */
function deferred(key: string, value: unknown, user: PathSegment[], into: Deferred): boolean {
  if (key === "default_fallbacks") into.defaultFallbacks = { value, user };
  else if (key === "max_fallbacks") into.maxFallbacks = { value, user };
  else if (key === "model_group_alias") into.aliases = { value, user };
  else if (key === "enable_tag_filtering" || key === "tag_filtering_match_any") {
    if (value === false) into.tagFiltering.push(user);
  } else return false;
  return true;
}

/**
 * LiteLLM's background health checks (general_settings.background_health_checks, every
 * health_check_interval seconds, default 300) are Switchboard's router.health_check_interval_seconds.
 */
function healthChecks(general: Dict, router: Dict, t: Translator): void {
  const on = general.background_health_checks;
  const interval = general.health_check_interval;
  if (on === true) {
    t.put(router, "health_check_interval_seconds", ["router", "health_check_interval_seconds"], ["general_settings", interval === undefined ? "background_health_checks" : "health_check_interval"], interval ?? 300, toNumber);
  } else if (interval !== undefined) {
    t.warnings.push("general_settings.health_check_interval: no effect without background_health_checks: true (as in LiteLLM); ignored");
  } else if (on !== undefined && on !== false) {
    t.problem(["general_settings", "background_health_checks"], `expected true or false, got ${shown(on)}`);
  }
}

/**
 * success_callback / failure_callback / callbacks: "otel" turns Switchboard's OTLP tracing on (its
 * endpoint from OTEL_EXPORTER_OTLP_ENDPOINT, or general_settings.switchboard.tracing); any other
 * callback is named in one warning.
 */
function callbacks(user: PathSegment[], value: unknown, tracing: Dict, t: Translator): void {
  const names = (Array.isArray(value) ? value : [value]).filter((name) => name !== undefined && name !== null);
  const others = names.filter((name) => name !== "otel").map((name) => (typeof name === "string" ? name : shown(name)));
  if (names.includes("otel")) {
    tracing.enabled = true;
    t.origins.add(["tracing", "enabled"], user);
  }
  if (others.length > 0) t.warnings.push(`${formatPath(user)}: ${others.join(", ")} not supported; ${unsupportedReason("general_settings", "otel")}`);
}

/** A settings key we do not translate: a warning naming it (and why, where known), or an error when it is a misspelling of a LiteLLM key. */
export function unsupported(user: PathSegment[], known: ReadonlySet<string>, value: unknown, t: Translator): void {
  const [section, key] = user.map(String) as [string, string];
  if (key === "guardrails") return void t.warnings.push(guardrailsWarning(formatPath(user), value));
  const verdict = judgeKey(key, known);
  if (verdict.kind === "misspelt") return t.misspelt(user, verdict.suggestion);
  const reason = unsupportedReason(section, key);
  t.warnings.push(`${formatPath(user)}: ${verdict.kind === "unknown" ? "not a LiteLLM setting; ignored" : reason ? `${reason}; ignored` : "not supported yet; ignored"}`);
}

/** Applies what waited for the model list: aliases, the default stream timeout, max_retries, default fallbacks, max_fallbacks, tag filtering. */
export function applyDeferred(deferred: Deferred, models: Dict[], router: Dict, t: Translator): void {
  const { streamTimeout, maxRetries, defaultFallbacks, maxFallbacks, aliases } = deferred;
  if (streamTimeout) {
    models.forEach((model, index) => {
      if (model.first_byte_timeout_seconds === undefined) t.put(model, "first_byte_timeout_seconds", ["models", index, "first_byte_timeout_seconds"], streamTimeout.user, streamTimeout.value, toNumber);
    });
  }
  if (maxRetries && router.num_retries === undefined) t.put(router, "num_retries", ["router", "num_retries"], maxRetries.user, maxRetries.value, toRetries);
  if (defaultFallbacks) {
    const list = defaultFallbacks.value;
    if (!Array.isArray(list) || list.some((name) => typeof name !== "string")) t.problem(defaultFallbacks.user, `expected a list of model names, got ${shown(list)}`);
    else if (!asDict(router.fallbacks)?.["*"]) {
      router.fallbacks = { ...asDict(router.fallbacks), "*": list };
      t.origins.add(["router", "fallbacks", "*"], defaultFallbacks.user, true);
    }
  }
  if (maxFallbacks) {
    const max = toWhole(maxFallbacks.value).value;
    if (typeof max !== "number" || max < 0) t.problem(maxFallbacks.user, `expected a whole number of at least 0, got ${shown(maxFallbacks.value)}`);
    // Switchboard never chains a fallback's own fallbacks, so any depth of 1 or more is what it does.
    else if (max === 0) {
      const dropped = ["fallbacks", "context_window_fallbacks", "content_policy_fallbacks"].filter((kind) => router[kind] !== undefined);
      for (const kind of dropped) delete router[kind];
      if (dropped.length > 0) t.warnings.push(`${formatPath(maxFallbacks.user)}: 0 turns fallbacks off, so ${dropped.join(", ")} are not used`);
    }
  }
  if (aliases) applyAliases(aliases.value, aliases.user, models, t);
  const tagged = models.some((model) => Array.isArray(model.tags) && model.tags.length > 0);
  for (const user of deferred.tagFiltering) {
    if (tagged) t.warnings.push(`${formatPath(user)}: false has no equivalent: Switchboard routes by tags whenever deployments carry them, to a deployment sharing any of the request's tags; ignored`);
  }
}

/**
 * model_group_alias (`{alias: model_name}` or `{alias: {model: model_name, hidden: true}}`): each
 * alias is added to the entries of its model name. Switchboard resolves aliases but never lists
 * them in /v1/models, as LiteLLM does for a hidden one.
 */
function applyAliases(value: unknown, user: PathSegment[], models: Dict[], t: Translator): void {
  const map = asDict(value);
  if (!map) return t.problem(user, `expected a mapping of alias to model name, got ${shown(value)}`);
  const listed: string[] = [];
  for (const [alias, target] of Object.entries(map)) {
    const spec = asDict(target);
    const name = spec ? spec.model : target;
    if (typeof name !== "string") {
      t.problem([...user, alias], `expected a model name or {model: <name>, hidden: true}, got ${shown(target)}`);
      continue;
    }
    const entries = models.map((model, index) => ({ model, index })).filter(({ model }) => model.model_name === name);
    if (entries.length === 0) {
      t.warnings.push(`${formatPath([...user, alias])}: no model_list entry is named ${name} (Switchboard adds an alias to entries); ignored`);
      continue;
    }
    for (const { model, index } of entries) {
      const list = Array.isArray(model.aliases) ? (model.aliases as unknown[]) : [];
      if (!list.includes(alias)) model.aliases = [...list, alias];
      t.origins.add(["models", index, "aliases"], user);
    }
    if (spec?.hidden !== true) listed.push(alias);
  }
  if (listed.length > 0) t.warnings.push(`${formatPath(user)}: ${listed.join(", ")} resolve${listed.length === 1 ? "s" : ""} as in LiteLLM but ${listed.length === 1 ? "is" : "are"} not listed by /v1/models (Switchboard lists no alias)`);
}
