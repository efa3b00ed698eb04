import type { Store } from "../types.ts";
import { openDatabase } from "./db.ts";
import { sqliteKeyStore } from "./keys.ts";
import { sqliteOrganizationStore } from "./organizations.ts";
import { sqliteModelStore } from "./models.ts";
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
  // Reads stay on this connection; batched appends go to the writer thread, off the event loop.
  const thread = options.writerThread === false ? undefined : new SpendThread(path);
  if (thread) spend.append = (rows) => thread.append(rows);
  return {
    kind: "sqlite",
    location: path,
    schemaVersion,
    keys: sqliteKeyStore(db),
    teams: sqliteTeamStore(db),
    users: sqliteUserStore(db),
    organizations: sqliteOrganizationStore(db),
    spend,
    models: sqliteModelStore(db),
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
