import { resolveEnvRefs } from "./env-refs.ts";
import { ConfigError, ConfigSyntaxError } from "./errors.ts";
import { fromLiteLLM, isLiteLLMConfig } from "./litellm.ts";
import { asDict } from "./litellm-values.ts";
import { extraHeadersProblem, looksStdio, MCP_SERVER_NAME, missingOAuth2, stdioProblems } from "./mcp-servers.ts";
import { passThroughProblems } from "./pass-through-endpoints.ts";
import { formatPath, type PathSegment } from "./paths.ts";
import { ConfigSchema, type Config } from "./schema.ts";
import { jsonErrorPosition, yamlErrorPosition } from "./syntax.ts";
import { schemaProblems } from "./validate.ts";

export interface LoadedConfig {
  /** Validated, with every `os.environ/` reference resolved. Holds secrets: never print it. */
  config: Config;
  /** As written (references unresolved), for `config check --print` after redaction. */
  written: Config;
  warnings: string[];
  format: "switchboard" | "litellm";
  /** The environment the config resolves against: the process's, overlaid by LiteLLM's `environment_variables`. */
  env: Record<string, string | undefined>;
  /** A `path: message` problem about `config` (e.g. from the model table) with the path as the user wrote it. */
  relocate(problem: string): string;
}

/** Parses config text by its file name: `.json` as JSON, anything else as YAML (a superset of JSON). Errors say `FILE:LINE:COLUMN`. */
export function parseConfigText(text: string, source: string): unknown {
  const json = source.endsWith(".json");
  try {
    return json ? JSON.parse(text) : Bun.YAML.parse(text);
  } catch (error) {
    // The parser's own message is not shown for JSON: it can quote the offending token, a secret perhaps.
    const at = json ? jsonErrorPosition(text) : yamlErrorPosition(text, (error as Error).message);
    if (!at) throw new ConfigError(source, ["cannot be parsed as JSON"]);
    throw new ConfigSyntaxError(source, at.line, at.column, at.message);
  }
}

/** Validates a parsed config (either format) and resolves its references; throws ConfigError listing every problem. */
export function loadConfigValue(raw: unknown, source: string, env: Record<string, string | undefined> = process.env): LoadedConfig {
  const native = !isLiteLLMConfig(raw);
  const translation = native ? undefined : fromLiteLLM(raw, env);
  const written = translation ? translation.config : (raw ?? {});
  // As in LiteLLM, the file's environment_variables override the process environment.
  const scope = translation ? { ...env, ...translation.env } : env;
  const where = (path: readonly PathSegment[]) => (translation ? translation.translator.origins.userPath(path) : formatPath(path));
  const problems = [...(translation?.problems ?? [])];
  const warnings = [...(translation?.warnings ?? [])];

  // References first, so `port: os.environ/PORT` is checked as the integer it resolves to.
  const resolution = resolveEnvRefs(written, scope);
  if (translation) {
    const after = translation.translator.convertResolved(resolution.value);
    problems.push(...after.problems);
    warnings.push(...after.warnings);
  }
  const unset = new Set(resolution.problems.map((problem) => formatPath(problem.path)));
  // A server's keys that contradict each other (a stdio server's url, say) are named for what they are, not as the schema's errors.
  const mcpServers = asDict(asDict(resolution.value)?.mcp_servers) ?? {};
  for (const [name, entry] of Object.entries(mcpServers)) {
    if (!MCP_SERVER_NAME.test(name)) problems.push(`${where(["mcp_servers", name])}: a server name is 1 to 64 letters, digits, _ or - (it prefixes the server's tool names)`);
    const shadowed = Object.keys(mcpServers).find((other) => other.startsWith(`${name}-`));
    if (shadowed) problems.push(`${where(["mcp_servers", name])}: tool names of '${name}' and '${shadowed}' could be the same (<server>-<tool>); rename one so neither name starts with the other and a -`);
    const server = asDict(entry);
    if (server && looksStdio(server)) {
      for (const problem of stdioProblems(server)) {
        problems.push(`${where(["mcp_servers", name, problem.key, ...(problem.name === undefined ? [] : [problem.name])])}: ${problem.message}`);
        // A misplaced key's own schema errors would say the same twice; env's values are still checked.
        if (problem.key !== "env") unset.add(formatPath(["mcp_servers", name, problem.key]));
      }
      continue;
    }
    if (server && server.url === undefined && server.spec_path === undefined && server.spec === undefined) {
      problems.push(`${where(["mcp_servers", name])}: give the server's url (an MCP endpoint), or spec_path (an OpenAPI document) for an HTTP API`);
    }
    const oauth2 = server ? missingOAuth2(server) : undefined;
    if (oauth2) problems.push(`${where(["mcp_servers", name, "auth_type"])}: ${oauth2}`);
    const passed = server ? extraHeadersProblem(server.extra_headers) : undefined;
    if (passed) problems.push(`${where(["mcp_servers", name, "extra_headers"])}: ${passed}`);
    if (server && server.spec_path !== undefined && server.spec !== undefined) problems.push(`${where(["mcp_servers", name, "spec"])}: give spec_path or spec, not both`);
  }
  const endpoints = passThroughProblems(asDict(resolution.value)?.pass_through_endpoints);
  for (const problem of [...resolution.problems, ...schemaProblems(ConfigSchema, resolution.value, resolution.refs, unset), ...endpoints]) {
    problems.push(`${where(problem.path)}: ${problem.message}`);
  }
  if (problems.length > 0) throw new ConfigError(source, problems);
  return {
    config: resolution.value as Config,
    written: written as Config,
    warnings,
    format: translation ? "litellm" : "switchboard",
    env: scope,
    relocate: (problem) => (translation ? translation.translator.origins.relocate(problem) : problem),
  };
}

/** Reads and loads a config file. */
export async function loadConfigFile(path: string, env: Record<string, string | undefined> = process.env): Promise<LoadedConfig> {
  const file = Bun.file(path);
  if (!(await file.exists())) throw new ConfigError(path, ["file not found"]);
  return loadConfigValue(parseConfigText(await file.text(), path), path, env);
}
