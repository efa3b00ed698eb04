/**
 * Sends a pass-through call upstream and relays the answer: the client's body byte for byte, the
 * upstream's answer chunk by chunk with its own status (a 304 to the client's conditional request
 * too), the credential injected, redirects never followed, the deployment's timeouts watched, and a client that goes away aborting the upstream.
 * An upstream error is answered as the upstream sent it (read whole, bounded, its credentials
 * taken out), so the provider's SDK reads its own error.
 */
import type { Server } from "bun";
import { GatewayError, type ErrorCode } from "../canonical/errors.ts";
import { gatewayHeaders } from "../calls/headers.ts";
import type { CallScope } from "../calls/scope.ts";
import { traceAttempt } from "../calls/trace-capture.ts";
import { costOf } from "../pricing/cost.ts";
import { configuredCredentials, headerCredentials, namedCredentials, redactUpstreamText, removeSecrets } from "../providers/redact.ts";
import { NO_REDIRECTS, pointsElsewhere, redirectError } from "../providers/redirect.ts";
import { secretsOf } from "../router/execute.ts";
import { callWatcher, type CutReason } from "../router/watch.ts";
import { SseParser } from "../streams/sse-parser.ts";
import { clientResponseHeaders } from "./headers.ts";
import { answerTap, type ObservedAnswer } from "./observe.ts";
import { relayBytes } from "./relay.ts";
import type { PassthroughCallInfo } from "./scope.ts";
import type { OutboundRequest, PassthroughProvider, PassthroughUpstream } from "./types.ts";

/** Most of an upstream error body read (and answered). */
const MAX_ERROR_BYTES = 1024 * 1024;

/** The gateway's code for an upstream error status. */
function codeOf(status: number): ErrorCode {
  if (status === 401) return "provider.unauthenticated";
  if (status === 403) return "provider.forbidden";
  if (status === 404) return "provider.not_found";
  if (status === 413) return "provider.body_too_large";
  if (status === 429) return "provider.rate_limited";
  if (status === 503 || status === 529) return "provider.overloaded";
  if (status === 504) return "provider.timeout";
  return status >= 500 ? "provider.server_error" : "provider.bad_request";
}

/** An error body's message (`error.message`, `message`), for the span; undefined when it has none. */
function errorMessageOf(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown } | string; message?: unknown };
    const message = typeof body.error === "object" ? body.error?.message : (body.error ?? body.message);
    return typeof message === "string" ? message : undefined;
  } catch {
    return undefined;
  }
}

/** Reads at most `max` bytes of a body as text; the rest is left unread. */
async function readCapped(response: Response, max: number): Promise<string> {
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (total < max) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.byteLength;
    }
  } finally {
    void reader.cancel().catch(() => {});
  }
  return Buffer.concat(chunks, total).subarray(0, max).toString("utf8");
}

const NO_BODY = new Set([204, 205, 304]);

/** Sends `outbound` (built for `upstream`) and answers the client. */
export async function forward(
  provider: PassthroughProvider,
  scope: CallScope,
  info: PassthroughCallInfo,
  upstream: PassthroughUpstream,
  outbound: OutboundRequest,
  server: Server<unknown> | null | undefined,
): Promise<Response> {
  const { request } = scope;
  const { shape } = info;
  server?.timeout(request, 0);
  scope.reachedUpstream = true;
  if (scope.trace) traceAttempt(scope.trace, upstream.id, provider.id, outbound.headers);
  const controller = new AbortController();
  let cutBy: CutReason | undefined;
  const watch = callWatcher.watch(
    request.signal,
    {
      totalMs: upstream.timeoutMs,
      ...(upstream.connectMs !== undefined ? { connectMs: upstream.connectMs } : {}),
      ...(upstream.firstByteMs !== undefined ? { firstByteMs: upstream.firstByteMs } : {}),
      ...(upstream.idleMs !== undefined ? { idleMs: upstream.idleMs } : {}),
    },
    (reason) => {
      cutBy = reason;
      controller.abort();
    },
  );
  let sent = outbound;
  // A config endpoint's header values are all secrets (its schema says so), whatever their names.
  const configured = provider.mount ? configuredCredentials(upstream.target.headers) : namedCredentials(upstream.target.headers);
  const secrets = () => [...secretsOf(upstream.target), ...headerCredentials(sent.headers), ...configured];
  const where = `${provider.label} (${upstream.id})`;
  const explain = (error: unknown, what: string): GatewayError => {
    if (error instanceof GatewayError) return error;
    if (cutBy && cutBy !== "client") {
      const limit = cutBy === "connect" ? "to connect and answer with headers" : cutBy === "first_byte" ? "to start answering" : cutBy === "idle" ? "between two chunks" : "to finish";
      return new GatewayError("provider.timeout", `${where} took longer than its timeout ${limit}.`, { provider: provider.id });
    }
    const reason = redactUpstreamText(error instanceof Error ? error.message : String(error), secrets());
    return new GatewayError("provider.unreachable", `${what} ${where}: ${reason}`, { provider: provider.id, cause: error });
  };

  const sentAt = performance.now();
  let response: Response;
  try {
    sent = provider.authorize ? await provider.authorize(outbound, upstream) : outbound;
    // Never followed: a redirect would carry the credential and the body to wherever it points.
    response = await fetch(sent.url, { method: sent.method, headers: sent.headers, body: sent.body, signal: controller.signal, redirect: NO_REDIRECTS });
  } catch (error) {
    watch.stop();
    throw explain(error, "Could not reach");
  }
  const headersAt = performance.now();
  watch.headers();
  const base = { deploymentId: upstream.id, provider: provider.id, ...(upstream.target.model ? { upstreamModel: upstream.target.model } : {}) };
  if (pointsElsewhere(response)) {
    watch.stop();
    throw redirectError(where, response, sent.url, "check the provider's api_base (or its environment base URL).", provider.id);
  }
  // The gateway's own time: before the request went, and from the answer's headers to the client's.
  const overhead = () => sentAt - scope.raw.receivedAt + (performance.now() - headersAt);
  const headers = (overheadMs: number) => ({ ...clientResponseHeaders(response.headers, secrets().filter((secret): secret is string => !!secret)), ...gatewayHeaders(scope, upstream.id, overheadMs) });

  if (response.status >= 400) {
    if (response.status === 401) provider.unauthorized?.(sent, upstream);
    const text = await readCapped(response, MAX_ERROR_BYTES).catch(() => "");
    watch.stop();
    const body = removeSecrets(text, secrets());
    if (scope.trace) scope.trace.errorMessage = redactUpstreamText(errorMessageOf(body) ?? `${where} answered ${response.status}.`, secrets());
    const overheadMs = overhead();
    scope.record({ ...base, status: response.status, outcome: "error", errorCode: codeOf(response.status), ttftMs: headersAt - scope.raw.receivedAt, overheadMs });
    return new Response(body, { status: response.status, headers: headers(overheadMs) });
  }

  const model = upstream.target.model;
  const priced = shape.kind === "generate" || shape.kind === "embed";
  const sse = /^text\/event-stream/i.test(response.headers.get("content-type") ?? "");
  const decoder = sse ? new SseParser() : provider.streamDecoder?.(shape);
  let firstAt: number | undefined;
  const overheadMs = overhead();
  const onEnd = (answer: ObservedAnswer) => {
    watch.stop();
    const stream = shape.stream || decoder !== undefined;
    if (answer.partial) info.notes.push(answer.partial);
    if (scope.trace && answer.text !== undefined) {
      if (stream) scope.trace.streamFrames = [answer.text];
      else scope.trace.responseText = answer.text;
    }
    // Usage the body did not report may be in the headers (Bedrock's token counts), before any estimate.
    const fromHeaders = !answer.usage || answer.usageEstimated ? provider.headerUsage?.(response.headers, shape) : undefined;
    const usage = fromHeaders ?? answer.usage;
    const price = priced && usage ? upstream.priceOf(model, scope.startedAt) : undefined;
    // Token counts are free; a call that runs no model costs its route's price per call (0 unless a config endpoint sets one);
    // another call of a model (images, rerank, a batch of unnamed ones) costs what the gateway cannot see.
    const costNano = price && usage ? costOf(usage, price).total : shape.kind === "count" ? 0 : !model && !shape.runsUnnamedModel ? (provider.callPriceNano ?? 0) : undefined;
    scope.record({
      ...base,
      stream,
      status: response.status,
      // A body cut because the client left (noticed by the watcher first) is the client's doing.
      outcome: answer.cancelled || request.signal.aborted ? "cancelled" : answer.error ? "error" : "ok",
      ttftMs: (firstAt ?? headersAt) - scope.raw.receivedAt,
      overheadMs,
      ...(usage ? { usage } : {}),
      ...(answer.usageEstimated && !fromHeaders ? { usageEstimated: true } : {}),
      ...(costNano !== undefined ? { costNano } : {}),
      ...(answer.finishReason ? { finishReason: answer.finishReason } : {}),
      ...(answer.responseId ? { responseId: answer.responseId } : {}),
      ...(answer.error ? { errorCode: answer.error.code } : {}),
    });
  };
  const answered = headers(overheadMs);
  if (!response.body || NO_BODY.has(response.status)) {
    onEnd({ cancelled: false });
    return new Response(null, { status: response.status, headers: answered });
  }
  const tap = answerTap({
    wire: model ? shape.wire : undefined,
    decoder,
    keepText: scope.trace !== undefined,
    estimate: priced,
    promptChars: scope.raw.text.length || (outbound.body?.byteLength ?? 0),
    onFirstByte: () => {
      firstAt = performance.now();
      watch.firstByte();
    },
    ...(upstream.idleMs !== undefined ? { onChunk: () => watch.chunk() } : {}),
    explain: (error) => explain(error, "Lost the connection to"),
    onEnd,
  });
  const relayed = relayBytes(response.body, tap, () => controller.abort());
  // The client left while the headers were awaited: nothing will read this, so end it now.
  if (request.signal.aborted) void relayed.cancel().catch(() => {});
  return new Response(relayed, { status: response.status, headers: answered });
}
