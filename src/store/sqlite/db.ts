import { Database, SQLiteError } from "bun:sqlite";
import { migrate } from "./migrations.ts";

/** How long a connection waits for another's write lock before failing with "database is locked". */
export const BUSY_TIMEOUT_MS = 5_000;

/** Attempts at switching to WAL; each already waits out busy_timeout where SQLite honours it. */
const WAL_ATTEMPTS = 50;
const WAL_RETRY_MS = 20;

function isBusy(error: unknown): boolean {
  return error instanceof SQLiteError && (error.code?.startsWith("SQLITE_BUSY") === true || error.code?.startsWith("SQLITE_LOCKED") === true);
}

/**
 * Switches to WAL. On a fresh file another process may hold the lock while it switches or migrates,
 * and the journal-mode change can fail with "database is locked" despite busy_timeout (seen in the
 * multi-process test), so retry a bounded number of times before giving up.
 */
function enableWal(db: Database): void {
  for (let attempt = 1; ; attempt++) {
    try {
      db.run("PRAGMA journal_mode = WAL");
      return;
    } catch (error) {
      if (!isBusy(error) || attempt >= WAL_ATTEMPTS) throw error;
      Bun.sleepSync(WAL_RETRY_MS);
    }
  }
}

/**
 * Opens (creating if needed) the database at `path`, sets the connection pragmas and migrates it.
 * WAL with synchronous=NORMAL survives a killed process (only an OS crash can lose the last commit)
 * and lets readers run alongside the single writer.
 */
export function openDatabase(path: string): { db: Database; schemaVersion: number } {
  const db = new Database(path, { create: true, strict: true });
  try {
    // busy_timeout first: every later statement, the WAL switch included, may meet another
    // process's lock while it migrates the same fresh file.
    db.run(`PRAGMA busy_timeout = ${BUSY_TIMEOUT_MS}`);
    enableWal(db);
    db.run("PRAGMA synchronous = NORMAL");
    // Per connection, and a no-op inside a transaction: set before anything else runs.
    db.run("PRAGMA foreign_keys = ON");
    const schemaVersion = migrate(db);
    return { db, schemaVersion };
  } catch (error) {
    db.close();
    throw error;
  }
}
