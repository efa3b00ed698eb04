import type { Server } from "bun";
import { callUpstream, type UpstreamCall } from "../router/execute.ts";
import type { ModelTable, Resolved } from "../router/models.ts";
import type { Operation, UpstreamRequest } from "../providers/types.ts";
import type { RawBody } from "../server/body.ts";
import { GatewayError } from "../spec/errors.ts";
import type { CallObserver, CallRecord } from "../telemetry/calls.ts";
import { costOf } from "../pricing/cost.ts";
import { formatUsd } from "../pricing/units.ts";
import type { Usage } from "../spec/usage.ts";

/** What a call handler needs from the app. */
export interface CallDeps {
  models: ModelTable;
  observer: CallObserver;
  dropParams: boolean;
}

/** One proxied call in flight: identity, timing and the record it will leave. */
export interface CallScope {
  callId: string;
  request: Request;
  raw: RawBody;
  startedAt: number;
  record: (fields: Partial<CallRecord> & Pick<CallRecord, "status" | "outcome">) => void;
}

/** Opens a call scope; its `record` reports the call once to the observer. */
export function openCall(deps: CallDeps, request: Request, raw: RawBody, operation: Operation, model: string, stream: boolean): CallScope {
  const callId = crypto.randomUUID();
  const startedAt = Date.now();
  return {
    callId,
    request,
    raw,
    startedAt,
    record: (fields) =>
      deps.observer.onCall({ callId, operation, model, stream, startedAt, durationMs: performance.now() - raw.receivedAt, ...fields }),
  };
}

/** Resolves the model or fails with a 404 that says what to do. */
export function resolveModel(deps: CallDeps, model: string, operation: Operation): Resolved {
  const resolved = deps.models.resolve(model);
  if (!resolved) {
    throw new GatewayError("caller.model_not_found", `The model '${model}' does not exist on this gateway. GET /v1/models lists the models you can use.`, { param: "model" });
  }
  if (!resolved.deployment.provider.operations.includes(operation)) {
    throw new GatewayError("caller.invalid_request", `The model '${model}' (${resolved.deployment.provider.label}) does not support ${operation}.`, { param: "model" });
  }
  return resolved;
}

/**
 * Sends a built request upstream, exempting the connection from the server's idle timeout (the
 * deployment's own timeout bounds the call instead, so a slow first token is not cut).
 */
export function startUpstream(scope: CallScope, resolved: Resolved, built: UpstreamRequest, server: Server<unknown> | null | undefined): Promise<UpstreamCall> {
  server?.timeout(scope.request, 0);
  return callUpstream(resolved, built, scope.request.signal);
}

/** Reads a buffered upstream answer's text; the call's timeout is cleared whatever happens. */
export async function readBuffered(call: UpstreamCall): Promise<string> {
  try {
    return await call.response.text();
  } catch (error) {
    throw call.explain(error);
  } finally {
    call.settle();
  }
}

/** Records a failed call; the dialect renders the error. */
export function recordFailure(scope: CallScope, error: GatewayError, resolved?: Resolved): void {
  const deployment = resolved?.deployment;
  scope.record({
    status: error.status,
    outcome: scope.request.signal.aborted ? "cancelled" : "error",
    errorCode: error.code,
    ...(deployment ? { deploymentId: deployment.id, provider: deployment.provider.id } : {}),
  });
}

/** The call's cost in nano-dollars, when the deployment's model has a price and usage is known. */
export function costOfCall(resolved: Resolved, usage: Usage | undefined): number | undefined {
  if (!usage) return undefined;
  const price = resolved.deployment.priceOf(resolved.target.model);
  return price ? costOf(usage, price).total : undefined;
}

/** The cost header LiteLLM clients know as x-litellm-response-cost: US dollars, exact decimal. */
export function costHeader(cost: number | undefined): Record<string, string> {
  return cost === undefined ? {} : { "x-switchboard-response-cost": formatUsd(cost) };
}
