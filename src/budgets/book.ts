import { GatewayError } from "../canonical/errors.ts";
import { formatUsd } from "../pricing/units.ts";
import type { Budget, SpendTotals } from "../store/types.ts";
import { budgetWindow, spendInWindow } from "./window.ts";

/** `strict` reserves each call's worst-case cost at admission; `soft` (LiteLLM's) admits while spend is under budget. */
export type BudgetMode = "strict" | "soft";

/** `member`: a user's budget within one team (LiteLLM's max_budget_in_team), keyed by `memberId`. */
export type BudgetScope = "key" | "team" | "user" | "org" | "member";

/** The budget-book id of a team member: its team and user, unambiguous whatever characters they hold. */
export const memberId = (teamId: string, userId: string): string => JSON.stringify([teamId, userId]);

/** The team and user of a `memberId`. */
export function parseMemberId(id: string): { teamId: string; userId: string } {
  const [teamId, userId] = JSON.parse(id) as [string, string];
  return { teamId, userId };
}

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
  /** The accounts it holds (subjects with a budget), so settling needs no lookups. */
  readonly held: readonly Account[];
  readonly reservedNano: number;
  settled: boolean;
}

interface Account {
  /** Spend as this process knows it: the stored rollup plus calls settled here since. Owned by the account (mutated in place). */
  spend: SpendTotals;
  reservedNano: number;
  inFlight: number;
}

/**
 * Spend settled here that the store does not hold yet: the spend writer's queued rows. A reload
 * re-adds these to the stored rollups it read (a SpendRow is one).
 */
export interface UnstoredSpend {
  costNano: number | null;
  windows: Partial<Record<BudgetScope, number>>;
  token?: string;
  teamId?: string;
  userId?: string;
  organizationId?: string;
}

/** Which id of an unstored row each scope's account is under. */
const ID_OF: Record<BudgetScope, (row: UnstoredSpend) => string | undefined> = {
  key: (row) => row.token,
  team: (row) => row.teamId,
  user: (row) => row.userId,
  org: (row) => row.organizationId,
  member: (row) => (row.teamId !== undefined && row.userId !== undefined ? memberId(row.teamId, row.userId) : undefined),
};
const SCOPES: readonly BudgetScope[] = ["key", "team", "user", "org", "member"];

/** Adds a cost to totals the way the store's rollup does: a later window restarts, an earlier one only adds to the total. */
export function addToTotals(totals: SpendTotals, windowStart: number, costNano: number): SpendTotals {
  const totalNano = totals.totalNano + costNano;
  if (windowStart > totals.windowStart) return { totalNano, windowNano: costNano, windowStart };
  if (windowStart === totals.windowStart) return { totalNano, windowNano: totals.windowNano + costNano, windowStart };
  return { totalNano, windowNano: totals.windowNano, windowStart: totals.windowStart };
}

/** `addToTotals` in place, for totals an account owns (once per subject per call: no allocation). */
function addInPlace(totals: SpendTotals, windowStart: number, costNano: number): void {
  totals.totalNano += costNano;
  if (windowStart > totals.windowStart) {
    totals.windowNano = costNano;
    totals.windowStart = windowStart;
  } else if (windowStart === totals.windowStart) {
    totals.windowNano += costNano;
  }
}

/**
 * Budgets in memory: admission checks and reservations are synchronous, so two concurrent calls
 * in this process can never both take the last of a budget. Spend settles here at once and reaches
 * the store in the spend writer's next batch; a reload of the stored rollups (after another process
 * wrote) is re-based on the rows the writer still holds, so no settled call is lost or counted twice.
 */
export class BudgetBook {
  /** One map per scope, keyed by id: no concatenated key per lookup. */
  private readonly accounts: Record<BudgetScope, Map<string, Account>> = { key: new Map(), team: new Map(), user: new Map(), org: new Map(), member: new Map() };

  constructor(
    readonly mode: BudgetMode,
    private readonly now: () => number = Date.now,
  ) {}

  private account(subject: BudgetSubject): Account {
    const map = this.accounts[subject.scope];
    let account = map.get(subject.id);
    if (!account) {
      account = { spend: { ...subject.stored }, reservedNano: 0, inFlight: 0 };
      map.set(subject.id, account);
    }
    return account;
  }

  /**
   * Admits a call against every subject with a budget, or throws a `BudgetRefusal` naming the
   * first one that cannot take it. `reserveNano` is the call's worst-case cost (strict mode);
   * `basis` says what it was computed from, for the refusal message.
   */
  admit(subjects: readonly BudgetSubject[], reserveNano: number, basis?: ReserveBasis): Reservation {
    const now = this.now();
    const reservedNano = this.mode === "strict" ? reserveNano : 0;
    const held: Account[] = [];
    for (const subject of subjects) {
      const max = subject.budget.maxBudgetNano;
      if (max === undefined) continue;
      const account = this.account(subject);
      const spent = spendInWindow(account.spend, budgetWindow(subject.budget.budgetAnchor, subject.budget.budgetDuration, now).start);
      const committed = spent + account.reservedNano;
      // `committed < max` also makes a budget of 0 refuse the first call, whatever it would cost.
      const fits = committed < max && committed + reservedNano <= max;
      if (!fits) throw refusal(subject, spent, account, reservedNano, max, basis);
      // The same account twice (a subject listed twice) is held once.
      if (!held.includes(account)) held.push(account);
    }
    for (const account of held) {
      account.reservedNano += reservedNano;
      account.inFlight++;
    }
    return { held, reservedNano, settled: false };
  }

  /**
   * Releases the reservation and records the actual cost; returns the budget window each subject's
   * rollup belongs to, for the spend row. Idempotent.
   */
  settle(reservation: Reservation, costNano: number, allSubjects: readonly BudgetSubject[]): Partial<Record<BudgetScope, number>> {
    const now = this.now();
    const windows: Partial<Record<BudgetScope, number>> = {};
    for (const subject of allSubjects) windows[subject.scope] = budgetWindow(subject.budget.budgetAnchor, subject.budget.budgetDuration, now).start;
    if (reservation.settled) return windows;
    reservation.settled = true;
    for (const account of reservation.held) {
      account.reservedNano -= reservation.reservedNano;
      account.inFlight--;
    }
    if (costNano !== 0) {
      for (const subject of allSubjects) addInPlace(this.account(subject).spend, windows[subject.scope] as number, costNano);
    }
    return windows;
  }

  /**
   * The directory reloaded the stored rollups (which now include other processes' spend): each
   * known account becomes its stored totals plus `unstored`, the calls settled here that the store
   * does not hold yet.
   */
  rebase(stored: (scope: BudgetScope, id: string) => SpendTotals | undefined, unstored: Iterable<UnstoredSpend>): void {
    for (const scope of SCOPES) {
      const map = this.accounts[scope];
      for (const [id, account] of map) {
        const base = stored(scope, id);
        if (!base) {
          if (account.inFlight === 0) map.delete(id);
          continue;
        }
        account.spend = { ...base };
      }
    }
    for (const row of unstored) {
      if (!row.costNano) continue;
      for (const scope of SCOPES) {
        const windowStart = row.windows[scope];
        const id = ID_OF[scope](row);
        if (windowStart === undefined || id === undefined) continue;
        const account = this.accounts[scope].get(id);
        if (account) addInPlace(account.spend, windowStart, row.costNano);
      }
    }
  }

  /** Spend and reservations of one subject now, for management reads. */
  snapshot(subject: BudgetSubject): { spentNano: number; reservedNano: number; inFlight: number; totalNano: number } {
    const account = this.accounts[subject.scope].get(subject.id);
    const spend = account?.spend ?? subject.stored;
    const start = budgetWindow(subject.budget.budgetAnchor, subject.budget.budgetDuration, this.now()).start;
    return { spentNano: spendInWindow(spend, start), reservedNano: account?.reservedNano ?? 0, inFlight: account?.inFlight ?? 0, totalNano: spend.totalNano };
  }
}

/** What a reservation was computed from, for the refusal message. */
export interface ReserveBasis {
  /** The input-token bound of the deployment the reservation is for. */
  readonly inputTokens: number;
  /** That deployment's upstream model. */
  readonly model: string;
  /** The request's output cap, if it set one. */
  readonly maxTokens: number | undefined;
  /** Answers the request asked for (OpenAI's `n`). */
  readonly choices?: number;
}

/**
 * A budget refusal (400 `budget_exceeded`). `exhausted`: spend and calls in flight already fill the
 * budget, so no smaller estimate of this call could make it fit.
 */
export class BudgetRefusal extends GatewayError {
  constructor(
    message: string,
    readonly exhausted: boolean,
  ) {
    super("policy.budget_exceeded", message, { wireCode: "400" });
  }
}

/** Each scope as people read it in a refusal. */
const SCOPE_NAMES: Record<BudgetScope, string> = { key: "key", team: "team", user: "user", org: "organization", member: "team member" };

/** A subject as its refusal names it. */
function whose(subject: BudgetSubject): string {
  if (subject.scope === "key") return "this key's budget";
  if (subject.scope !== "member") return `the budget of ${SCOPE_NAMES[subject.scope]} '${subject.id}'`;
  const { teamId, userId } = parseMemberId(subject.id);
  return `the budget of user '${userId}' in team '${teamId}'`;
}

/** Who an exceeded budget belongs to, in LiteLLM's words ("Team=x ", "User=y ", "Organization=o ", "User=y in Team=x "); a key's own budget has none. */
function exceededWho(subject: BudgetSubject): string {
  if (subject.scope === "team") return `Team=${subject.id} `;
  if (subject.scope === "user") return `User=${subject.id} `;
  if (subject.scope === "org") return `Organization=${subject.id} `;
  if (subject.scope !== "member") return "";
  const { teamId, userId } = parseMemberId(subject.id);
  return `User=${userId} in Team=${teamId} `;
}

/**
 * Spend at or over the budget: LiteLLM's wording ("Budget has been exceeded! ... Current cost: X,
 * Max budget: Y"), which clients match. Spend under the budget but this call's worst case does not
 * fit: never "exceeded"; the most the call may cost, what is left, and what to change.
 */
function refusal(subject: BudgetSubject, spent: number, account: Account, request: number, max: number, basis: ReserveBasis | undefined): BudgetRefusal {
  if (spent >= max) {
    return new BudgetRefusal(`Budget has been exceeded! ${exceededWho(subject)}Current cost: ${formatUsd(spent)}, Max budget: ${formatUsd(max)}`, true);
  }
  const held = account.reservedNano;
  const left = Math.max(0, max - spent - held);
  const inFlight = account.inFlight === 1 ? "1 call in flight" : `${account.inFlight} calls in flight`;
  const what = basis
    ? ` (${basis.model}: a prompt of at most ${basis.inputTokens.toLocaleString("en-US")} tokens and ${basis.maxTokens !== undefined ? `max_tokens ${basis.maxTokens}` : "the model's largest output, as max_tokens is not set"}${basis.choices !== undefined && basis.choices > 1 ? ` for each of n=${basis.choices} answers` : ""})`
    : "";
  const fixes = [basis?.maxTokens === undefined ? "set max_tokens" : "lower max_tokens", ...(basis?.choices !== undefined && basis.choices > 1 ? ["ask for fewer answers (n)"] : []), "shorten the prompt", "raise max_budget"];
  if (held > 0) fixes.push("wait for the calls in flight to finish");
  return new BudgetRefusal(
    `This request may cost up to $${formatUsd(request)}${what}, more than is left of ${whose(subject)}: $${formatUsd(left)} of $${formatUsd(max)} ($${formatUsd(spent)} spent${held > 0 ? `, $${formatUsd(held)} held for ${inFlight}` : ""}). To make it fit, ${fixes.slice(0, -1).join(", ")} or ${fixes.at(-1)}.`,
    left === 0,
  );
}
