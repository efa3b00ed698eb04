import type { OpenAIWireProfile } from "../openai/profile.ts";

/**
 * OpenAI-compatible vendors, as data. Each is reachable as `<id>/<model>` once its key variable is set
 * (local servers: once their base-URL variable is set, or in config with `api_base`).
 * Quirks: `streamUsage: false` where the vendor rejects `stream_options` (it reports usage on its own);
 * `unsupportedParams` where it answers 400/422 to an OpenAI parameter; every preset sends `max_tokens`.
 * `priceSources` names the vendor's rows in genai-prices' data; DeepInfra and the local servers have
 * none, so their deployments are unpriced unless they set `price`.
 */
// OpenAI renamed max_tokens to max_completion_tokens; compatible servers reliably take only the old name.
const MAX_TOKENS = { max_completion_tokens: "max_tokens" } as const;

export const PRESETS: readonly OpenAIWireProfile[] = ([
  { id: "groq", priceSources: ["groq"], label: "Groq", defaultApiBase: "https://api.groq.com/openai/v1", apiKeyEnv: ["GROQ_API_KEY"],
    unsupportedParams: ["logprobs", "top_logprobs", "logit_bias"] },
  { id: "together", priceSources: ["together"], label: "Together AI", defaultApiBase: "https://api.together.xyz/v1", apiKeyEnv: ["TOGETHER_API_KEY", "TOGETHERAI_API_KEY"] },
  { id: "fireworks", priceSources: ["fireworks"], label: "Fireworks AI", defaultApiBase: "https://api.fireworks.ai/inference/v1",
    apiKeyEnv: ["FIREWORKS_API_KEY", "FIREWORKS_AI_API_KEY"] },
  { id: "deepseek", priceSources: ["deepseek"], label: "DeepSeek", defaultApiBase: "https://api.deepseek.com/v1", apiKeyEnv: ["DEEPSEEK_API_KEY"],
    operations: ["chat"] },
  { id: "mistral", priceSources: ["mistral"], label: "Mistral", defaultApiBase: "https://api.mistral.ai/v1", apiKeyEnv: ["MISTRAL_API_KEY"],
    // Mistral rejects unknown fields (422 extra_forbidden) and names max_tokens the old way.
    streamUsage: false, unsupportedParams: ["logit_bias", "logprobs", "top_logprobs", "user", "store", "service_tier"],
    renameParams: MAX_TOKENS },
  { id: "xai", priceSources: ["x-ai"], label: "xAI", defaultApiBase: "https://api.x.ai/v1", apiKeyEnv: ["XAI_API_KEY"] },
  { id: "openrouter", priceSources: ["openrouter"], label: "OpenRouter", defaultApiBase: "https://openrouter.ai/api/v1", apiKeyEnv: ["OPENROUTER_API_KEY"] },
  { id: "perplexity", priceSources: ["perplexity"], label: "Perplexity", defaultApiBase: "https://api.perplexity.ai", apiKeyEnv: ["PERPLEXITYAI_API_KEY", "PERPLEXITY_API_KEY"],
    operations: ["chat"], streamUsage: false, unsupportedParams: ["tools", "tool_choice", "logit_bias", "n"],
    renameParams: MAX_TOKENS },
  { id: "deepinfra", label: "DeepInfra", defaultApiBase: "https://api.deepinfra.com/v1/openai", apiKeyEnv: ["DEEPINFRA_API_KEY"] },
  { id: "cerebras", priceSources: ["cerebras"], label: "Cerebras", defaultApiBase: "https://api.cerebras.ai/v1", apiKeyEnv: ["CEREBRAS_API_KEY"],
    operations: ["chat"], streamUsage: false, unsupportedParams: ["frequency_penalty", "presence_penalty", "logit_bias"] },
  { id: "ollama", label: "Ollama", defaultApiBase: "http://127.0.0.1:11434/v1", apiBaseEnv: ["OLLAMA_API_BASE"], requiresApiKey: false },
  { id: "vllm", label: "vLLM", defaultApiBase: "http://127.0.0.1:8000/v1", apiKeyEnv: ["VLLM_API_KEY"],
    apiBaseEnv: ["VLLM_API_BASE", "HOSTED_VLLM_API_BASE"], requiresApiKey: false },
  { id: "lmstudio", label: "LM Studio", defaultApiBase: "http://127.0.0.1:1234/v1", apiBaseEnv: ["LM_STUDIO_API_BASE"],
    requiresApiKey: false },
  // Any other OpenAI-compatible server: `api_base` is required, the key optional.
  { id: "openai_compatible", label: "OpenAI-compatible server", apiKeyEnv: ["OPENAI_COMPATIBLE_API_KEY"],
    apiBaseEnv: ["OPENAI_COMPATIBLE_API_BASE"], requiresApiKey: false },
] satisfies OpenAIWireProfile[]).map((preset) => ({ renameParams: MAX_TOKENS, ...preset }));
