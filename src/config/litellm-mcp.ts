import { formatPath, type PathSegment } from "./paths.ts";
import { asDict, judgeKey, toHeaders, type Dict, type Translator } from "./litellm-values.ts";

/** What Switchboard takes of a LiteLLM MCP server entry, as is. */
const TAKEN = ["url", "transport", "command", "args", "env", "auth_type", "auth_value", "allowed_tools", "disallowed_tools", "description", "static_headers", "spec_path", "client_id", "client_secret", "token_url", "scopes", "extra_headers", "access_groups"];

/** Keys LiteLLM knows on an MCP server (litellm/proxy/_types.py, the MCP docs) that Switchboard does not apply yet. */
const IGNORED: Record<string, string> = {
  alias: "the server's name in mcp_servers is its only name",
  server_name: "the server's name in mcp_servers is its only name",
  server_id: "the server's name in mcp_servers is its only name",
  allowed_params: "per-tool parameter filters are not supported yet",
  allow_all_keys: "every key reaches every server unless its (its team's, its organisation's) object_permission or metadata.mcp_servers names the ones it may use",
  available_on_public_internet: "not supported yet",
  tool_name_to_display_name: "not supported yet",
  tool_name_to_description: "not supported yet",
};

/** LiteLLM's OAuth2 settings of the authorization code flow (interactive, per user), which Switchboard does not run. */
const OAUTH2 = new Set(["authorization_url", "registration_url"]);

const KNOWN = new Set([...TAKEN, ...Object.keys(IGNORED), ...OAUTH2, "mcp_info"]);

/** LiteLLM's per-call prices (`mcp_info.mcp_server_cost_info`) and the fields they become. */
const COST_FIELDS: Record<string, string> = { default_cost_per_query: "price_per_call", tool_name_to_cost_per_query: "tool_prices" };

/**
 * A server's `mcp_info`: its `mcp_server_cost_info` prices become `price_per_call` and
 * `tool_prices`; the rest of it (descriptions, logos) is one warning each.
 */
function translateMcpInfo(server: Dict, user: PathSegment[], value: unknown, t: Translator): void {
  const info = asDict(value);
  if (!info) {
    t.problem(user, "expected a mapping (mcp_server_cost_info: {default_cost_per_query, tool_name_to_cost_per_query})");
    return;
  }
  for (const [key, field] of Object.entries(info)) {
    const here = [...user, key];
    if (key !== "mcp_server_cost_info") {
      t.warnings.push(`${formatPath(here)}: not supported yet; ignored`);
      continue;
    }
    const cost = asDict(field);
    if (!cost) {
      t.problem(here, "expected a mapping with default_cost_per_query and/or tool_name_to_cost_per_query");
      continue;
    }
    for (const [name, price] of Object.entries(cost)) {
      const target = COST_FIELDS[name];
      if (target) t.put(server, target, [...user.slice(0, -1), target], [...here, name], price, undefined, true);
      else t.warnings.push(`${formatPath([...here, name])}: not supported; ignored`);
    }
  }
}

/**
 * LiteLLM's top-level `mcp_servers:` into Switchboard's (the same format, stdio servers'
 * command, args and env included): supported keys are carried over at the user's paths, keys
 * LiteLLM knows but Switchboard does not apply are one warning each, and other keys reach the
 * schema, which reports them.
 */
export function translateMcpServers(raw: unknown, t: Translator): Dict | undefined {
  if (raw === undefined || raw === null) return undefined;
  const servers = asDict(raw);
  if (!servers) {
    t.problem(["mcp_servers"], "expected a mapping of server name to {url, transport, auth_type, auth_value, ...}");
    return undefined;
  }
  const out: Dict = {};
  for (const [name, value] of Object.entries(servers)) {
    const user = ["mcp_servers", name];
    const entry = asDict(value);
    if (!entry) {
      t.put(out, name, user, user, value);
      continue;
    }
    const server: Dict = {};
    t.origins.add(user, user, true);
    for (const [key, field] of Object.entries(entry)) {
      const here = [...user, key];
      if (key === "mcp_info") {
        translateMcpInfo(server, here, field, t);
        continue;
      }
      const reason = OAUTH2.has(key) ? "only OAuth2's client credentials grant (token_url) is supported, not the authorization code flow" : IGNORED[key];
      if (reason) {
        t.warnings.push(`${formatPath(here)}: ${reason}; ignored`);
        continue;
      }
      const verdict = TAKEN.includes(key) ? { kind: "known" as const } : judgeKey(key, KNOWN);
      if (verdict.kind === "misspelt") t.misspelt(here, verdict.suggestion);
      // Known keys and unknown ones alike are carried over; the schema reports an unknown one at the user's path.
      // Header and environment values as text: YAML reads `X-Num: 7` and `PORT: 8080` as numbers.
      else t.put(server, key, here, here, field, key === "static_headers" || key === "env" ? toHeaders : undefined, true);
    }
    out[name] = server;
  }
  return out;
}
