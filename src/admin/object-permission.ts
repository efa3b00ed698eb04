/**
 * LiteLLM's `object_permission` on keys, teams and organisations: the MCP servers (by name or id, or
 * through their access groups) and the tools of each (the server's own names) the holder may use.
 * Its other fields (vector stores, agents, ...) are accepted and named in `warnings`.
 */
import { Type, type Static, type TSchema } from "@sinclair/typebox";
import type { ObjectPermission, ObjectPermissionPatch } from "../store/types.ts";
import { unappliedFields, unappliedWarnings } from "./unapplied-fields.ts";

const nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
const Names = (description: string) => Type.Array(Type.String({ minLength: 1 }), { description });

/** LiteLLM's object_permission fields Switchboard accepts without applying (object_permission_id: LiteLLM's row id, echoed back by its UI). */
export const OBJECT_PERMISSION_UNAPPLIED = [
  "object_permission_id",
  "mcp_toolsets",
  "blocked_tools",
  "vector_stores",
  "agents",
  "agent_access_groups",
  "models",
  "search_tools",
  "mcp_tool_search_enabled",
  "skills",
] as const;

const fields = {
  mcp_servers: Type.Optional(nullable(Names("MCP servers (their names, or server_id of servers added at run time) this may use; empty or absent: no restriction by itself."))),
  mcp_access_groups: Type.Optional(nullable(Names("Access groups: every MCP server in one of them may be used."))),
  mcp_tool_permissions: Type.Optional(
    nullable(
      Type.Record(Type.String({ minLength: 1 }), Names("Tools of that server (its own names, without the <server>- prefix)."), {
        description: "Server (name or server_id) -> the only tools of it that may be called; naming a server here also allows the server.",
      }),
    ),
  ),
};

/** The body field: what keys, teams and organisations take (null on update clears it all; a field null clears that field). */
export const ObjectPermissionBody = Type.Object(
  { ...fields, ...unappliedFields(OBJECT_PERMISSION_UNAPPLIED) },
  {
    additionalProperties: false,
    description: "LiteLLM's object_permission: the MCP servers and tools this may use. On update the fields sent replace the current ones; the rest stay.",
  },
);
export type ObjectPermissionBody = Static<typeof ObjectPermissionBody>;

/** The answer field: null when none is set. */
export const ObjectPermissionObject = nullable(
  Type.Object({
    mcp_servers: nullable(Type.Array(Type.String())),
    mcp_access_groups: nullable(Type.Array(Type.String())),
    mcp_tool_permissions: nullable(Type.Record(Type.String(), Type.Array(Type.String()))),
  }),
);

/** The store's patch for a body's object_permission (absent fields keep, null clears). */
export function objectPermissionPatch(body: ObjectPermissionBody): ObjectPermissionPatch {
  const out: ObjectPermissionPatch = {};
  if (body.mcp_servers !== undefined) out.mcpServers = body.mcp_servers;
  if (body.mcp_access_groups !== undefined) out.mcpAccessGroups = body.mcp_access_groups;
  if (body.mcp_tool_permissions !== undefined) out.mcpToolPermissions = body.mcp_tool_permissions;
  return out;
}

/** A stored object permission as answered, LiteLLM's field names. */
export function objectPermissionJson(permission: ObjectPermission | undefined) {
  if (permission === undefined) return null;
  return {
    mcp_servers: permission.mcpServers ?? null,
    mcp_access_groups: permission.mcpAccessGroups ?? null,
    mcp_tool_permissions: permission.mcpToolPermissions ?? null,
  };
}

/** An empty list or map, which LiteLLM's clients send for every field and which restricts nothing there either. */
const isEmpty = (value: unknown) => (Array.isArray(value) ? value.length === 0 : typeof value === "object" && value !== null && Object.keys(value).length === 0);

/** One warning per unapplied object_permission field a body sets (not empty), named `object_permission.<field>`. */
export function objectPermissionWarnings(body: object): string[] {
  const permission = (body as { object_permission?: unknown }).object_permission;
  if (typeof permission !== "object" || permission === null) return [];
  const set = Object.entries(permission).filter(([, value]) => !isEmpty(value));
  const prefixed = Object.fromEntries(set.map(([field, value]) => [`object_permission.${field}`, value]));
  return unappliedWarnings(prefixed, OBJECT_PERMISSION_UNAPPLIED.map((field) => `object_permission.${field}`));
}
