/**
 * The trace thread: turns finished calls into OpenInference spans (with a child span per upstream
 * attempt) and exports them with the OpenTelemetry SDK's batch span processor and the official
 * OTLP/HTTP protobuf exporter. Parsing the request and the answer and encoding protobuf all happen
 * here, never on the request thread.
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, trace, type Attributes as OtelAttributes } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, BatchSpanProcessor, type IdGenerator, type ReadableSpan, type SpanExporter } from "@opentelemetry/sdk-trace-base";
import { SseParser } from "../streams/sse-parser.ts";
import { VERSION } from "../version.ts";
import { openInferenceAttributes, spanKindOf, type TraceCall } from "./openinference.ts";
import type { TraceItem, TraceReply, TraceRequest, TraceTexts, TracingTarget } from "./trace-protocol.ts";

declare const self: Worker;

/** The ids the request thread chose (and sent upstream in `traceparent`), handed to the SDK one span at a time. */
class PresetIds implements IdGenerator {
  traceId = "";
  spanId = "";
  generateTraceId(): string {
    return this.traceId;
  }
  generateSpanId(): string {
    return this.spanId;
  }
}

/** Counts what the collector took and what it refused (or never answered). */
class CountingExporter implements SpanExporter {
  exported = 0;
  failed = 0;
  lastError: string | undefined;

  constructor(private readonly inner: SpanExporter) {}

  export(spans: ReadableSpan[], done: Parameters<SpanExporter["export"]>[1]): void {
    this.inner.export(spans, (result) => {
      // ExportResultCode.SUCCESS is 0.
      if (result.code === 0) this.exported += spans.length;
      else {
        this.failed += spans.length;
        this.lastError = result.error?.message ?? "export failed";
      }
      done(result);
    });
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush?.() ?? Promise.resolve();
  }
}

let ids: PresetIds | undefined;
let provider: BasicTracerProvider | undefined;
let exporter: CountingExporter | undefined;

function open(target: TracingTarget): void {
  ids = new PresetIds();
  exporter = new CountingExporter(new OTLPTraceExporter({ url: target.endpoint, headers: target.headers, timeoutMillis: target.exportTimeoutMs ?? 10_000 }));
  provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ "service.name": target.serviceName, "service.version": VERSION }),
    idGenerator: ids,
    // Flattened message lists run long; the default of 128 attributes would cut them.
    spanLimits: { attributeCountLimit: 8_192 },
    spanProcessors: [new BatchSpanProcessor(exporter, { maxQueueSize: 65_536, maxExportBatchSize: 512, scheduledDelayMillis: 500 })],
  });
}

const SPAN_NAMES = { chat: { openai: "ChatCompletion", anthropic: "Messages" }, embeddings: { openai: "Embeddings", anthropic: "Embeddings" } } as const;

/** The SSE data payloads in the frames the client got. */
function dataOf(frames: readonly string[]): string[] {
  const parser = new SseParser();
  const data: string[] = [];
  for (const frame of frames) for (const event of parser.push(frame)) data.push(event.data);
  for (const event of parser.end()) data.push(event.data);
  return data;
}

function parsed(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as unknown;
    return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function traceCallOf(item: TraceItem, texts: TraceTexts | undefined): TraceCall {
  const request = parsed(texts?.requestText) ?? {};
  const response = item.outcome === "ok" && !item.stream ? parsed(texts?.responseText) : undefined;
  const metadata = request.metadata;
  const call: TraceCall = {
    operation: item.operation,
    dialect: item.dialect,
    request,
    model: item.model,
    gateway: item.gateway,
    redact: item.redact,
  };
  if (response) call.response = response;
  if (texts?.streamFrames) call.streamEvents = dataOf(texts.streamFrames);
  if (item.upstreamModel !== undefined) call.upstreamModel = item.upstreamModel;
  if (item.provider !== undefined) call.provider = item.provider;
  if (item.usage) call.usage = item.usage;
  if (item.cost) call.cost = item.cost;
  if (item.endUser !== undefined) call.endUser = item.endUser;
  if (item.sessionId !== undefined) call.sessionId = item.sessionId;
  if (item.tags) call.tags = item.tags;
  if (metadata && typeof metadata === "object" && !Array.isArray(metadata)) call.metadata = metadata as Record<string, unknown>;
  return call;
}

function emit(item: TraceItem, texts: TraceTexts | undefined): void {
  if (!provider || !ids) return;
  const tracer = provider.getTracer("switchboard", VERSION);
  const parent = item.parentSpanId
    ? trace.setSpanContext(ROOT_CONTEXT, { traceId: item.traceId, spanId: item.parentSpanId, traceFlags: TraceFlags.SAMPLED, isRemote: true })
    : ROOT_CONTEXT;
  ids.traceId = item.traceId;
  ids.spanId = item.spanId;
  // The span kind goes in first, with the span itself: nothing later can leave it blank.
  const span = tracer.startSpan(SPAN_NAMES[item.operation][item.dialect], { kind: SpanKind.SERVER, startTime: item.startMs, attributes: { "openinference.span.kind": spanKindOf(item) } }, parent);
  try {
    span.setAttributes(openInferenceAttributes(traceCallOf(item, texts)) as OtelAttributes);
  } catch {
    // A call that cannot be described still leaves its span, kind and timing.
  }
  span.setAttribute("http.response.status_code", item.status);
  if (item.outcome !== "ok") {
    const message = item.outcome === "cancelled" ? "the client went away" : item.redact ? (item.errorCode ?? "error") : (item.errorMessage ?? item.errorCode ?? "error");
    span.setStatus({ code: SpanStatusCode.ERROR, message });
    if (item.errorCode) span.setAttribute("switchboard.error_code", item.errorCode);
  }
  const inside = trace.setSpan(ROOT_CONTEXT, span);
  for (const attempt of item.attempts) {
    ids.spanId = attempt.spanId;
    const attributes: OtelAttributes = { "switchboard.deployment": attempt.deploymentId };
    if (attempt.provider) attributes["llm.provider"] = attempt.provider;
    if (attempt.status !== undefined) attributes["http.response.status_code"] = attempt.status;
    const child = tracer.startSpan(`upstream ${attempt.deploymentId}`, { kind: SpanKind.CLIENT, startTime: attempt.startMs, attributes }, inside);
    if (attempt.errorCode) child.setStatus({ code: SpanStatusCode.ERROR, message: attempt.errorCode });
    child.end(attempt.endMs);
  }
  span.end(item.endMs);
}

const reply = (message: TraceReply) => self.postMessage(message);

self.onmessage = async (event: MessageEvent<TraceRequest>) => {
  const request = event.data;
  if (request.type === "open") {
    open(request.target);
    return;
  }
  const before = { exported: exporter?.exported ?? 0, failed: exporter?.failed ?? 0 };
  let error: string | undefined;
  try {
    const items = JSON.parse(request.items) as TraceItem[];
    for (const [i, item] of items.entries()) {
      try {
        emit(item, request.texts[i]);
      } catch (thrown) {
        error = thrown instanceof Error ? thrown.message : String(thrown);
      }
    }
    await provider?.forceFlush();
  } catch (thrown) {
    error = thrown instanceof Error ? thrown.message : String(thrown);
  }
  const failed = (exporter?.failed ?? 0) - before.failed;
  if (failed > 0 && !error) error = `the collector did not take ${failed} span(s): ${exporter?.lastError ?? "unknown error"}`;
  reply({ type: "exported", id: request.id, exported: (exporter?.exported ?? 0) - before.exported, failed, ...(error ? { error } : {}) });
};
