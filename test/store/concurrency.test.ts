import { describe, expect, test } from "bun:test";
import { readdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { openSqliteStore } from "../../src/store/sqlite/index.ts";
import { SCHEMA_VERSION } from "../../src/store/sqlite/migrations.ts";
import { useTempDir } from "../support/temp-dir.ts";
import { SHARED, writerCost } from "./concurrent-writer.ts";

const tmp = useTempDir("switchboard-store-concurrency-");
const WRITERS = 4;
const ROWS = 300;

describe("several processes on one database file", () => {
  test(
    "open and migrate a fresh file at once, then append concurrently without loss or double counting",
    async () => {
      const dir = dirname(await tmp.file("marker", ""));
      const path = join(dir, "shared.db");
      const script = join(import.meta.dir, "concurrent-writer.ts");
      const children = Array.from({ length: WRITERS }, (_, worker) =>
        Bun.spawn([process.execPath, script, path, String(worker), String(ROWS), dir], { stdout: "pipe", stderr: "pipe" }),
      );

      // Release them together once every one has started, so their opens and migrations overlap.
      const deadline = Date.now() + 20_000;
      while ((await readdir(dir)).filter((name) => name.startsWith("ready-")).length < WRITERS && Date.now() < deadline) {
        await Bun.sleep(5);
      }
      await writeFile(join(dir, "go"), "");

      const results = await Promise.all(
        children.map(async (child) => ({
          code: await child.exited,
          stdout: await new Response(child.stdout).text(),
          stderr: await new Response(child.stderr).text(),
        })),
      );
      for (const [worker, result] of results.entries()) {
        expect({ worker, code: result.code, stderr: result.stderr }).toEqual({ worker, code: 0, stderr: "" });
        expect(JSON.parse(result.stdout)).toEqual({ worker, schemaVersion: SCHEMA_VERSION });
      }

      let expected = 0;
      for (let worker = 0; worker < WRITERS; worker++) for (let index = 0; index < ROWS; index++) expected += writerCost(worker, index);

      const store = await openSqliteStore(path);
      expect(store.schemaVersion).toBe(SCHEMA_VERSION);
      expect(await store.spend.report("key", {})).toEqual([
        expect.objectContaining({ group: SHARED.token, requests: WRITERS * ROWS, costNano: expected }),
      ]);
      const totals = { totalNano: expected, windowNano: expected, windowStart: 0 };
      expect((await store.keys.byToken(SHARED.token))?.spend).toEqual(totals);
      expect((await store.teams.byId(SHARED.teamId))?.spend).toEqual(totals);
      expect((await store.users.byId(SHARED.userId))?.spend).toEqual(totals);
      expect((await store.keys.all()).length).toBe(1);
      await store.close();
    },
    60_000,
  );
});
