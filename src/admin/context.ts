import { budgetWindow, spendInWindow } from "../budgets/window.ts";
import type { Store } from "../store/types.ts";
import { GatewayError } from "../canonical/errors.ts";
import type { AdminContext, AdminDeps, LiveSpend, Spending } from "./types.ts";

/** Spend from the stored rollup alone (what the CLI sees). */
export function storedSpend(principal: Spending, now: number): LiveSpend {
  const start = budgetWindow(principal.budgetAnchor, principal.budgetDuration, now).start;
  return { windowNano: spendInWindow(principal.spend, start), totalNano: principal.spend.totalNano };
}

/** The context of the serving gateway: writes reload the directory, spend is the budget book's live view. */
export function serverContext(deps: AdminDeps): AdminContext {
  const { accounts } = deps;
  const now = deps.now ?? Date.now;
  const { book, writer } = accounts.accounting;
  return {
    store: accounts.store,
    now,
    afterWrite: () => accounts.directory.reload(),
    spendOf(scope, id, principal) {
      const budget = {
        budgetAnchor: principal.budgetAnchor,
        ...(principal.maxBudgetNano !== undefined ? { maxBudgetNano: principal.maxBudgetNano } : {}),
        ...(principal.budgetDuration !== undefined ? { budgetDuration: principal.budgetDuration } : {}),
      };
      const snapshot = book.snapshot({ scope, id, budget, stored: principal.spend });
      return { windowNano: snapshot.spentNano, totalNano: snapshot.totalNano };
    },
    async flushSpend() {
      try {
        await writer.flush();
      } catch (error) {
        throw new GatewayError("gateway.ledger_unavailable", "Recent calls could not be stored in the spend ledger yet (its database is failing); try again shortly.", {
          retryAfter: 5,
          cause: error,
        });
      }
    },
  };
}

/** The context of a one-shot command on the store (the CLI): nothing in memory to keep in step. */
export function storeContext(store: Store, now: () => number = Date.now): AdminContext {
  return {
    store,
    now,
    afterWrite: async () => {},
    spendOf: (_scope, _id, principal) => storedSpend(principal, now()),
    flushSpend: async () => {},
  };
}
