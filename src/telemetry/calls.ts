import type { Operation } from "../providers/types.ts";
import type { Usage } from "../spec/usage.ts";

/** What the gateway knows about one finished call; the input to spend, traces and access logs. */
export interface CallRecord {
  callId: string;
  operation: Operation;
  /** The model name the client asked for. */
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
}

/** Receives finished calls. Implementations must not block: they run on the request's tail. */
export interface CallObserver {
  onCall(record: CallRecord): void;
}

/** An observer that drops everything. */
export const silentObserver: CallObserver = { onCall() {} };

/** Fans one record out to several observers. */
export function observers(list: readonly CallObserver[]): CallObserver {
  if (list.length === 0) return silentObserver;
  if (list.length === 1) return list[0] as CallObserver;
  return { onCall: (record) => list.forEach((o) => o.onCall(record)) };
}
