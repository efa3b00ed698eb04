import type { Operation } from "../providers/types.ts";
import type { Usage } from "../canonical/usage.ts";

/** What the gateway knows about one finished call; the input to spend, traces and access logs. */
export interface CallRecord {
  callId: string;
  /** The id of the answer as its client saw it (`chatcmpl-…`, `msg_…`), when it had one. */
  responseId?: string;
  /** An LLM operation, a tools/call through the MCP gateway, or a call of a provider's native API (LiteLLM's call_type names). */
  operation: Operation | "mcp_tool_call" | "pass_through_endpoint";
  /** The model name the client asked for (for a tool call, the tool's gateway name). */
  model: string;
  deploymentId?: string;
  provider?: string;
  /** The model the upstream was asked for. */
  upstreamModel?: string;
  /** The request's `user` (the caller's own end user). */
  endUser?: string;
  /** Request tags (`metadata.tags` in the body). */
  tags?: string[];
  stream: boolean;
  status: number;
  outcome: "ok" | "error" | "cancelled";
  usage?: Usage;
  /** True when `usage` was estimated because the provider's usage never arrived (stream cut or aborted). */
  usageEstimated?: boolean;
  /** Cost in nano-dollars (integer), when the model has a price and usage is known. */
  costNano?: number;
  finishReason?: string;
  errorCode?: string;
  startedAt: number;
  durationMs: number;
  /** Milliseconds from receiving the request to the upstream's first streamed event (or its whole answer). */
  ttftMs?: number;
  /** Milliseconds the gateway spent around the upstream call (x-switchboard-overhead-duration-ms). */
  overheadMs?: number;
  /** Upstream attempts the router made (absent when the call never reached the router). */
  attempts?: number;
  /** The attempts that failed before the answer (or the final error), oldest first. */
  failedAttempts?: readonly AttemptFailure[];
  /** Set when a fallback served the call: the model name first asked for. */
  fallbackFrom?: string;
}

/** One failed upstream attempt: where, and the gateway's error code and status (never a message that could hold secrets). */
export interface AttemptFailure {
  deploymentId: string;
  /** The model name (group) the deployment belongs to. */
  model: string;
  code: string;
  status: number;
}

/** Receives finished calls. Implementations must not block: they run on the request's tail. */
export interface CallObserver {
  onCall(record: CallRecord): void;
  /** A proxied call started (its record follows); for in-flight gauges. */
  onStart?(): void;
}

/** An observer that drops everything. */
export const silentObserver: CallObserver = { onCall() {} };

/** Fans one record out to several observers. */
export function observers(list: readonly CallObserver[]): CallObserver {
  if (list.length === 0) return silentObserver;
  if (list.length === 1) return list[0] as CallObserver;
  return { onCall: (record) => list.forEach((o) => o.onCall(record)), onStart: () => list.forEach((o) => o.onStart?.()) };
}
