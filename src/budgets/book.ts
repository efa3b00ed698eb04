import { GatewayError } from "../spec/errors.ts";
import { formatUsd } from "../pricing/units.ts";
import type { Budget, SpendTotals } from "../store/types.ts";
import { budgetWindow, spendInWindow } from "./window.ts";

/** `strict` reserves each call's worst-case cost at admission; `soft` (LiteLLM's) admits while spend is under budget. */
export type BudgetMode = "strict" | "soft";

export type BudgetScope = "key" | "team" | "user";

/** An entity whose budget a call counts against, as the directory holds it now. */
export interface BudgetSubject {
  scope: BudgetScope;
  id: string;
  budget: Budget;
  /** The store's rollup when the directory last loaded it. */
  stored: SpendTotals;
}

/** An admitted call's hold on its subjects' budgets, released by `settle`. */
export interface Reservation {
  readonly subjects: readonly BudgetSubject[];
  readonly reservedNano: number;
  settled: boolean;
}

interface Account {
  /** Spend as this process knows it: the stored rollup plus calls settled here since. */
  spend: SpendTotals;
  reservedNano: number;
  inFlight: number;
}

interface PendingCall {
  costNano: number;
  windows: Partial<Record<BudgetScope, number>>;
  keys: string[];
}

const accountKey = (scope: BudgetScope, id: string) => `${scope}:${id}`;

/** Adds a cost to totals the way the store's rollup does: a later window restarts, an earlier one only adds to the total. */
export function addToTotals(totals: SpendTotals, windowStart: number, costNano: number): SpendTotals {
  const totalNano = totals.totalNano + costNano;
  if (windowStart > totals.windowStart) return { totalNano, windowNano: costNano, windowStart };
  if (windowStart === totals.windowStart) return { totalNano, windowNano: totals.windowNano + costNano, windowStart };
  return { totalNano, windowNano: totals.windowNano, windowStart: totals.windowStart };
}

/**
 * Budgets in memory: admission checks and reservations are synchronous, so two concurrent calls
 * in this process can never both take the last of a budget. Spend settles here at once and reaches
 * the store in the spend writer's next batch; until that commits the call stays "pending" so that
 * a reload of the stored rollups (after another process wrote) can be re-based without losing it.
 */
export class BudgetBook {
  private readonly accounts = new Map<string, Account>();
  private readonly pending = new Map<string, PendingCall>();

  constructor(
    readonly mode: BudgetMode,
    private readonly now: () => number = Date.now,
  ) {}

  private account(subject: BudgetSubject): Account {
    const key = accountKey(subject.scope, subject.id);
    let account = this.accounts.get(key);
    if (!account) {
      account = { spend: { ...subject.stored }, reservedNano: 0, inFlight: 0 };
      this.accounts.set(key, account);
    }
    return account;
  }

  /**
   * Admits a call against every subject with a budget, or throws `budget_exceeded` naming the
   * first one that cannot take it. `reserveNano` is the call's worst-case cost (strict mode).
   */
  admit(subjects: readonly BudgetSubject[], reserveNano: number): Reservation {
    const now = this.now();
    const held = subjects.filter((s) => s.budget.maxBudgetNano !== undefined);
    const reservedNano = this.mode === "strict" ? reserveNano : 0;
    for (const subject of held) {
      const max = subject.budget.maxBudgetNano as number;
      const account = this.account(subject);
      const spent = spendInWindow(account.spend, budgetWindow(subject.budget.budgetAnchor, subject.budget.budgetDuration, now).start);
      const committed = spent + account.reservedNano;
      // `committed < max` also makes a budget of 0 refuse the first call, whatever it would cost.
      const fits = committed < max && committed + reservedNano <= max;
      if (!fits) throw exceeded(subject, spent, account.reservedNano, reservedNano, max, this.mode);
    }
    for (const subject of held) {
      const account = this.account(subject);
      account.reservedNano += reservedNano;
      account.inFlight++;
    }
    return { subjects: held, reservedNano, settled: false };
  }

  /**
   * Releases the reservation and records the actual cost; returns the budget window each subject's
   * rollup belongs to, for the spend row. Idempotent.
   */
  settle(reservation: Reservation, callId: string, costNano: number, allSubjects: readonly BudgetSubject[]): Partial<Record<BudgetScope, number>> {
    const now = this.now();
    const windows: Partial<Record<BudgetScope, number>> = {};
    for (const subject of allSubjects) windows[subject.scope] = budgetWindow(subject.budget.budgetAnchor, subject.budget.budgetDuration, now).start;
    if (reservation.settled) return windows;
    reservation.settled = true;
    for (const subject of reservation.subjects) {
      const account = this.account(subject);
      account.reservedNano -= reservation.reservedNano;
      account.inFlight--;
    }
    const keys: string[] = [];
    for (const subject of allSubjects) {
      const key = accountKey(subject.scope, subject.id);
      const account = this.account(subject);
      account.spend = addToTotals(account.spend, windows[subject.scope] as number, costNano);
      keys.push(key);
    }
    if (keys.length > 0) this.pending.set(callId, { costNano, windows, keys });
    return windows;
  }

  /** The spend writer stored these calls: they are part of the stored rollups from now on. */
  committed(callIds: Iterable<string>): void {
    for (const id of callIds) this.pending.delete(id);
  }

  /**
   * The directory reloaded the stored rollups (which now include other processes' spend): each
   * known account becomes its stored totals plus the calls settled here but not yet stored.
   */
  rebase(stored: (scope: BudgetScope, id: string) => SpendTotals | undefined): void {
    for (const [key, account] of this.accounts) {
      const [scope, id] = splitKey(key);
      const base = stored(scope, id);
      if (!base) {
        if (account.inFlight === 0) this.accounts.delete(key);
        continue;
      }
      account.spend = { ...base };
    }
    for (const call of this.pending.values()) {
      for (const key of call.keys) {
        const account = this.accounts.get(key);
        if (!account) continue;
        const scope = key.slice(0, key.indexOf(":")) as BudgetScope;
        account.spend = addToTotals(account.spend, call.windows[scope] ?? 0, call.costNano);
      }
    }
  }

  /** Spend and reservations of one subject now, for management reads. */
  snapshot(subject: BudgetSubject): { spentNano: number; reservedNano: number; inFlight: number; totalNano: number } {
    const account = this.accounts.get(accountKey(subject.scope, subject.id));
    const spend = account?.spend ?? subject.stored;
    const start = budgetWindow(subject.budget.budgetAnchor, subject.budget.budgetDuration, this.now()).start;
    return { spentNano: spendInWindow(spend, start), reservedNano: account?.reservedNano ?? 0, inFlight: account?.inFlight ?? 0, totalNano: spend.totalNano };
  }
}

function splitKey(key: string): [BudgetScope, string] {
  const colon = key.indexOf(":");
  return [key.slice(0, colon) as BudgetScope, key.slice(colon + 1)];
}

/** LiteLLM's wording ("Budget has been exceeded! ... Current cost: X, Max budget: Y"), with what strict mode held back. */
function exceeded(subject: BudgetSubject, spent: number, reserved: number, request: number, max: number, mode: BudgetMode): GatewayError {
  const who = subject.scope === "team" ? `Team=${subject.id} ` : subject.scope === "user" ? `User=${subject.id} ` : "";
  let message = `Budget has been exceeded! ${who}Current cost: ${formatUsd(spent)}, Max budget: ${formatUsd(max)}`;
  if (mode === "strict" && spent < max) {
    message += `. In flight: ${formatUsd(reserved)} reserved; this request may cost up to ${formatUsd(request)} (its prompt and max output tokens at the model's prices), so it does not fit. Lower max_tokens or wait for calls in flight to finish.`;
  }
  return new GatewayError("policy.budget_exceeded", message, { wireCode: "400" });
}
