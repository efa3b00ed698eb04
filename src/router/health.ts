import { passthroughOf } from "../providers/passthrough-of.ts";
import { GatewayError, toGatewayError } from "../canonical/errors.ts";
import type { ChatRequest } from "../canonical/chat.ts";
import type { UpstreamRequest } from "../providers/types.ts";
import { countsAsFailure } from "./classify.ts";
import { callUpstream } from "./execute.ts";
import type { Deployment, ModelTable, Unpriced } from "./models.ts";
import type { Router } from "./router.ts";

/** One deployment's health check. */
export interface HealthResult {
  id: string;
  modelName: string;
  provider: string;
  upstreamModel: string;
  region?: string;
  healthy: boolean;
  latencyMs: number;
  /** Why it failed (the gateway's error message: never a key). */
  error?: string;
  errorCode?: string;
  checkedAt: number;
}

/** A deployment that was not checked, and why. */
export interface HealthSkip {
  id: string;
  modelName: string;
  reason: string;
}

/** Health checks never wait longer than this, whatever the deployment's own timeout. */
const CHECK_TIMEOUT_MS = 30_000;

/** The cheapest call that proves a deployment answers: one output token of chat, or a one-word embedding. */
function probe(deployment: Deployment): UpstreamRequest | string {
  const { provider, target } = deployment;
  if (target.model.includes("*")) return "a wildcard deployment has no single model to call";
  if (provider.operations.includes("chat")) {
    const chat: ChatRequest = { model: target.model, messages: [{ role: "user", content: [{ type: "text", text: "ping" }] }], maxTokens: 1, stream: false, extra: {} };
    return provider.chat.buildRequest(chat, target, { dropParams: true }).upstream;
  }
  if (provider.operations.includes("embeddings")) {
    const parsed = { model: target.model, input: "ping" };
    return passthroughOf(provider, "embeddings", { raw: JSON.stringify(parsed), parsed, stream: false }, target, { dropParams: true });
  }
  return "it serves no operation a health check can call";
}

/**
 * Checks deployments with a real, minimal call, on demand (`GET /health`) or on an interval in the
 * background; failures feed the router's cooldowns like a failed call would, so a dead deployment
 * is taken out before a client meets it.
 */
export class HealthChecker {
  private timer: ReturnType<typeof setInterval> | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly table: ModelTable,
    private readonly router: Router,
  ) {}

  /** Deployments (or those serving `modelName`) without a price, as the model table knows them now. */
  unpriced(modelName?: string): Unpriced[] {
    return this.table.unpriced().filter((u) => modelName === undefined || u.deployment.modelName === modelName);
  }

  /** Checks every deployment (or those serving `modelName`), all at once. */
  async check(modelName?: string): Promise<{ results: HealthResult[]; skipped: HealthSkip[] }> {
    const deployments = this.table.deployments().filter((d) => modelName === undefined || d.modelName === modelName);
    const skipped: HealthSkip[] = [];
    const checks: Promise<HealthResult>[] = [];
    for (const deployment of deployments) {
      const request = probe(deployment);
      if (typeof request === "string") skipped.push({ id: deployment.id, modelName: deployment.modelName, reason: request });
      else checks.push(this.checkOne(deployment, request));
    }
    return { results: await Promise.all(checks), skipped };
  }

  private async checkOne(deployment: Deployment, request: UpstreamRequest): Promise<HealthResult> {
    const started = performance.now();
    const base = { id: deployment.id, modelName: deployment.modelName, provider: deployment.provider.id, upstreamModel: deployment.target.model, ...(deployment.region ? { region: deployment.region } : {}) };
    const bounded: Deployment = { ...deployment, timeoutMs: Math.min(deployment.timeoutMs, CHECK_TIMEOUT_MS) };
    try {
      const call = await callUpstream({ deployment: bounded, target: deployment.target }, request, new AbortController().signal);
      try {
        await call.response.text();
      } catch (error) {
        throw call.explain(error);
      } finally {
        call.settle();
      }
      return { ...base, healthy: true, latencyMs: performance.now() - started, checkedAt: Date.now() };
    } catch (thrown) {
      const error = toGatewayError(thrown);
      if (countsAsFailure(error)) {
        // Like the router: a group's only deployment never cools down.
        if (this.table.groupSize(deployment.modelName) > 1) {
          this.router.loads.recordFailure(deployment.id, this.router.policy(deployment.modelName), { rateLimited: error.status === 429, ...(error.details.retryAfter !== undefined ? { retryAfterSeconds: error.details.retryAfter } : {}) });
        }
      }
      return { ...base, healthy: false, latencyMs: performance.now() - started, error: error instanceof GatewayError ? error.message : "check failed", errorCode: error.code, checkedAt: Date.now() };
    }
  }

  /** Checks everything every `intervalMs`, off the request path; one round at a time. */
  start(intervalMs: number, onError: (error: unknown) => void = () => {}): void {
    this.stop();
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.check()
        .catch(onError)
        .finally(() => {
          this.running = undefined;
        });
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }
}
