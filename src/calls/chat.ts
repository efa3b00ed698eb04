import type { Server } from "bun";
import type { Resolved } from "../router/models.ts";
import type { UpstreamCall } from "../router/execute.ts";
import type { ChatRequest, ChatResult } from "../canonical/chat.ts";
import type { Provider, TranslationState } from "../providers/types.ts";
import { GatewayError } from "../canonical/errors.ts";
import { peekFirstEvent, type ChunkSource } from "../streams/peek.ts";
import { relaySse, type EventStage } from "../streams/relay.ts";
import { answerIdOf, type DialectRuntime } from "./dialect.ts";
import { isRecord } from "../json/is-record.ts";
import { gatewayHeaders } from "./headers.ts";
import type { StreamOutcome } from "./outcome.ts";
import { passthroughOf } from "../providers/passthrough-of.ts";
import { admitModel, costHeader, costOfCall, openCall, overheadMs, readBuffered, recordFailure, routeCall, startUpstream, type CallDeps, type CallInput, type CallScope } from "./scope.ts";
import { translatedStage } from "./translated-stage.ts";
import { isJsonAnswer, jsonInsteadOfStream, parseBufferedAnswer, readAnswer, unreadableFirstEvent } from "./answer-checks.ts";
import { answerTooDeep } from "./translated-stage.ts";
import { depthExceededAt } from "../json/depth.ts";

export const SSE_HEADERS = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-accel-buffering": "no" };
export const JSON_HEADERS = { "content-type": "application/json" };

/**
 * One chat call in any client dialect to any provider. When the provider speaks the client's wire
 * format the body is forwarded as received (same-format fast path); otherwise it is decoded into
 * the canonical model, built for the provider, and the answer encoded back into the client's format. The
 * router picks the deployment; everything up to the answer's first byte may be retried.
 */
export async function handleChatCall(deps: CallDeps, dialect: DialectRuntime, input: CallInput): Promise<Response> {
  const { body, server } = input;
  const model = String(body.model);
  const stream = dialect.isStream(body);
  const scope = openCall(deps, input, "chat", model, stream, dialect.wire);
  let resolved: Resolved | undefined;
  try {
    const pending = admitModel(deps, scope, body, model, "chat");
    // A promise only when a strict budget first loads a tokenizer (rare): no await on the usual path.
    const admitted = pending instanceof Promise ? await pending : pending;
    // Decoded once, and only if a deployment that needs translation is tried.
    let decoded: ChatRequest | undefined;
    const routed = await routeCall(deps, scope, admitted, "chat", (candidate) => {
      const { provider } = candidate.deployment;
      if (provider.wire === dialect.wire && provider.buildPassthrough) return sameFormat(deps, scope, candidate, body, stream, server);
      decoded ??= dialect.codec.decodeChat(body);
      return translated(deps, scope, candidate, decoded, server);
    });
    resolved = routed.resolved;
    const prepared = routed.value;
    return prepared.kind === "same" ? respondSameFormat(dialect, scope, resolved, body, prepared) : respondTranslated(dialect, scope, resolved, model, prepared);
  } catch (error) {
    const gatewayError = recordFailure(scope, error, resolved);
    return dialect.codec.errorResponse(gatewayError, gatewayHeaders(scope, resolved?.deployment.id ?? gatewayError.details.deploymentId, undefined));
  }
}

/** When the first upstream event of a stream arrived (for time to first token). */
export interface StreamTiming {
  firstAt?: number;
  /** Gateway time around the upstream until the stream's headers went out. */
  overheadMs?: number;
}

/** Records a finished stream against its deployment. */
export function onStreamEnd(scope: CallScope, resolved: Resolved, call: UpstreamCall, timing: StreamTiming): (outcome: StreamOutcome) => void {
  const { deployment } = resolved;
  return (outcome) => {
    call.settle();
    scope.record({
      status: 200,
      outcome: outcome.cancelled ? "cancelled" : outcome.error ? "error" : "ok",
      deploymentId: deployment.id,
      provider: deployment.provider.id,
      upstreamModel: resolved.target.model,
      ...(timing.firstAt !== undefined ? { ttftMs: timing.firstAt - scope.raw.receivedAt } : {}),
      ...(timing.overheadMs !== undefined ? { overheadMs: timing.overheadMs } : {}),
      ...(outcome.usage ? { usage: outcome.usage } : {}),
      ...(outcome.usageEstimated ? { usageEstimated: true } : {}),
      ...withCost(costOfCall(resolved, outcome.usage, scope.startedAt)),
      ...(outcome.finishReason ? { finishReason: outcome.finishReason } : {}),
      ...(outcome.responseId ? { responseId: outcome.responseId } : {}),
      ...(outcome.error ? { errorCode: outcome.error.code } : {}),
    });
  };
}

/** The stage, noting when its first event arrives. */
export function timed(stage: EventStage, timing: StreamTiming): EventStage {
  return {
    event: (event) => {
      timing.firstAt ??= performance.now();
      return stage.event(event);
    },
    end: () => stage.end(),
    fail: (error) => stage.fail(error),
    cancel: () => stage.cancel?.(),
  };
}

/** The streamed answer: headers now, frames as the upstream produces them. */
function streamResponse(scope: CallScope, resolved: Resolved, call: UpstreamCall, upstreamBody: ChunkSource, stage: EventStage, timing: StreamTiming, answeredAt: number): Response {
  const overhead = overheadMs(scope, call, answeredAt);
  timing.overheadMs = overhead;
  // Tracing keeps the frames the client got (the trace thread reads the answer from them).
  let frames: string[] | undefined;
  if (scope.trace) frames = scope.trace.streamFrames = [];
  const relayed = relaySse(upstreamBody, timed(stage, timing), call.abort, frames ? (frame) => void frames.push(frame) : undefined, resolved.deployment.provider.streamDecoder?.());
  // The client left while the first event was awaited: nothing will read this, so end it now
  // (the upstream is aborted and the call recorded as cancelled).
  if (scope.request.signal.aborted) void relayed.cancel().catch(() => {});
  return new Response(relayed, {
    headers: { ...SSE_HEADERS, ...gatewayHeaders(scope, resolved.deployment.id, overhead, call.response.headers) },
  });
}

/** The id of an answer whose provider gave none: the gateway's call id, so the answer can be found in the spend log. */
export const answerId = (scope: CallScope) => scope.callId.replaceAll("-", "");

/** The cost field of a call record, when there is one. */
export const withCost = (cost: number | undefined) => (cost === undefined ? {} : { costNano: cost });

/** The buffered answer, with the gateway's headers (cost and overhead included). */
function bufferedResponse(scope: CallScope, resolved: Resolved, call: UpstreamCall, text: string, overhead: number, cost: number | undefined): Response {
  return new Response(text, { headers: { ...JSON_HEADERS, ...gatewayHeaders(scope, resolved.deployment.id, overhead, call.response.headers), ...costHeader(cost) } });
}

/** An upstream answer the router committed to: a stream whose first event arrived, or a whole body read. */
export type Prepared =
  | { kind: "same"; call: UpstreamCall; reverseNames: ReadonlyMap<string, string> | undefined; body?: ChunkSource; text?: string; answer?: Record<string, unknown>; doneAt: number }
  | { kind: "translated"; call: UpstreamCall; chat: ChatRequest; state: TranslationState; body?: ChunkSource; result?: ChatResult; doneAt: number };

/**
 * Reads what an attempt must have before it counts as a success: a stream's first event (a JSON
 * object, not an error), or the whole answer. A stream request answered with a JSON body fails here.
 */
async function settleAnswer(call: UpstreamCall, stream: boolean, provider: Provider): Promise<{ body?: ChunkSource; text?: string; doneAt: number }> {
  if (!stream) {
    const text = await readBuffered(call);
    return { text, doneAt: performance.now() };
  }
  try {
    const { body } = call.response;
    if (!body) throw new GatewayError("provider.bad_response", `${provider.label} answered a stream request with no body.`);
    if (isJsonAnswer(call.response)) throw jsonInsteadOfStream(provider, await call.response.text());
    const source = await peekFirstEvent(body, provider.label, (event) => provider.streamError(event) ?? unreadableFirstEvent(event, provider), call.chunk, provider.streamDecoder?.());
    call.firstByte();
    return { body: source, doneAt: performance.now() };
  } catch (error) {
    call.abort();
    call.settle();
    throw call.explain(error);
  }
}

/** Same wire format: the body is forwarded as received. */
async function sameFormat(deps: CallDeps, scope: CallScope, resolved: Resolved, body: Record<string, unknown>, stream: boolean, server: Server<unknown> | null | undefined): Promise<Prepared> {
  const { deployment, target } = resolved;
  const built = passthroughOf(deployment.provider, "chat", { raw: scope.raw.text, parsed: body, stream, headers: scope.request.headers }, target, { dropParams: deps.dropParams });
  const call = await startUpstream(scope, resolved, built, server, stream);
  const settled = await settleAnswer(call, stream, deployment.provider);
  if (settled.text === undefined) return { kind: "same", call, reverseNames: built.reverseNames, ...settled };
  const text = settled.text;
  const answer = readAnswer(call, () => parseBufferedAnswer(deployment.provider, text));
  return { kind: "same", call, reverseNames: built.reverseNames, ...settled, answer };
}

function respondSameFormat(dialect: DialectRuntime, scope: CallScope, resolved: Resolved, body: Record<string, unknown>, prepared: Extract<Prepared, { kind: "same" }>): Response {
  const { deployment, target } = resolved;
  const { call, reverseNames } = prepared;
  if (prepared.body) {
    const timing: StreamTiming = {};
    const { provider } = deployment;
    const stage = dialect.passthroughStage({ clientWantsUsage: dialect.wantsStreamUsage(body), explain: call.explain, streamError: (event) => provider.streamError(event), onEnd: onStreamEnd(scope, resolved, call, timing), promptChars: scope.raw.text.length, ...(reverseNames ? { reverseNames } : {}) });
    return streamResponse(scope, resolved, call, prepared.body, stage, timing, prepared.doneAt);
  }
  let text = prepared.text as string;
  const observed = dialect.observeAnswer(prepared.answer as Record<string, unknown>);
  const cost = costOfCall(resolved, observed.usage, scope.startedAt);
  if (reverseNames && reverseNames.size > 0 && dialect.rewriteBody) text = dialect.rewriteBody(text, reverseNames);
  const overhead = overheadMs(scope, call, prepared.doneAt);
  // The trace keeps the answer as the client gets it; the record (made next) hands it over.
  if (scope.trace) scope.trace.responseText = text;
  scope.record({ status: 200, outcome: "ok", deploymentId: deployment.id, provider: deployment.provider.id, upstreamModel: target.model, ttftMs: call.headersAt - scope.raw.receivedAt, overheadMs: overhead, ...observed, ...withCost(cost) });
  return bufferedResponse(scope, resolved, call, text, overhead, cost);
}

/** Another wire format: the canonical request built for the provider. */
export async function translated(deps: CallDeps, scope: CallScope, resolved: Resolved, decoded: ChatRequest, server: Server<unknown> | null | undefined): Promise<Prepared> {
  const { deployment, target } = resolved;
  const chat: ChatRequest = { ...decoded, model: target.model };
  const { upstream, state } = deployment.provider.chat.buildRequest(chat, target, { dropParams: deps.dropParams });
  const call = await startUpstream(scope, resolved, upstream, server, chat.stream === true);
  const { text, ...settled } = await settleAnswer(call, chat.stream === true, deployment.provider);
  if (text === undefined) return { kind: "translated", call, chat, state, ...settled };
  // Parsed answers are encoded again (JSON.stringify recurses): bound their nesting first.
  if (depthExceededAt(text) !== -1) throw answerTooDeep(deployment.provider.label);
  const result = readAnswer(call, () => deployment.provider.chat.parseResponse(text, state));
  return { kind: "translated", call, chat, state, ...settled, result };
}

function respondTranslated(dialect: DialectRuntime, scope: CallScope, resolved: Resolved, model: string, prepared: Extract<Prepared, { kind: "translated" }>): Response {
  const { deployment } = resolved;
  const { call, chat, state } = prepared;
  if (prepared.body) {
    const timing: StreamTiming = {};
    const stage = translatedStage(deployment.provider.chat.streamReader(state), dialect.codec.streamEncoder(chat, model), call.explain, onStreamEnd(scope, resolved, call, timing), scope.raw.text.length, answerId(scope), deployment.provider.label);
    return streamResponse(scope, resolved, call, prepared.body, stage, timing, prepared.doneAt);
  }
  const result = prepared.result as ChatResult;
  if (result.id === "") result.id = answerId(scope);
  const cost = costOfCall(resolved, result.usage, scope.startedAt);
  const encoded = dialect.codec.encodeResult(result, chat, model);
  const responseId = isRecord(encoded) ? answerIdOf(encoded) : undefined;
  const body = JSON.stringify(encoded);
  const overhead = overheadMs(scope, call, prepared.doneAt);
  if (scope.trace) scope.trace.responseText = body;
  recordTranslated(scope, resolved, call, result, overhead, cost, responseId);
  return bufferedResponse(scope, resolved, call, body, overhead, cost);
}

/** Records a buffered translated answer: its deployment, timing, finish, id, usage and cost. */
export function recordTranslated(scope: CallScope, resolved: Resolved, call: UpstreamCall, result: ChatResult, overhead: number, cost: number | undefined, responseId: string | undefined): void {
  const { deployment, target } = resolved;
  scope.record({
    status: 200,
    outcome: "ok",
    deploymentId: deployment.id,
    provider: deployment.provider.id,
    upstreamModel: target.model,
    ttftMs: call.headersAt - scope.raw.receivedAt,
    overheadMs: overhead,
    finishReason: result.finishReason,
    ...(responseId ? { responseId } : {}),
    ...(result.usage ? { usage: result.usage } : {}),
    ...withCost(cost),
  });
}
