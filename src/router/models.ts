import type { Config, ModelEntry, PriceEntry } from "../config/schema.ts";
import { perMillion } from "../pricing/units.ts";
import { MOCK_MODELS } from "../providers/mock/catalogue.ts";
import { findProvider, PROVIDERS } from "../providers/registry.ts";
import type { Provider, Target } from "../providers/types.ts";
import { priceFor } from "../pricing/cost.ts";
import type { ModelPrice } from "../pricing/types.ts";

/** One place a model name can be served from. */
export interface Deployment {
  /** Reported in `x-switchboard-model-id`. */
  id: string;
  /** The name (or `prefix*` pattern) clients call. */
  modelName: string;
  provider: Provider;
  /** `model` may hold `*`, replaced by what a pattern matched. */
  target: Target;
  timeoutMs: number;
  priceOf: PriceOf;
}

/** Prices an upstream model of this deployment (memoised; wildcards price per model). */
export type PriceOf = (model: string) => ModelPrice | undefined;

/** Memoised price lookup for one provider: one table lookup per distinct model, none per request after. */
function pricer(providerId: string, override?: Partial<ModelPrice>): PriceOf {
  const cache = new Map<string, ModelPrice | undefined>();
  return (model) => {
    if (!cache.has(model)) cache.set(model, priceFor(providerId, model, override));
    return cache.get(model);
  };
}

const PRICE_RATES = { input: "input", output: "output", cache_read: "cacheRead", cache_write: "cacheWrite", reasoning: "reasoning" } as const;

/** A config `price` (dollars per million tokens) as a price override in nano-dollars per token; problems are reported, not thrown. */
function priceOverride(price: PriceEntry | undefined, path: string, problems: string[]): Partial<ModelPrice> | undefined {
  if (!price) return undefined;
  const override: Partial<ModelPrice> = {};
  for (const [field, target] of Object.entries(PRICE_RATES)) {
    const value = price[field as keyof typeof PRICE_RATES];
    if (value === undefined) continue;
    try {
      override[target] = perMillion(value);
    } catch (error) {
      problems.push(`${path}/price/${field}: ${(error as Error).message}`);
    }
  }
  if (price.context_window !== undefined) override.contextWindow = price.context_window;
  if (price.max_output_tokens !== undefined) override.maxOutputTokens = price.max_output_tokens;
  return override;
}

/** A deployment chosen for one call, with its wildcard filled in. */
export interface Resolved {
  deployment: Deployment;
  target: Target;
}

/** An entry of `GET /v1/models`. */
export interface ListedModel {
  id: string;
  ownedBy: string;
}

const DEFAULT_TIMEOUT_SECONDS = 600;

function firstEnv(env: Record<string, string | undefined>, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = env[name];
    if (value) return value;
  }
  return undefined;
}

/** Name -> deployments. Exact names win over patterns; the longest matching pattern wins among patterns. */
export class ModelTable {
  private readonly exact = new Map<string, Deployment[]>();
  private readonly patterns: { prefix: string; deployments: Deployment[] }[] = [];
  private readonly listed: ListedModel[] = [];

  add(name: string, deployment: Deployment, listed = true): void {
    if (name.endsWith("*")) {
      const prefix = name.slice(0, -1);
      let entry = this.patterns.find((p) => p.prefix === prefix);
      if (!entry) {
        entry = { prefix, deployments: [] };
        this.patterns.push(entry);
        this.patterns.sort((a, b) => b.prefix.length - a.prefix.length);
      }
      entry.deployments.push(deployment);
    } else {
      const list = this.exact.get(name);
      if (list) list.push(deployment);
      else this.exact.set(name, [deployment]);
    }
    if (listed && !this.listed.some((m) => m.id === name)) this.listed.push({ id: name, ownedBy: deployment.provider.id });
  }

  /**
   * Finds the deployment for a model name. With several deployments under one name the first
   * listed serves; choosing among them (load balancing, fallbacks) is the router's job.
   */
  resolve(name: string): Resolved | undefined {
    const exact = this.exact.get(name)?.[0];
    if (exact) return { deployment: exact, target: exact.target };
    for (const { prefix, deployments } of this.patterns) {
      if (name.length > prefix.length && name.startsWith(prefix)) {
        const deployment = deployments[0] as Deployment;
        const rest = name.slice(prefix.length);
        return { deployment, target: { ...deployment.target, model: deployment.target.model.replace("*", rest) } };
      }
    }
    return undefined;
  }

  /** The models `GET /v1/models` shows, in configuration order. */
  list(): readonly ListedModel[] {
    return this.listed;
  }

}

/** Builds the table from config and environment; returns the problems that keep an entry from working. */
export function buildModelTable(config: Config, env: Record<string, string | undefined>): { table: ModelTable; problems: string[] } {
  const table = new ModelTable();
  const problems: string[] = [];
  const defaultTimeout = (config.settings?.request_timeout_seconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
  const seenIds = new Set<string>();

  (config.models ?? []).forEach((entry: ModelEntry, index) => {
    const path = `/models/${index}`;
    const slash = entry.model.indexOf("/");
    if (slash <= 0 || slash === entry.model.length - 1) {
      problems.push(`${path}/model: '${entry.model}' is not <provider>/<upstream model>, e.g. openai/gpt-4o`);
      return;
    }
    const providerId = entry.model.slice(0, slash);
    const provider = findProvider(providerId);
    if (!provider) {
      problems.push(`${path}/model: unknown provider '${providerId}' (known: ${[...PROVIDERS.keys()].join(", ")})`);
      return;
    }
    const apiBase = entry.api_base ?? firstEnv(env, provider.apiBaseEnv) ?? provider.defaultApiBase;
    if (!apiBase) {
      problems.push(`${path}: ${provider.label} has no default URL; set api_base`);
      return;
    }
    const apiKey = entry.api_key ?? firstEnv(env, provider.apiKeyEnv);
    if (provider.requiresApiKey && !apiKey) {
      const hint = provider.apiKeyEnv[0] ? `api_key: os.environ/${provider.apiKeyEnv[0]} (or export ${provider.apiKeyEnv[0]})` : "api_key";
      problems.push(`${path}: ${provider.label} needs an API key; set ${hint}`);
      return;
    }
    if (entry.model.includes("*") && !entry.model_name.endsWith("*")) {
      problems.push(`${path}/model: '*' in model needs a model_name ending in '*'`);
      return;
    }
    let id = entry.id ?? entry.model_name;
    if (seenIds.has(id)) {
      if (entry.id) problems.push(`${path}/id: '${id}' is used by another deployment`);
      id = `${id}#${index}`;
    }
    seenIds.add(id);
    const target: Target = { model: entry.model.slice(slash + 1), apiBase };
    if (apiKey) target.apiKey = apiKey;
    if (entry.headers) target.headers = entry.headers;
    const deployment: Deployment = { id, modelName: entry.model_name, provider, target, timeoutMs: (entry.timeout_seconds ?? 0) * 1000 || defaultTimeout, priceOf: pricer(provider.id, priceOverride(entry.price, path, problems)) };
    table.add(entry.model_name, deployment);
    for (const alias of entry.aliases ?? []) table.add(alias, deployment, false);
  });

  if (config.settings?.env_provider_models !== false) {
    for (const provider of PROVIDERS.values()) {
      if (provider.transport) continue;
      const apiKey = firstEnv(env, provider.apiKeyEnv);
      const envBase = firstEnv(env, provider.apiBaseEnv);
      const enabled = provider.requiresApiKey ? !!apiKey : !!envBase;
      const apiBase = envBase ?? provider.defaultApiBase;
      if (!enabled || !apiBase) continue;
      const target: Target = { model: "*", apiBase };
      if (apiKey) target.apiKey = apiKey;
      table.add(`${provider.id}/*`, { id: `${provider.id}/*`, modelName: `${provider.id}/*`, provider, target, timeoutMs: defaultTimeout, priceOf: pricer(provider.id) });
    }
  }

  if (config.settings?.mock_models !== false) {
    const mock = findProvider("mock") as Provider;
    const deployment: Deployment = { id: "mock/*", modelName: "mock/*", provider: mock, target: { model: "mock/*", apiBase: mock.defaultApiBase as string }, timeoutMs: defaultTimeout, priceOf: pricer(mock.id) };
    table.add("mock/*", deployment, false);
    for (const model of MOCK_MODELS) {
      if (table.resolve(model.id)?.deployment.modelName === model.id) continue; // configured explicitly
      table.add(model.id, { ...deployment, id: model.id, modelName: model.id, target: { ...deployment.target, model: model.id } });
    }
  }
  return { table, problems };
}
