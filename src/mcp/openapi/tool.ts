import type { Tool } from "@modelcontextprotocol/sdk/types.js";
import { openApiToolNames } from "./naming.ts";
import type { Operation, Parameter } from "./spec.ts";

/**
 * A document's tools, in document order, and the operation behind each name: what registration
 * serves and what a preview shows (the same function, so the same names).
 */
export function openApiTools(operations: readonly Operation[]): { tools: Tool[]; byName: Map<string, Operation> } {
  const names = [...openApiToolNames(operations)].sort((a, b) => a[1] - b[1]);
  const byName = new Map(names.map(([name, index]) => [name, operations[index] as Operation]));
  return { tools: [...byName].map(([name, operation]) => toolOf(name, operation)), byName };
}

/** Where each tool argument goes: a parameter, or the request body. */
export type Slot = { kind: "parameter"; parameter: Parameter } | { kind: "body" };

/**
 * An operation's arguments by name: each parameter under its own name (a second parameter of the
 * same name, in another place, as `<in>_<name>`), the request body as `body`.
 */
export function slotsOf(operation: Operation): Map<string, Slot> {
  const slots = new Map<string, Slot>();
  for (const parameter of operation.parameters) {
    const name = slots.has(parameter.name) ? `${parameter.in}_${parameter.name}` : parameter.name;
    slots.set(name, { kind: "parameter", parameter });
  }
  if (operation.body) slots.set(slots.has("body") ? "request_body" : "body", { kind: "body" });
  return slots;
}

/** The MCP tool of an operation: its arguments as one JSON schema object. */
export function toolOf(name: string, operation: Operation): Tool {
  const properties: Record<string, object> = {};
  const required: string[] = [];
  for (const [argument, slot] of slotsOf(operation)) {
    if (slot.kind === "body") {
      properties[argument] = { ...operation.body?.schema, description: `The request body (${operation.body?.mediaType}).` };
      if (operation.body?.required) required.push(argument);
      continue;
    }
    const { parameter } = slot;
    properties[argument] = { ...parameter.schema, ...(parameter.description ? { description: parameter.description } : {}) };
    if (parameter.required) required.push(argument);
  }
  return {
    name,
    description: operation.summary ?? `${operation.method.toUpperCase()} ${operation.path}`,
    inputSchema: { type: "object", properties, ...(required.length ? { required } : {}) },
  };
}

const scalar = (value: unknown): string => (typeof value === "object" && value !== null ? JSON.stringify(value) : String(value));

/** The HTTP request of a call: URL (path parameters percent-encoded, query), headers and body. Credentials are added by the caller. */
export function requestOf(baseUrl: string, operation: Operation, args: Record<string, unknown>): { url: URL; headers: Record<string, string>; body?: string } {
  let path = operation.path;
  const query = new URLSearchParams();
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  let body: string | undefined;
  for (const [argument, slot] of slotsOf(operation)) {
    const value = args[argument];
    if (value === undefined || value === null) {
      if (slot.kind === "parameter" && slot.parameter.in === "path") throw new Error(`missing path parameter '${argument}'`);
      continue;
    }
    if (slot.kind === "body") {
      const mediaType = operation.body?.mediaType ?? "application/json";
      headers["content-type"] = mediaType;
      if (/x-www-form-urlencoded/i.test(mediaType) && typeof value === "object") {
        body = new URLSearchParams(Object.entries(value as Record<string, unknown>).map(([key, field]): [string, string] => [key, scalar(field)])).toString();
      } else body = typeof value === "string" && !/json/i.test(mediaType) ? value : JSON.stringify(value);
      continue;
    }
    const { parameter } = slot;
    if (parameter.in === "path") path = path.split(`{${parameter.name}}`).join(encodeURIComponent(scalar(value)));
    else if (parameter.in === "query") for (const item of Array.isArray(value) ? value : [value]) query.append(parameter.name, scalar(item));
    else if (parameter.in === "header") headers[parameter.name.toLowerCase()] = scalar(value);
    else cookies.push(`${encodeURIComponent(parameter.name)}=${encodeURIComponent(scalar(value))}`);
  }
  if (cookies.length) headers.cookie = cookies.join("; ");
  const url = new URL(`${baseUrl.replace(/\/+$/, "")}${path}`);
  for (const [key, value] of query) url.searchParams.append(key, value);
  return { url, headers, ...(body !== undefined ? { body } : {}) };
}
