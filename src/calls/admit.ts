import type { Caller } from "../auth/caller.ts";
import { aliasedModel, modelAccessDenied, modelAllowed } from "../auth/model-access.ts";
import { BudgetRefusal, memberId, parseMemberId, type BudgetBook, type BudgetSubject, type Reservation } from "../budgets/book.ts";
import { InputBound } from "../budgets/input-bound.ts";
import { headroomHeaders, retryAfterHeaders } from "../limits/headers.ts";
import type { Lease, RateLimiter, Subject } from "../limits/types.ts";
import type { Operation } from "../providers/types.ts";
import { maxCostNano } from "../pricing/cost.ts";
import { outputReserve } from "../pricing/reserve.ts";
import type { ModelPrice } from "../pricing/types.ts";
import type { Resolved } from "../router/models.ts";
import { PRICE_SETTINGS } from "../router/unpriced.ts";
import type { SpendWriter } from "../spend/writer.ts";
import { GatewayError } from "../canonical/errors.ts";
import type { Budget, Limits, SpendTotals } from "../store/types.ts";
import type { CallRecord } from "../telemetry/calls.ts";
import { spendRowOf } from "./spend-row.ts";
import { echo } from "../canonical/echo.ts";

/** Keys, limits, budgets and the ledger: present when the gateway has a store. */
export interface Accounting {
  book: BudgetBook;
  limiter: RateLimiter;
  writer: SpendWriter;
}

/** What a call was admitted with; `finish` runs once, when the call's record is made. */
export interface Admission {
  /** Rate-limit headroom headers for every response of this call. */
  headers: Record<string, string>;
  finish(record: CallRecord, reachedUpstream: boolean): void;
}

/**
 * What admission reads of a deployment a call may reach: its price, names for messages. A
 * router's Resolved is one; a pass-through call's upstream is made to be one.
 */
export interface Priced {
  deployment: Pick<Resolved["deployment"], "id" | "modelName" | "priceOf"> & { provider: { id: string } };
  target: { model: string };
}

/** Whether every allow-list over a caller (key, team, user, organisation) lets `model` through; aliases are not applied. */
export function callerMayUse(caller: Caller, model: string): boolean {
  if (caller.kind !== "key") return true;
  const { key, team, user, organization } = caller;
  return modelAllowed(key.models, model) && (!team || modelAllowed(team.models, model)) && (!user || modelAllowed(user.models, model)) && (!organization || modelAllowed(organization.models, model));
}

/** Whether any of a caller's key, team, user and organisation has a max budget. */
export function isBudgeted(caller: Caller): boolean {
  return subjectsOf(caller).budgeted;
}

/** The model name a caller's call goes to (key and team aliases applied), or a 403 naming the model. */
export function authorizeModel(caller: Caller, requested: string): string {
  if (caller.kind !== "key") return requested;
  const model = aliasedModel(caller.key.aliases, caller.team?.modelAliases, requested);
  checkModelAccess(caller, requested, model);
  return model;
}

/** The 403 of the first allow-list (key, team, user, organisation) that refuses `model`, the name `requested` stands for. */
export function checkModelAccess(caller: Caller, requested: string, model: string): void {
  if (caller.kind !== "key") return;
  const { key, team, user, organization } = caller;
  if (!modelAllowed(key.models, model)) throw modelAccessDenied("key", `This key (${key.keyAlias ?? key.keyName})`, requested, model, key.models);
  if (team && !modelAllowed(team.models, model)) throw modelAccessDenied("team", `This key's team '${team.teamId}'`, requested, model, team.models);
  if (user && !modelAllowed(user.models, model)) throw modelAccessDenied("user", `This key's user '${user.userId}'`, requested, model, user.models);
  if (organization && !modelAllowed(organization.models, model)) {
    throw modelAccessDenied("org", `This key's organization '${organization.organizationId}'`, requested, model, organization.models);
  }
}

/** What limits and budgets are read from: a key, team or user, or a team membership. */
type Budgeted = Limits & Budget & { spend: SpendTotals };

const limitSubject = (scope: Subject["scope"], id: string, p: Budgeted): Subject | undefined =>
  p.rpmLimit === undefined && p.tpmLimit === undefined && p.maxParallelRequests === undefined
    ? undefined
    : {
        scope,
        id,
        limits: {
          ...(p.rpmLimit !== undefined ? { rpm: p.rpmLimit } : {}),
          ...(p.tpmLimit !== undefined ? { tpm: p.tpmLimit } : {}),
          ...(p.maxParallelRequests !== undefined ? { maxParallel: p.maxParallelRequests } : {}),
        },
      };

const budgetSubject = (scope: BudgetSubject["scope"], id: string, p: Budgeted): BudgetSubject => ({
  scope,
  id,
  budget: {
    budgetAnchor: p.budgetAnchor,
    ...(p.maxBudgetNano !== undefined ? { maxBudgetNano: p.maxBudgetNano } : {}),
    ...(p.budgetDuration !== undefined ? { budgetDuration: p.budgetDuration } : {}),
  },
  stored: p.spend,
});

/** A caller's limits and budgets; `budgeted` when any of key, team, user and organisation has a max budget. */
interface Subjects {
  limits: Subject[];
  budgets: BudgetSubject[];
  budgeted: boolean;
}

/** A caller's subjects, computed once per cached caller (a reload makes new records, hence new callers). */
const subjectsCache = new WeakMap<Caller, Subjects>();
const NO_SUBJECTS: Subjects = { limits: [], budgets: [], budgeted: false };

/**
 * The subjects a caller's limits and budgets apply to: its key, the key's team and user, the team's
 * organisation, and the user's membership of that team (its budget and limits within the team,
 * LiteLLM's team member budget).
 */
function subjectsOf(caller: Caller): Subjects {
  if (caller.kind !== "key") return NO_SUBJECTS;
  const cached = subjectsCache.get(caller);
  if (cached) return cached;
  const limits: Subject[] = [];
  const budgets: BudgetSubject[] = [];
  const add = (scope: BudgetSubject["scope"], id: string, principal: Budgeted) => {
    const limit = limitSubject(scope, id, principal);
    if (limit) limits.push(limit);
    budgets.push(budgetSubject(scope, id, principal));
  };
  add("key", caller.key.token, caller.key);
  if (caller.team) add("team", caller.team.teamId, caller.team);
  if (caller.user) add("user", caller.user.userId, caller.user);
  if (caller.organization) add("org", caller.organization.organizationId, caller.organization);
  const { userId } = caller.key;
  const membership = userId === undefined ? undefined : caller.team?.members.find((member) => member.userId === userId);
  if (caller.team && membership) add("member", memberId(caller.team.teamId, membership.userId), membership);
  const subjects = { limits, budgets, budgeted: budgets.some((subject) => subject.budget.maxBudgetNano !== undefined) };
  subjectsCache.set(caller, subjects);
  return subjects;
}

/**
 * The fewest calls `caller` may have in flight at once: the smallest max_parallel_requests of its key,
 * team, user, organisation and membership; undefined when none sets one.
 */
export function parallelLimitOf(caller: Caller): number | undefined {
  let least: number | undefined;
  for (const subject of subjectsOf(caller).limits) {
    const max = subject.limits.maxParallel;
    if (max !== undefined && (least === undefined || max < least)) least = max;
  }
  return least;
}

/**
 * The most a call can cost: its input-token bound (src/budgets/input-bound.ts) priced at the
 * dearest input rate (cache writes), plus the output reserve (pricing/reserve.ts: the request's max
 * tokens, else the model's, else a default) for each answer asked for, at the dearest output rate.
 * Unpriced models reserve nothing.
 */
export function worstCaseCost(price: ModelPrice | undefined, inputTokens: number, maxOutputTokens: number | undefined, producesOutput: boolean, choices = 1): number {
  if (!price) return 0;
  return maxCostNano(price, inputTokens, producesOutput ? outputReserve(price, maxOutputTokens) * choices : 0);
}

/** How many answers a request asks for (OpenAI's `n`): the prompt is billed once, each answer's output apart. */
export function requestedChoices(body: Record<string, unknown>): number {
  const n = body.n;
  return typeof n === "number" && Number.isInteger(n) && n > 1 ? n : 1;
}

/**
 * The price a budgeted call is reserved at; a call that a budget applies to cannot go to a
 * deployment without a price (its cost could never be counted), so that is a 400 naming the
 * model and the setting that prices it. Unbudgeted callers pass (their rows say the cost is unknown).
 */
export function budgetedPrice({ deployment, target }: Priced, budgeted: boolean, caller: Caller): ModelPrice | undefined {
  const price = deployment.priceOf(target.model);
  if (price || !budgeted) return price;
  const who = caller.kind === "key" ? `this key (${caller.key.keyAlias ?? caller.key.keyName}), its team, its user or its organization` : "this caller";
  const name = deployment.modelName.includes("*") ? `${deployment.provider.id}/${target.model}` : deployment.modelName;
  throw new GatewayError(
    "policy.model_unpriced",
    `Model '${name}' has no price on this gateway (deployment '${deployment.id}', upstream ${deployment.provider.id}/${target.model}), and ${who} has a budget, which cannot be kept for calls of unknown cost. ` +
      `The operator can price it with ${PRICE_SETTINGS}; a key without a budget can call it as it is.`,
    { param: "model" },
  );
}

/** The output cap a request asks for, in either dialect's field. */
export function requestedMaxTokens(body: Record<string, unknown>): number | undefined {
  for (const field of ["max_completion_tokens", "max_tokens", "max_output_tokens"]) {
    const value = body[field];
    if (typeof value === "number" && Number.isInteger(value) && value > 0) return value;
  }
  return undefined;
}

const NO_HEADERS: Record<string, string> = {};

/** A call with no store behind it: nothing to enforce, nothing to write. */
const UNACCOUNTED: Admission = { headers: NO_HEADERS, finish() {} };

/**
 * Admits one call, in the brief's order after authentication and model access: rate limits (429),
 * then budgets (400), then whether the ledger can take another row (503). Every check and take is
 * synchronous, so concurrent calls cannot slip past a limit or a budget between check and take.
 * The answer is a promise only when a strict budget's cheap bound did not fit and a tokenizer must
 * first be loaded to refine it (once per process); the reservation is then taken synchronously.
 * `maxTokens` is the request's output cap and `choices` how many answers it asks for (a native
 * body may hold them elsewhere than `max_tokens` and `n`).
 */
export function admitCall(
  accounting: Accounting | undefined,
  caller: Caller,
  group: readonly Priced[],
  body: Record<string, unknown>,
  operation: Operation,
  maxTokens?: number,
  choices?: number,
): Admission | Promise<Admission> {
  if (!accounting) return UNACCOUNTED;
  const { limits, budgets, budgeted } = subjectsOf(caller);
  if (budgets.length === 0) return ledgerOnly(accounting, caller);
  const { headers, lease } = takeLimits(accounting, caller, limits);
  let reservation: Reservation | Promise<Reservation>;
  try {
    reservation = reserveBudget(accounting.book, budgets, budgeted, caller, group, body, operation, maxTokens, choices);
  } catch (error) {
    lease?.release(0);
    throw error;
  }
  if (reservation instanceof Promise) {
    return reservation.then(
      (taken) => budgetAdmission(accounting, caller, budgets, headers, lease, taken),
      (error: unknown) => {
        lease?.release(0);
        throw error;
      },
    );
  }
  return budgetAdmission(accounting, caller, budgets, headers, lease, reservation);
}

/**
 * Admits a call of a fixed price (an MCP tool call): the caller's rate limits as for any call,
 * then its budgets when the call has a price, reserving that price (strict mode). A free call
 * spends nothing a budget counts, so budgets do not hold it back; its row is written all the same.
 */
export function admitFixedPrice(accounting: Accounting | undefined, caller: Caller, priceNano: number): Admission {
  if (!accounting) return UNACCOUNTED;
  const { limits, budgets } = subjectsOf(caller);
  if (budgets.length === 0) return ledgerOnly(accounting, caller);
  const { headers, lease } = takeLimits(accounting, caller, limits);
  let reservation: Reservation;
  try {
    reservation = accounting.book.admit(priceNano > 0 ? budgets : [], priceNano);
  } catch (error) {
    lease?.release(0);
    throw error;
  }
  return budgetAdmission(accounting, caller, budgets, headers, lease, reservation);
}

/** Takes one call from each of the caller's rate limits, or throws the 429 naming the first that is full. */
function takeLimits(accounting: Accounting, caller: Caller, limits: Subject[]): { headers: Record<string, string>; lease?: Lease } {
  if (limits.length === 0) return { headers: {} };
  const result = accounting.limiter.admit(limits);
  if (result instanceof Promise) throw new Error("an asynchronous rate limiter needs an awaiting admission path");
  const headers = headroomHeaders(result.headroom);
  if ("refusal" in result) {
    const { refusal } = result;
    const what = refusal.kind === "requests" ? "requests per minute" : refusal.kind === "tokens" ? "tokens per minute" : "parallel requests";
    throw new GatewayError("policy.rate_limited", `Rate limit reached for ${SCOPE_WORDS[refusal.subject.scope]} ${describe(caller, refusal.subject)}: ${refusal.limit} ${what}. Retry after ${refusal.retryAfterSeconds} s.`, {
      retryAfter: refusal.retryAfterSeconds,
      headers: { ...headers, ...retryAfterHeaders(refusal) },
    });
  }
  return { headers, lease: result.lease };
}

/** An admission holding a reservation (and a rate-limit lease); refused with 503 if the ledger cannot take the row. */
function budgetAdmission(accounting: Accounting, caller: Caller, budgets: BudgetSubject[], headers: Record<string, string>, lease: Lease | undefined, reservation: Reservation): Admission {
  if (!accounting.writer.accepting()) {
    accounting.book.settle(reservation, 0, []);
    lease?.release(0);
    throw ledgerUnavailable();
  }
  return {
    headers,
    finish(record, reachedUpstream) {
      const tokens = record.usage ? record.usage.input + record.usage.output : 0;
      lease?.release(tokens);
      const windows = accounting.book.settle(reservation, record.costNano ?? 0, budgets);
      if (reachedUpstream) accounting.writer.push(spendRowOf(record, caller, windows));
    },
  };
}

/**
 * Reserves a call's worst-case cost (strict mode; soft mode and budget-less subjects reserve
 * nothing). The input side starts from the cheap bound; if that does not fit what is left, OpenAI
 * models' input is counted with the real tokenizer before the call is refused.
 */
function reserveBudget(
  book: BudgetBook,
  budgets: BudgetSubject[],
  budgeted: boolean,
  caller: Caller,
  group: readonly Priced[],
  body: Record<string, unknown>,
  operation: Operation,
  maxTokens: number | undefined,
  choices: number | undefined,
): Reservation | Promise<Reservation> {
  // Token counting is free upstream: nothing to reserve, but an exhausted budget still refuses it.
  if (operation === "count_tokens" || !budgeted) return book.admit(budgets, 0);
  // A budget cannot be kept for calls of unknown cost, in either mode: no budgeted call reaches an unpriced deployment.
  for (const resolved of group) budgetedPrice(resolved, true, caller);
  if (book.mode !== "strict") return book.admit(budgets, 0);
  const input = new InputBound(body, maxTokens ?? requestedMaxTokens(body), choices ?? requestedChoices(body));
  const producesOutput = operation === "chat";
  try {
    return book.admit(budgets, dearest(group, input, producesOutput, false), input);
  } catch (error) {
    if (!(error instanceof BudgetRefusal) || error.exhausted || !input.refinable(modelsOf(group))) throw error;
    const loading = input.loadTokenizers(modelsOf(group));
    if (!loading) return book.admit(budgets, dearest(group, input, producesOutput, true), input);
    // A tokenizer that cannot be loaded leaves the cheap bound's refusal standing.
    return loading.then(
      () => book.admit(budgets, dearest(group, input, producesOutput, true), input),
      () => {
        throw error;
      },
    );
  }
}


function* modelsOf(group: readonly Priced[]): Iterable<string> {
  for (const { target } of group) yield target.model;
}

/** Any deployment of the group may serve (and a retry may land on the dearest): the reservation is for that one. */
function dearest(group: readonly Priced[], input: InputBound, producesOutput: boolean, refine: boolean): number {
  let reserve = 0;
  for (const { deployment, target } of group) {
    const price = deployment.priceOf(target.model);
    if (!price) continue;
    const tokens = input.tokens(target.model, price, refine);
    const cost = worstCaseCost(price, tokens, input.maxTokens, producesOutput, input.choices);
    if (cost >= reserve) {
      reserve = cost;
      input.note(target.model, tokens);
    }
  }
  return reserve;
}

const NO_WINDOWS = {};

/** New calls are refused once the ledger holds as many unwritten rows as it may. */
const ledgerUnavailable = () =>
  new GatewayError("gateway.ledger_unavailable", "The spend ledger cannot store calls right now (its database is failing); no new calls are taken until it recovers.", { retryAfter: 5 });

/** The master key or an open gateway: no limits or budgets to hold, only the ledger row to write. */
function ledgerOnly(accounting: Accounting, caller: Caller): Admission {
  if (!accounting.writer.accepting()) {
    throw ledgerUnavailable();
  }
  return {
    headers: NO_HEADERS,
    finish(record, reachedUpstream) {
      if (reachedUpstream) accounting.writer.push(spendRowOf(record, caller, NO_WINDOWS));
    },
  };
}

/** Each limit scope as people read it. */
const SCOPE_WORDS: Record<Subject["scope"], string> = { key: "key", team: "team", user: "user", org: "organization", member: "member" };

/** A subject as people know it: the key's alias or masked name, a team, user or organisation id. */
function describe(caller: Caller, subject: Subject): string {
  if (subject.scope === "key" && caller.kind === "key") return caller.key.keyAlias ?? caller.key.keyName;
  if (subject.scope === "member") {
    const { teamId, userId } = parseMemberId(subject.id);
    return `'${userId}' in team '${teamId}'`;
  }
  return `'${subject.id}'`;
}
