import type { Accounts } from "../auth/accounts.ts";
import type { ModelTable } from "../router/models.ts";
import type { Store } from "../store/types.ts";
import type { BudgetScope } from "../budgets/book.ts";
import type { Budget, SpendTotals } from "../store/types.ts";

/** What the management API works with. */
export interface AdminDeps {
  /** Store, directory (reload after every write), budgets (live spend) and the spend writer (flush before reads). */
  accounts: Accounts;
  models: ModelTable;
  now?: () => number;
}

/** What spend is read from: a key, team or user, or a team membership. */
export type Spending = Budget & { spend: SpendTotals };

/** Spend of one key, team, user or team member now: in the current budget window and all time. */
export interface LiveSpend {
  windowNano: number;
  totalNano: number;
}

/**
 * What the management operations need; the server builds it from its accounts, the CLI from a
 * bare store (no directory to reload, no in-memory spend).
 */
export interface AdminContext {
  store: Store;
  now: () => number;
  /** Runs after every write so the request path sees it at once (the server's directory reload). */
  afterWrite(): Promise<void>;
  /** Spend including calls not yet stored (the server's budget book); the stored rollup otherwise. */
  spendOf(scope: BudgetScope, id: string, principal: Spending): LiveSpend;
  /** Stores every queued spend row (before reading the ledger); a no-op without a writer. */
  flushSpend(): Promise<void>;
}
