/**
 * The spend ledger's writer thread: its own connection to the database, running the same batched
 * append transaction as the main thread would. SQLite is synchronous, so a batch written on the
 * main thread would stall every request for its duration (and for busy_timeout when another
 * process holds the lock); here it only occupies this thread.
 */
import type { SpendRow } from "../types.ts";
import { openDatabase } from "./db.ts";
import { sqliteSpendStore } from "./spend.ts";
import type { WorkerReply, WorkerRequest } from "./spend-thread.ts";

declare const self: Worker;

let append: ((rows: readonly SpendRow[]) => Promise<void>) | undefined;
let close: (() => void) | undefined;

const reply = (message: WorkerReply) => self.postMessage(message);

self.onmessage = async (event: MessageEvent<WorkerRequest>) => {
  const request = event.data;
  try {
    if (request.type === "open") {
      const { db } = openDatabase(request.path);
      append = sqliteSpendStore(db).append;
      close = () => db.close();
    } else if (request.type === "append") {
      if (!append) throw new Error("the ledger's writer thread has no database open");
      await append(JSON.parse(request.rows) as SpendRow[]);
    } else {
      close?.();
      append = undefined;
    }
    reply({ id: request.id });
  } catch (error) {
    reply({ id: request.id, error: error instanceof Error ? error.message : String(error) });
  }
};
