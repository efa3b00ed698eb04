import type { Config, ModelEntry } from "../config/schema.ts";
import type { PriceCatalogue } from "../pricing/catalogue.ts";
import { priceOverrideOf } from "../pricing/config-price.ts";
import type { PriceOverride } from "../pricing/cost.ts";
import { embeddedPrices } from "../pricing/load.ts";
import { makePricer, type PriceOf, type PriceSpec } from "../pricing/pricer.ts";
import { MOCK_MODELS } from "../providers/mock/catalogue.ts";
import { isSafeModelId, modelIdProblem } from "../providers/model-id.ts";
import { findProvider, PROVIDERS } from "../providers/registry.ts";
import type { Provider, Target } from "../providers/types.ts";

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
  /** Time allowed to connect and get the response headers; undefined = only the other timeouts apply. */
  connectMs?: number;
  /** Time allowed until the answer's first byte; undefined = only the total timeout applies. */
  firstByteMs?: number;
  /** Time allowed between two chunks of a stream; undefined = only the total timeout applies. */
  idleMs?: number;
  /** Prices an upstream model of this deployment (memoised; wildcards price per model). */
  priceOf: PriceOf;
  /** Tags that steer requests with matching `metadata.tags` here (see tags.ts), and the region it runs in (reported, not routed on). */
  tags?: readonly string[];
  region?: string;
  /** Share of the group's traffic (simple-shuffle), priority order and per-minute capacity. */
  weight: number;
  order: number;
  rpm?: number;
  tpm?: number;
  /** Lends its credential to its provider's pass-through route (config `use_in_pass_through`). */
  passThrough?: true;
}

/** The pricer of one deployment of `provider`: the price data (or the provider's nominal price) with the deployment's own `price` laid over it. */
function pricer(prices: PriceCatalogue, provider: Provider, override?: PriceOverride): PriceOf {
  const spec: PriceSpec = { sources: provider.priceSources ?? [] };
  if (provider.price) spec.nominal = priceOverrideOf(provider.price, `${provider.id} nominal price`, []);
  if (override) spec.override = override;
  return makePricer(prices, spec);
}

/** A deployment chosen for one call, with its wildcard filled in. */
export interface Resolved {
  deployment: Deployment;
  target: Target;
}

/** A deployment with no price for `model` (its own, or one its wildcard served). */
export interface Unpriced {
  deployment: Deployment;
  model: string;
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
  private exact = new Map<string, Deployment[]>();
  /** The exact names' groups as Resolved lists, made once (a pattern's targets depend on the name called). */
  private exactGroups = new Map<string, Resolved[]>();
  private patterns: { prefix: string; deployments: Deployment[] }[] = [];
  private listed: ListedModel[] = [];
  /** Moves on every `replaceWith`, so what is derived from the table can be cached per generation. */
  private changes = 0;

  get generation(): number {
    return this.changes;
  }

  /**
   * Takes over `next`'s deployments in one step (models changed at run time): calls already
   * routed keep the deployments they hold; every lookup after this sees only the new ones.
   */
  replaceWith(next: ModelTable): void {
    this.exact = next.exact;
    this.exactGroups = next.exactGroups;
    this.patterns = next.patterns;
    this.listed = next.listed;
    this.changes++;
  }

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
      const resolved = this.exactGroups.get(name);
      if (resolved) resolved.push({ deployment, target: deployment.target });
      else this.exactGroups.set(name, [{ deployment, target: deployment.target }]);
    }
    if (listed && !this.listed.some((m) => m.id === name)) this.listed.push({ id: name, ownedBy: deployment.provider.id });
  }

  /** The first deployment for a model name (see `group` for all of them). */
  resolve(name: string): Resolved | undefined {
    return this.group(name)?.[0];
  }

  /**
   * Every deployment serving a model name, in configuration order: exact names win over patterns,
   * the longest matching pattern among patterns. Choosing among them is the router's job. A pattern's
   * match becomes (part of) the upstream model id, so a match no provider can have as an id
   * (`gemini/x/../../upload`, `a?b`) serves nothing; {@link refusal} says why.
   */
  group(name: string): readonly Resolved[] | undefined {
    const exact = this.exactGroups.get(name);
    if (exact) return exact;
    const pattern = this.pattern(name);
    if (!pattern) return undefined;
    const rest = name.slice(pattern.prefix.length);
    if (!isSafeModelId(rest)) return undefined;
    // A function, so `$&` and friends in the client's name are not replacement patterns.
    return pattern.deployments.map((deployment) => ({ deployment, target: { ...deployment.target, model: deployment.target.model.replace("*", () => rest) } }));
  }

  /** Why `name` serves nothing although a pattern matches it: what is wrong with the model id it would send; undefined otherwise. */
  refusal(name: string): string | undefined {
    if (this.exactGroups.has(name)) return undefined;
    const pattern = this.pattern(name);
    return pattern ? modelIdProblem(name.slice(pattern.prefix.length)) : undefined;
  }

  /** How many deployments serve a model name (no copies). */
  groupSize(name: string): number {
    const exact = this.exact.get(name);
    if (exact) return exact.length;
    return this.pattern(name)?.deployments.length ?? 0;
  }

  /** The longest pattern matching `name` with something after its prefix. */
  private pattern(name: string): { prefix: string; deployments: Deployment[] } | undefined {
    for (const pattern of this.patterns) if (name.length > pattern.prefix.length && name.startsWith(pattern.prefix)) return pattern;
    return undefined;
  }

  /** Every deployment once, in configuration order (for health checks). */
  deployments(): Deployment[] {
    const all = new Set<Deployment>();
    for (const list of this.exact.values()) for (const deployment of list) all.add(deployment);
    for (const { deployments } of this.patterns) for (const deployment of deployments) all.add(deployment);
    return [...all];
  }

  /**
   * What has no price: each configured deployment whose model the price data and its own `price`
   * leave unpriced, and each model a wildcard deployment was asked for and could not price.
   */
  unpriced(): Unpriced[] {
    const found: Unpriced[] = [];
    for (const deployment of this.deployments()) {
      if (deployment.target.model.includes("*")) for (const model of deployment.priceOf.unpriced()) found.push({ deployment, model });
      else if (!deployment.priceOf(deployment.target.model)) found.push({ deployment, model: deployment.target.model });
    }
    return found;
  }

  /** The models `GET /v1/models` shows, in configuration order. */
  list(): readonly ListedModel[] {
    return this.listed;
  }

}

/** A deployment added besides the config's (a model managed at run time), placed after the config's models. */
export interface ExtraModel {
  entry: ModelEntry;
  /** The path its problems are reported at (`models[0]` of the one-model config it was read from). */
  path: string;
}

/**
 * Builds the table from config, environment and `extra` deployments; returns the problems that keep
 * a config entry from working, and each extra entry's own (such an entry is left out, the rest served).
 */
export function buildModelTable(
  config: Config,
  env: Record<string, string | undefined>,
  prices: PriceCatalogue = embeddedPrices(),
  extra: readonly ExtraModel[] = [],
): { table: ModelTable; problems: string[]; extraProblems: string[][] } {
  const table = new ModelTable();
  const problems: string[] = [];
  const extraProblems: string[][] = extra.map(() => []);
  const defaultTimeout = (config.settings?.request_timeout_seconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
  const seenIds = new Set<string>();
  const configured = config.models ?? [];
  const entries = [
    ...configured.map((entry, index) => ({ entry, path: `models[${index}]`, problems })),
    ...extra.map(({ entry, path }, index) => ({ entry, path, problems: extraProblems[index] as string[] })),
  ];

  entries.forEach(({ entry, path, problems: found }: { entry: ModelEntry; path: string; problems: string[] }, index) => {
    const slash = entry.model.indexOf("/");
    if (slash <= 0 || slash === entry.model.length - 1) {
      found.push(`${path}.model: '${entry.model}' is not <provider>/<upstream model>, e.g. openai/gpt-4o`);
      return;
    }
    const providerId = entry.model.slice(0, slash);
    const named = findProvider(providerId);
    if (!named) {
      found.push(`${path}.model: unknown provider '${providerId}' (known: ${[...PROVIDERS.keys()].join(", ")})`);
      return;
    }
    const provider = named.variant?.(entry.model.slice(slash + 1)) ?? named;
    const apiBase = entry.api_base ?? firstEnv(env, provider.apiBaseEnv) ?? provider.defaultApiBase;
    if (!apiBase) {
      found.push(`${path}: ${provider.label} has no default URL; set api_base`);
      return;
    }
    const apiKey = entry.api_key ?? firstEnv(env, provider.apiKeyEnv);
    if (provider.requiresApiKey && !apiKey) {
      const hint = provider.apiKeyEnv[0] ? `api_key: os.environ/${provider.apiKeyEnv[0]} (or export ${provider.apiKeyEnv[0]})` : "api_key";
      found.push(`${path}: ${provider.label} needs an API key; set ${hint}`);
      return;
    }
    if (entry.model.includes("*") && !entry.model_name.endsWith("*")) {
      found.push(`${path}.model: '*' in model needs a model_name ending in '*'`);
      return;
    }
    const upstreamModel = entry.model.slice(slash + 1);
    // Exact ids from config go into URLs as they are; the request's part of a wildcard is checked per call.
    const idProblem = modelIdProblem(upstreamModel.replace("*", "x"));
    if (idProblem) {
      found.push(`${path}.model: the upstream model id ${idProblem}; no provider has such an id`);
      return;
    }
    let id = entry.id ?? entry.model_name;
    if (seenIds.has(id)) {
      if (entry.id) found.push(`${path}.id: '${id}' is used by another deployment`);
      id = `${id}#${index}`;
    }
    seenIds.add(id);
    const target: Target = { model: upstreamModel, apiBase };
    if (apiKey) target.apiKey = apiKey;
    if (entry.headers) target.headers = entry.headers;
    const problem = provider.configure?.(target, entry, env);
    if (problem) {
      found.push(`${path}: ${problem}`);
      return;
    }
    const deployment: Deployment = {
      id,
      modelName: entry.model_name,
      provider,
      target,
      timeoutMs: (entry.timeout_seconds ?? 0) * 1000 || defaultTimeout,
      priceOf: pricer(prices, provider, priceOverrideOf(entry.price, `${path}.price`, found)),
      weight: entry.weight ?? 1,
      order: entry.order ?? 0,
    };
    if (entry.first_byte_timeout_seconds !== undefined) deployment.firstByteMs = entry.first_byte_timeout_seconds * 1000;
    if (entry.connect_timeout_seconds !== undefined) deployment.connectMs = entry.connect_timeout_seconds * 1000;
    if (entry.stream_idle_timeout_seconds !== undefined) deployment.idleMs = entry.stream_idle_timeout_seconds * 1000;
    if (entry.tags !== undefined && entry.tags.length > 0) deployment.tags = entry.tags;
    if (entry.region !== undefined) deployment.region = entry.region;
    if (entry.rpm !== undefined) deployment.rpm = entry.rpm;
    if (entry.tpm !== undefined) deployment.tpm = entry.tpm;
    if (entry.use_in_pass_through === true) deployment.passThrough = true;
    table.add(entry.model_name, deployment);
    for (const alias of entry.aliases ?? []) table.add(alias, deployment, false);
  });

  if (config.settings?.env_provider_models !== false) {
    for (const provider of PROVIDERS.values()) {
      if (provider.transport) continue;
      const apiKey = firstEnv(env, provider.apiKeyEnv);
      const envBase = firstEnv(env, provider.apiBaseEnv);
      const credentials = firstEnv(env, provider.credentialEnv ?? []);
      const enabled = provider.requiresApiKey ? !!apiKey : !!envBase || !!credentials;
      const apiBase = envBase ?? provider.defaultApiBase;
      if (!enabled || !apiBase) continue;
      const target: Target = { model: "*", apiBase };
      if (apiKey) target.apiKey = apiKey;
      if (provider.configure?.(target, {}, env)) continue;
      table.add(`${provider.id}/*`, { id: `${provider.id}/*`, modelName: `${provider.id}/*`, provider, target, timeoutMs: defaultTimeout, priceOf: pricer(prices, provider), weight: 1, order: 0 });
    }
  }

  if (config.settings?.mock_models !== false) {
    const mock = findProvider("mock") as Provider;
    const deployment: Deployment = { id: "mock/*", modelName: "mock/*", provider: mock, target: { model: "mock/*", apiBase: mock.defaultApiBase as string }, timeoutMs: defaultTimeout, priceOf: pricer(prices, mock), weight: 1, order: 0 };
    table.add("mock/*", deployment, false);
    for (const model of MOCK_MODELS) {
      if (table.resolve(model.id)?.deployment.modelName === model.id) continue; // configured explicitly
      table.add(model.id, { ...deployment, id: model.id, modelName: model.id, target: { ...deployment.target, model: model.id } });
    }
  }
  return { table, problems, extraProblems };
}
