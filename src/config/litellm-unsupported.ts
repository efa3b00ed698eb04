import { asDict } from "./litellm-values.ts";

/**
 * Why a LiteLLM setting Switchboard has no equivalent for is ignored, and what to use instead,
 * so that each warning says what changes for the migrating team rather than only "not supported".
 * Keyed by `section.key` (or the top-level section's name); a key without an entry gets the
 * plain "not supported yet; ignored".
 */
const CACHE = "response caching is not supported yet: every call reaches the upstream";
const DATABASE = "Switchboard keeps keys, teams, users and spend in SQLite in its data directory (--data-dir, or general_settings.switchboard.store.data_dir); PostgreSQL is not supported yet";
const REDIS = "there is no Redis yet: limits, cooldowns and load are counted in this process (one server per data directory)";
const RETRY_POLICY = "retry and failure counts per error type are not supported: num_retries and allowed_fails apply to every retryable error";
const PRE_CALL = "deployments are not filtered by context window before the call: a prompt too long for a deployment fails there, then context_window_fallbacks apply";
const AUTH = "only the master key and virtual keys authenticate (no JWT, OAuth2, SSO or custom auth yet)";
const ALERTING = "alerting is not supported: watch GET /metrics (Prometheus) or the access log instead";
const TRACES = "Switchboard exports OpenInference traces over OTLP instead (general_settings.switchboard.tracing, or OTEL_EXPORTER_OTLP_ENDPOINT)";
const PARALLEL = "concurrency caps per deployment are not supported (rpm and tpm are; virtual keys take max_parallel_requests)";

const REASONS: Record<string, string> = {
  credential_list: "named credentials are not supported: write each deployment's keys in its litellm_params (os.environ/NAME)",
  callback_settings: TRACES,
  search_tools: "search tools are not supported yet: their endpoints are not served",
  vector_store_registry: "vector stores are not supported yet: their endpoints are not served",
  prompts: "prompt management is not supported",
  include: "include is not supported: copy the included file's model_list into this file",
  "general_settings.database_url": DATABASE,
  "general_settings.database_connection_pool_limit": DATABASE,
  "general_settings.database_connection_timeout": DATABASE,
  "general_settings.database_type": DATABASE,
  "general_settings.database_args": DATABASE,
  "general_settings.store_model_in_db": "models come from this file only (the store does not hold models yet)",
  "general_settings.custom_auth": AUTH,
  "general_settings.enable_jwt_auth": AUTH,
  "general_settings.litellm_jwtauth": AUTH,
  "general_settings.enable_oauth2_auth": AUTH,
  "general_settings.enable_oauth2_proxy_auth": AUTH,
  "general_settings.custom_sso": AUTH,
  "general_settings.allow_user_auth": AUTH,
  "general_settings.alerting": ALERTING,
  "general_settings.alert_types": ALERTING,
  "general_settings.alert_to_webhook_url": ALERTING,
  "general_settings.alerting_args": ALERTING,
  "general_settings.alerting_threshold": ALERTING,
  "general_settings.spend_report_frequency": ALERTING,
  "general_settings.max_parallel_requests": PARALLEL,
  "general_settings.global_max_parallel_requests": "a gateway-wide concurrency cap is not supported (virtual keys take max_parallel_requests)",
  "general_settings.otel": TRACES,
  "litellm_settings.cache": CACHE,
  "litellm_settings.cache_params": CACHE,
  "litellm_settings.max_budget": "a proxy-wide budget is not supported: set max_budget on keys, users or teams",
  "litellm_settings.budget_duration": "a proxy-wide budget is not supported: set budget_duration on keys, users or teams",
  "litellm_settings.set_verbose": "Switchboard's log level is not configurable; --access-log writes one JSON line per call",
  "litellm_settings.json_logs": "Switchboard's log level is not configurable; --access-log writes one JSON line per call",
  "litellm_settings.retry_policy": RETRY_POLICY,
  "litellm_settings.allowed_fails_policy": RETRY_POLICY,
  "litellm_settings.callback_settings": TRACES,
  "router_settings.retry_policy": RETRY_POLICY,
  "router_settings.allowed_fails_policy": RETRY_POLICY,
  "router_settings.model_group_retry_policy": RETRY_POLICY,
  "router_settings.enable_pre_call_checks": PRE_CALL,
  "router_settings.enable_pre_call_check": PRE_CALL,
  "router_settings.optional_pre_call_checks": PRE_CALL,
  "router_settings.disable_cooldowns": "cooldowns cannot be turned off: a failing deployment sits out cooldown_time (at least its Retry-After); set cooldown_time low instead",
  "router_settings.redis_url": REDIS,
  "router_settings.redis_host": REDIS,
  "router_settings.redis_port": REDIS,
  "router_settings.redis_password": REDIS,
  "router_settings.redis_db": REDIS,
  "router_settings.cache_responses": CACHE,
  "router_settings.cache_kwargs": CACHE,
  "router_settings.caching_groups": CACHE,
  "router_settings.default_max_parallel_requests": PARALLEL,
  "router_settings.provider_budget_config": "provider budgets are not supported: set budgets on keys, users or teams",
  "router_settings.routing_groups": "routing groups are not supported: every model_name is its own group",
  "router_settings.model_group_affinity_config": "session affinity is not supported: each call is routed afresh",
  "router_settings.deployment_affinity_ttl_seconds": "session affinity is not supported: each call is routed afresh",
  "router_settings.ignore_invalid_deployments": "an invalid deployment is a start-up error in Switchboard, not skipped",
  "router_settings.default_priority": "request priorities are not supported",
  "model_list.max_parallel_requests": PARALLEL,
};

/** The reason for a key of a section (`general_settings`, ...) or a top-level section; undefined when there is no better word than "not supported yet". */
export function unsupportedReason(section: string | undefined, key: string): string | undefined {
  return REASONS[section ? `${section}.${key}` : key];
}

/** `guardrails:` (top level or in litellm_settings): say which guardrails will not run, since that is a safety change, not a tuning one. */
export function guardrailsWarning(path: string, value: unknown): string {
  const list = Array.isArray(value) ? value : [];
  const names = list.map((item) => asDict(item)?.guardrail_name ?? Object.keys(asDict(item) ?? {})[0]).filter((name): name is string => typeof name === "string");
  const which = names.length > 0 ? `${names.length === 1 ? "guardrail" : `${names.length} guardrails`} ${names.map((name) => `'${name}'`).join(", ")}` : "these guardrails";
  return `${path}: guardrails are not supported yet: ${which} will NOT run, so requests and responses pass unchecked (guardrails are planned)`;
}
