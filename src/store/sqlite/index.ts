import type { Store } from "../types.ts";
import { openDatabase } from "./db.ts";
import { sqliteKeyStore } from "./keys.ts";
import { sqliteSpendStore } from "./spend.ts";
import { sqliteTeamStore } from "./teams.ts";
import { sqliteUserStore } from "./users.ts";

/**
 * Opens the embedded store at `path` (created and migrated if needed). bun:sqlite is synchronous;
 * the methods are async only so a networked store can stand behind the same interface.
 */
export async function openSqliteStore(path: string): Promise<Store> {
  const { db, schemaVersion } = openDatabase(path);
  const dataVersion = db.query<{ data_version: number }, []>("PRAGMA data_version");
  return {
    kind: "sqlite",
    location: path,
    schemaVersion,
    keys: sqliteKeyStore(db),
    teams: sqliteTeamStore(db),
    users: sqliteUserStore(db),
    spend: sqliteSpendStore(db),
    // Changes when another connection commits; this connection's own commits do not move it.
    changeMarker: async () => dataVersion.get()?.data_version ?? 0,
    close: async () => db.close(),
  };
}
