/**
 * One of several processes the concurrency test starts at once: waits for the go signal, opens (and
 * so migrates) the same fresh database as the others, creates the shared team and key if nobody
 * has yet, then appends its spend rows in small batches, retrying its first batch once to prove a
 * retry never double-counts. Usage: bun concurrent-writer.ts <db> <worker> <rows> <signal-dir>
 */
import { join } from "node:path";
import { writeFile } from "node:fs/promises";
import { openSqliteStore } from "../../src/store/sqlite/index.ts";
import { StoreConflict } from "../../src/store/types.ts";
import { spendRow } from "./spend-rows.ts";

/** Shared between the script and the test: the cost of row `index` of `worker`. */
export function writerCost(worker: number, index: number): number {
  return worker * 1_000_000 + index + 1;
}

/** The key, team and user every writer's rows roll up to. */
export const SHARED = { token: "shared-token", teamId: "shared-team", userId: "shared-user" } as const;

const BATCH = 10;
const GO_WAIT_MS = 30_000;

/** Runs `write`, treating "already exists" (another writer got there first) as done. */
async function createOnce(write: () => Promise<unknown>): Promise<void> {
  try {
    await write();
  } catch (error) {
    if (!(error instanceof StoreConflict)) throw error;
  }
}

async function main(): Promise<void> {
  const [path, workerText, rowsText, signalDir] = process.argv.slice(2);
  if (!path || !workerText || !rowsText || !signalDir) throw new Error("usage: concurrent-writer.ts <db> <worker> <rows> <signal-dir>");
  const worker = Number(workerText);
  const rows = Number(rowsText);

  await writeFile(join(signalDir, `ready-${worker}`), "");
  const deadline = Date.now() + GO_WAIT_MS;
  while (!(await Bun.file(join(signalDir, "go")).exists())) {
    if (Date.now() > deadline) throw new Error("no go signal");
    await Bun.sleep(1);
  }

  const store = await openSqliteStore(path);
  await createOnce(() => store.teams.insert({ teamId: SHARED.teamId }));
  await createOnce(() => store.keys.insert({ token: SHARED.token, keyName: "sk-...ared", teamId: SHARED.teamId, userId: SHARED.userId }));
  const all = Array.from({ length: rows }, (_, index) =>
    spendRow(`w${worker}-${index}`, { ...SHARED, costNano: writerCost(worker, index), startedAt: 1_700_000_000_000 + index }),
  );
  for (let start = 0; start < all.length; start += BATCH) {
    await store.spend.append(all.slice(start, start + BATCH));
  }
  await store.spend.append(all.slice(0, BATCH));
  process.stdout.write(JSON.stringify({ worker, schemaVersion: store.schemaVersion }));
  await store.close();
}

if (import.meta.main) await main();
