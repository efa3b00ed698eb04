/**
 * The trace thread's work, kept apart from its message handling (trace-worker.ts) so it can be
 * measured and tested on any thread: finished calls become OpenInference spans (with a child span
 * per upstream attempt), handed to the OpenTelemetry SDK's batch span processor and exported with
 * the official OTLP/HTTP protobuf exporter.
 */
import { SpanKind, SpanStatusCode, TraceFlags, type Attributes as OtelAttributes, type SpanContext, type SpanStatus } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes, type Resource } from "@opentelemetry/resources";
import { BatchSpanProcessor, type ReadableSpan, type SpanExporter } from "@opentelemetry/sdk-trace-base";
import { VERSION } from "../version.ts";
import { FinishedSpan } from "./finished-span.ts";
import { openInferenceAttributes, spanKindOf, type TraceCall } from "./openinference.ts";
import { toolAttributes } from "./openinference-tool.ts";
import { PARTS_PER_CALL, type TraceItem, type TracingTarget } from "./trace-protocol.ts";
import { dataOf, parsed } from "./trace-text.ts";
import { chainAttributes, readNativeBodies, ROUTE_ATTRIBUTE, UNREAD_ATTRIBUTE } from "./passthrough-span.ts";

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

const SCOPE = { name: "switchboard", version: VERSION };
const OK: SpanStatus = { code: SpanStatusCode.UNSET };

/** What one batch came to. */
export interface ExportOutcome {
  exported: number;
  failed: number;
  error?: string;
}

/** The export pipeline of the trace thread: finished calls in, OTLP protobuf out through the SDK's batch span processor. */
export class TraceExport {
  private readonly exporter: CountingExporter;
  private readonly processor: BatchSpanProcessor;
  private readonly resource: Resource;

  constructor(target: TracingTarget, exporter?: SpanExporter) {
    this.exporter = new CountingExporter(exporter ?? new OTLPTraceExporter({ url: target.endpoint, headers: target.headers, timeoutMillis: target.exportTimeoutMs ?? 10_000 }));
    this.processor = new BatchSpanProcessor(this.exporter, { maxQueueSize: 65_536, maxExportBatchSize: 512, scheduledDelayMillis: 500 });
    this.resource = resourceFromAttributes({ "service.name": target.serviceName, "service.version": VERSION });
  }

  /** Builds the spans of a batch (PARTS_PER_CALL strings per call), exports them and waits for the collector. */
  async exportBatch(parts: readonly string[]): Promise<ExportOutcome> {
    const before = { exported: this.exporter.exported, failed: this.exporter.failed };
    let error: string | undefined;
    for (let i = 0; i + PARTS_PER_CALL <= parts.length; i += PARTS_PER_CALL) {
      try {
        const item = JSON.parse(parts[i] as string) as TraceItem;
        for (const span of spansOf(item, parts[i + 1] as string, parts[i + 2] as string, this.resource)) this.processor.onEnd(span);
      } catch (thrown) {
        error = thrown instanceof Error ? thrown.message : String(thrown);
      }
    }
    try {
      await this.processor.forceFlush();
    } catch (thrown) {
      error = thrown instanceof Error ? thrown.message : String(thrown);
    }
    const failed = this.exporter.failed - before.failed;
    if (failed > 0 && !error) error = `the collector did not take ${failed} span(s): ${this.exporter.lastError ?? "unknown error"}`;
    return { exported: this.exporter.exported - before.exported, failed, ...(error ? { error } : {}) };
  }
}

const SPAN_NAMES = { chat: { openai: "ChatCompletion", anthropic: "Messages" }, embeddings: { openai: "Embeddings", anthropic: "Embeddings" } } as const;

function traceCallOf(item: TraceItem & { operation: TraceCall["operation"] }, requestText: string, answerText: string): TraceCall {
  const request = parsed(requestText) ?? {};
  const response = item.outcome === "ok" && !item.stream && answerText ? parsed(answerText) : undefined;
  const metadata = request.metadata;
  const call: TraceCall = {
    operation: item.operation,
    dialect: item.dialect,
    request,
    requestText,
    model: item.model,
    gateway: item.gateway,
    redact: item.redact,
  };
  if (response) call.response = response;
  if (item.stream && answerText) call.streamEvents = dataOf(answerText);
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

function spanContext(traceId: string, spanId: string, isRemote = false): SpanContext {
  return { traceId, spanId, traceFlags: TraceFlags.SAMPLED, isRemote };
}

const KINDS = { tool: "TOOL", chain: "CHAIN" } as const;

/** The attributes a call's texts give (an LLM, EMBEDDING, TOOL or CHAIN call's); throws on what cannot be described. */
function describe(item: TraceItem, requestText: string, answerText: string): OtelAttributes {
  if (item.operation === "tool") return toolAttributes(item, requestText, answerText);
  if (item.operation === "chain") return chainAttributes(item);
  const call = traceCallOf({ ...item, operation: item.operation }, requestText, answerText);
  if (!item.passthrough) return openInferenceAttributes(call);
  const notes = readNativeBodies(call, item, requestText, answerText);
  const attributes: OtelAttributes = openInferenceAttributes(call);
  if (notes.length > 0) attributes[UNREAD_ATTRIBUTE] = notes;
  return attributes;
}

/** A call's span name: the route of a pass-through call, else the API's name. */
function spanName(item: TraceItem): string {
  if (item.passthrough) return item.passthrough.route;
  if (item.operation === "tool") return `execute_tool ${item.model}`;
  const names: Record<string, string> = item.operation === "embeddings" ? SPAN_NAMES.embeddings : SPAN_NAMES.chat;
  return names[item.dialect] ?? item.operation;
}

/** The call's span (kind first, so nothing later can leave it blank) and one child per upstream attempt. */
function spansOf(item: TraceItem, requestText: string, answerText: string, resource: Resource): ReadableSpan[] {
  const attributes: OtelAttributes = { "openinference.span.kind": item.operation === "tool" || item.operation === "chain" ? KINDS[item.operation] : spanKindOf({ operation: item.operation }) };
  try {
    Object.assign(attributes, describe(item, requestText, answerText));
  } catch {
    // A call that cannot be described still leaves its span, kind and timing.
  }
  if (item.passthrough) attributes[ROUTE_ATTRIBUTE] = item.passthrough.route;
  attributes["http.response.status_code"] = item.status;
  let status = OK;
  if (item.outcome !== "ok") {
    const message = item.outcome === "cancelled" ? "the client went away" : item.redact ? (item.errorCode ?? "error") : (item.errorMessage ?? item.errorCode ?? "error");
    status = { code: SpanStatusCode.ERROR, message };
    if (item.errorCode) attributes["switchboard.error_code"] = item.errorCode;
  }
  const context = spanContext(item.traceId, item.spanId);
  const spans: ReadableSpan[] = [
    new FinishedSpan({
      name: spanName(item),
      kind: SpanKind.SERVER,
      context,
      ...(item.parentSpanId ? { parent: spanContext(item.traceId, item.parentSpanId, true) } : {}),
      startMs: item.startMs,
      endMs: item.endMs,
      status,
      attributes,
      resource,
      scope: SCOPE,
    }),
  ];
  for (const attempt of item.attempts) {
    const childAttributes: OtelAttributes = { "switchboard.deployment": attempt.deploymentId };
    if (attempt.provider) childAttributes["llm.provider"] = attempt.provider;
    if (attempt.status !== undefined) childAttributes["http.response.status_code"] = attempt.status;
    spans.push(
      new FinishedSpan({
        name: `upstream ${attempt.deploymentId}`,
        kind: SpanKind.CLIENT,
        context: spanContext(item.traceId, attempt.spanId),
        parent: context,
        startMs: attempt.startMs,
        endMs: attempt.endMs,
        status: attempt.errorCode ? { code: SpanStatusCode.ERROR, message: attempt.errorCode } : OK,
        attributes: childAttributes,
        resource,
        scope: SCOPE,
      }),
    );
  }
  return spans;
}
