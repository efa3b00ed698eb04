/** What the request thread and the trace thread say to each other (see tracing.ts and trace-worker.ts). */
import type { CostBreakdown } from "../pricing/types.ts";
import type { Usage } from "../canonical/usage.ts";
import type { NativeWire } from "./native-wire.ts";

/** Where spans go and how they are labelled. */
export interface TracingTarget {
  /** OTLP/HTTP traces URL. */
  endpoint: string;
  headers: Record<string, string>;
  serviceName: string;
  /** Redact message text for every call (a request can also ask for it, per call). */
  redact: boolean;
  /** How long one export may take, retries of a failing collector included (default 10 s). */
  exportTimeoutMs?: number;
}

/** Which calls are traced: OpenTelemetry's samplers, decided on the request thread before any capture. */
export interface Sampling {
  /** Share of new traces kept, by trace id (1: all, 0: none). */
  ratio: number;
  /** A caller's `traceparent` decides for its trace (OpenTelemetry's parent-based samplers). */
  parentBased: boolean;
}

/** One upstream attempt of a call: a child span. */
export interface TraceAttempt {
  spanId: string;
  deploymentId: string;
  provider?: string;
  startMs: number;
  endMs: number;
  /** Set when the attempt failed. */
  errorCode?: string;
  status?: number;
}

/** One finished call, as the trace thread needs it to build its spans (its texts travel apart, see TraceTexts). Times are epoch milliseconds. */
export interface TraceItem {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  startMs: number;
  endMs: number;
  /**
   * "tool": a tools/call through the MCP gateway (`model` is the tool's gateway name, `tool` says where it went);
   * "chain": a pass-through call that invokes no model (files, batch listings) or only counts tokens.
   */
  operation: "chat" | "embeddings" | "tool" | "chain";
  /** The wire format of the bodies: the client's dialect, or a pass-through call's native one. */
  dialect: NativeWire;
  stream: boolean;
  model: string;
  upstreamModel?: string;
  provider?: string;
  status: number;
  outcome: "ok" | "error" | "cancelled";
  errorCode?: string;
  errorMessage?: string;
  usage?: Usage;
  /** Nano-dollars. */
  cost?: CostBreakdown;
  endUser?: string;
  sessionId?: string;
  tags?: string[];
  /** A pass-through call: its route as called (`POST /anthropic/v1/messages`), and why parts of its bodies are not in the span. */
  passthrough?: { route: string; notes?: string[] };
  /** A tool call's MCP server and the tool's name on it. */
  tool?: { server: string; name: string };
  gateway: { callId: string; deploymentId?: string; keyAlias?: string; teamId?: string; teamAlias?: string };
  redact: boolean;
  attempts: TraceAttempt[];
}

/**
 * A batch crosses to the trace thread as one flat list of strings, three per call: the item as
 * JSON, the request text (a tool call's arguments), and the answer the client got (a tool call's result) (the buffered body, or the stream's SSE
 * frames joined). Strings cross threads as plain copies; nested objects would be walked and
 * rebuilt, and texts inside JSON would be escaped and parsed again.
 */
export const PARTS_PER_CALL = 3;

export type TraceRequest = { type: "open"; id: number; target: TracingTarget } | { type: "export"; id: number; parts: string[] };

export type TraceReply = { type: "exported"; id: number; exported: number; failed: number; error?: string };
