/** LiteLLM's secret reference syntax: `os.environ/NAME`. */
const ENV_REF = /^os\.environ\/([A-Za-z_][A-Za-z0-9_]*)$/;

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

const SECRET_KEYS = new Set(["api_key", "master_key", "authorization", "x-api-key", "api-key"]);

/** A copy safe to print: secret fields show their reference (or `***` when written inline). */
export function redactConfig(value: unknown, key = ""): unknown {
  if (typeof value === "string") {
    if (!SECRET_KEYS.has(key.toLowerCase())) return value;
    return ENV_REF.test(value.trim()) ? value : "***";
  }
  if (Array.isArray(value)) return value.map((item) => redactConfig(item));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, item] of Object.entries(value)) out[k] = redactConfig(item, k);
    return out;
  }
  return value;
}
