import { spendRow } from "./spend-rows.ts";
import { describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { openStore } from "../../src/store/open.ts";
import { BUSY_TIMEOUT_MS, openDatabase } from "../../src/store/sqlite/db.ts";
import { openSqliteStore } from "../../src/store/sqlite/index.ts";
import { MIGRATIONS, SCHEMA_VERSION } from "../../src/store/sqlite/migrations.ts";
import { useTempDir } from "../support/temp-dir.ts";

const tmp = useTempDir("switchboard-store-migrations-");

/** A path for a database file that does not exist yet. */
async function freshPath(name: string): Promise<string> {
  return join(dirname(await tmp.file(`${name}.marker`, "")), `${name}.db`);
}

function names(db: Database, type: "table" | "index" | "trigger"): string[] {
  return db
    .query<{ name: string }, [string]>("SELECT name FROM sqlite_master WHERE type = ? AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all(type)
    .map((row) => row.name);
}

describe("migrations", () => {
  test("a fresh file gets every table and index and the latest version", async () => {
    const { db, schemaVersion } = openDatabase(await freshPath("fresh"));
    try {
      expect(schemaVersion).toBe(SCHEMA_VERSION);
      expect(SCHEMA_VERSION).toBe(MIGRATIONS.length);
      expect(db.query<{ user_version: number }, []>("PRAGMA user_version").get()?.user_version).toBe(SCHEMA_VERSION);
      expect(names(db, "table")).toEqual(["keys", "mcp_servers", "meta", "models", "organizations", "spend_logs", "team_members", "teams", "users"]);
      expect(names(db, "trigger")).toEqual(
        [...["keys", "mcp_servers", "models", "organizations", "team_members", "teams", "users"].flatMap((t) => [`${t}_deleted`, `${t}_inserted`, `${t}_updated`]), "team_members_limits_updated"].sort(),
      );
      expect(names(db, "index")).toEqual(
        ["keys_alias", "keys_team", "keys_user", "spend_logs_response", "spend_logs_started", "spend_logs_team", "spend_logs_token", "team_members_user", "teams_organization"].sort(),
      );
    } finally {
      db.close();
    }
  });

  test("opening again applies nothing and keeps the version and the data", async () => {
    const path = await freshPath("twice");
    const first = await openSqliteStore(path);
    await first.teams.insert({ teamId: "kept" });
    await first.close();

    const second = await openSqliteStore(path);
    expect(second.schemaVersion).toBe(SCHEMA_VERSION);
    expect((await second.teams.byId("kept"))?.teamId).toBe("kept");
    await second.close();
    const third = await openSqliteStore(path);
    expect(third.schemaVersion).toBe(SCHEMA_VERSION);
    expect((await third.teams.all()).map((team) => team.teamId)).toEqual(["kept"]);
    await third.close();
  });

  test("a ledger written before response_id keeps its rows, which read back without one", async () => {
    const path = await freshPath("before-response-id");
    const raw = new Database(path, { create: true });
    const before = MIGRATIONS.findIndex((sql) => sql.includes("ADD COLUMN response_id"));
    expect(before).toBeGreaterThan(0);
    for (const sql of MIGRATIONS.slice(0, before)) raw.run(sql);
    raw.run(`PRAGMA user_version = ${before}`);
    raw.run(
      `INSERT INTO spend_logs (call_id, operation, model_requested, input_tokens, output_tokens, cache_read_tokens, cache_write_tokens, reasoning_tokens, status, outcome, started_at, ended_at, stream)
       VALUES ('old-call', 'chat', 'gpt-4o', 1, 2, 0, 0, 0, 200, 'ok', 1, 2, 0)`,
    );
    raw.close();
    const store = await openSqliteStore(path);
    expect(store.schemaVersion).toBe(SCHEMA_VERSION);
    const [row] = await store.spend.logs({ requestId: "old-call", limit: 10, offset: 0 });
    expect(row?.callId).toBe("old-call");
    expect(row?.responseId).toBeUndefined();
    await store.close();
  });

  test("a database from a newer build is refused and its schema left alone", async () => {
    const path = await freshPath("newer");
    const raw = new Database(path, { create: true });
    raw.run(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    expect(() => openDatabase(path)).toThrow(/newer than this build supports/);
    const check = new Database(path);
    expect(check.query<{ user_version: number }, []>("PRAGMA user_version").get()?.user_version).toBe(SCHEMA_VERSION + 1);
    expect(names(check, "table")).toEqual([]);
    check.close();
  });

  test("connection pragmas: WAL, foreign keys, busy timeout, synchronous NORMAL", async () => {
    const { db } = openDatabase(await freshPath("pragmas"));
    try {
      expect(db.query<{ journal_mode: string }, []>("PRAGMA journal_mode").get()?.journal_mode).toBe("wal");
      expect(db.query<{ foreign_keys: number }, []>("PRAGMA foreign_keys").get()?.foreign_keys).toBe(1);
      expect(db.query<{ timeout: number }, []>("PRAGMA busy_timeout").get()?.timeout).toBe(BUSY_TIMEOUT_MS);
      expect(BUSY_TIMEOUT_MS).toBe(5_000);
      // 1 = NORMAL
      expect(db.query<{ synchronous: number }, []>("PRAGMA synchronous").get()?.synchronous).toBe(1);
    } finally {
      db.close();
    }
  });

  test("the store reports kind, location and schema version", async () => {
    const path = await freshPath("identity");
    const store = await openSqliteStore(path);
    expect(store.kind).toBe("sqlite");
    expect(store.location).toBe(path);
    expect(store.schemaVersion).toBe(SCHEMA_VERSION);
    await store.close();
  });

  test("openStore creates the data directory and switchboard.db inside it", async () => {
    const dataDir = join(dirname(await tmp.file("open.marker", "")), "nested", "data");
    const store = await openStore({ dataDir });
    expect(store.location).toBe(join(dataDir, "switchboard.db"));
    expect((await stat(join(dataDir, "switchboard.db"))).isFile()).toBe(true);
    await store.close();
    // An existing directory is fine too.
    const again = await openStore({ dataDir });
    expect(again.schemaVersion).toBe(SCHEMA_VERSION);
    await again.close();
  });

  test("changeMarker moves when keys, teams or users change (any connection), never on spend alone", async () => {
    const path = await freshPath("marker");
    const watcher = await openSqliteStore(path);
    const writer = await openSqliteStore(path);
    const before = await watcher.changeMarker();
    expect(await watcher.changeMarker()).toBe(before);
    await writer.teams.insert({ teamId: "t" });
    const afterTeam = await watcher.changeMarker();
    expect(afterTeam).not.toBe(before);
    await writer.keys.insert({ token: "k", keyName: "sk-...k", teamId: "t" });
    const afterKey = await watcher.changeMarker();
    expect(afterKey).not.toBe(afterTeam);
    // Spend batches (written by the ledger thread) update rollups but are not account changes.
    await writer.spend.append([spendRow("c1", { token: "k", teamId: "t", costNano: 5 })]);
    await watcher.spend.append([spendRow("c2", { token: "k", costNano: 7 })]);
    expect(await watcher.changeMarker()).toBe(afterKey);
    expect((await watcher.keys.byToken("k"))?.spend.totalNano).toBe(12);
    await writer.keys.update("k", { rpmLimit: 5 });
    const afterUpdate = await watcher.changeMarker();
    expect(afterUpdate).not.toBe(afterKey);
    await writer.keys.replaceToken("k", { token: "k2", keyName: "sk-...k2" });
    const afterReplace = await watcher.changeMarker();
    expect(afterReplace).not.toBe(afterUpdate);
    // Team membership is part of the accounts: joining, a role change and leaving all move it.
    await writer.teams.putMembers("t", [{ userId: "u", role: "user" }]);
    const afterJoin = await watcher.changeMarker();
    expect(afterJoin).not.toBe(afterReplace);
    await writer.teams.putMembers("t", [{ userId: "u", role: "admin" }]);
    const afterRole = await watcher.changeMarker();
    expect(afterRole).not.toBe(afterJoin);
    await writer.teams.removeMembers("t", ["u"]);
    expect(await watcher.changeMarker()).not.toBe(afterRole);
    await watcher.close();
    await writer.close();
  });
});
