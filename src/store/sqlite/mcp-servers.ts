import { type Database, SQLiteError } from "bun:sqlite";
import { type McpServerContent, type McpServerStore, StoreConflict, type StoredMcpServer } from "../types.ts";
import { type Bindings, nullable, objectOf } from "./columns.ts";

interface McpServerRow {
  server_id: string;
  server_name: string;
  settings: string;
  sealed_secrets: string | null;
  created_at: number;
  updated_at: number;
}

function serverFromRow(row: McpServerRow): StoredMcpServer {
  const server: StoredMcpServer = {
    serverId: row.server_id,
    serverName: row.server_name,
    settings: objectOf(row.settings),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  if (row.sealed_secrets !== null) server.sealedSecrets = row.sealed_secrets;
  return server;
}

const contentBindings = (server: McpServerContent): Bindings => ({
  server_name: server.serverName,
  settings: JSON.stringify(server.settings),
  sealed_secrets: nullable(server.sealedSecrets),
});

const isUniqueViolation = (error: unknown) => error instanceof SQLiteError && error.code?.startsWith("SQLITE_CONSTRAINT") === true;

/** The McpServerStore over `db`. */
export function sqliteMcpServerStore(db: Database, now: () => number = Date.now): McpServerStore {
  const insertRow = db.query<McpServerRow, Bindings>(
    `INSERT INTO mcp_servers (server_id, server_name, settings, sealed_secrets, created_at, updated_at)
     VALUES ($server_id, $server_name, $settings, $sealed_secrets, $created_at, $updated_at) RETURNING *`,
  );
  const byId = db.query<McpServerRow, Bindings>("SELECT * FROM mcp_servers WHERE server_id = $server_id");
  const all = db.query<McpServerRow, []>("SELECT * FROM mcp_servers ORDER BY created_at, server_id");
  const replaceRow = db.query<McpServerRow, Bindings>(
    `UPDATE mcp_servers SET server_name = $server_name, settings = $settings, sealed_secrets = $sealed_secrets,
     updated_at = $updated_at WHERE server_id = $server_id RETURNING *`,
  );
  const deleteRow = db.query<unknown, Bindings>("DELETE FROM mcp_servers WHERE server_id = $server_id");
  const marker = db.query<{ value: number }, []>("SELECT value FROM meta WHERE name = 'mcp_servers_version'");
  const conflict = (error: unknown, server: McpServerContent & { serverId?: string }) =>
    isUniqueViolation(error) ? new StoreConflict(`an MCP server with id '${server.serverId ?? ""}' or name '${server.serverName}' already exists`) : error;

  return {
    insert: async (server) => {
      const at = now();
      try {
        const row = insertRow.get({ server_id: server.serverId, ...contentBindings(server), created_at: at, updated_at: at });
        if (!row) throw new Error("MCP server insert returned no row");
        return serverFromRow(row);
      } catch (error) {
        throw conflict(error, server);
      }
    },
    byId: async (serverId) => {
      const row = byId.get({ server_id: serverId });
      return row ? serverFromRow(row) : undefined;
    },
    all: async () => all.all().map(serverFromRow),
    replace: async (serverId, next) => {
      try {
        const row = replaceRow.get({ server_id: serverId, ...contentBindings(next), updated_at: now() });
        return row ? serverFromRow(row) : undefined;
      } catch (error) {
        throw conflict(error, next);
      }
    },
    delete: async (serverId) => deleteRow.run({ server_id: serverId }).changes === 1,
    changeMarker: async () => marker.get()?.value ?? 0,
  };
}
