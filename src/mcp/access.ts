/**
 * Who may use which MCP server and tool, in LiteLLM's terms. A virtual key is bound by its own
 * settings, its team's and its team's organisation's (each a "principal"); every principal that
 * restricts must allow, so each level can only narrow what the others give (LiteLLM's key/team
 * intersection and organisation ceiling). The master key and an open gateway reach everything.
 *
 * A principal restricts servers by
 * - `metadata.mcp_servers`, a list (an empty list allows none), Switchboard's first form; and
 * - `object_permission`: the servers its `mcp_servers` names, those in one of its
 *   `mcp_access_groups`, and those its `mcp_tool_permissions` names; all empty, no restriction.
 *   A group no server is in yet restricts all the same (LiteLLM would then restrict nothing).
 * and restricts the tools of a server its `mcp_tool_permissions` names to the tools listed there
 * (the server's own names; an empty list allows none of them).
 */
import type { Caller } from "../auth/caller.ts";
import type { ObjectPermission } from "../store/types.ts";

/** What the rules know of a server. */
export interface McpServerIdentity {
  /** Every name a permission may give it: its served name, and for a server added at run time its server_id (and server_name, when an alias is served). */
  ids: readonly string[];
  /** Its access groups (LiteLLM's `access_groups` / `mcp_access_groups`). */
  accessGroups: readonly string[];
}

interface Principal {
  metadata?: Record<string, unknown>;
  objectPermission?: ObjectPermission;
}

/** The key, its team and its organisation: the principals whose settings bind a call. */
function principalsOf(caller: Caller): Principal[] {
  if (caller.kind !== "key") return [];
  return [caller.key, caller.team, caller.organization].filter((p): p is NonNullable<typeof p> => p !== undefined);
}

/** `metadata.mcp_servers` as a list of names; anything else is no restriction. */
function metadataServers(metadata: Record<string, unknown> | undefined): readonly string[] | undefined {
  const list = metadata?.mcp_servers;
  return Array.isArray(list) ? list.filter((name): name is string => typeof name === "string") : undefined;
}

const names = (server: McpServerIdentity) => (id: string) => server.ids.includes(id);

/** Whether the object permission restricts servers at all, and if so whether it allows `server`. */
function permissionAllows(permission: ObjectPermission | undefined, server: McpServerIdentity): boolean {
  const direct = permission?.mcpServers ?? [];
  const groups = permission?.mcpAccessGroups ?? [];
  const byTools = Object.keys(permission?.mcpToolPermissions ?? {});
  if (direct.length === 0 && groups.length === 0 && byTools.length === 0) return true;
  return direct.some(names(server)) || groups.some((group) => server.accessGroups.includes(group)) || byTools.some(names(server));
}

/** Whether the caller may use the MCP server (its tools, resources and prompts). */
export function mayUseServer(caller: Caller, server: McpServerIdentity): boolean {
  return principalsOf(caller).every((principal) => {
    const listed = metadataServers(principal.metadata);
    if (listed && !listed.some(names(server))) return false;
    return permissionAllows(principal.objectPermission, server);
  });
}

/**
 * The tools of `server` (its own names) the caller may call, when some principal lists them;
 * undefined when none does (every tool the server offers). Several lists for one principal (the
 * server by name and by id) add up; the principals' lists intersect.
 */
export function allowedTools(caller: Caller, server: McpServerIdentity): ReadonlySet<string> | undefined {
  let allowed: Set<string> | undefined;
  for (const principal of principalsOf(caller)) {
    const lists = Object.entries(principal.objectPermission?.mcpToolPermissions ?? {}).filter(([id]) => server.ids.includes(id));
    if (lists.length === 0) continue;
    const own = new Set(lists.flatMap(([, tools]) => tools));
    allowed = allowed ? new Set([...allowed].filter((tool) => own.has(tool))) : own;
  }
  return allowed;
}
