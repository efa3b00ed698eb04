import { BudgetBook, parseMemberId, type BudgetMode, type BudgetScope } from "../budgets/book.ts";
import type { Accounting } from "../calls/admit.ts";
import { MemoryRateLimiter } from "../limits/memory.ts";
import { SpendWriter } from "../spend/writer.ts";
import type { SpendTotals, Store } from "../store/types.ts";
import { AccountDirectory } from "./directory.ts";

/** The store and everything kept in memory in front of it: the directory, budgets, limits and the spend writer. */
export interface Accounts {
  store: Store;
  directory: AccountDirectory;
  accounting: Accounting;
}

export interface AccountsOptions {
  budgetMode: BudgetMode;
  /** How often to look for changes made by other processes. */
  watchIntervalMs?: number;
  spendFlushMs?: number;
  onError?: (what: string, error: unknown) => void;
  now?: () => number;
}

/** Loads keys, teams, users and organisations and wires budgets to the directory and the spend writer. */
export async function openAccounts(store: Store, options: AccountsOptions): Promise<Accounts> {
  const now = options.now ?? Date.now;
  const onError = options.onError ?? (() => {});
  const directory = new AccountDirectory(store, now);
  const book = new BudgetBook(options.budgetMode, now);
  const writer = new SpendWriter(store.spend, {
    ...(options.spendFlushMs !== undefined ? { intervalMs: options.spendFlushMs } : {}),
    onError: (error) => onError("spend rows not stored (kept and retried)", error),
  });
  // Each scope's stored rollups, where the directory holds them.
  const stored = (scope: BudgetScope, id: string): SpendTotals | undefined => {
    if (scope === "key") return directory.cached(id)?.spend;
    if (scope === "team") return directory.team(id)?.spend;
    if (scope === "user") return directory.user(id)?.spend;
    if (scope === "org") return directory.organization(id)?.spend;
    const { teamId, userId } = parseMemberId(id);
    return directory.membership(teamId, userId)?.spend;
  };
  // The queue is read again at the rebase: rows settled since the snapshot are in it and not in the
  // rollups read. (With SQLite nothing between the snapshot and the rebase yields to the writer's
  // reply; a networked store must keep acknowledged rows until the rebase that follows.)
  directory.pendingSpend = () => writer.unstored();
  directory.onReload = (alreadyStored) =>
    book.rebase(stored, alreadyStored.size === 0 ? writer.unstored() : writer.unstored().filter((row) => !alreadyStored.has(row.callId)));
  await directory.load();
  directory.watch(options.watchIntervalMs ?? 1_000, (error) => onError("reloading keys failed", error));
  return { store, directory, accounting: { book, limiter: new MemoryRateLimiter(), writer } };
}

/** Stops background work, stores every queued spend row, closes the store. */
export async function closeAccounts(accounts: Accounts): Promise<void> {
  accounts.directory.stop();
  try {
    await accounts.accounting.writer.stop();
  } finally {
    await accounts.store.close();
  }
}
