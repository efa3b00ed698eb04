import { Database, SQLiteError } from "bun:sqlite";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";

/** The lock file in the data directory: an empty SQLite database that one server keeps locked. */
export const LOCK_FILE = "switchboard.lock";

/** The data directory's server lock, held until released or until the process dies. */
export interface ServerLock {
  readonly path: string;
  release(): void;
}

/**
 * Takes the data directory's server lock, or returns undefined when another process holds it. The
 * lock is SQLite's own (an fcntl lock in exclusive locking mode), so the OS drops it when its holder
 * exits, `kill -9` included: there is never a stale lock to clean up. `switchboard keys` does not take
 * it and works while a server runs. Keep the returned object referenced for as long as the lock is
 * needed (a collected connection would close and release it).
 */
export async function takeServerLock(dataDir: string): Promise<ServerLock | undefined> {
  await mkdir(dataDir, { recursive: true });
  const path = join(dataDir, LOCK_FILE);
  const db = new Database(path, { create: true });
  try {
    // No waiting: a held lock means another server, now.
    db.run("PRAGMA busy_timeout = 0");
    // Exclusive locking mode keeps the lock a write takes until the connection closes.
    db.run("PRAGMA locking_mode = EXCLUSIVE");
    // It must be a real write (an empty transaction takes no lock); the row itself is never read.
    db.run("CREATE TABLE IF NOT EXISTS holder (pid INTEGER NOT NULL, since TEXT NOT NULL)");
    db.transaction(() => {
      db.run("DELETE FROM holder");
      db.run("INSERT INTO holder (pid, since) VALUES (?, ?)", [process.pid, new Date().toISOString()]);
    }).exclusive();
  } catch (error) {
    db.close();
    if (error instanceof SQLiteError && error.code?.startsWith("SQLITE_BUSY")) return undefined;
    throw error;
  }
  return { path, release: () => db.close() };
}
