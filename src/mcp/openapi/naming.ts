import { TOOL_NAME } from "../names.ts";

const MAX = 128;

/** HTTP methods an OpenAPI path item holds, in the one order operations of a path are named in (OpenAPI's own). */
export const METHODS = ["get", "put", "post", "delete", "options", "head", "patch", "trace"] as const;
export type Method = (typeof METHODS)[number];

/** What naming needs of an operation: its operationId (if any), method and path. */
export interface NamedOperation {
  operationId?: string | undefined;
  method: Method;
  path: string;
}

/** An operation's own name: its operationId, else `<method>_<path>`. */
export function originalName(operation: NamedOperation): string {
  return operation.operationId ? operation.operationId : `${operation.method}_${operation.path}`;
}

/** A name as strict providers take it: every other character `_`, at most 128 characters. */
export function sanitise(name: string): string {
  return name.replace(/[^a-zA-Z0-9_-]/g, "_").slice(0, MAX);
}

/**
 * The tool names of a document's operations, given in document order (paths in document order,
 * methods in METHODS order): tool name -> the index of its operation. Pure, so registration and a
 * preview show the same names. An operation whose own name was seen before is left out (registered
 * once); names already valid are taken first; the others are sanitised and, where a name is
 * taken, numbered `_2`, `_3`, … in document order.
 */
export function openApiToolNames(operations: readonly NamedOperation[]): Map<string, number> {
  const seen = new Set<string>();
  const unique: { original: string; index: number }[] = [];
  operations.forEach((operation, index) => {
    const original = originalName(operation);
    if (seen.has(original)) return;
    seen.add(original);
    unique.push({ original, index });
  });
  const names = new Map<string, number>();
  for (const { original, index } of unique) if (TOOL_NAME.test(original)) names.set(original, index);
  for (const { original, index } of unique) {
    if (TOOL_NAME.test(original)) continue;
    const base = sanitise(original) || "_";
    let name = base;
    for (let n = 2; names.has(name); n++) name = `${base.slice(0, MAX - `_${n}`.length)}_${n}`;
    names.set(name, index);
  }
  return names;
}
