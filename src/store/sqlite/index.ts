import type { Store } from "../types.ts";
import { openDatabase } from "./db.ts";
import { sqliteKeyStore } from "./keys.ts";
import { sqliteOrganizationStore } from "./organizations.ts";
import { sqliteModelStore } from "./models.ts";
import { sqliteMcpServerStore } from "./mcp-servers.ts";
import { sqliteSpendStore } from "./spend.ts";
import { sqliteTeamStore } from "./teams.ts";
import { sqliteUserStore } from "./users.ts";
import { SpendThread } from "./spend-thread.ts";

export interface SqliteStoreOptions {
  /** Write spend rows on a worker thread with its own connection (default true); false writes on the caller's thread. */
  writerThread?: boolean;
}

/**
 * Opens the embedded store at `path` (created and migrated if needed). bun:sqlite is synchronous;
 * the methods are async only so a networked store can stand behind the same interface.
 */
export async function openSqliteStore(path: string, options: SqliteStoreOptions = {}): Promise<Store> {
  const { db, schemaVersion } = openDatabase(path);
  const accountsVersion = db.query<{ value: number }, []>("SELECT value FROM meta WHERE name = 'accounts_version'");
  const spend = sqliteSpendStore(db);
  const keys = sqliteKeyStore(db);
  const teams = sqliteTeamStore(db);
  const users = sqliteUserStore(db);
  const organizations = sqliteOrganizationStore(db);
  const storedIds = db.query<{ call_id: string }, { ids: string }>("SELECT call_id FROM spend_logs WHERE call_id IN (SELECT value FROM json_each($ids))");
  // bun:sqlite runs each statement when it is called: every read below has its rows by the time its
  // (async) method returns, so all of them share this deferred transaction's snapshot (WAL keeps it
  // stable while the ledger's writer thread commits on its own connection).
  const readSnapshot = db.transaction((pending: readonly string[]) => ({
    marker: accountsVersion.get()?.value ?? 0,
    keys: keys.all(),
    teams: teams.all(),
    users: users.all(),
    organizations: organizations.all(),
    stored: pending.length === 0 ? [] : storedIds.all({ ids: JSON.stringify(pending) }).map((row) => row.call_id),
  }));
  // Reads stay on this connection; batched appends go to the writer thread, off the event loop.
  const thread = options.writerThread === false ? undefined : new SpendThread(path);
  if (thread) spend.append = (rows) => thread.append(rows);
  return {
    kind: "sqlite",
    location: path,
    schemaVersion,
    keys,
    teams,
    users,
    organizations,
    spend,
    models: sqliteModelStore(db),
    mcpServers: sqliteMcpServerStore(db),
    readAccounts: async (pending) => {
      const read = readSnapshot(pending);
      return {
        marker: read.marker,
        keys: await read.keys,
        teams: await read.teams,
        users: await read.users,
        organizations: await read.organizations,
        storedCallIds: new Set(read.stored),
      };
    },
    // Moved by triggers on every change to keys, teams, users and organisations, from any connection or process.
    changeMarker: async () => accountsVersion.get()?.value ?? 0,
    close: async () => {
      try {
        await thread?.close();
      } finally {
        db.close();
      }
    },
  };
}
