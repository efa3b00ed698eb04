/**
 * The keys LiteLLM itself knows in each section of its proxy config, so that a key LiteLLM would
 * take but Switchboard does not support yet is a warning, and a key that is no LiteLLM key but a
 * slip away from one (`api_bse`, `modle`, `rpmm`) is an error with a suggestion.
 *
 * Taken from LiteLLM's source (BerriAI/litellm, 2025-2026): litellm/types/router.py
 * (CredentialLiteLLMParams, GenericLiteLLMParams, LiteLLMParamsTypedDict, ModelInfo,
 * UpdateRouterConfig, RouterConfig), litellm/types/utils.py (CustomPricingLiteLLMParams,
 * ModelInfoBase, ProviderSpecificModelInfo, all_litellm_params), litellm/constants.py
 * (OPENAI_CHAT_COMPLETION_PARAMS, OPENAI_EMBEDDING_PARAMS), litellm/proxy/_types.py
 * (ConfigGeneralSettings, ConfigYAML) and docs/my-website/docs/proxy/config_settings.md (the
 * litellm_settings, general_settings and router_settings reference tables). litellm_params also
 * takes the OpenAI request parameters (LiteLLM passes them to the provider). Add a key here when
 * LiteLLM adds one; whether Switchboard honours a key is decided in litellm.ts, not here.
 */

/** Top-level sections of a LiteLLM proxy config (ConfigYAML and the proxy's other sections). */
export const LITELLM_SECTIONS: ReadonlySet<string> = new Set([
  "model_list", "litellm_settings", "general_settings", "router_settings", "environment_variables",
  "callback_settings", "guardrails", "mcp_servers", "credential_list", "search_tools",
  "vector_store_registry", "prompts", "include", "assistant_settings", "finetune_settings", "files_settings",
  "worker_registry",
]);

/** Price fields, taken in litellm_params and in model_info (CustomPricingLiteLLMParams, ModelInfoBase). */
export const LITELLM_COST_KEYS: ReadonlySet<string> = new Set([
  "input_cost_per_token", "output_cost_per_token", "input_cost_per_second", "output_cost_per_second",
  "input_cost_per_pixel", "output_cost_per_pixel", "input_cost_per_token_flex",
  "input_cost_per_token_priority", "input_cost_per_token_ultrafast", "cache_creation_input_token_cost",
  "cache_creation_input_token_cost_above_200k_tokens", "cache_creation_input_token_cost_above_272k_tokens",
  "cache_creation_input_token_cost_above_272k_tokens_priority",
  "cache_creation_input_token_cost_above_272k_tokens_flex", "cache_creation_input_token_cost_above_1hr",
  "cache_creation_input_token_cost_flex", "cache_creation_input_token_cost_priority",
  "cache_creation_input_token_cost_ultrafast", "cache_creation_input_audio_token_cost",
  "cache_read_input_token_cost", "cache_read_input_token_cost_flex", "cache_read_input_token_cost_priority",
  "cache_read_input_token_cost_ultrafast", "cache_read_input_token_cost_above_200k_tokens",
  "cache_read_input_token_cost_above_200k_tokens_priority", "cache_read_input_token_cost_above_272k_tokens",
  "cache_read_input_token_cost_above_272k_tokens_priority",
  "cache_read_input_token_cost_above_272k_tokens_flex", "cache_read_input_token_cost_above_512k_tokens",
  "cache_read_input_audio_token_cost", "input_cost_per_character",
  "input_cost_per_character_above_128k_tokens", "input_cost_per_audio_token",
  "input_cost_per_token_cache_hit", "input_cost_per_token_above_128k_tokens",
  "input_cost_per_token_above_200k_tokens", "input_cost_per_token_above_200k_tokens_priority",
  "input_cost_per_token_above_272k_tokens", "input_cost_per_token_above_272k_tokens_priority",
  "input_cost_per_token_above_272k_tokens_flex", "input_cost_per_token_above_512k_tokens",
  "input_cost_per_query", "input_cost_per_image", "input_cost_per_image_above_128k_tokens",
  "input_cost_per_image_token", "input_cost_per_video_token", "input_cost_per_audio_per_second",
  "input_cost_per_audio_per_second_above_128k_tokens", "input_cost_per_video_per_second",
  "input_cost_per_video_per_second_above_128k_tokens", "input_cost_per_video_per_second_above_15s_interval",
  "input_cost_per_video_per_second_above_8s_interval", "input_cost_per_token_batches",
  "output_cost_per_token_batches", "output_cost_per_token_flex", "output_cost_per_token_priority",
  "output_cost_per_token_ultrafast", "output_cost_per_character", "output_cost_per_audio_token",
  "output_cost_per_token_above_128k_tokens", "output_cost_per_token_above_200k_tokens",
  "output_cost_per_token_above_200k_tokens_priority", "output_cost_per_token_above_272k_tokens",
  "output_cost_per_token_above_272k_tokens_priority", "output_cost_per_token_above_272k_tokens_flex",
  "output_cost_per_token_above_512k_tokens", "output_cost_per_character_above_128k_tokens",
  "output_cost_per_image", "output_cost_per_image_token", "output_cost_per_video_token",
  "output_vector_size", "output_cost_per_reasoning_token", "output_cost_per_reasoning_token_flex",
  "output_cost_per_reasoning_token_priority", "output_cost_per_video_per_second",
  "output_cost_per_audio_per_second", "output_cost_per_second_480p", "output_cost_per_second_720p",
  "output_cost_per_second_768p", "output_cost_per_second_1080p", "output_cost_per_second_2k",
  "output_cost_per_second_4k", "ocr_cost_per_page", "ocr_cost_per_credit", "annotation_cost_per_page",
  "search_context_cost_per_query", "web_search_billing_unit", "google_maps_grounding_cost_per_query",
  "citation_cost_per_token", "tiered_pricing", "regional_processing_uplift_multiplier_eu",
  "regional_processing_uplift_multiplier_us", "regional_endpoint_uplift_multiplier",
]);

/** Keys of a model_list entry's litellm_params (besides the price fields). */
export const LITELLM_PARAMS_KEYS: ReadonlySet<string> = new Set([
  "model", "api_key", "api_base", "api_version", "azure_ad_token", "tenant_id", "client_id", "client_secret",
  "azure_scope", "azure_username", "azure_password", "vertex_project", "vertex_location",
  "vertex_credentials", "region_name", "gcs_bucket_name", "bucket_name", "aws_access_key_id",
  "aws_secret_access_key", "aws_session_token", "aws_region_name", "aws_session_name", "aws_profile_name",
  "aws_role_name", "aws_web_identity_token", "aws_sts_endpoint", "aws_external_id", "aws_session_tags",
  "aws_bedrock_runtime_endpoint", "aws_bedrock_project_id", "s3_bucket_name", "s3_endpoint_url",
  "s3_region_name", "s3_access_key_id", "s3_secret_access_key", "s3_encryption_key_id", "s3_bucket_owner",
  "aws_batch_role_arn", "s3_output_bucket_name", "bedrock_tags", "watsonx_region_name",
  "custom_llm_provider", "tpm", "rpm", "itpm", "otpm", "timeout", "stream_timeout", "max_retries",
  "drop_params", "organization", "configurable_clientside_auth_params", "litellm_credential_name",
  "provider_affinity_header", "litellm_trace_id", "max_file_size_mb", "default_api_key_tpm_limit",
  "default_api_key_rpm_limit", "max_budget", "budget_duration", "keepalive_seconds",
  "allow_client_keepalive_override", "use_in_pass_through", "use_litellm_proxy", "use_chat_completions_api",
  "use_xai_oauth", "merge_reasoning_content_in_choices", "model_info", "mock_response", "tags", "tag_regex",
  "auto_router_config_path", "auto_router_config", "auto_router_default_model",
  "auto_router_embedding_model", "auto_router_max_input_chars", "auto_router_routing_compression",
  "auto_router_model_compression", "complexity_router_config", "complexity_router_default_model",
  "adaptive_router_default_model", "adaptive_router_config", "quality_router_config",
  "quality_router_default_model", "vector_store_id", "milvus_text_field", "milvus_db_name",
  "milvus_partition_names", "valkey_host", "valkey_port", "valkey_password", "valkey_ssl",
  "valkey_text_field", "valkey_embedding_field", "order", "weight", "max_parallel_requests",
  "vector_bucket_name", "index_name", "embedding_model", "num_retries", "cooldown_time", "functions",
  "function_call", "temperature", "top_p", "n", "stream", "stream_options", "stop", "max_completion_tokens",
  "modalities", "prediction", "audio", "max_tokens", "presence_penalty", "frequency_penalty", "logit_bias",
  "user", "request_timeout", "deployment_id", "base_url", "default_headers", "response_format", "seed",
  "tools", "tool_choice", "parallel_tool_calls", "logprobs", "top_logprobs", "reasoning_effort",
  "extra_headers", "thinking", "web_search_options", "service_tier", "dimensions", "encoding_format",
  "top_k", "extra_body", "additional_drop_params", "cache_control_injection_points", "metadata",
  "litellm_metadata", "litellm_request_debug", "guardrails", "caching", "mock_timeout",
  "disable_add_transform_inline_image_block", "litellm_proxy_rate_limit_response", "prompt_id",
  "provider_specific_header", "prompt_variables", "prompt_version", "force_timeout", "verbose", "id",
  "fallbacks", "azure", "headers", "context_window_fallback_dict", "retry_policy", "retry_strategy", "roles",
  "final_prompt_value", "bos_token", "eos_token", "complete_response", "hf_model_name", "ttl", "cache",
  "no-log", "base_model", "supports_system_message", "allowed_model_region", "fastest_response",
  "user_continue_message", "ensure_alternating_roles", "assistant_continue_message", "max_fallbacks",
  "litellm_session_id", "prompt_label", "search_tool_name", "allowed_openai_params", "chatgpt_auth_profile",
  "chatgpt_token_dir", "chatgpt_auth_file", "ssl_verify",
]);

/** Keys of a model_list entry's model_info (besides the price fields). */
export const LITELLM_MODEL_INFO_KEYS: ReadonlySet<string> = new Set([
  "id", "db_model", "updated_at", "updated_by", "created_at", "created_by", "base_model", "tier", "team_id",
  "team_public_model_name", "member_auto_router", "blocked", "discoverable", "access_windows", "ptu_count",
  "cost_per_ptu_per_hour", "ptu_effective_from", "ptu_effective_to", "allow_fail_open",
  "enable_tag_filtering", "internal_router_model", "key", "max_tokens", "max_input_tokens",
  "max_output_tokens", "litellm_provider", "mode", "supported_endpoints", "use_openai_responses_path", "tpm",
  "rpm", "provider_specific_entry", "uses_embed_content", "supported_openai_params",
  "prompt_cache_min_tokens", "supports_system_messages", "supports_response_schema", "supports_vision",
  "supports_function_calling", "supports_tool_choice", "supports_assistant_prefill",
  "supports_prompt_caching", "supports_prompt_cache_breakpoint", "supports_computer_use",
  "supports_audio_input", "supports_embedding_image_input", "supports_audio_output", "supports_pdf_input",
  "supports_native_streaming", "supports_native_structured_output", "supports_parallel_function_calling",
  "supports_web_search", "supports_reasoning", "supports_adaptive_thinking", "supports_legacy_thinking",
  "thinking_always_on", "supports_tool_search", "supports_mid_conversation_system", "supports_url_context",
  "supports_none_reasoning_effort", "supports_minimal_reasoning_effort", "supports_low_reasoning_effort",
  "supports_xhigh_reasoning_effort", "supports_max_reasoning_effort", "supports_output_config",
  "supports_image_size", "bedrock_output_config_effort_ceiling", "bedrock_converse_supports_strict_tools",
  "metadata", "description", "access_groups", "disable_background_health_check", "health_check_model",
  "health_check_timeout", "health_check_max_tokens",
]);

/** Keys of litellm_settings (attributes of the litellm module the proxy sets). */
export const LITELLM_SETTINGS_KEYS: ReadonlySet<string> = new Set([
  "success_callback", "failure_callback", "callbacks", "service_callbacks", "turn_off_message_logging",
  "modify_params", "enable_preview_features", "redact_user_api_key_info", "mcp_aliases",
  "langfuse_default_tags", "set_verbose", "json_logs", "default_fallbacks", "request_timeout", "force_ipv4",
  "content_policy_fallbacks", "context_window_fallbacks", "fallbacks", "cache", "cache_params",
  "disable_end_user_cost_tracking", "disable_end_user_cost_tracking_prometheus_only",
  "key_generation_settings", "disable_add_transform_inline_image_block",
  "use_chat_completions_url_for_anthropic_messages", "disable_hf_tokenizer_download",
  "enable_json_schema_validation", "enable_key_alias_format_validation",
  "disable_copilot_system_to_assistant", "callback_settings", "drop_params", "num_retries", "allowed_fails",
  "cooldown_time", "routing_strategy", "routing_strategy_args", "retry_policy", "allowed_fails_policy",
  "max_budget", "budget_duration", "max_end_user_budget", "default_team_settings",
  "upperbound_key_generate_params", "default_key_generate_params", "default_internal_user_params",
  "max_internal_user_budget", "internal_user_budget_duration", "public_teams", "ssl_verify", "telemetry",
  "return_response_headers", "log_raw_request_response", "redact_messages_in_exceptions", "guardrails",
  "s3_callback_params", "datadog_params", "langsmith_batch_size", "prometheus_initialize_budget_metrics",
  "cost_discount_config", "cost_margin_config", "model_alias_map", "priority_reservation",
  "enable_loadbalancing_on_batch_endpoints", "global_disable_no_log_param", "disable_token_counter",
  "num_retries_per_request", "enable_azure_ad_token_refresh", "api_base", "api_key", "api_version",
]);

/** Keys of router_settings. */
export const LITELLM_ROUTER_KEYS: ReadonlySet<string> = new Set([
  "routing_strategy_args", "routing_strategy", "routing_groups", "retry_policy", "model_group_retry_policy",
  "model_group_affinity_config", "allowed_fails", "cooldown_time", "num_retries", "timeout", "max_retries",
  "retry_after", "fallbacks", "context_window_fallbacks", "content_policy_fallbacks", "model_group_alias",
  "enable_tag_filtering", "tag_filtering_match_any", "weights", "tag_routing_prefix",
  "optional_pre_call_checks", "redis_url", "redis_host", "redis_port", "redis_password", "redis_db",
  "cache_responses", "cache_kwargs", "caching_groups", "client_ttl", "default_litellm_params", "set_verbose",
  "enable_pre_call_checks", "enable_pre_call_check", "disable_cooldowns", "allowed_fails_policy",
  "default_max_parallel_requests", "default_priority", "polling_interval", "max_fallbacks", "stream_timeout",
  "debug_level", "assistants_config", "provider_budget_config", "router_general_settings",
  "deployment_affinity_ttl_seconds", "ignore_invalid_deployments", "search_tools", "guardrail_list",
  "default_fallbacks", "alerting_config",
]);

/** Keys of general_settings. */
export const LITELLM_GENERAL_KEYS: ReadonlySet<string> = new Set([
  "completion_model", "plugins", "key_management_system", "use_google_kms", "use_azure_key_vault",
  "master_key", "coordination_redis", "control_plane_url", "allow_cli_sso_verification_uri_complete",
  "database_url", "database_connection_pool_limit", "database_connection_timeout",
  "database_connect_timeout", "database_socket_timeout", "database_extra_connection_params",
  "database_disable_prepared_statements", "database_type", "database_args", "otel", "custom_auth",
  "max_parallel_requests", "global_max_parallel_requests", "max_request_size_mb", "max_batch_file_size_mb",
  "max_response_size_mb", "proxy_config_reload_interval_seconds", "cancel_on_disconnect",
  "infer_model_from_keys", "background_health_checks", "health_check_interval", "health_check_concurrency",
  "health_check_skip_disabled_background_models", "background_health_check_model_groups",
  "model_list_healthy_only", "alerting", "alert_types", "alert_to_webhook_url", "alerting_args",
  "alerting_threshold", "ui_access_mode", "allowed_routes", "reject_clientside_metadata_tags",
  "enable_public_model_hub", "pass_through_request_timeout", "pass_through_endpoints", "user_header_name",
  "user_header_mappings", "supported_db_objects", "user_mcp_management_mode", "store_prompts_in_spend_logs",
  "disable_auto_add_proxy_admin_to_teams", "scheduled_job_stagger", "maximum_spend_logs_retention_period",
  "maximum_spend_logs_retention_interval", "maximum_autorouter_session_retention_period",
  "maximum_health_check_retention_period", "use_spend_logs_partitioning",
  "maximum_spend_logs_cleanup_batch_size", "maximum_spend_logs_cleanup_max_batches",
  "maximum_spend_logs_cleanup_run_budget", "maximum_spend_logs_cleanup_batch_timeout",
  "mcp_internal_ip_ranges", "mcp_trusted_proxy_ranges", "mcp_xff_num_trusted_hops", "trusted_proxy_ranges",
  "store_model_in_db", "forward_client_headers_to_llm_api", "mcp_required_fields",
  "disable_budget_reservation", "apply_user_budget_to_team_keys", "user_url_validation",
  "user_url_allowed_hosts", "provider_url_destination_allowed_hosts", "disable_spend_logs",
  "disable_spend_updates", "disable_master_key_return", "disable_retry_on_max_parallel_request_limit_error",
  "disable_reset_budget", "disable_adding_master_key_hash_to_db", "disable_responses_id_security",
  "enable_jwt_auth", "enforce_user_param", "allow_requests_on_db_unavailable",
  "use_client_credentials_pass_through_routes", "health_check_details", "public_routes", "enforced_params",
  "enable_oauth2_auth", "use_x_forwarded_for", "service_account_settings", "image_generation_model",
  "proxy_budget_rescheduler_min_time", "proxy_budget_rescheduler_max_time", "proxy_batch_write_at",
  "proxy_batch_polling_interval", "custom_key_generate", "allowed_ips", "embedding_model",
  "default_team_disabled", "key_management_settings", "allow_user_auth", "user_api_key_cache_ttl",
  "disable_prisma_schema_update", "litellm_key_header_name", "moderation_model", "custom_sso",
  "allow_client_side_credentials", "admin_only_routes", "spend_report_frequency", "litellm_jwtauth",
  "litellm_license", "oauth2_config_mappings", "enable_oauth2_proxy_auth", "forward_openai_org_id",
]);

/** LiteLLM's routing_strategy names (RoutingStrategyName in litellm/types/litellm_params.py). */
export const LITELLM_STRATEGIES = ["simple-shuffle", "least-busy", "latency-based-routing", "usage-based-routing", "usage-based-routing-v2", "cost-based-routing", "lar1"] as const;

/** LiteLLM's provider prefixes (LlmProviders in litellm/types/utils.py). */
export const LITELLM_PROVIDERS: ReadonlySet<string> = new Set([
  "openai", "openai_like", "jina_ai", "xai", "custom_openai", "text-completion-openai", "cohere", "cohere_chat",
  "clarifai", "anthropic", "anthropic_text", "bytez", "replicate", "runwayml", "huggingface", "together_ai",
  "openrouter", "datarobot", "vertex_ai", "vertex_ai_beta", "gemini", "ai21", "baseten", "azure", "azure_text",
  "azure_ai", "sagemaker", "sagemaker_chat", "bedrock", "vllm", "nlp_cloud", "petals", "oobabooga", "ollama",
  "ollama_chat", "deepinfra", "perplexity", "mistral", "milvus", "groq", "nvidia_nim", "cerebras", "ai21_chat",
  "volcengine", "codestral", "text-completion-codestral", "dashscope", "moonshot", "v0", "morph", "lambda_ai",
  "deepseek", "sambanova", "maritalk", "voyage", "cloudflare", "xinference", "fireworks_ai", "friendliai",
  "featherless_ai", "watsonx", "watsonx_text", "triton", "predibase", "databricks", "empower", "github",
  "compactifai", "docker_model_runner", "custom", "litellm_proxy", "hosted_vllm", "llamafile", "lm_studio",
  "galadriel", "nebius", "infinity", "deepgram", "elevenlabs", "novita", "aiohttp_openai", "langfuse",
  "humanloop", "topaz", "assemblyai", "github_copilot", "snowflake", "gradient_ai", "meta_llama", "nscale",
  "pg_vector", "hyperbolic", "recraft", "fal_ai", "heroku", "aiml", "cometapi", "oci", "auto_router",
  "vercel_ai_gateway", "dotprompt", "wandb", "ovhcloud", "lemonade", "anyscale", "palm", "aleph_alpha",
]);

/**
 * LiteLLM providers that speak OpenAI's chat API at their api_base (openai_compatible_providers in
 * litellm/constants.py, less those Switchboard has under a name of its own and GitHub Copilot's OAuth).
 */
export const LITELLM_OPENAI_COMPATIBLE: ReadonlySet<string> = new Set([
  "anyscale", "nvidia_nim", "sambanova", "ai21_chat", "ai21", "volcengine", "codestral", "xinference", "empower",
  "friendliai", "github", "llamafile", "galadriel", "novita", "meta_llama", "featherless_ai", "nscale", "nebius",
]);
