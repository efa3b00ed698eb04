/**
 * The `object_permission` column of keys, teams and organisations: LiteLLM's object permission (its
 * MCP part) as JSON, NULL when none was set. Read back checked, so a hand-edited row cannot hand the
 * access rules a value of the wrong shape.
 */
import type { ObjectPermission, ObjectPermissionPatch } from "../types.ts";
import { objectOf } from "./columns.ts";

const strings = (value: unknown): string[] | undefined => (Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : undefined);

/** The column's value as read; undefined for NULL or a value with none of the fields. */
export function objectPermissionOf(text: string | null): ObjectPermission | undefined {
  if (text === null) return undefined;
  const raw = objectOf(text);
  const out: ObjectPermission = {};
  const servers = strings(raw.mcpServers);
  const groups = strings(raw.mcpAccessGroups);
  if (servers) out.mcpServers = servers;
  if (groups) out.mcpAccessGroups = groups;
  if (typeof raw.mcpToolPermissions === "object" && raw.mcpToolPermissions !== null && !Array.isArray(raw.mcpToolPermissions)) {
    const tools: Record<string, string[]> = {};
    for (const [server, list] of Object.entries(raw.mcpToolPermissions)) {
      const names = strings(list);
      if (names) tools[server] = names;
    }
    out.mcpToolPermissions = tools;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The column value to write: NULL for none. */
export function objectPermissionColumn(permission: ObjectPermission | undefined): string | null {
  return permission === undefined ? null : JSON.stringify(permission);
}

/**
 * LiteLLM's update of an object permission: the fields sent replace the current ones, `null` clears
 * one, the rest stay; `null` for the whole clears it. Undefined when nothing is left.
 */
export function patchObjectPermission(current: ObjectPermission | undefined, patch: ObjectPermissionPatch | null | undefined): ObjectPermission | undefined {
  if (patch === undefined) return current;
  if (patch === null) return undefined;
  const out: Record<string, unknown> = { ...current };
  for (const [field, value] of Object.entries(patch)) {
    if (value === null) delete out[field];
    else if (value !== undefined) out[field] = value;
  }
  return Object.keys(out).length > 0 ? (out as ObjectPermission) : undefined;
}
