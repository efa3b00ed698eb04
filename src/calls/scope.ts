import type { Server } from "bun";
import { callUpstream, type UpstreamCall } from "../router/execute.ts";
import type { ModelTable, Resolved } from "../router/models.ts";
import type { Operation, UpstreamRequest } from "../providers/types.ts";
import type { RawBody } from "../server/body.ts";
import { GatewayError, toGatewayError } from "../canonical/errors.ts";
import { invalidModelId } from "../providers/model-id.ts";
import type { CallObserver, CallRecord } from "../telemetry/calls.ts";
import { costOf } from "../pricing/cost.ts";
import { formatUsd } from "../pricing/units.ts";
import type { Usage } from "../canonical/usage.ts";
import type { Caller } from "../auth/caller.ts";
import type { RouteInput } from "../server/route-spec.ts";
import { route, type Routed, type RouteRequest } from "../router/route.ts";
import { byTags } from "../router/tags.ts";
import type { Tracing } from "../telemetry/tracing.ts";
import type { WireFormat } from "../providers/types.ts";
import { answerTextOf, beginTrace, traceAttempt, traceItemOf, type TraceCapture } from "./trace-capture.ts";
import type { Router } from "../router/router.ts";
import { admitCall, authorizeModel, type Accounting, type Admission } from "./admit.ts";
import { echo } from "../canonical/echo.ts";
import type { McpGateway } from "../mcp/gateway.ts";

/** What a call handler needs from the app. */
export interface CallDeps {
  models: ModelTable;
  observer: CallObserver;
  dropParams: boolean;
  /** Keys, limits, budgets and the spend ledger; absent when the gateway runs without a store. */
  accounting?: Accounting;
  /** Chooses deployments, retries, falls back, cools failing deployments down. */
  router: Router;
  /** OpenInference spans over OTLP; absent when tracing is off. */
  tracing?: Tracing;
  /** Where the gateway's own failures (never the caller's or a provider's) are reported: a message, no stack. */
  logError?: (message: string, error: unknown) => void;
  /** The MCP gateway, for chat requests whose tools name its servers (calls/mcp/loop.ts). */
  mcp?: McpGateway;
}

/** One proxied request as a call handler receives it. */
export interface CallInput {
  request: Request;
  body: Record<string, unknown>;
  raw: RawBody;
  server: Server<unknown> | null | undefined;
  caller: Caller;
}

/** A route's input as a call's input (the body has passed the route's schema). */
export function callInput(input: RouteInput): CallInput {
  return { request: input.request, body: input.body as Record<string, unknown>, raw: input.raw(), server: input.server, caller: input.caller };
}

/** One proxied call in flight: identity, timing, admission and the record it will leave. */
export interface CallScope {
  callId: string;
  request: Request;
  raw: RawBody;
  caller: Caller;
  startedAt: number;
  /** Limits and budget taken for this call; released when the record is made. */
  admission: Admission | undefined;
  /** Set once the request is handed to the upstream: only such calls leave a spend row. */
  reachedUpstream: boolean;
  /** The router's choice, once it committed to an answer (attempts, fallback; told how the call ended). */
  routed: Routed<unknown> | undefined;
  /** The request's `metadata.tags` (they also steer tagged deployments). */
  tags: readonly string[] | undefined;
  /** What the call keeps for its trace, when tracing is on. */
  trace: TraceCapture | undefined;
  /** CallDeps.logError, for the call's internal errors. */
  logError: ((message: string, error: unknown) => void) | undefined;
  /** Reports the call once to the observer and settles its admission. */
  record: (fields: Partial<CallRecord> & Pick<CallRecord, "status" | "outcome">) => void;
}

const NO_HEADERS: Record<string, string> = {};

/** The headers every response of this call carries from its admission (rate-limit headroom). */
export const admissionHeaders = (scope: CallScope): Record<string, string> => scope.admission?.headers ?? NO_HEADERS;

/** Opens a call scope for `input`; the model is the name the client sent. */
export function openCall(deps: CallDeps, input: CallInput, operation: Operation, model: string, stream: boolean, wire: WireFormat = "openai"): CallScope {
  // Time-ordered (UUIDv7): the ledger's primary-key index then grows at its end instead of at random pages.
  const callId = Bun.randomUUIDv7();
  deps.observer.onStart?.();
  const startedAt = Date.now();
  const { request, raw, body } = input;
  const endUser = typeof body.user === "string" && body.user ? body.user : undefined;
  const tags = requestTags(body);
  let recorded = false;
  const scope: CallScope = {
    callId,
    request,
    raw,
    caller: input.caller,
    startedAt,
    admission: undefined,
    reachedUpstream: false,
    routed: undefined,
    tags,
    trace: deps.tracing ? beginTrace(request, body, wire, deps.tracing, callId) : undefined,
    logError: deps.logError,
    record: (fields) => {
      if (recorded) return;
      recorded = true;
      const record: CallRecord = {
        callId,
        operation,
        model,
        stream,
        startedAt,
        durationMs: performance.now() - raw.receivedAt,
        ...(endUser ? { endUser } : {}),
        ...(tags ? { tags } : {}),
        ...fields,
      };
      const routed = scope.routed;
      if (routed) {
        record.attempts = routed.attempts;
        if (routed.failed.length > 0) record.failedAttempts = routed.failed;
        if (routed.fallbackFrom !== undefined) record.fallbackFrom = routed.fallbackFrom;
      }
      scope.admission?.finish(record, scope.reachedUpstream);
      scope.routed?.finish({ ok: record.outcome === "ok", ...(record.usage ? { tokens: record.usage.input + record.usage.output } : {}) });
      deps.observer.onCall(record);
      if (scope.trace && deps.tracing && operation !== "count_tokens") deps.tracing.submit(traceItemOf(scope.trace, record, scope.caller, scope.routed), raw.text, answerTextOf(scope.trace));
    },
  };
  return scope;
}

/** LiteLLM's request tags: `metadata.tags`, strings only. */
function requestTags(body: Record<string, unknown>): string[] | undefined {
  const metadata = body.metadata;
  if (!metadata || typeof metadata !== "object") return undefined;
  const tags = (metadata as Record<string, unknown>).tags;
  if (!Array.isArray(tags)) return undefined;
  const strings = tags.filter((t): t is string => typeof t === "string");
  return strings.length > 0 ? strings : undefined;
}

/** A call admitted for a model name: the name after key aliases and the deployments that can serve it. */
export interface Admitted {
  model: string;
  group: readonly Resolved[];
}

/**
 * Everything before the upstream call, in the brief's order: model access for the caller (403),
 * the model's existence (404), then rate limits (429) and budgets (400), taken on the scope. A
 * promise only when a strict budget needs a tokenizer loaded first (see admitCall).
 */
export function admitModel(deps: CallDeps, scope: CallScope, body: Record<string, unknown>, requested: string, operation: Operation): Admitted | Promise<Admitted> {
  const model = authorizeModel(scope.caller, requested);
  const group = taggedGroup(resolveGroup(deps, model, operation), scope.tags, model);
  // A fallback may serve (and cost more): reserve for the dearest deployment the call can reach.
  const reachable = deps.accounting ? withFallbacks(deps, scope.caller, model, group, operation, scope.tags) : group;
  const admission = admitCall(deps.accounting, scope.caller, reachable, body, operation);
  if (admission instanceof Promise) {
    return admission.then((admitted) => {
      scope.admission = admitted;
      return { model, group };
    });
  }
  scope.admission = admission;
  return { model, group };
}

/** The deployments of a group that serve the request's tags, or a 400 naming them. */
function taggedGroup(group: readonly Resolved[], tags: readonly string[] | undefined, model: string): readonly Resolved[] {
  const serving = byTags(group, tags);
  if (serving.length > 0) return serving;
  throw new GatewayError("caller.invalid_request", `No deployment of '${echo(model)}' serves the tags ${echo(JSON.stringify(tags ?? []))} in metadata.tags, and none is tagged 'default'.`, { param: "metadata.tags" });
}

/** The group plus every fallback group the caller may reach from `model`. */
function withFallbacks(deps: CallDeps, caller: Caller, model: string, group: readonly Resolved[], operation: Operation, tags: readonly string[] | undefined): readonly Resolved[] {
  const names = deps.router.anyFallbacks(model);
  if (names.length === 0) return group;
  const all = [...group];
  for (const name of names) {
    try {
      all.push(...byTags(resolveGroup(deps, authorizeModel(caller, name), operation), tags));
    } catch {
      // Unknown or not allowed for this key: the router will skip it too.
    }
  }
  return all;
}

/** The 400 for a name a wildcard matches but whose model id could leave the upstream URL's path (the table serves nothing for it). */
export function throwIfRefused(models: ModelTable, model: string): void {
  const problem = models.refusal(model);
  if (problem !== undefined) throw invalidModelId(problem);
}

/** The deployments of a model name that can serve `operation`, or a 404/400 that says what to do. */
export function resolveGroup(deps: CallDeps, model: string, operation: Operation): readonly Resolved[] {
  const group = deps.models.group(model);
  if (!group || group.length === 0) {
    throwIfRefused(deps.models, model);
    throw new GatewayError("caller.model_not_found", `The model '${echo(model)}' does not exist on this gateway. GET /v1/models lists the models you can use.`, { param: "model" });
  }
  // Nearly always every deployment can: filter (and allocate) only when one cannot.
  if (group.every((r) => r.deployment.provider.operations.includes(operation))) return group;
  const able = group.filter((r) => r.deployment.provider.operations.includes(operation));
  if (able.length === 0) {
    const first = group[0] as Resolved;
    throw new GatewayError("caller.invalid_request", `The model '${echo(model)}' (${first.deployment.provider.label}) does not support ${operation}.`, { param: "model" });
  }
  return able;
}

/**
 * Runs `attempt` through the router on the admitted group, with fallbacks limited to what the
 * caller's key may call; the scope keeps the router's choice for headers and the call record.
 */
export function routeCall<T>(deps: CallDeps, scope: CallScope, admitted: Admitted, operation: Operation, attempt: (resolved: Resolved) => Promise<T>): Promise<Routed<T>> {
  return route(deps.router, new CallRouting(deps, scope, admitted, operation), attempt);
}

/** What the router asks of a call, as methods on one object (no closures per call). */
class CallRouting implements RouteRequest {
  readonly model: string;
  readonly group: readonly Resolved[];
  readonly signal: AbortSignal;

  constructor(
    private readonly deps: CallDeps,
    private readonly scope: CallScope,
    admitted: Admitted,
    private readonly operation: Operation,
  ) {
    this.model = admitted.model;
    this.group = admitted.group;
    this.signal = scope.request.signal;
  }

  cools(name: string): boolean {
    return this.deps.models.groupSize(name) > 1;
  }

  onCommit(routed: Routed<unknown>): void {
    this.scope.routed = routed;
  }

  fallbackGroup(name: string): readonly Resolved[] | string {
    try {
      const group = byTags(resolveGroup(this.deps, authorizeModel(this.scope.caller, name), this.operation), this.scope.tags);
      return group.length > 0 ? group : `no deployment of '${name}' serves these tags`;
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }
}

/**
 * Sends a built request upstream, exempting the connection from the server's idle timeout (the
 * deployment's own timeout bounds the call instead, so a slow first token is not cut).
 */
export function startUpstream(scope: CallScope, resolved: Resolved, built: UpstreamRequest, server: Server<unknown> | null | undefined, stream = false): Promise<UpstreamCall> {
  server?.timeout(scope.request, 0);
  scope.reachedUpstream = true;
  if (scope.trace) traceAttempt(scope.trace, resolved.deployment.id, resolved.deployment.provider.id, built.headers);
  return callUpstream(resolved, built, scope.request.signal, stream);
}

/**
 * The gateway's own time in a call (x-switchboard-overhead-duration-ms): until the answering attempt
 * was sent, less the earlier attempts and backoff waits, plus the time since its answer (or a
 * stream's first event) was in hand at `answeredAt`. Upstream time and retries are left out.
 */
export function overheadMs(scope: CallScope, call: UpstreamCall, answeredAt: number): number {
  return call.sentAt - scope.raw.receivedAt - (scope.routed?.retryMs ?? 0) + (performance.now() - answeredAt);
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

/**
 * Records a failed call and returns the error for the dialect to render. An internal error (a bug,
 * not the caller's or a provider's fault) is also logged, by its message: the client only sees a 500.
 */
export function recordFailure(scope: CallScope, thrown: unknown, resolved?: Resolved): GatewayError {
  const error = toGatewayError(thrown);
  if (error.code === "gateway.internal") scope.logError?.("internal error", error.cause ?? error);
  if (scope.trace) scope.trace.errorMessage = error.message;
  const deployment = resolved?.deployment;
  // After the router gave up there is no chosen deployment: the error names the last one tried.
  const deploymentId = deployment?.id ?? error.details.deploymentId;
  const provider = deployment?.provider.id ?? error.details.provider;
  scope.record({
    status: error.status,
    outcome: scope.request.signal.aborted ? "cancelled" : "error",
    errorCode: error.code,
    ...(deploymentId !== undefined ? { deploymentId } : {}),
    ...(provider !== undefined ? { provider } : {}),
    ...(error.details.attempts ? { attempts: error.details.attempts.length, failedAttempts: error.details.attempts } : {}),
  });
  return error;
}

/** The call's cost in nano-dollars at the prices in force when it started, when the deployment's model has a price and usage is known. */
export function costOfCall(resolved: Resolved, usage: Usage | undefined, startedAt: number): number | undefined {
  if (!usage) return undefined;
  const price = resolved.deployment.priceOf(resolved.target.model, startedAt);
  return price ? costOf(usage, price).total : undefined;
}

/** The cost header LiteLLM clients know as x-litellm-response-cost: US dollars, exact decimal. */
export function costHeader(cost: number | undefined): Record<string, string> {
  return cost === undefined ? {} : { "x-switchboard-response-cost": formatUsd(cost) };
}
