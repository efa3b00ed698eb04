/**
 * The MCP servers the gateway serves: the config file's (read-only) plus those added at run time
 * (stored, credentials sealed). A change re-reads the stored servers and swaps them into the
 * running McpGateway, so /mcp gains, loses or changes servers without a restart; another process's
 * changes are picked up by polling the store's change marker, as the model catalog does.
 */
import type { McpServerEntry } from "../config/schema.ts";
import { ENCRYPTION_KEY_VARS, type SecretBox } from "../models/secret-box.ts";
import { SharedReload, watchMarker } from "../store/shared-reload.ts";
import type { McpServerStore, StoredMcpServer } from "../store/types.ts";
import type { McpGateway } from "./gateway.ts";

export interface McpRegistryDeps {
  /** The config file's servers, by name: read-only at run time. */
  config: Readonly<Record<string, McpServerEntry>>;
  store: McpServerStore;
  gateway: McpGateway;
  /** Seals and opens stored credentials; absent when no encryption key is set. */
  secrets?: SecretBox;
  /** Where a stored server that cannot be served is reported (never holding a secret). */
  log: (message: string) => void;
}

/** A stored server's sealed credentials. */
export interface McpSecrets {
  auth_value?: string;
  /** OAuth2's client credentials (auth_type oauth2), sealed together as LiteLLM's `credentials` holds them. */
  client_id?: string;
  client_secret?: string;
  scopes?: string[];
  static_headers?: Record<string, string>;
}

/** The stored server's credentials, opened (holds secrets: never answer or log them). */
export async function openedSecrets(server: StoredMcpServer, secrets: SecretBox | undefined): Promise<McpSecrets> {
  if (server.sealedSecrets === undefined) return {};
  if (!secrets) throw new Error(`its credentials are encrypted and no encryption key is set; set ${ENCRYPTION_KEY_VARS.join(" or ")} to the key they were stored with`);
  return JSON.parse(await secrets.open(server.sealedSecrets, `mcp:${server.serverId}`)) as McpSecrets;
}

/** The gateway's entry for a stored server with its credentials (holds secrets). */
export function storedEntry(server: StoredMcpServer, opened: McpSecrets): McpServerEntry {
  const s = server.settings;
  const entry: McpServerEntry = { transport: s.transport === "sse" ? "sse" : "http" };
  // An OpenAPI server's url (its API's base URL) is optional: its document may name it.
  if (typeof s.url === "string") entry.url = s.url;
  if (typeof s.spec_path === "string") entry.spec_path = s.spec_path;
  if (typeof s.spec === "object" && s.spec !== null) entry.spec = s.spec as NonNullable<McpServerEntry["spec"]>;
  if (typeof s.auth_type === "string") entry.auth_type = s.auth_type as NonNullable<McpServerEntry["auth_type"]>;
  if (Array.isArray(s.extra_headers)) entry.extra_headers = s.extra_headers as string[];
  if (Array.isArray(s.allowed_tools)) entry.allowed_tools = s.allowed_tools as string[];
  if (Array.isArray(s.disallowed_tools)) entry.disallowed_tools = s.disallowed_tools as string[];
  if (typeof s.description === "string") entry.description = s.description;
  if (typeof s.token_url === "string") entry.token_url = s.token_url;
  if (Array.isArray(s.allow_private_hosts)) entry.allow_private_hosts = s.allow_private_hosts as string[];
  if (Array.isArray(s.mcp_access_groups) && s.mcp_access_groups.length > 0) entry.access_groups = s.mcp_access_groups as string[];
  if (opened.auth_value !== undefined) entry.auth_value = opened.auth_value;
  if (opened.client_id !== undefined) entry.client_id = opened.client_id;
  if (opened.client_secret !== undefined) entry.client_secret = opened.client_secret;
  if (opened.scopes !== undefined) entry.scopes = opened.scopes;
  if (opened.static_headers !== undefined) entry.static_headers = opened.static_headers;
  return entry;
}

export class McpRegistry {
  /** Stored servers served now, by id. */
  private served = new Map<string, StoredMcpServer>();
  private marker = -1;
  private stopWatching: (() => void) | undefined;
  private readonly reloads = new SharedReload(() => this.readAll());
  private reported = new Set<string>();

  constructor(readonly deps: McpRegistryDeps) {}

  /** Whether `name` is a server of the config file: read-only here. */
  isFixed(name: string): boolean {
    return Object.hasOwn(this.deps.config, name);
  }

  /** The stored servers the gateway serves now. */
  stored(): StoredMcpServer[] {
    return [...this.served.values()];
  }

  /** Re-reads the stored servers and swaps them into the gateway (shared by concurrent callers, like the model catalog's). */
  reload(): Promise<void> {
    return this.reloads.run();
  }

  private async readAll(): Promise<void> {
    const marker = await this.deps.store.changeMarker();
    const rows = await this.deps.store.all();
    const servers: Record<string, McpServerEntry> = { ...this.deps.config };
    const served = new Map<string, StoredMcpServer>();
    const otherIds: Record<string, string[]> = {};
    const problems: string[] = [];
    for (const row of rows) {
      if (this.isFixed(row.serverName)) {
        problems.push(`MCP server ${row.serverId} (${row.serverName}), added at run time, is not served: its name is taken by a server of the config file`);
        continue;
      }
      try {
        servers[row.serverName] = storedEntry(row, await openedSecrets(row, this.deps.secrets));
        served.set(row.serverId, row);
        // Permissions may name it by id (LiteLLM's UI does), or by server_name when an alias is what is served.
        const named = row.settings.server_name;
        otherIds[row.serverName] = [row.serverId, ...(typeof named === "string" && named !== row.serverName ? [named] : [])];
      } catch (error) {
        problems.push(`MCP server ${row.serverId} (${row.serverName}), added at run time, is not served: ${error instanceof Error ? error.message : "its credentials cannot be read"}`);
      }
    }
    await this.deps.gateway.setServers(servers, otherIds);
    this.served = served;
    this.marker = marker;
    const now = new Set(problems);
    for (const problem of now) if (!this.reported.has(problem)) this.deps.log(problem);
    this.reported = now;
  }

  /** Polls for changes made elsewhere every `intervalMs`. Unref'd: it never keeps the process alive. */
  watch(intervalMs = 1_000, onError: (error: unknown) => void = () => {}): void {
    this.stop();
    this.stopWatching = watchMarker(() => this.deps.store.changeMarker(), () => this.marker, () => this.reload(), intervalMs, onError);
  }

  stop(): void {
    this.stopWatching?.();
    this.stopWatching = undefined;
  }
}

/** Opens the registry: loads the stored servers into the gateway once. */
export async function openMcpRegistry(deps: McpRegistryDeps): Promise<McpRegistry> {
  const registry = new McpRegistry(deps);
  await registry.reload();
  return registry;
}
