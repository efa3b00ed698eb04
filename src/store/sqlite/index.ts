import type { Store } from "../types.ts";
import { openDatabase } from "./db.ts";
import { sqliteKeyStore } from "./keys.ts";
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
  const dataVersion = db.query<{ data_version: number }, []>("PRAGMA data_version");
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
    spend,
    // Changes when another connection commits; this connection's own commits do not move it.
    changeMarker: async () => dataVersion.get()?.data_version ?? 0,
    close: async () => {
      try {
        await thread?.close();
      } finally {
        db.close();
      }
    },
  };
}
