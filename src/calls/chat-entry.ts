import { handleChatCall } from "./chat.ts";
import type { DialectRuntime } from "./dialect.ts";
import { hasMcpTools } from "./mcp/entries.ts";
import { handleMcpChat } from "./mcp/handle.ts";
import type { CallDeps, CallInput } from "./scope.ts";

/** A chat call: the MCP tool loop when its tools name MCP servers of this gateway, else one upstream call. */
export function handleChat(deps: CallDeps, dialect: DialectRuntime, input: CallInput): Promise<Response> {
  return deps.mcp && hasMcpTools(input.body) ? handleMcpChat(deps, deps.mcp, dialect, input) : handleChatCall(deps, dialect, input);
}
