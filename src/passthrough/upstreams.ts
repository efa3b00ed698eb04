/**
 * Where a pass-through call goes and with whose credential, in LiteLLM's spirit
 * (passthrough_endpoint_router: a `use_in_pass_through` deployment's key, else the provider's
 * `<PROVIDER>_API_KEY`), plus one rule of the gateway's own:
 * 1. a call of a model (Messages, chat, embeddings, generateContent, token counts) that a
 *    deployment of the provider serves goes to that deployment, with its key, base, headers,
 *    timeouts and price: the same upstream its /v1 calls reach;
 * 2. any other call goes to the provider's first deployment marked `use_in_pass_through`;
 * 3. else to the provider's fixed upstream (a config endpoint's), or its environment key and base
 *    (the variables the built-in providers read). As in LiteLLM, whatever
 *    `settings.env_provider_models` says: that setting decides which models /v1 serves (a LiteLLM
 *    config turns it off), and a migrated gateway's pass-through routes must keep the credential
 *    LiteLLM's used. Keys' allow-lists narrow what it reaches.
 */
import type { Config } from "../config/schema.ts";
import type { PriceCatalogue } from "../pricing/catalogue.ts";
import { makePricer, type PriceOf } from "../pricing/pricer.ts";
import type { Deployment, ModelTable } from "../router/models.ts";
import type { Target } from "../providers/types.ts";
import type { CallShape, CredentialSource, PassthroughProvider, PassthroughUpstream } from "./types.ts";

const DEFAULT_TIMEOUT_SECONDS = 600;

/** What the pass-through routes read from the config, environment and price data once, at start. */
export interface PassthroughSettings {
  /** The routes served, `/<id>/*` each. */
  providers: readonly PassthroughProvider[];
  /** Each provider's standing upstream, by route id: its fixed one, else the environment's (its key variable set). */
  standing: ReadonlyMap<string, PassthroughUpstream>;
  /** Each provider's price data, for models no deployment prices, by route id. */
  pricers: ReadonlyMap<string, PriceOf>;
}

function firstEnv(env: Record<string, string | undefined>, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = env[name];
    if (value) return value;
  }
  return undefined;
}

/** The environment's key and base for a provider, when both are set (a base may be the provider's default). */
function keyTarget(credentials: CredentialSource, env: Record<string, string | undefined>): Target | undefined {
  const apiKey = firstEnv(env, credentials.apiKeyEnv);
  const base = firstEnv(env, credentials.apiBaseEnv) ?? credentials.defaultBase;
  return apiKey && base ? { model: "", apiBase: base, apiKey } : undefined;
}

/** Reads each provider's standing credential (fixed, or from the environment) and price data. */
export function passthroughSettings(providers: readonly PassthroughProvider[], config: Config, env: Record<string, string | undefined>, prices: PriceCatalogue): PassthroughSettings {
  const timeoutMs = (config.settings?.request_timeout_seconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
  const standing = new Map<string, PassthroughUpstream>();
  const pricers = new Map<string, PriceOf>();
  for (const provider of providers) {
    const { credentials } = provider;
    const priceOf = makePricer(prices, { sources: credentials.priceSources.map((id) => ({ id })) });
    pricers.set(provider.id, priceOf);
    const { fixed } = credentials;
    if (fixed) {
      const target = { model: "", apiBase: fixed.base, ...(fixed.headers ? { headers: fixed.headers } : {}) };
      standing.set(provider.id, { id: `${provider.id}/config`, root: provider.rootOf(fixed.base), target, priceOf, timeoutMs: fixed.timeoutMs ?? timeoutMs });
      continue;
    }
    const target = credentials.environment ? credentials.environment(env) : keyTarget(credentials, env);
    if (target) standing.set(provider.id, { id: `${provider.id}/environment`, root: provider.rootOf(target.apiBase), target, priceOf, timeoutMs });
  }
  return { providers, standing, pricers };
}

/** A deployment of the provider serving a model, and the name it serves it under. */
export interface Serving {
  deployment: Deployment;
  name: string;
}

/** The deployment's upstream for a call of `model` ("" for none). */
export function upstreamOfDeployment(provider: PassthroughProvider, deployment: Deployment, model: string, priceOf: PriceOf = deployment.priceOf): PassthroughUpstream {
  const upstream: PassthroughUpstream = {
    id: deployment.id,
    root: provider.rootOf(deployment.target.apiBase),
    target: { ...deployment.target, model },
    priceOf,
    timeoutMs: deployment.timeoutMs,
  };
  if (deployment.connectMs !== undefined) upstream.connectMs = deployment.connectMs;
  if (deployment.firstByteMs !== undefined) upstream.firstByteMs = deployment.firstByteMs;
  if (deployment.idleMs !== undefined) upstream.idleMs = deployment.idleMs;
  return upstream;
}

/** The part of `model` a wildcard upstream id (`*`, `claude-*`) matched, or undefined. */
function wildcardMatch(pattern: string, model: string): string | undefined {
  const star = pattern.indexOf("*");
  const head = pattern.slice(0, star);
  const tail = pattern.slice(star + 1);
  if (model.length <= head.length + tail.length || !model.startsWith(head) || !model.endsWith(tail)) return undefined;
  return model.slice(head.length, model.length - tail.length);
}

/** Finds the upstreams of pass-through calls over the live model table (models change at run time). */
export class PassthroughUpstreams {
  private generation = -1;
  private byProvider = new Map<string, Deployment[]>();

  constructor(
    private readonly models: ModelTable,
    readonly settings: PassthroughSettings,
  ) {}

  /** The provider's deployments in configuration order, indexed once per table generation. */
  private deploymentsOf(providerId: string): readonly Deployment[] {
    if (this.generation !== this.models.generation) {
      this.generation = this.models.generation;
      this.byProvider = new Map();
      for (const deployment of this.models.deployments()) {
        const list = this.byProvider.get(deployment.provider.id);
        if (list) list.push(deployment);
        else this.byProvider.set(deployment.provider.id, [deployment]);
      }
    }
    return this.byProvider.get(providerId) ?? [];
  }

  /** The provider's deployments whose upstream model is `model`, each with the name it is served under. */
  serving(provider: PassthroughProvider, model: string): Serving[] {
    const id = provider.credentials.providerId;
    if (!id) return [];
    const found: Serving[] = [];
    for (const deployment of this.deploymentsOf(id)) {
      const upstreamModel = deployment.target.model;
      if (!upstreamModel.includes("*")) {
        if (upstreamModel === model) found.push({ deployment, name: deployment.modelName });
        continue;
      }
      const matched = wildcardMatch(upstreamModel, model);
      if (matched !== undefined) found.push({ deployment, name: deployment.modelName.replace("*", () => matched) });
    }
    return found;
  }

  /** The provider's deployment served under the gateway name `name` with an exact upstream model (not a wildcard), if any. */
  named(provider: PassthroughProvider, name: string): Deployment | undefined {
    const id = provider.credentials.providerId;
    return id ? this.deploymentsOf(id).find((deployment) => deployment.modelName === name && !deployment.target.model.includes("*")) : undefined;
  }

  /**
   * The upstream of a call no deployment serves by model: the first `use_in_pass_through`
   * deployment (in the project and location the path names, when one is there, as LiteLLM picks
   * Vertex AI's), else the standing one (fixed, or the environment's).
   */
  fallback(provider: PassthroughProvider, model: string, place?: CallShape["place"]): PassthroughUpstream | undefined {
    const id = provider.credentials.providerId;
    const priceOf = this.settings.pricers.get(provider.id);
    const lending = id ? this.deploymentsOf(id).filter((deployment) => deployment.passThrough) : [];
    const lent = (place && lending.find(({ target }) => target.project === place.project && target.region === place.location)) || lending[0];
    // Its own price override is for its own model: other models are priced from the price data.
    if (lent) return upstreamOfDeployment(provider, lent, model, priceOf ?? lent.priceOf);
    const standing = this.settings.standing.get(provider.id);
    return standing ? { ...standing, target: { ...standing.target, model } } : undefined;
  }
}
