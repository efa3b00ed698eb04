/**
 * What a call keeps for its trace while it runs (only when tracing is on): its W3C context, the
 * upstream attempts, and the answer the client got. At the end it becomes one TraceItem for the
 * trace thread; nothing is parsed or serialised here.
 */
import type { NativeWire } from "../telemetry/native-wire.ts";
import type { Routed } from "../router/route.ts";
import type { CostBreakdown } from "../pricing/types.ts";
import { costOf } from "../pricing/cost.ts";
import type { Caller } from "../auth/caller.ts";
import type { CallRecord } from "../telemetry/calls.ts";
import { callTraceContext, randomHex, traceparentFor, type TraceContext } from "../telemetry/trace-context.ts";
import type { TraceAttempt, TraceItem } from "../telemetry/trace-protocol.ts";

export interface TraceCapture {
  context: TraceContext;
  wire: NativeWire;
  redact: boolean;
  sessionId?: string;
  attempts: TraceAttempt[];
  /** The buffered answer the client got. */
  responseText?: string;
  /** The SSE frames the client got. */
  streamFrames?: string[];
  errorMessage?: string;
}

const TRUE = /^(1|true|yes|on)$/i;

/** A session id only from an explicit header or metadata field, never derived (so never the trace id). */
function sessionOf(request: Request, body: Record<string, unknown>): string | undefined {
  const header = request.headers.get("x-session-id");
  if (header) return header;
  const metadata = body.metadata;
  if (metadata && typeof metadata === "object") {
    const value = (metadata as Record<string, unknown>).session_id;
    if (typeof value === "string" && value) return value;
  }
  return undefined;
}

/** What starting a trace needs from the tracer: whether to trace at all, and the redaction default. */
export interface TraceSampler {
  readonly redactAll: boolean;
  samples(traceId: string, parentSampled: boolean | undefined): boolean;
}

/**
 * Starts a call's trace: joined to the caller's `traceparent`; redacted by config or by
 * `x-switchboard-redact: true`. Undefined when the sampler leaves this trace out (nothing is captured).
 */
export function beginTrace(request: Request, body: Record<string, unknown>, wire: NativeWire, sampler: TraceSampler, callId: string): TraceCapture | undefined {
  const context = callTraceContext(request.headers.get("traceparent"), callId);
  if (!sampler.samples(context.traceId, context.parentSpanId !== undefined ? context.sampled : undefined)) return undefined;
  // Recorded, so the upstream is told it is sampled, whatever the caller's flag was.
  context.sampled = true;
  const capture: TraceCapture = {
    context,
    wire,
    redact: sampler.redactAll || TRUE.test(request.headers.get("x-switchboard-redact") ?? ""),
    attempts: [],
  };
  const sessionId = sessionOf(request, body);
  if (sessionId) capture.sessionId = sessionId;
  return capture;
}

/** An upstream attempt starts: it gets its own span, whose id goes upstream in `traceparent`. */
export function traceAttempt(capture: TraceCapture, deploymentId: string, provider: string, headers: Record<string, string>): void {
  const spanId = randomHex(8);
  const now = Date.now();
  const previous = capture.attempts.at(-1);
  if (previous && previous.endMs === 0) previous.endMs = now;
  capture.attempts.push({ spanId, deploymentId, provider, startMs: now, endMs: 0 });
  headers.traceparent = traceparentFor(capture.context.traceId, spanId, capture.context.sampled);
}

/** The finished call as the trace thread gets it. */
export function traceItemOf(capture: TraceCapture, record: CallRecord, caller: Caller, routed: Routed<unknown> | undefined): TraceItem {
  const endMs = record.startedAt + record.durationMs;
  // Attempts end when the next one starts (set then) or with the call; failed ones carry their code, in order.
  const failed = [...(record.failedAttempts ?? [])];
  for (const attempt of capture.attempts) {
    if (attempt.endMs === 0) attempt.endMs = endMs;
    const failure = attempt === capture.attempts.at(-1) && record.outcome === "ok" ? undefined : failed.shift();
    if (failure) {
      attempt.errorCode = failure.code;
      attempt.status = failure.status;
    }
  }
  const item: TraceItem = {
    traceId: capture.context.traceId,
    spanId: capture.context.spanId,
    startMs: record.startedAt,
    endMs,
    operation: record.operation === "embeddings" ? "embeddings" : "chat",
    dialect: capture.wire,
    stream: record.stream,
    model: record.model,
    status: record.status,
    outcome: record.outcome,
    gateway: { callId: record.callId },
    redact: capture.redact,
    attempts: capture.attempts,
  };
  if (capture.context.parentSpanId) item.parentSpanId = capture.context.parentSpanId;
  if (record.upstreamModel !== undefined) item.upstreamModel = record.upstreamModel;
  if (record.provider !== undefined) item.provider = record.provider;
  if (record.errorCode !== undefined) item.errorCode = record.errorCode;
  if (capture.errorMessage !== undefined) item.errorMessage = capture.errorMessage;
  if (record.usage) item.usage = record.usage;
  const cost = costBreakdown(record, routed);
  if (cost) item.cost = cost;
  if (record.endUser !== undefined) item.endUser = record.endUser;
  if (capture.sessionId !== undefined) item.sessionId = capture.sessionId;
  if (record.tags) item.tags = record.tags;
  if (record.deploymentId !== undefined) item.gateway.deploymentId = record.deploymentId;
  if (caller.kind === "key") {
    if (caller.key.keyAlias) item.gateway.keyAlias = caller.key.keyAlias;
    if (caller.key.teamId) item.gateway.teamId = caller.key.teamId;
    if (caller.team?.teamAlias) item.gateway.teamAlias = caller.team.teamAlias;
  }
  return item;
}

/** The answer as the client got it: the buffered body, or the stream's frames joined ("" when there was none). */
export function answerTextOf(capture: TraceCapture): string {
  if (capture.streamFrames) return capture.streamFrames.join("");
  return capture.responseText ?? "";
}

/** The call's cost split as the ledger priced it (same prices, same computation). */
function costBreakdown(record: CallRecord, routed: Routed<unknown> | undefined): CostBreakdown | undefined {
  if (!record.usage || !routed) return undefined;
  const price = routed.resolved.deployment.priceOf(routed.resolved.target.model, record.startedAt);
  return price ? costOf(record.usage, price) : undefined;
}
