/**
 * MCP tools in chat: `tools: [{"type": "mcp", "server_url": "switchboard/mcp/<server>", ...}]` in
 * /v1/chat/completions or /v1/messages, for any model. The gateway lists the servers' tools (those
 * the key may use) as function tools, runs the calls the model makes through the MCP gateway (the
 * same access, limits, ledger rows and TOOL spans as /mcp), feeds the results back and asks again,
 * until the model answers without calling an MCP tool or the round limit is reached. Calls that need
 * the client's approval, or of the client's own tools, end the loop: they are returned as tool calls.
 */
import type { ChatRequest, ChatResult, Message, ToolCallPart, ToolDefinition, ToolResultPart } from "../../canonical/chat.ts";
import { GatewayError } from "../../canonical/errors.ts";
import { echo } from "../../canonical/echo.ts";
import { isRecord } from "../../json/is-record.ts";
import type { CatalogTool, McpGateway } from "../../mcp/gateway.ts";
import { McpAnswerError } from "../../mcp/errors.ts";
import { withClientHeaders } from "../../mcp/extra-headers.ts";
import { traceparentFor } from "../../telemetry/trace-context.ts";
import type { CallDeps, CallInput, CallScope } from "../scope.ts";
import { parallelLimitOf } from "../admit.ts";
import type { DialectRuntime } from "../dialect.ts";
import { mcpEntries, type McpToolEntry } from "./entries.ts";
import { openRound, type LoopTrace } from "./round.ts";
import { toolFailureOf, toolResultOf } from "./tool-results.ts";
import type { LoopTotals } from "./totals.ts";

/** Rounds of tool calls a request may run; the round after the last is asked to answer without tools. */
export const MAX_TOOL_ROUNDS = 10;
/** Tool calls of one round run at most this many at a time. */
const TOOL_CONCURRENCY = 8;

/** An MCP tool offered to the model: where it lives and how its calls are approved. */
interface OfferedTool extends CatalogTool {
  entry: McpToolEntry;
}

/** What every round of one request shares. */
export interface Loop {
  deps: CallDeps;
  mcp: McpGateway;
  dialect: DialectRuntime;
  input: CallInput;
  model: string;
  stream: boolean;
  /** The MCP tools offered, by the name the model sees. */
  tools: Map<string, OfferedTool>;
  /** The client's body with the MCP entries replaced by function tools, in its dialect's wire. */
  body: Record<string, unknown>;
  /** The canonical request of the next round. */
  chat: ChatRequest;
  /** Turns the loop added (the model's tool calls, their results), canonical. */
  added: Message[];
  rounds: number;
  totals: LoopTotals;
  trace: LoopTrace | undefined;
  /** Ends the tool calls in flight, and any round after them, when the client of a stream leaves. */
  abort: AbortController;
}

/** Reads the MCP entries, lists their tools and builds the first round's request. */
export async function prepare(deps: CallDeps, mcp: McpGateway, dialect: DialectRuntime, input: CallInput, model: string, stream: boolean): Promise<Loop> {
  const { body } = input;
  const n = body.n;
  if (typeof n === "number" && n > 1) throw new GatewayError("caller.invalid_request", "n must be 1 when tools name MCP servers: the gateway runs one conversation's tool calls.", { param: "n" });
  const { entries, rest } = mcpEntries(body.tools as unknown[], input.request.headers.get("host"), (server) => mcp.has(server));
  const tools = await offeredTools(mcp, input, entries);
  const definitions: ToolDefinition[] = [...tools.values()].map(({ tool }) => ({
    name: tool.name,
    ...(tool.description !== undefined ? { description: tool.description } : {}),
    parameters: tool.inputSchema as Record<string, unknown>,
  }));
  const wireTools = [...rest, ...dialect.wireTools(definitions)];
  const firstBody: Record<string, unknown> = { ...body, tools: wireTools };
  if (wireTools.length === 0) delete firstBody.tools;
  const decoded = dialect.codec.decodeChat({ ...body, tools: rest });
  for (const name of decoded.tools?.map((tool) => tool.name) ?? []) {
    if (tools.has(name)) throw new GatewayError("caller.invalid_request", `tools: the function '${echo(name)}' has the name of an MCP tool this request offers; rename it.`, { param: "tools" });
  }
  const chat: ChatRequest = { ...decoded, tools: [...(decoded.tools ?? []), ...definitions] };
  if (chat.tools?.length === 0) delete chat.tools;
  return { deps, mcp, dialect, input, model, stream, tools, body: firstBody, chat, added: [], rounds: 0, totals: { priced: true, costNano: 0 }, trace: undefined, abort: new AbortController() };
}

/** The tools of every entry's servers that the key may use, filtered by the entry's allowed_tools; the first entry naming a tool decides its approval. */
async function offeredTools(mcp: McpGateway, input: CallInput, entries: readonly McpToolEntry[]): Promise<Map<string, OfferedTool>> {
  const { caller } = input;
  const tools = new Map<string, OfferedTool>();
  for (const entry of entries) {
    if (entry.server !== undefined && !mcp.mayUse(caller, entry.server)) {
      throw new GatewayError("policy.forbidden", `This key may not use MCP server '${echo(entry.server)}'. Ask an administrator to allow it in the object_permission (mcp_servers, mcp_access_groups) or metadata.mcp_servers of the key, its team or its organisation.`, { param: "tools" });
    }
    let listed: CatalogTool[];
    try {
      listed = await withClientHeaders(input.request.headers, () => mcp.catalog(caller, entry.server));
    } catch (error) {
      throw new GatewayError("provider.unreachable", `MCP server '${echo(entry.server ?? "")}' did not list its tools: ${error instanceof Error ? error.message : String(error)}`);
    }
    const allowed = entry.allowedTools ? new Set(entry.allowedTools) : undefined;
    for (const found of listed) {
      if (allowed && !allowed.has(found.tool.name) && !allowed.has(found.original)) continue;
      if (!tools.has(found.tool.name)) tools.set(found.tool.name, { ...found, entry });
    }
  }
  return tools;
}

/** The round's MCP tool calls when the loop should run them; undefined when this answer is the one the client gets. */
export function runnableCalls(loop: Loop, result: Pick<ChatResult, "content">): ToolCallPart[] | undefined {
  const calls = result.content.filter((part): part is ToolCallPart => part.type === "tool-call");
  // The round after the last was asked to answer without tools; a model that calls them anyway (or a
  // provider that dropped tool_choice: none) is answered with its calls: nothing more runs or is asked.
  if (calls.length === 0 || loop.rounds >= MAX_TOOL_ROUNDS) return undefined;
  for (const call of calls) {
    const offered = loop.tools.get(call.name);
    // The client's own tool, or one needing its approval: the client gets the calls.
    if (!offered || offered.entry.needsApproval(offered.tool.name, offered.original)) return undefined;
  }
  return calls;
}

/**
 * The next round: the turns added so far, in canonical terms (for the provider) and in the client's
 * dialect (its admission and span). The client's tool_choice holds for the first round only (a forced
 * tool would loop); the round after the last allowed one is asked to answer without tools.
 */
export function nextRound(loop: Loop): { scope: CallScope; chat: ChatRequest; body: Record<string, unknown> } {
  loop.rounds++;
  const last = loop.rounds >= MAX_TOOL_ROUNDS;
  const chat: ChatRequest = { ...loop.chat, messages: [...loop.chat.messages, ...loop.added] };
  const messages = Array.isArray(loop.body.messages) ? loop.body.messages : [];
  const body: Record<string, unknown> = { ...loop.body, messages: [...messages, ...loop.dialect.wireMessages(loop.added)] };
  if (last) {
    chat.toolChoice = { type: "none" };
    body.tool_choice = loop.dialect.wire === "anthropic" ? { type: "none" } : "none";
  } else if (chat.toolChoice?.type !== "none") {
    delete chat.toolChoice;
    delete body.tool_choice;
  }
  return { scope: openRound(loop.deps, loop.dialect, loop.input, body, loop.model, loop.stream, loop.trace), chat, body };
}

/** Runs a round's MCP tool calls (a few at a time) and returns their results in call order. */
export async function runTools(loop: Loop, calls: readonly ToolCallPart[]): Promise<ToolResultPart[]> {
  const results: ToolResultPart[] = new Array(calls.length);
  let next = 0;
  let ended = false;
  const worker = async () => {
    // A call that ends the request (a refusal, the client leaving) ends the queue: no call of the round starts after it.
    while (next < calls.length && !ended && !loop.abort.signal.aborted) {
      const i = next++;
      try {
        results[i] = await runTool(loop, calls[i] as ToolCallPart);
      } catch (error) {
        ended = true;
        throw error;
      }
    }
  };
  // The gateway makes these calls parallel, not the caller: a key's parallel limit caps them rather than refusing the ones over it.
  const width = Math.max(1, Math.min(TOOL_CONCURRENCY, parallelLimitOf(loop.input.caller) ?? TOOL_CONCURRENCY, calls.length));
  await Promise.all(Array.from({ length: width }, worker));
  return results;
}

/**
 * One tool call through the MCP gateway. A tool that failed (its server down, its arguments not an
 * object) is told to the model as an error result; the gateway's own refusal (a rate limit, a budget)
 * ends the request with that answer, since the model cannot do anything about it.
 */
async function runTool(loop: Loop, call: ToolCallPart): Promise<ToolResultPart> {
  const offered = loop.tools.get(call.name) as OfferedTool;
  const args = argumentsOf(call.arguments);
  if (!args) return toolFailureOf(call.id, "its arguments are not a JSON object.");
  const signal = AbortSignal.any([loop.input.request.signal, loop.abort.signal]);
  try {
    const result = await withClientHeaders(loop.input.request.headers, () =>
      loop.mcp.callTool(toolRequest(loop), loop.input.caller, offered.server, call.name, args, { signal }, (priceNano) => {
        loop.totals.costNano += priceNano;
      }),
    );
    return toolResultOf(call.id, result);
  } catch (error) {
    if (error instanceof McpAnswerError && error.refusal) throw error.refusal;
    if (signal.aborted) throw new GatewayError("caller.invalid_request", "The request was cancelled while its MCP tools ran.");
    return toolFailureOf(call.id, error instanceof Error ? error.message : String(error));
  }
}

function argumentsOf(text: string): Record<string, unknown> | undefined {
  if (text.trim() === "") return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return isRecord(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** The request a tool call is traced under: the client's headers, its span a child of the loop's first round. */
function toolRequest(loop: Loop): Request {
  const { request } = loop.input;
  if (!loop.trace) return request;
  const headers = new Headers(request.headers);
  headers.set("traceparent", traceparentFor(loop.trace.traceId, loop.trace.spanId, true));
  return new Request(request.url, { headers });
}
