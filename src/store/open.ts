import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { openSqliteStore } from "./sqlite/index.ts";
import type { Store } from "./types.ts";

/** The database file inside the data directory. */
export const DATABASE_FILE = "switchboard.db";

/** Opens the store in `dataDir` (created if missing): the embedded SQLite database `switchboard.db`. */
export async function openStore(options: { dataDir: string }): Promise<Store> {
  await mkdir(options.dataDir, { recursive: true });
  return openSqliteStore(join(options.dataDir, DATABASE_FILE));
}
