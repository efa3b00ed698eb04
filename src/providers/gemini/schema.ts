import { isRecord } from "../../json/is-record.ts";

/** Keywords whose value is one schema. */
const ONE_SCHEMA = ["items", "additionalProperties", "not", "if", "then", "else", "contains", "propertyNames"] as const;
/** Keywords whose value is a list of schemas. */
const SCHEMA_LISTS = ["anyOf", "oneOf", "allOf", "prefixItems"] as const;
/** Keywords whose value maps names to schemas (the names are data, never keywords). */
const SCHEMA_MAPS = ["properties", "patternProperties", "$defs", "definitions", "dependentSchemas"] as const;

/**
 * A client's JSON Schema as Gemini's JSON-Schema fields (`parametersJsonSchema`,
 * `responseJsonSchema`) take it. Those fields accept nearly all of JSON Schema (`$ref`/`$defs`,
 * `anyOf`, type lists, `additionalProperties`), but answer 400 to `$schema`, and do not support
 * `const` (sent as a one-value `enum`). Returns a copy; the input is never changed.
 */
export function toGeminiJsonSchema(schema: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "$schema") continue;
    if (key === "const") {
      if (!("enum" in schema)) out.enum = [value];
      continue;
    }
    out[key] = value;
  }
  for (const key of ONE_SCHEMA) if (isRecord(out[key])) out[key] = toGeminiJsonSchema(out[key]);
  for (const key of SCHEMA_LISTS) {
    const list = out[key];
    if (Array.isArray(list)) out[key] = list.map((item) => (isRecord(item) ? toGeminiJsonSchema(item) : item));
  }
  for (const key of SCHEMA_MAPS) {
    const map = out[key];
    if (isRecord(map)) out[key] = Object.fromEntries(Object.entries(map).map(([name, item]) => [name, isRecord(item) ? toGeminiJsonSchema(item) : item]));
  }
  return out;
}

/** Whether a parameters schema declares nothing (Gemini then takes the function with no parameters field). */
export function isEmptyObjectSchema(schema: Record<string, unknown>): boolean {
  const properties = schema.properties;
  if (isRecord(properties) && Object.keys(properties).length > 0) return false;
  if (schema.additionalProperties === true || isRecord(schema.additionalProperties)) return false;
  return !["anyOf", "oneOf", "allOf", "$ref", "patternProperties", "items"].some((key) => key in schema) && (schema.type === undefined || schema.type === "object");
}
