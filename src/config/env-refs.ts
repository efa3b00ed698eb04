import { ConfigSchema } from "./schema.ts";
import { ENV_REF, redactWith } from "./secrets.ts";

export interface RefProblem {
  path: string;
  message: string;
}

/**
 * Replaces every `os.environ/NAME` string in a parsed config with the variable's value.
 * A missing variable is a problem reported with its path, never an empty secret.
 */
export function resolveEnvRefs(value: unknown, env: Record<string, string | undefined>, problems: RefProblem[], path = ""): unknown {
  if (typeof value === "string") {
    const match = ENV_REF.exec(value.trim());
    if (!match) return value;
    const name = match[1] as string;
    const resolved = env[name];
    if (resolved === undefined || resolved === "") problems.push({ path: path || "/", message: `environment variable ${name} is not set` });
    return resolved ?? "";
  }
  if (Array.isArray(value)) return value.map((item, i) => resolveEnvRefs(item, env, problems, `${path}/${i}`));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = resolveEnvRefs(item, env, problems, `${path}/${key}`);
    return out;
  }
  return value;
}

/** A copy of a config safe to print: secret fields (marked in the schema) show their reference, or `***` when written inline. */
export function redactConfig(value: unknown): unknown {
  return redactWith(ConfigSchema, value);
}
