import type { SpendRow } from "../types.ts";

/** Messages to the ledger's writer thread. */
export type WorkerRequest = { id: number } & ({ type: "open"; path: string } | { type: "append"; rows: string } | { type: "close" });
/** Its answers: the request id, and the error message when the request failed. */
export interface WorkerReply {
  id: number;
  error?: string;
}

/**
 * Where the worker's code is. Run from source (or under `bun test`) it sits next to this file; in
 * the compiled executable every module's URL is the executable's, and the worker is embedded as its
 * own entry point at the same path relative to `src/` (see the build script in package.json).
 */
function workerUrl(): URL {
  return import.meta.url.includes("/$bunfs/") ? new URL("./store/sqlite/spend-worker.ts", import.meta.url) : new URL("./spend-worker.ts", import.meta.url);
}

/** The main thread's side of the writer thread: each append resolves when its transaction committed. */
export class SpendThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  private nextId = 1;
  private broken: Error | undefined;

  constructor(path: string) {
    this.worker = new Worker(workerUrl().href);
    // Keeps the process alive only while it holds work (see settle), so an idle store never does.
    this.worker.unref();
    this.worker.onmessage = (event: MessageEvent<WorkerReply>) => {
      const waiting = this.pending.get(event.data.id);
      if (!waiting) return;
      this.pending.delete(event.data.id);
      if (this.pending.size === 0) this.worker.unref();
      if (event.data.error === undefined) waiting.resolve();
      else waiting.reject(new Error(event.data.error));
    };
    this.worker.onerror = (event) => {
      // A dead thread fails what it held; the spend writer keeps those rows and retries.
      this.broken = new Error(`the ledger's writer thread failed: ${event.message}`);
      for (const waiting of this.pending.values()) waiting.reject(this.broken);
      this.pending.clear();
      this.worker.unref();
    };
    void this.send({ type: "open", path }).catch(() => {});
  }

  private send(request: WorkerRequest extends infer R ? (R extends { id: number } ? Omit<R, "id"> : never) : never): Promise<void> {
    if (this.broken) return Promise.reject(this.broken);
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      // Referenced while a write is outstanding: a shutdown awaiting its last batch must not see
      // an empty event loop and exit before the commit arrives.
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...request, id });
    });
  }

  /** Appends rows in one transaction on the writer thread. */
  append(rows: readonly SpendRow[]): Promise<void> {
    // As JSON text: stringify plus parse costs about half what a structured clone of the row objects does.
    return this.send({ type: "append", rows: JSON.stringify(rows) });
  }

  /** Closes the thread's connection and ends the thread. */
  async close(): Promise<void> {
    try {
      if (!this.broken) await this.send({ type: "close" });
    } finally {
      this.worker.terminate();
    }
  }
}
