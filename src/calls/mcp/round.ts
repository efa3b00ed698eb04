/**
 * One model call of an MCP tool loop. Each round is a chat call of its own: admitted against the
 * caller's limits and budgets for the request it sends (so a loop cannot overrun a budget), routed
 * with retries and fallbacks, recorded as its own ledger row and LLM span, and read in canonical
 * terms so the loop sees the tool calls whatever the provider's wire.
 */
import type { Server } from "bun";
import type { ChatRequest, ChatResult } from "../../canonical/chat.ts";
import type { Resolved } from "../../router/models.ts";
import { isRecord } from "../../json/is-record.ts";
import { answerIdOf, type DialectRuntime } from "../dialect.ts";
import { answerId, recordTranslated, translated, type Prepared } from "../chat.ts";
import { admitModel, costOfCall, openCall, overheadMs, recordFailure, routeCall, type CallDeps, type CallInput, type CallScope } from "../scope.ts";

type TranslatedAnswer = Extract<Prepared, { kind: "translated" }>;

/** A round the router committed to: a stream whose first event arrived, or a whole answer read. */
export interface Round {
  scope: CallScope;
  resolved: Resolved;
  answer: TranslatedAnswer;
}

/** Where a loop's later spans hang: the first round's span, in its trace. */
export interface LoopTrace {
  traceId: string;
  spanId: string;
}

/**
 * Opens the scope of a round after the first: its request is `body` (the dialect's wire, as the
 * client would have sent it), and its span is a child of the first round's, so one trace shows the loop.
 */
export function openRound(deps: CallDeps, dialect: DialectRuntime, input: CallInput, body: Record<string, unknown>, model: string, stream: boolean, parent: LoopTrace | undefined): CallScope {
  const raw = { text: JSON.stringify(body), receivedAt: performance.now() };
  const scope = openCall(deps, { ...input, body, raw }, "chat", model, stream, dialect.wire);
  if (scope.trace && parent) {
    scope.trace.context.traceId = parent.traceId;
    scope.trace.context.parentSpanId = parent.spanId;
  }
  return scope;
}

/** Admits and routes one round; a failure is recorded on the round's scope and thrown as the error to answer. */
export async function startRound(deps: CallDeps, scope: CallScope, chat: ChatRequest, body: Record<string, unknown>, model: string, server: Server<unknown> | null | undefined): Promise<Round> {
  let resolved: Resolved | undefined;
  try {
    const pending = admitModel(deps, scope, body, model, "chat");
    const admitted = pending instanceof Promise ? await pending : pending;
    const routed = await routeCall(deps, scope, admitted, "chat", (candidate) => translated(deps, scope, candidate, chat, server));
    resolved = routed.resolved;
    return { scope, resolved, answer: routed.value as TranslatedAnswer };
  } catch (error) {
    throw recordFailure(scope, error, resolved);
  }
}

/** Records a buffered round (its own usage and cost) and returns its answer; the trace keeps it as the client's dialect writes it. */
export function recordBuffered(round: Round, dialect: DialectRuntime, model: string): { result: ChatResult; costNano: number | undefined; overheadMs: number } {
  const { scope, resolved, answer } = round;
  const result = answer.result as ChatResult;
  if (result.id === "") result.id = answerId(scope);
  const cost = costOfCall(resolved, result.usage, scope.startedAt);
  const overhead = overheadMs(scope, answer.call, answer.doneAt);
  const encoded = dialect.codec.encodeResult(result, answer.chat, model);
  if (scope.trace) scope.trace.responseText = JSON.stringify(encoded);
  recordTranslated(scope, resolved, answer.call, result, overhead, cost, isRecord(encoded) ? answerIdOf(encoded) : undefined);
  return { result, costNano: cost, overheadMs: overhead };
}
