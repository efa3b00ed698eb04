import { describe, expect, test } from "bun:test";
import { addToTotals, BudgetBook, BudgetRefusal, memberId, parseMemberId, type BudgetSubject } from "../../src/budgets/book.ts";
import { worstCaseCost } from "../../src/calls/admit.ts";
import type { ModelPrice } from "../../src/pricing/types.ts";
import { GatewayError } from "../../src/canonical/errors.ts";

const subject = (max: number | undefined, spent = 0, scope: BudgetSubject["scope"] = "key"): BudgetSubject => ({
  scope,
  id: `${scope}-1`,
  budget: { budgetAnchor: 0, ...(max !== undefined ? { maxBudgetNano: max } : {}) },
  stored: { totalNano: spent, windowNano: spent, windowStart: 0 },
});

/** The error an admission throws, or undefined when it admits. */
function refusal(run: () => unknown): GatewayError | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
}

describe("strict budgets", () => {
  test("reservations add up: calls are admitted while spend + reserved + this call fit, then refused", () => {
    const book = new BudgetBook("strict", () => 1_000);
    const key = subject(1_000);
    const held = [book.admit([key], 400), book.admit([key], 400)];
    const refused = refusal(() => book.admit([key], 400));
    expect(refused?.code).toBe("policy.budget_exceeded");
    // Spend is under the budget: the call does not fit, nothing is "exceeded".
    expect(refused?.message).toBe(
      "This request may cost up to $0.0000004, more than is left of this key's budget: $0.0000002 of $0.000001 ($0 spent, $0.0000008 held for 2 calls in flight). To make it fit, set max_tokens, shorten the prompt, raise max_budget or wait for the calls in flight to finish.",
    );
    // Settling releases the reservation and records the actual cost: room for one more.
    book.settle(held[0]!, 100, [key]);
    expect(book.snapshot(key)).toEqual({ spentNano: 100, reservedNano: 400, inFlight: 1, totalNano: 100 });
    expect(refusal(() => book.admit([key], 400))).toBeUndefined();
    // Settling twice changes nothing.
    book.settle(held[0]!, 100, [key]);
    expect(book.snapshot(key).spentNano).toBe(100);
  });

  test("a budget of 0 refuses even a call that would cost nothing; no budget admits anything", () => {
    const book = new BudgetBook("strict");
    expect(refusal(() => book.admit([subject(0)], 0))?.message).toContain("Current cost: 0, Max budget: 0");
    expect(refusal(() => book.admit([subject(undefined)], 1e12))).toBeUndefined();
  });

  test("the team's budget is named in the message, and nothing is held when one subject refuses", () => {
    const book = new BudgetBook("strict");
    const key = subject(10_000);
    const team = subject(500, 0, "team");
    expect(refusal(() => book.admit([key, team], 600))?.message).toContain("more than is left of the budget of team 'team-1': $0.0000005 of $0.0000005");
    expect(book.snapshot(key).reservedNano).toBe(0);
    const spentTeam = subject(500, 500, "team");
    expect(refusal(() => new BudgetBook("strict").admit([key, spentTeam], 600))?.message).toBe("Budget has been exceeded! Team=team-1 Current cost: 0.0000005, Max budget: 0.0000005");
  });

  test("a team member's budget is named by user and team, in LiteLLM's words once spent", () => {
    const id = memberId("team-1", "ann");
    expect(parseMemberId(id)).toEqual({ teamId: "team-1", userId: "ann" });
    // Ids holding any characters stay apart.
    expect(memberId("a", "b|c")).not.toBe(memberId("a|b", "c"));
    const member = (max: number, spent: number): BudgetSubject => ({ ...subject(max, spent, "member"), id });
    expect(refusal(() => new BudgetBook("strict").admit([subject(10_000), member(500, 0)], 600))?.message).toContain("more than is left of the budget of user 'ann' in team 'team-1'");
    expect(refusal(() => new BudgetBook("soft").admit([subject(10_000), member(100, 100)], 0))?.message).toBe(
      "Budget has been exceeded! User=ann in Team=team-1 Current cost: 0.0000001, Max budget: 0.0000001",
    );
  });

  test("a call that does not fit is never 'exceeded': it says the most it may cost, what is left, and what to change", () => {
    const book = new BudgetBook("strict");
    const key = subject(20_000_000_000, 8_400_000_000);
    const basis = { inputTokens: 1_234_567, model: "gpt-4o", maxTokens: 4096 };
    const refused = refusal(() => book.admit([key], 12_000_000_000, basis)) as BudgetRefusal;
    expect(refused).toBeInstanceOf(BudgetRefusal);
    expect({ status: refused.status, type: refused.type, exhausted: refused.exhausted }).toEqual({ status: 400, type: "budget_exceeded", exhausted: false });
    expect(refused.message).not.toContain("xceeded");
    expect(refused.message).toBe(
      "This request may cost up to $12 (gpt-4o: a prompt of at most 1,234,567 tokens and max_tokens 4096), more than is left of this key's budget: $11.6 of $20 ($8.4 spent). To make it fit, lower max_tokens, shorten the prompt or raise max_budget.",
    );
    // Without max_tokens, the advice is to set it.
    expect(refusal(() => book.admit([key], 12_000_000_000, { ...basis, maxTokens: undefined }))?.message).toContain(
      "and the model's largest output, as max_tokens is not set), more than is left of this key's budget: $11.6 of $20 ($8.4 spent). To make it fit, set max_tokens,",
    );
  });

  test("an organisation's budget is named as LiteLLM names it (Organization=<id>), and as 'organization' when a call does not fit", () => {
    const key = subject(10_000);
    expect(refusal(() => new BudgetBook("strict").admit([key, subject(500, 500, "org")], 1))?.message).toBe(
      "Budget has been exceeded! Organization=org-1 Current cost: 0.0000005, Max budget: 0.0000005",
    );
    expect(refusal(() => new BudgetBook("strict").admit([key, subject(500, 0, "org")], 600))?.message).toContain("more than is left of the budget of organization 'org-1'");
  });

  test("an organisation's spend settles with the call and is re-based from its own rows after a reload", () => {
    const book = new BudgetBook("strict");
    const org = subject(10_000, 0, "org");
    const windows = book.settle(book.admit([subject(undefined), org], 0), 70, [subject(undefined), org]);
    expect(windows).toEqual({ key: 0, org: 0 });
    expect(book.snapshot(org).spentNano).toBe(70);
    book.rebase((scope) => (scope === "org" ? { totalNano: 1_000, windowNano: 1_000, windowStart: 0 } : undefined), [{ costNano: 70, windows, organizationId: org.id }]);
    expect(book.snapshot(org).spentNano).toBe(1_070);
  });

  test("spend at or over the budget keeps LiteLLM's words, and is marked exhausted (no estimate can make it fit)", () => {
    const book = new BudgetBook("strict");
    const refused = refusal(() => book.admit([subject(1_000, 1_000)], 1)) as BudgetRefusal;
    expect(refused.message).toBe("Budget has been exceeded! Current cost: 0.000001, Max budget: 0.000001");
    expect(refused.exhausted).toBe(true);
    // Under the budget but fully held by calls in flight: not exceeded, yet exhausted until they settle.
    const key = subject(1_000, 200);
    const busy = new BudgetBook("strict");
    busy.admit([key], 800);
    const held = refusal(() => busy.admit([key], 1)) as BudgetRefusal;
    expect(held.message).toStartWith("This request may cost up to $0.000000001, more than is left of this key's budget: $0 of $0.000001 ($0.0000002 spent, $0.0000008 held for 1 call in flight).");
    expect(held.exhausted).toBe(true);
  });
});

describe("soft budgets", () => {
  test("admit while spend is under budget, whatever the call may cost", () => {
    const book = new BudgetBook("soft");
    const key = subject(1_000, 999);
    const reservation = book.admit([key], 1e9);
    expect(reservation.reservedNano).toBe(0);
    book.settle(reservation, 5, [key]);
    expect(refusal(() => book.admit([key], 0))?.message).toBe("Budget has been exceeded! Current cost: 0.000001004, Max budget: 0.000001");
  });
});

describe("rebase after a reload", () => {
  test("stored totals plus what settled here and is not stored yet", () => {
    const book = new BudgetBook("strict");
    const key = subject(10_000);
    const windows = book.settle(book.admit([key], 0), 100, [key]);
    book.settle(book.admit([key], 0), 50, [key]);
    expect(windows).toEqual({ key: 0 });
    expect(book.snapshot(key).spentNano).toBe(150);
    // Another process spent 1,000; the store now holds it and call a, but not b (still queued for the writer).
    book.rebase(() => ({ totalNano: 1_100, windowNano: 1_100, windowStart: 0 }), [{ costNano: 50, windows, token: key.id }]);
    expect(book.snapshot(key).spentNano).toBe(1_150);
    // The writer stored b too: the next reload counts it once.
    book.rebase(() => ({ totalNano: 1_150, windowNano: 1_150, windowStart: 0 }), []);
    expect(book.snapshot(key).spentNano).toBe(1_150);
  });

  test("rollups only move forward: a later window restarts, an earlier one only adds to the total", () => {
    const totals = { totalNano: 10, windowNano: 10, windowStart: 100 };
    expect(addToTotals(totals, 200, 5)).toEqual({ totalNano: 15, windowNano: 5, windowStart: 200 });
    expect(addToTotals(totals, 100, 5)).toEqual({ totalNano: 15, windowNano: 15, windowStart: 100 });
    expect(addToTotals(totals, 50, 5)).toEqual({ totalNano: 15, windowNano: 10, windowStart: 100 });
  });
});

describe("worst-case cost", () => {
  // Rates in pico-dollars per token (1,000 per nano-dollar), so the costs below are whole nano-dollars.
  const price: ModelPrice = { input: 100_000, output: 400_000, cacheRead: 10_000, cacheWrite: 125_000, contextWindow: 1_000, maxOutputTokens: 50, source: "test" };
  test("the input-token bound at the dearest input rate, plus the output cap at the output rate", () => {
    expect(worstCaseCost(price, 20, 10, true)).toBe(20 * 125 + 10 * 400);
    // No max_tokens (or one above the model's): the model's maximum output.
    expect(worstCaseCost(price, 20, undefined, true)).toBe(20 * 125 + 50 * 400);
    expect(worstCaseCost(price, 20, 10_000, true)).toBe(20 * 125 + 50 * 400);
    // Embeddings produce no output; unpriced models reserve nothing.
    expect(worstCaseCost(price, 20, 10, false)).toBe(20 * 125);
    expect(worstCaseCost(undefined, 20, 10, true)).toBe(0);
  });
});
