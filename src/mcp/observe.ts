/**
 * What every MCP tools/call leaves behind, like an LLM call: admission (the caller's rate limits,
 * and its budgets when the tool has a price), a ledger row through the spend writer, and a TOOL
 * span through the trace queue. Nothing here writes to the database or the network on the call's path.
 */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { Caller } from "../auth/caller.ts";
import { admitFixedPrice, type Accounting, type Admission } from "../calls/admit.ts";
import { beginTrace, type TraceCapture, type TraceSampler } from "../calls/trace-capture.ts";
import { GatewayError } from "../canonical/errors.ts";
import type { CallRecord } from "../telemetry/calls.ts";
import type { TraceItem } from "../telemetry/trace-protocol.ts";
import { MCP_FORBIDDEN, MCP_RATE_LIMITED, MCP_UNAVAILABLE, McpAnswerError } from "./errors.ts";

/** Where tool calls are accounted and traced; each part is optional (no store, tracing off). */
export interface McpObservers {
  accounting?: Accounting;
  tracing?: TraceSampler & { submit(item: TraceItem, requestText: string, answerText: string): void };
}

/** One tools/call: who asked, over which HTTP request, for which tool at what price. */
export interface ToolCall {
  caller: Caller;
  request: Request;
  server: string;
  /** The gateway's name (`<server>-<tool>`), and the server's own. */
  name: string;
  original: string;
  args: Record<string, unknown> | undefined;
  priceNano: number;
}

/** How a tool call ended, for its row and span. */
interface Ending {
  status: number;
  outcome: "ok" | "error";
  /** What the caller is charged: the price when the tool ran (its result may still be an error), else nothing. */
  costNano: number;
  errorCode?: string;
  errorMessage?: string;
}

/** A refusal by the gateway's own policy, as the MCP client gets it (the message names the limit and when to retry). */
function refusalOf(error: GatewayError): McpAnswerError {
  const code = error.status === 429 ? MCP_RATE_LIMITED : error.status === 503 ? MCP_UNAVAILABLE : MCP_FORBIDDEN;
  return new McpAnswerError(code, error.message, error);
}

/** Runs `call` through admission, then `run` (the upstream call), and records the outcome. */
export async function observeToolCall(observers: McpObservers, call: ToolCall, run: () => Promise<CallToolResult>): Promise<CallToolResult> {
  const callId = Bun.randomUUIDv7();
  const startedAt = Date.now();
  const started = performance.now();
  const capture = observers.tracing ? beginTrace(call.request, {}, "openai", observers.tracing, callId) : undefined;
  let admission: Admission;
  try {
    admission = admitFixedPrice(observers.accounting, call.caller, call.priceNano);
  } catch (error) {
    if (!(error instanceof GatewayError)) throw error;
    if (capture) trace(observers, capture, call, callId, startedAt, performance.now() - started, { status: error.status, outcome: "error", costNano: 0, errorCode: error.code, errorMessage: error.message }, undefined);
    throw refusalOf(error);
  }
  let result: CallToolResult | undefined;
  let failure: unknown;
  try {
    result = await run();
  } catch (error) {
    failure = error;
  }
  const ending: Ending = result
    ? result.isError
      ? { status: 200, outcome: "error", costNano: call.priceNano, errorCode: "mcp.tool_error" }
      : { status: 200, outcome: "ok", costNano: call.priceNano }
    : { status: 502, outcome: "error", costNano: 0, errorCode: "mcp.upstream_error", errorMessage: failure instanceof Error ? failure.message : String(failure) };
  const durationMs = performance.now() - started;
  admission.finish(recordOf(call, callId, startedAt, durationMs, ending), true);
  if (capture) trace(observers, capture, call, callId, startedAt, durationMs, ending, result);
  if (!result) throw failure;
  return result;
}

function recordOf(call: ToolCall, callId: string, startedAt: number, durationMs: number, ending: Ending): CallRecord {
  const record: CallRecord = {
    callId,
    operation: "mcp_tool_call",
    model: call.name,
    provider: "mcp",
    deploymentId: call.server,
    upstreamModel: call.original,
    stream: false,
    status: ending.status,
    outcome: ending.outcome,
    costNano: ending.costNano,
    startedAt,
    durationMs,
  };
  if (ending.errorCode) record.errorCode = ending.errorCode;
  return record;
}

/** Queues the call's TOOL span; the arguments and result are serialised only for a traced call. */
function trace(observers: McpObservers, capture: TraceCapture, call: ToolCall, callId: string, startedAt: number, durationMs: number, ending: Ending, result: CallToolResult | undefined): void {
  const item: TraceItem = {
    traceId: capture.context.traceId,
    spanId: capture.context.spanId,
    startMs: startedAt,
    endMs: startedAt + durationMs,
    operation: "tool",
    dialect: "openai",
    stream: false,
    model: call.name,
    provider: "mcp",
    status: ending.status,
    outcome: ending.outcome,
    tool: { server: call.server, name: call.original },
    gateway: { callId, deploymentId: call.server },
    redact: capture.redact,
    attempts: [],
  };
  if (capture.context.parentSpanId) item.parentSpanId = capture.context.parentSpanId;
  if (ending.errorCode) item.errorCode = ending.errorCode;
  if (ending.errorMessage) item.errorMessage = ending.errorMessage;
  if (capture.sessionId) item.sessionId = capture.sessionId;
  const { caller } = call;
  if (caller.kind === "key") {
    if (caller.key.keyAlias) item.gateway.keyAlias = caller.key.keyAlias;
    if (caller.key.teamId) item.gateway.teamId = caller.key.teamId;
    if (caller.team?.teamAlias) item.gateway.teamAlias = caller.team.teamAlias;
  }
  observers.tracing?.submit(item, JSON.stringify(call.args ?? {}), result ? JSON.stringify(result) : "");
}
