/**
 * The MCP tool loop's entry: the first round answers before anything is sent, so a refusal or an
 * upstream failure is an ordinary error answer; then the loop runs buffered here, or streamed (stream.ts).
 */
import type { ChatResult } from "../../canonical/chat.ts";
import type { McpGateway } from "../../mcp/gateway.ts";
import { authorizeModel } from "../admit.ts";
import { costHeader, openCall, recordFailure, resolveGroup, type CallDeps, type CallInput, type CallScope } from "../scope.ts";
import { gatewayHeaders } from "../headers.ts";
import type { DialectRuntime } from "../dialect.ts";
import { JSON_HEADERS } from "../chat.ts";
import { nextRound, prepare, runnableCalls, runTools, type Loop } from "./loop.ts";
import { recordBuffered, startRound } from "./round.ts";
import { streamLoop } from "./stream.ts";
import { addUsage } from "./totals.ts";

/** Answers a chat request whose tools name MCP servers of this gateway. */
export async function handleMcpChat(deps: CallDeps, mcp: McpGateway, dialect: DialectRuntime, input: CallInput): Promise<Response> {
  const model = String(input.body.model);
  const stream = dialect.isStream(input.body);
  const first = openCall(deps, input, "chat", model, stream, dialect.wire);
  let scope = first;
  try {
    // The model first (403, 404), as any chat call: a call refused for its model lists no MCP server's tools.
    resolveGroup(deps, authorizeModel(input.caller, model), "chat");
    const loop = await prepare(deps, mcp, dialect, input, model, stream);
    let round = await startRound(deps, scope, loop.chat, loop.body, model, input.server);
    if (scope.trace) loop.trace = { traceId: scope.trace.context.traceId, spanId: scope.trace.context.spanId };
    if (stream) return streamLoop(loop, round);
    for (;;) {
      const { result, costNano } = recordBuffered(round, dialect, model);
      addUsage(loop.totals, result.usage, costNano);
      const calls = runnableCalls(loop, result);
      if (!calls) return bufferedAnswer(loop, round.scope, round.resolved.deployment.id, result, first.callId);
      loop.added.push({ role: "assistant", content: result.content }, { role: "tool", content: await runTools(loop, calls) });
      const next = nextRound(loop);
      scope = next.scope;
      round = await startRound(deps, scope, next.chat, next.body, model, input.server);
    }
  } catch (error) {
    // A round's failure was recorded on its scope already (a record is made once).
    const failure = recordFailure(scope, error);
    return dialect.codec.errorResponse(failure, { ...gatewayHeaders(scope, failure.details.deploymentId, undefined), "x-switchboard-call-id": first.callId });
  }
}

/** The final answer of a buffered loop: the last round's answer with the loop's total usage, and its total cost (rounds and priced tool calls). */
function bufferedAnswer(loop: Loop, scope: CallScope, deploymentId: string, result: ChatResult, callId: string): Response {
  if (loop.totals.usage) result.usage = loop.totals.usage;
  const body = JSON.stringify(loop.dialect.codec.encodeResult(result, loop.chat, loop.model));
  // The first round's id: the loop's trace is found by it, as any call's is.
  const headers = { ...JSON_HEADERS, ...gatewayHeaders(scope, deploymentId, undefined), "x-switchboard-call-id": callId, ...(loop.totals.priced ? costHeader(loop.totals.costNano) : {}) };
  return new Response(body, { headers });
}
