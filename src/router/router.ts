import type { RouterConfig } from "../config/schema.ts";
import { DeploymentLoads } from "./load.ts";
import { DEFAULT_POLICY, type GroupPolicy } from "./types.ts";

/** Which fallback list a failure reaches for. */
export type FallbackKind = "general" | "context_window" | "content_policy";

/** Waits `ms`, or rejects as soon as `signal` aborts (the client went away). */
export type Sleep = (ms: number, signal: AbortSignal) => Promise<void>;

/** The real sleep: one timer, cleared if the client leaves. */
export const sleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });

export interface RouterOptions {
  config?: RouterConfig;
  /** Injectable for tests: a fake clock, a seeded random, a sleep that advances the fake clock. */
  now?: () => number;
  random?: () => number;
  sleep?: Sleep;
}

/**
 * The router's settings and the state it keeps per deployment (load, latency, cooldowns), shared
 * by every call in this process. Reads are map lookups; nothing here does I/O.
 */
export class Router {
  readonly loads: DeploymentLoads;
  readonly random: () => number;
  readonly sleep: Sleep;
  readonly now: () => number;
  private readonly base: GroupPolicy;
  private readonly policies = new Map<string, GroupPolicy>();
  private readonly fallbackLists: Record<FallbackKind, Record<string, string[]>>;

  constructor(options: RouterOptions = {}) {
    const config = options.config ?? {};
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.sleep = options.sleep ?? sleep;
    this.loads = new DeploymentLoads(this.now);
    this.base = withOverrides(DEFAULT_POLICY, config);
    if (config.latency_buffer !== undefined) this.base.latencyBuffer = config.latency_buffer;
    for (const [name, overrides] of Object.entries(config.groups ?? {})) this.policies.set(name, withOverrides(this.base, overrides));
    this.fallbackLists = { general: config.fallbacks ?? {}, context_window: config.context_window_fallbacks ?? {}, content_policy: config.content_policy_fallbacks ?? {} };
  }

  /** The settings of the group clients call `model`. */
  policy(model: string): GroupPolicy {
    return this.policies.get(model) ?? this.base;
  }

  /** Every model name a call to `model` may fall back to, whatever the failure (for budget reservations). */
  anyFallbacks(model: string): readonly string[] {
    const kinds: FallbackKind[] = ["general", "context_window", "content_policy"];
    const all = new Set<string>();
    for (const kind of kinds) for (const name of this.fallbacks(model, kind)) if (name !== model) all.add(name);
    return [...all];
  }

  /** The model names to try, in order, after `model` failed this way. */
  fallbacks(model: string, kind: FallbackKind): readonly string[] {
    return this.fallbackLists[kind][model] ?? this.fallbackLists[kind]["*"] ?? [];
  }
}

function withOverrides(
  base: GroupPolicy,
  overrides: { strategy?: GroupPolicy["strategy"]; num_retries?: number; allowed_fails?: number; cooldown_seconds?: number; retry_after_seconds?: number },
): GroupPolicy {
  return {
    ...base,
    ...(overrides.strategy !== undefined ? { strategy: overrides.strategy } : {}),
    ...(overrides.num_retries !== undefined ? { numRetries: overrides.num_retries } : {}),
    ...(overrides.allowed_fails !== undefined ? { allowedFails: overrides.allowed_fails } : {}),
    ...(overrides.cooldown_seconds !== undefined ? { cooldownMs: overrides.cooldown_seconds * 1000 } : {}),
    ...(overrides.retry_after_seconds !== undefined ? { retryFloorMs: overrides.retry_after_seconds * 1000 } : {}),
  };
}
