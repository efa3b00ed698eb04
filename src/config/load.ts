import { Value } from "@sinclair/typebox/value";
import { resolveEnvRefs, type RefProblem } from "./env-refs.ts";
import { ConfigError } from "./errors.ts";
import { fromLiteLLM, isLiteLLMConfig } from "./litellm.ts";
import { ConfigSchema, type Config } from "./schema.ts";

export interface LoadedConfig {
  /** Validated, with every `os.environ/` reference resolved. Holds secrets: never print it. */
  config: Config;
  /** As written (references unresolved), for `config check --print` after redaction. */
  written: Config;
  warnings: string[];
  format: "switchboard" | "litellm";
  /** The environment the config resolves against: the process's, overlaid by LiteLLM's `environment_variables`. */
  env: Record<string, string | undefined>;
}

/** Parses config text by its file name: `.json` as JSON, anything else as YAML (a superset of JSON). */
export function parseConfigText(text: string, source: string): unknown {
  try {
    return source.endsWith(".json") ? JSON.parse(text) : Bun.YAML.parse(text);
  } catch (error) {
    throw new ConfigError(source, [`cannot be parsed: ${(error as Error).message}`]);
  }
}

function describe(error: { path: string; message: string; schema: { description?: string; pattern?: string } }): string {
  const path = error.path || "/";
  if (error.message === "Unexpected property") return `${path}: unknown key`;
  if (error.schema.pattern && error.schema.description) return `${path}: ${error.message} (${error.schema.description})`;
  return `${path}: ${error.message}`;
}

/** Validates a parsed config (either format) and resolves its secrets; throws ConfigError listing every problem. */
export function loadConfigValue(raw: unknown, source: string, env: Record<string, string | undefined> = process.env): LoadedConfig {
  let written: unknown = raw ?? {};
  let warnings: string[] = [];
  let format: LoadedConfig["format"] = "switchboard";
  let scope = env;
  if (isLiteLLMConfig(raw)) {
    const translation = fromLiteLLM(raw);
    written = translation.config;
    warnings = translation.warnings;
    format = "litellm";
    // As in LiteLLM, the file's environment_variables override the process environment.
    scope = { ...env, ...translation.env };
  }
  const problems = [...Value.Errors(ConfigSchema, written)].map(describe);
  const refProblems: RefProblem[] = [];
  const config = resolveEnvRefs(written, scope, refProblems) as Config;
  problems.push(...refProblems.map((p) => `${p.path}: ${p.message}`));
  if (problems.length > 0) throw new ConfigError(source, problems);
  return { config, written: written as Config, warnings, format, env: scope };
}

/** Reads and loads a config file. */
export async function loadConfigFile(path: string, env: Record<string, string | undefined> = process.env): Promise<LoadedConfig> {
  const file = Bun.file(path);
  if (!(await file.exists())) throw new ConfigError(path, ["file not found"]);
  return loadConfigValue(parseConfigText(await file.text(), path), path, env);
}
