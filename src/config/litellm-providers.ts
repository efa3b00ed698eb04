import { PROVIDERS } from "../providers/registry.ts";
import { LITELLM_OPENAI_COMPATIBLE, LITELLM_PROVIDERS } from "./litellm-keys.ts";
import type { Convert, Dict } from "./litellm-values.ts";
import { ENV_REF } from "./secrets.ts";
import { closest } from "./suggest.ts";

/**
 * A LiteLLM deployment's provider in Switchboard's terms. LiteLLM names some providers differently
 * and builds some URLs from `api_base` differently (an Anthropic `api_base` is the origin and
 * LiteLLM appends `/v1/messages`; Switchboard's base ends in `/v1` and it appends `/messages`):
 * this turns `litellm_params.model` and `api_base` into the Switchboard provider and base that
 * reach the same URL. Taken from LiteLLM's source (litellm/main.py, litellm/llms/<provider>/,
 * litellm/constants.py openai_compatible_providers, litellm/types/utils.py LlmProviders).
 */
export type ProviderVerdict =
  | {
      kind: "mapped";
      /** `<switchboard provider>/<upstream model>`. */
      model: string;
      /** Turns LiteLLM's api_base into Switchboard's (applied once a reference is resolved). */
      base?: Convert;
      /** Fields set when the entry leaves them out (LiteLLM's environment variables for them, as references). */
      defaults?: Dict;
      /** Headers added to the deployment's own. */
      headers?: Record<string, unknown>;
      /** What the user should know about this translation (one warning). */
      warning?: string;
    }
  | { kind: "skip"; warning: string }
  | { kind: "problem"; message: string };

const trimSlashes = (url: string) => url.trim().replace(/\/+$/, "");
const text = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/** Anthropic: LiteLLM appends `/v1/messages` to api_base unless it already ends so; Switchboard appends `/messages` to a base ending in `/v1`. */
export const anthropicBase: Convert = (value) => {
  const url = text(value);
  if (url === undefined) return { value };
  const base = trimSlashes(url);
  return { value: base.endsWith("/v1/messages") ? base.slice(0, -"/messages".length) : `${base}/v1` };
};

/** Claude on Azure AI Foundry: LiteLLM calls `{api_base up to /anthropic}/anthropic/v1/messages`. */
export const azureAnthropicBase: Convert = (value) => {
  const url = text(value);
  if (url === undefined) return { value };
  const base = trimSlashes(url);
  if (base.endsWith("/v1/messages")) return { value: base.slice(0, -"/messages".length) };
  const at = base.indexOf("/anthropic");
  return { value: `${at >= 0 ? base.slice(0, at) : base}/anthropic/v1` };
};

/** Ollama: LiteLLM's api_base is the server's origin (its native /api/chat); Switchboard speaks Ollama's OpenAI-compatible API under /v1. */
export const ollamaBase: Convert = (value) => {
  const url = text(value);
  if (url === undefined) return { value };
  const base = trimSlashes(url);
  return { value: base.endsWith("/v1") ? base : `${base}/v1` };
};

/** An OpenAI-wire base given as the whole chat URL (LiteLLM's Azure AI handler accepts it): the part before `/chat/completions`. */
const chatRoot = (url: string): string => trimSlashes(url).replace(/\/chat\/completions$/, "");

/** Azure AI Foundry (`*.services.ai.azure.com`): LiteLLM calls `{api_base}/models/chat/completions`; Switchboard's Azure provider does for a base ending in `/models`. */
export const foundryBase: Convert = (value) => {
  const url = text(value);
  if (url === undefined) return { value };
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return { value };
  }
  const path = chatRoot(parsed.pathname);
  return { value: `${parsed.origin}${path.endsWith("/models") ? path : `${path}/models`}${parsed.search}` };
};

/** An OpenAI-wire base: the same URL without a trailing `/chat/completions`. */
export const openAIRoot: Convert = (value) => {
  const url = text(value);
  return url === undefined ? { value } : { value: chatRoot(url) };
};

/** A Vertex AI model's resource URL, as LiteLLM wants it in api_base (it calls `{api_base}:generateContent`). */
const VERTEX_MODEL_URL = /^(.*\/v1(?:beta1)?)\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/([^/]+)\/models\/([^/:?#]+)$/;

/**
 * Vertex AI: LiteLLM sends a call to `{api_base}:generateContent` (Claude: `:rawPredict`), so its
 * api_base is a whole model URL; Switchboard builds that URL from a base (up to the API version),
 * the project, the location and the model. The URL's project and location are set on the deployment.
 */
export function vertexBase(model: string): Convert {
  return (value) => {
    const url = text(value);
    if (url === undefined) return { value };
    const match = VERTEX_MODEL_URL.exec(trimSlashes(url));
    const wanted = "a model's URL, …/v1/projects/PROJECT/locations/LOCATION/publishers/google/models/MODEL (LiteLLM calls api_base + \":generateContent\")";
    if (!match) return { problem: `expected ${wanted}; Switchboard cannot call the URL LiteLLM would build from this one` };
    const [, root, project, location, publisher, named] = match as unknown as [string, string, string, string, string, string];
    if (model.includes("*")) return { problem: `names one model (${decodeURIComponent(named)}), so a wildcard deployment would send every model to it; list the models one by one` };
    if (decodeURIComponent(named) !== model) return { problem: `names model ${decodeURIComponent(named)} but litellm_params.model is vertex_ai/${model}; make them agree` };
    const expected = model.toLowerCase().startsWith("claude") ? "anthropic" : "google";
    if (publisher !== expected) return { problem: `names publisher ${publisher}; Switchboard calls ${model} through publisher ${expected}` };
    return { value: root, siblings: { vertex_project: decodeURIComponent(project), vertex_location: decodeURIComponent(location) } };
  };
}

/** OpenAI's model names, which LiteLLM's azure_ai sends to Azure OpenAI (its `_is_azure_openai_model`). */
const OPENAI_MODEL = /^(gpt-|o\d|chatgpt-|text-embedding-|davinci|babbage)/i;

/** LiteLLM providers that are Switchboard providers under another name (or the same name), without URL differences. */
const RENAMED: Record<string, string> = {
  openai: "openai",
  custom_openai: "openai",
  gemini: "gemini",
  azure: "azure",
  groq: "groq",
  deepseek: "deepseek",
  mistral: "mistral",
  xai: "xai",
  openrouter: "openrouter",
  perplexity: "perplexity",
  deepinfra: "deepinfra",
  cerebras: "cerebras",
  together_ai: "together",
  fireworks_ai: "fireworks",
  hosted_vllm: "vllm",
  lm_studio: "lmstudio",
  openai_like: "openai_compatible",
};

/** The reference to a variable, and whether the environment has it. */
const ref = (name: string, env: Record<string, string | undefined>): string | undefined => (env[name] ? `os.environ/${name}` : undefined);

/** An api_base's value as it will resolve (a reference is looked up), for decisions made at translation. */
function peek(value: unknown, env: Record<string, string | undefined>): string | undefined {
  const url = text(value)?.trim();
  if (url === undefined) return undefined;
  return ENV_REF.test(url) ? env[url.slice("os.environ/".length)] : url;
}

const hostOf = (url: string | undefined): string => {
  try {
    return url ? new URL(url).hostname.toLowerCase() : "";
  } catch {
    return "";
  }
};

/**
 * The Switchboard provider, model and api_base conventions for one LiteLLM `litellm_params`.
 * `env` (the process environment overlaid by the file's environment_variables) is read only to
 * decide, never copied: a default taken from it is written as an `os.environ/` reference.
 */
export function litellmProvider(params: Dict, env: Record<string, string | undefined>): ProviderVerdict | undefined {
  // custom_llm_provider names the provider of a model written without (or with another) prefix, as in LiteLLM's get_llm_provider.
  const explicit = text(params.custom_llm_provider);
  const written = text(params.model);
  const model = explicit && written !== undefined && !written.startsWith(`${explicit}/`) ? `${explicit}/${written}` : written;
  const slash = model?.indexOf("/") ?? -1;
  // No provider prefix (or a reference): the schema reports it as written.
  if (model === undefined || slash <= 0 || ENV_REF.test(model.trim())) return undefined;
  const prefix = model.slice(0, slash);
  const rest = model.slice(slash + 1);
  const to = (provider: string, extra: Omit<Extract<ProviderVerdict, { kind: "mapped" }>, "kind" | "model"> = {}): ProviderVerdict => ({ kind: "mapped", model: `${provider}/${rest}`, ...extra });
  const renamed = RENAMED[prefix];
  if (renamed) return to(renamed);

  switch (prefix) {
    case "anthropic":
      return to("anthropic", { base: anthropicBase, defaults: withBase(params, ref("ANTHROPIC_API_BASE", env) ?? ref("ANTHROPIC_BASE_URL", env)) });
    case "ollama":
    case "ollama_chat":
      return to("ollama", { base: ollamaBase, defaults: withBase(params, ref("OLLAMA_API_BASE", env)) });
    case "vertex_ai":
    case "vertex_ai_beta":
      return to("vertex_ai", { base: vertexBase(rest) });
    case "bedrock":
      return bedrock(rest, params, env);
    case "azure_ai":
      return azureAI(rest, params, env);
    case "text-completion-openai":
      return to("openai", {
        warning: "text-completion-openai/ is served through the chat completions API (api_base + /chat/completions): Switchboard has no /v1/completions yet, and a completion-only model (gpt-3.5-turbo-instruct, davinci-002) refuses chat calls",
      });
    case "litellm_proxy":
      return to("openai_compatible", { defaults: { ...withBase(params, ref("LITELLM_PROXY_API_BASE", env)), ...(params.api_key === undefined && env.LITELLM_PROXY_API_KEY ? { api_key: "os.environ/LITELLM_PROXY_API_KEY" } : {}) } });
  }
  // Switchboard's own providers (together, fireworks, lmstudio, vllm, openai_compatible, mock) keep Switchboard's conventions.
  if (PROVIDERS.has(prefix)) return { kind: "mapped", model };
  if (LITELLM_OPENAI_COMPATIBLE.has(prefix)) {
    if (params.api_base !== undefined || params.base_url !== undefined) return to("openai_compatible", { base: openAIRoot });
    return { kind: "skip", warning: `${prefix}/ is not supported yet; skipped (it speaks OpenAI's API: with its api_base set, the entry is served as openai_compatible)` };
  }
  if (LITELLM_PROVIDERS.has(prefix)) return { kind: "skip", warning: `LiteLLM's provider ${prefix}/ is not supported yet; skipped (see README: Providers)` };
  const meant = closest(prefix, [...LITELLM_PROVIDERS, ...PROVIDERS.keys()]);
  return { kind: "problem", message: `unknown provider '${prefix}'${meant ? `; did you mean \`${meant}\`?` : " (neither LiteLLM nor Switchboard has it)"}` };
}

/** `{ api_base: reference }` when the entry has no api_base and LiteLLM would take it from the environment. */
function withBase(params: Dict, reference: string | undefined): Dict | undefined {
  return reference && params.api_base === undefined && params.base_url === undefined ? { api_base: reference } : undefined;
}

/**
 * Bedrock: `bedrock/converse/<id>` and `bedrock/invoke/<id>` are LiteLLM's route prefixes (Switchboard
 * calls Converse for every model); `aws_bedrock_runtime_endpoint` (or AWS_BEDROCK_RUNTIME_ENDPOINT) is
 * the endpoint LiteLLM appends `/model/<id>/converse` to, as Switchboard does to api_base.
 */
function bedrock(rest: string, params: Dict, env: Record<string, string | undefined>): ProviderVerdict {
  const route = /^(converse|invoke)\/(.+)$/.exec(rest);
  const id = route ? (route[2] as string) : rest;
  const endpoint = params.aws_bedrock_runtime_endpoint ?? ref("AWS_BEDROCK_RUNTIME_ENDPOINT", env);
  return {
    kind: "mapped",
    model: `bedrock/${id}`,
    ...(params.api_base === undefined && endpoint !== undefined ? { defaults: { api_base: endpoint } } : {}),
    ...(route?.[1] === "invoke" ? { warning: "bedrock/invoke/ is served through the Converse API, as every Bedrock model is in Switchboard (same model, Converse's request shape)" } : {}),
  };
}

/**
 * Azure AI (`azure_ai/`), as LiteLLM routes it: Claude models to Anthropic's API under
 * `/anthropic/v1/messages`; OpenAI's models to Azure OpenAI; `*.services.ai.azure.com` to the
 * Foundry `/models/chat/completions` endpoint and `*.openai.azure.com` to Azure OpenAI (key in
 * `api-key`); any other host (serverless endpoints) as an OpenAI-compatible server with a bearer key.
 * api_base and api_key default to AZURE_AI_API_BASE and AZURE_AI_API_KEY, as in LiteLLM.
 */
function azureAI(rest: string, params: Dict, env: Record<string, string | undefined>): ProviderVerdict {
  const written = params.api_base ?? params.base_url;
  const defaults: Dict = {};
  if (written === undefined) {
    if (!env.AZURE_AI_API_BASE) return { kind: "problem", message: "azure_ai needs api_base (or AZURE_AI_API_BASE in the environment), as in LiteLLM" };
    defaults.api_base = "os.environ/AZURE_AI_API_BASE";
  }
  if (params.api_key === undefined && env.AZURE_AI_API_KEY) defaults.api_key = "os.environ/AZURE_AI_API_KEY";
  const host = hostOf(peek(written ?? defaults.api_base, env));
  const key = params.api_key ?? defaults.api_key;
  const mapped = (provider: string, base: Convert | undefined, extra: Omit<Extract<ProviderVerdict, { kind: "mapped" }>, "kind" | "model" | "base" | "defaults"> = {}): ProviderVerdict => ({
    kind: "mapped",
    model: `${provider}/${rest}`,
    ...(base ? { base } : {}),
    ...(Object.keys(defaults).length > 0 ? { defaults } : {}),
    ...extra,
  });
  // LiteLLM sends both x-api-key (Anthropic's) and api-key (Azure's).
  if (rest.toLowerCase().includes("claude")) return mapped("anthropic", azureAnthropicBase, key !== undefined ? { headers: { "api-key": key } } : {});
  if (OPENAI_MODEL.test(rest)) return mapped("azure", openAIRoot);
  if (host.endsWith(".services.ai.azure.com")) return mapped("azure", foundryBase);
  if (host.endsWith(".openai.azure.com")) return mapped("azure", openAIRoot);
  return mapped("openai_compatible", openAIRoot, params.api_version !== undefined ? { warning: "api_version is not sent: Switchboard calls this Azure AI endpoint as an OpenAI-compatible server (api_base + /chat/completions, bearer key)" } : {});
}
