import type { TSchema } from "@sinclair/typebox";
import type { PathSegment } from "./paths.ts";

/** LiteLLM's secret reference syntax: `os.environ/NAME`. */
export const ENV_REF = /^os\.environ\/([A-Za-z_][A-Za-z0-9_]*)$/;

/**
 * A reference after a scheme word (`Bearer os.environ/NAME`), where a field's schema allows it
 * (`embeddedRefs`: LiteLLM resolves these in pass-through endpoint headers): the word is kept.
 */
export const EMBEDDED_REF = /^([A-Za-z][A-Za-z0-9_-]*\s+)os\.environ\/([A-Za-z_][A-Za-z0-9_]*)$/;

/** Schema option: the field holds a secret. Dumps show `***` (or the reference as written); errors never echo it. */
export const SECRET = { secret: true } as const;

/** Header names whose values are credentials (Authorization, x-api-key, api-key, x-goog-api-key, cookies, tokens...). */
const CREDENTIAL_HEADER = "auth|key|token|secret|cookie|passw|signature|credential|session";

/** Schema option for a header map: the values of credential headers are secrets, the others are not. */
export const CREDENTIAL_HEADERS = { secretKeys: CREDENTIAL_HEADER } as const;

const keyPatterns = new Map<string, RegExp>();
function keyPattern(source: string): RegExp {
  let pattern = keyPatterns.get(source);
  if (!pattern) keyPatterns.set(source, (pattern = new RegExp(source, "i")));
  return pattern;
}

interface Step {
  /** The schema of the value one step down; undefined when the schema does not know the key. */
  schema: TSchema | undefined;
  secret: boolean;
}

/** The schema one step down (an object's property, a record's value, a list's item); undefined when the schema does not know the key. */
export function childSchema(schema: TSchema | undefined, segment: PathSegment): TSchema | undefined {
  if (!schema) return undefined;
  if (typeof segment === "number") return schema.items as TSchema | undefined;
  const property = (schema.properties as Record<string, TSchema> | undefined)?.[segment];
  return property ?? Object.values((schema.patternProperties as Record<string, TSchema> | undefined) ?? {})[0];
}

/** One step down a schema, and whether the value there is a secret (by its own mark or its record's key rule). */
function step(schema: TSchema | undefined, segment: PathSegment): Step {
  const child = childSchema(schema, segment);
  if (!child) return { schema: undefined, secret: false };
  const byKey = typeof segment === "string" && typeof schema?.secretKeys === "string" && keyPattern(schema.secretKeys).test(segment);
  return { schema: child, secret: child.secret === true || byKey };
}

/** Whether the value at `path` is a secret according to the schema (a secret's parts are secrets too). */
export function isSecretAt(root: TSchema, path: readonly PathSegment[]): boolean {
  let schema: TSchema | undefined = root;
  for (const segment of path) {
    const next = step(schema, segment);
    if (next.secret) return true;
    schema = next.schema;
  }
  return false;
}

/**
 * A copy safe to print, redacted by walking the schema: a secret written inline becomes `***`,
 * a reference (`os.environ/NAME`) is shown as written. Values the schema does not know are
 * treated as secrets, so nothing unexpected is printed.
 */
export function redactWith(schema: TSchema | undefined, value: unknown, secret = false): unknown {
  if (secret || !schema) {
    if (typeof value === "string") return ENV_REF.test(value.trim()) || (schema?.embeddedRefs === true && EMBEDDED_REF.test(value.trim())) ? value : "***";
    if (value === null || typeof value !== "object") return secret ? "***" : value;
  }
  if (Array.isArray(value)) return value.map((item, index) => redactItem(schema, index, item, secret));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = redactItem(schema, key, item, secret);
    return out;
  }
  return value;
}

function redactItem(schema: TSchema | undefined, segment: PathSegment, item: unknown, secret: boolean): unknown {
  const next = step(schema, segment);
  return redactWith(next.schema, item, secret || next.secret);
}

/** A secret-marked field: `models[].api_key`, `tracing.headers.*` (`keyPattern`: only keys matching it). */
export interface SecretField {
  path: string;
  keyPattern?: RegExp;
}

/** Every secret-marked field of a schema, for tests and documentation. */
export function secretFields(schema: TSchema, path = ""): SecretField[] {
  const fields: SecretField[] = [];
  for (const [key, property] of Object.entries((schema.properties as Record<string, TSchema> | undefined) ?? {})) {
    const here = path === "" ? key : `${path}.${key}`;
    if (property.secret === true) fields.push({ path: here });
    else fields.push(...secretFields(property, here));
  }
  if (schema.items) {
    const items = schema.items as TSchema;
    if (items.secret === true) fields.push({ path: `${path}[]` });
    else fields.push(...secretFields(items, `${path}[]`));
  }
  const values = Object.values((schema.patternProperties as Record<string, TSchema> | undefined) ?? {})[0];
  if (values) {
    if (values.secret === true) fields.push({ path: `${path}.*` });
    else if (typeof schema.secretKeys === "string") fields.push({ path: `${path}.*`, keyPattern: keyPattern(schema.secretKeys) });
    else fields.push(...secretFields(values, `${path}.*`));
  }
  return fields;
}
