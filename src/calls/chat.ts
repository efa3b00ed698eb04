import type { Server } from "bun";
import type { Resolved } from "../router/models.ts";
import type { UpstreamCall } from "../router/execute.ts";
import type { ChatRequest } from "../spec/chat.ts";
import { toGatewayError } from "../spec/errors.ts";
import { relaySse, type EventStage } from "../streams/relay.ts";
import type { DialectRuntime } from "./dialect.ts";
import { gatewayHeaders } from "./headers.ts";
import type { StreamOutcome } from "./outcome.ts";
import { admitModel, costHeader, costOfCall, openCall, readBuffered, recordFailure, startUpstream, type CallDeps, type CallInput, type CallScope } from "./scope.ts";
import { translatedStage } from "./translated-stage.ts";

const SSE_HEADERS = { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", "x-accel-buffering": "no" };
const JSON_HEADERS = { "content-type": "application/json" };

/**
 * One chat call in any client dialect to any provider. When the provider speaks the client's wire
 * format the body is forwarded as received (same-format fast path); otherwise it is decoded into
 * the spec, built for the provider, and the answer encoded back into the client's format.
 */
export async function handleChatCall(deps: CallDeps, dialect: DialectRuntime, input: CallInput): Promise<Response> {
  const { body, server } = input;
  const model = String(body.model);
  const stream = dialect.isStream(body);
  const scope = openCall(deps, input, "chat", model, stream);
  let resolved: Resolved | undefined;
  try {
    resolved = admitModel(deps, scope, body, model, "chat");
    return resolved.deployment.provider.wire === dialect.wire
      ? await sameFormat(deps, dialect, scope, resolved, body, stream, server)
      : await translated(deps, dialect, scope, resolved, body, model, server);
  } catch (error) {
    const gatewayError = toGatewayError(error);
    recordFailure(scope, gatewayError, resolved);
    return dialect.codec.errorResponse(gatewayError, gatewayHeaders(scope, resolved?.deployment.id, undefined));
  }
}

/** When the first upstream event of a stream arrived (for time to first token). */
interface StreamTiming {
  firstAt?: number;
}

/** Records a finished stream against its deployment. */
function onStreamEnd(scope: CallScope, resolved: Resolved, call: UpstreamCall, timing: StreamTiming): (outcome: StreamOutcome) => void {
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
      ...(outcome.usage ? { usage: outcome.usage } : {}),
      ...(outcome.usageEstimated ? { usageEstimated: true } : {}),
      ...withCost(costOfCall(resolved, outcome.usage)),
      ...(outcome.finishReason ? { finishReason: outcome.finishReason } : {}),
      ...(outcome.error ? { errorCode: outcome.error.code } : {}),
    });
  };
}

/** The stage, noting when its first event arrives. */
function timed(stage: EventStage, timing: StreamTiming): EventStage {
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
function streamResponse(scope: CallScope, resolved: Resolved, call: UpstreamCall, stage: EventStage, timing: StreamTiming): Response {
  // A 200 with no body still ends the stage, so the call is recorded.
  const upstreamBody = call.response.body ?? new ReadableStream<Uint8Array>({ start: (controller) => controller.close() });
  const overhead = call.sentAt - scope.raw.receivedAt + (performance.now() - call.headersAt);
  return new Response(relaySse(upstreamBody, timed(stage, timing), call.abort), {
    headers: { ...SSE_HEADERS, ...gatewayHeaders(scope, resolved.deployment.id, overhead, call.response.headers) },
  });
}

/** The cost field of a call record, when there is one. */
const withCost = (cost: number | undefined) => (cost === undefined ? {} : { costNano: cost });

/** The buffered answer, with the gateway's headers (cost included) and the overhead measured around the upstream. */
function bufferedResponse(scope: CallScope, resolved: Resolved, call: UpstreamCall, text: string, doneAt: number, cost: number | undefined): Response {
  const overhead = call.sentAt - scope.raw.receivedAt + (performance.now() - doneAt);
  return new Response(text, { headers: { ...JSON_HEADERS, ...gatewayHeaders(scope, resolved.deployment.id, overhead, call.response.headers), ...costHeader(cost) } });
}

async function sameFormat(
  deps: CallDeps,
  dialect: DialectRuntime,
  scope: CallScope,
  resolved: Resolved,
  body: Record<string, unknown>,
  stream: boolean,
  server: Server<unknown> | null | undefined,
): Promise<Response> {
  const { deployment, target } = resolved;
  const built = deployment.provider.buildPassthrough("chat", { raw: scope.raw.text, parsed: body, stream, headers: scope.request.headers }, target, { dropParams: deps.dropParams });
  const call = await startUpstream(scope, resolved, built, server);
  const reverseNames = built.reverseNames;
  if (stream) {
    const timing: StreamTiming = {};
    const stage = dialect.passthroughStage({ clientWantsUsage: dialect.wantsStreamUsage(body), explain: call.explain, onEnd: onStreamEnd(scope, resolved, call, timing), promptChars: scope.raw.text.length, ...(reverseNames ? { reverseNames } : {}) });
    return streamResponse(scope, resolved, call, stage, timing);
  }
  let text = await readBuffered(call);
  const doneAt = performance.now();
  const observed = dialect.observeBody(text);
  const cost = costOfCall(resolved, observed.usage);
  scope.record({ status: 200, outcome: "ok", deploymentId: deployment.id, provider: deployment.provider.id, upstreamModel: target.model, ttftMs: call.headersAt - scope.raw.receivedAt, ...observed, ...withCost(cost) });
  if (reverseNames && reverseNames.size > 0 && dialect.rewriteBody) text = dialect.rewriteBody(text, reverseNames);
  return bufferedResponse(scope, resolved, call, text, doneAt, cost);
}

async function translated(
  deps: CallDeps,
  dialect: DialectRuntime,
  scope: CallScope,
  resolved: Resolved,
  body: Record<string, unknown>,
  model: string,
  server: Server<unknown> | null | undefined,
): Promise<Response> {
  const { deployment, target } = resolved;
  const chat: ChatRequest = { ...dialect.codec.decodeChat(body), model: target.model };
  const { upstream, state } = deployment.provider.chat.buildRequest(chat, target, { dropParams: deps.dropParams });
  const call = await startUpstream(scope, resolved, upstream, server);
  if (chat.stream) {
    const timing: StreamTiming = {};
    const stage = translatedStage(deployment.provider.chat.streamReader(state), dialect.codec.streamEncoder(chat, model), call.explain, onStreamEnd(scope, resolved, call, timing), scope.raw.text.length);
    return streamResponse(scope, resolved, call, stage, timing);
  }
  const result = deployment.provider.chat.parseResponse(await readBuffered(call), state);
  const doneAt = performance.now();
  const cost = costOfCall(resolved, result.usage);
  scope.record({
    status: 200,
    outcome: "ok",
    deploymentId: deployment.id,
    provider: deployment.provider.id,
    upstreamModel: target.model,
    ttftMs: call.headersAt - scope.raw.receivedAt,
    finishReason: result.finishReason,
    ...(result.usage ? { usage: result.usage } : {}),
    ...withCost(cost),
  });
  return bufferedResponse(scope, resolved, call, JSON.stringify(dialect.codec.encodeResult(result, chat, model)), doneAt, cost);
}
