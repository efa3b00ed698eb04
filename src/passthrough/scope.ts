/**
 * A pass-through call in flight, as a CallScope (so the shared helpers, gateway headers and
 * failure records, work on it), and the one record and trace it leaves: operation
 * `pass_through_endpoint` (LiteLLM's call_type), the gateway name of its model, and a span read
 * from the native bodies (LLM or EMBEDDING for model calls, CHAIN for the rest).
 */
import type { Caller } from "../auth/caller.ts";
import { beginTrace, traceItemOf } from "../calls/trace-capture.ts";
import type { CallDeps, CallScope } from "../calls/scope.ts";
import { costOf } from "../pricing/cost.ts";
import type { RawBody } from "../server/body.ts";
import type { CallRecord } from "../telemetry/calls.ts";
import type { TraceItem } from "../telemetry/trace-protocol.ts";
import type { CallShape, PassthroughUpstream } from "./types.ts";

/** What the record and the trace of a pass-through call need besides the scope. */
export interface PassthroughCallInfo {
  /** `POST /anthropic/v1/messages`, as called (the path as the client sent it). */
  route: string;
  shape: CallShape;
  /** The gateway name of its model ("" for a call that names none); set once the key's access is checked. */
  model: string;
  /** Where it goes, once chosen. */
  upstream: PassthroughUpstream | undefined;
  /** Why parts of the bodies will not be in the span (a form body, an answer too large to keep). */
  notes: string[];
}

const TRACED: Record<CallShape["kind"], TraceItem["operation"]> = { generate: "chat", embed: "embeddings", count: "chain", other: "chain" };

/** Opens the scope of a pass-through call; `body` is the request's fields (tags, end user, session id). */
export function openPassthroughCall(deps: CallDeps, request: Request, raw: RawBody, caller: Caller, body: Record<string, unknown>, info: PassthroughCallInfo): CallScope {
  const callId = Bun.randomUUIDv7();
  deps.observer.onStart?.();
  const startedAt = Date.now();
  const { shape } = info;
  const endUser = typeof body.user === "string" && body.user ? body.user : undefined;
  let recorded = false;
  const scope: CallScope = {
    callId,
    request,
    raw,
    caller,
    startedAt,
    admission: undefined,
    reachedUpstream: false,
    routed: undefined,
    tags: undefined,
    trace: deps.tracing ? beginTrace(request, body, shape.wire ?? "openai", deps.tracing, callId) : undefined,
    logError: deps.logError,
    record: (fields) => {
      if (recorded) return;
      recorded = true;
      const record: CallRecord = {
        callId,
        operation: "pass_through_endpoint",
        model: info.model,
        stream: shape.stream,
        startedAt,
        durationMs: performance.now() - raw.receivedAt,
        ...(endUser ? { endUser } : {}),
        ...fields,
      };
      scope.admission?.finish(record, scope.reachedUpstream);
      deps.observer.onCall(record);
      if (scope.trace && deps.tracing) deps.tracing.submit(traceItem(scope, record, info), raw.text, scope.trace.streamFrames?.join("") ?? scope.trace.responseText ?? "");
    },
  };
  return scope;
}

/** The trace item: the shared one, made a pass-through call's (its kind, route, and cost at its upstream's price). */
function traceItem(scope: CallScope, record: CallRecord, info: PassthroughCallInfo): TraceItem {
  const item = traceItemOf(scope.trace as NonNullable<CallScope["trace"]>, record, scope.caller, undefined);
  item.operation = TRACED[info.shape.kind];
  item.passthrough = { route: info.route, ...(info.notes.length > 0 ? { notes: info.notes } : {}) };
  const price = record.usage && record.upstreamModel !== undefined ? info.upstream?.priceOf(record.upstreamModel, record.startedAt) : undefined;
  if (record.usage && price) item.cost = costOf(record.usage, price);
  return item;
}
