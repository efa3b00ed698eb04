import { invalid } from "./errors.ts";
import { echo } from "../canonical/echo.ts";

/** A whole-number query parameter within `[min, max]`, `fallback` when absent; a 400 naming it otherwise. */
export function intParam(query: Record<string, string>, name: string, fallback: number, min: number, max: number): number {
  const text = query[name];
  if (text === undefined || text === "") return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min || value > max) throw invalid(`Invalid value for '${name}': expected a whole number from ${min} to ${max}, got '${echo(text)}'.`, name);
  return value;
}

/** An optional string query parameter; empty counts as absent. */
export function textParam(query: Record<string, string>, name: string): string | undefined {
  const text = query[name];
  return text === undefined || text === "" ? undefined : text;
}
