import type { TSchema } from "@sinclair/typebox";
import { formatPath, type PathProblem, type PathSegment } from "./paths.ts";
import { ConfigSchema } from "./schema.ts";
import { childSchema, EMBEDDED_REF, ENV_REF, redactWith } from "./secrets.ts";

/** A config with its `os.environ/` references resolved, and what is needed to report on it. */
export interface Resolution {
  value: unknown;
  /** Formatted path -> the variable its reference named, so errors can name it. */
  refs: Map<string, string>;
  /** Variables that are not set, with their paths. */
  problems: PathProblem[];
}

const INTEGER = /^[+-]?\d+$/;
const BOOLEANS: Record<string, boolean> = { true: true, false: false, "1": true, "0": false };

/** A variable's text as the field's type (integer, number, boolean); left as text when it is not one, for the schema to report. */
function asFieldType(text: string, schema: TSchema | undefined): unknown {
  const trimmed = text.trim();
  switch (schema?.type) {
    case "integer":
      return INTEGER.test(trimmed) ? Number(trimmed) : text;
    case "number":
      return trimmed !== "" && Number.isFinite(Number(trimmed)) ? Number(trimmed) : text;
    case "boolean":
      return BOOLEANS[trimmed.toLowerCase()] ?? text;
    default:
      return text;
  }
}

/**
 * Replaces every `os.environ/NAME` string with the variable's value, converted to the field's
 * type (so `port: os.environ/PORT` is an integer), before the schema is checked. A missing or
 * empty variable is a problem with its path, never an empty secret.
 */
export function resolveEnvRefs(value: unknown, env: Record<string, string | undefined>, schema: TSchema | undefined = ConfigSchema): Resolution {
  const resolution: Resolution = { value: undefined, refs: new Map(), problems: [] };
  resolution.value = resolve(value, schema, [], env, resolution);
  return resolution;
}

function resolve(value: unknown, schema: TSchema | undefined, path: PathSegment[], env: Record<string, string | undefined>, out: Resolution): unknown {
  if (typeof value === "string") {
    const embedded = schema?.embeddedRefs === true ? EMBEDDED_REF.exec(value.trim()) : null;
    const match = embedded ? [embedded[0], embedded[2]] : ENV_REF.exec(value.trim());
    if (!match) {
      if (schema?.embeddedRefs === true && value.includes("os.environ/")) {
        out.problems.push({ path, message: "a reference is written os.environ/NAME, alone or after one scheme word (Bearer os.environ/NAME)" });
        return undefined;
      }
      return value;
    }
    const name = match[1] as string;
    out.refs.set(formatPath(path), name);
    const resolved = env[name];
    if (resolved === undefined || resolved === "") {
      out.problems.push({ path, message: `environment variable ${name} is not set` });
      return undefined;
    }
    return embedded ? `${embedded[1]}${resolved}` : asFieldType(resolved, schema);
  }
  if (Array.isArray(value)) return value.map((item, index) => resolve(item, childSchema(schema, index), [...path, index], env, out));
  if (value && typeof value === "object") {
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) result[key] = resolve(item, childSchema(schema, key), [...path, key], env, out);
    return result;
  }
  return value;
}

/** A copy of a config safe to print: secret fields (marked in the schema) show their reference, or `***` when written inline. */
export function redactConfig(value: unknown): unknown {
  return redactWith(ConfigSchema, value);
}
