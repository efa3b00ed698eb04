/**
 * Accounts for the bench's `keys` target (see run.ts): a strong master key, one virtual key written straight into the gateway's store before it
 * starts, and a read of the spend ledger after it stopped.
 *
 * The key is created in the store rather than through `POST /key/generate`: deterministic, no
 * dependency on the management API, and what is measured is the request path, not the admin path.
 * Its limits and budget are real (every request is counted and reserved against them) but far above
 * what a few seconds of load reach, so nothing is refused.
 */
import { newVirtualKey } from "../../src/auth/key-material.ts";
import { weakMasterKeyReason } from "../../src/auth/master-key.ts";
import { openStore } from "../../src/store/open.ts";

/** Limits and budget of the bench key: counted on every request, never reached. */
export const BENCH_KEY_LIMITS = {
  rpmLimit: 100_000_000,
  tpmLimit: 1_000_000_000,
  maxParallelRequests: 100_000,
  /** $1M in nano-dollars; a worst-case reservation here is about $0.16. */
  maxBudgetNano: 1e15,
};

/** `sk-` + 32 random bytes, base64url: long and random enough for the gateway's weak-key check. */
export function randomMasterKey(): string {
  for (;;) {
    const key = `sk-${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64url")}`;
    if (!weakMasterKeyReason(key)) return key;
  }
}

/** Creates the store in `dataDir` with one virtual key (alias `bench`) and returns the key. Call before the gateway opens it. */
export async function provisionBenchKey(dataDir: string): Promise<string> {
  const store = await openStore({ dataDir });
  try {
    const { key, token, keyName } = newVirtualKey();
    await store.keys.insert({ token, keyName, keyAlias: "bench", ...BENCH_KEY_LIMITS });
    return key;
  } finally {
    await store.close();
  }
}

export interface LedgerSummary {
  rows: number;
  /** Rows carrying a virtual key's digest. */
  keyedRows: number;
  costUsd: number;
}

/** What the gateway stored in its spend ledger; read after it stopped (it flushes queued rows on SIGTERM). */
export async function readLedger(dataDir: string): Promise<LedgerSummary> {
  const store = await openStore({ dataDir });
  try {
    const byKey = await store.spend.report("key", {});
    let rows = 0;
    let keyedRows = 0;
    let costNano = 0;
    for (const group of byKey) {
      rows += group.requests;
      if (group.group !== "") keyedRows += group.requests;
      costNano += group.costNano;
    }
    return { rows, keyedRows, costUsd: costNano / 1e9 };
  } finally {
    await store.close();
  }
}
