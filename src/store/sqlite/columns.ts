/**
 * Conversions between record values and SQLite column values. JSON text columns are checked on the
 * way out so a hand-edited row cannot hand callers a value of the wrong shape.
 */

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A JSON array-of-strings column; anything else reads as empty. */
export function stringArray(text: string): string[] {
  const value = parseJson(text);
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === "string") : [];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A JSON object column; anything else reads as empty. */
export function objectOf(text: string): Record<string, unknown> {
  const value = parseJson(text);
  return isObject(value) ? value : {};
}

/** A JSON string-to-string map column (model aliases); non-string values are dropped. */
export function stringRecord(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(objectOf(text))) {
    if (typeof value === "string") out[name] = value;
  }
  return out;
}

/** The column value for an optional field: NULL when absent. */
export function nullable<T>(value: T | undefined): T | null {
  return value === undefined ? null : value;
}

/** Parameters bound to a statement by name (strict mode: no `$` prefix needed). */
export type Bindings = Record<string, string | number | boolean | null>;

/** The value after a patch: absent keeps `current`, `null` resets to `empty`, anything else replaces. */
export function patched<T>(current: T, next: T | null | undefined, empty: T): T {
  if (next === undefined) return current;
  return next === null ? empty : next;
}
