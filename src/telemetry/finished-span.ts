/**
 * A span that is over before it is built. The gateway knows every attribute, the status and both
 * times of a call when it traces it, so it hands the SDK's span processor finished spans (the
 * SDK's own `ReadableSpan` export interface) instead of replaying the call through the live Span
 * API, whose per-attribute validation and copying cost more than the rest of the span together.
 */
import { SpanKind, type Attributes, type HrTime, type SpanContext, type SpanStatus } from "@opentelemetry/api";
import type { Resource } from "@opentelemetry/resources";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";

/** Epoch milliseconds as OpenTelemetry's [seconds, nanoseconds]. */
export function hrTime(ms: number): HrTime {
  const seconds = Math.floor(ms / 1000);
  return [seconds, Math.round((ms - seconds * 1000) * 1e6)];
}

/** What a finished span is made of; times are epoch milliseconds. */
export interface FinishedSpanInit {
  name: string;
  kind: SpanKind;
  context: SpanContext;
  parent?: SpanContext;
  startMs: number;
  endMs: number;
  status: SpanStatus;
  attributes: Attributes;
  resource: Resource;
  scope: ReadableSpan["instrumentationScope"];
}

export class FinishedSpan implements ReadableSpan {
  readonly name: string;
  readonly kind: SpanKind;
  readonly parentSpanContext: SpanContext | undefined;
  readonly startTime: HrTime;
  readonly endTime: HrTime;
  readonly duration: HrTime;
  readonly status: SpanStatus;
  readonly attributes: Attributes;
  readonly links = [];
  readonly events = [];
  readonly ended = true;
  readonly resource: Resource;
  readonly instrumentationScope: ReadableSpan["instrumentationScope"];
  readonly droppedAttributesCount = 0;
  readonly droppedEventsCount = 0;
  readonly droppedLinksCount = 0;
  private readonly context: SpanContext;

  constructor(init: FinishedSpanInit) {
    this.name = init.name;
    this.kind = init.kind;
    this.context = init.context;
    this.parentSpanContext = init.parent;
    this.startTime = hrTime(init.startMs);
    // A clock step between the two readings never makes a negative span.
    const endMs = Math.max(init.startMs, init.endMs);
    this.endTime = hrTime(endMs);
    this.duration = hrTime(endMs - init.startMs);
    this.status = init.status;
    this.attributes = init.attributes;
    this.resource = init.resource;
    this.instrumentationScope = init.scope;
  }

  spanContext(): SpanContext {
    return this.context;
  }
}
