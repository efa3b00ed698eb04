import type { Caller } from "../auth/caller.ts";

/** A principal's MCP server allow-list: `metadata.mcp_servers` as a list of server names; anything else is no restriction. */
function listOf(metadata: Record<string, unknown> | undefined): readonly string[] | undefined {
  const list = metadata?.mcp_servers;
  return Array.isArray(list) ? list.filter((name): name is string => typeof name === "string") : undefined;
}

/**
 * Whether the caller may use the MCP server `name`. The master key and an open gateway reach
 * every server. A virtual key is bound by `metadata.mcp_servers` of the key, its team and its
 * team's organisation, each a list of server names: every list present must name the server
 * (an empty list allows none); where none is present, every server is allowed.
 */
export function mayUseServer(caller: Caller, name: string): boolean {
  if (caller.kind !== "key") return true;
  for (const metadata of [caller.key.metadata, caller.team?.metadata, caller.organization?.metadata]) {
    const list = listOf(metadata);
    if (list && !list.includes(name)) return false;
  }
  return true;
}
