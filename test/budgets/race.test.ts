/**
 * Budgets under concurrency, and the ledger's exactness: hundreds of calls released together
 * against a small budget never push recorded spend past it (strict mode), and the spend rows, the
 * key/team/user rollups and mock usage × list prices agree to the nano-dollar.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { openAccounts, type Accounts } from "../../src/auth/accounts.ts";
import { newVirtualKey } from "../../src/auth/key-material.ts";
import type { BudgetMode } from "../../src/budgets/book.ts";
import { openStore } from "../../src/store/open.ts";
import { startGateway, type TestGateway } from "../support/build-test-app.ts";
import { startMockUpstream, type MockUpstream } from "../support/mock-upstream.ts";

// gpt-4o: $2.50 input / $1.25 cached / $10 output per million = 2,500 / 1,250 / 10,000 nano-dollars per token.
// The mock's answer: 19 prompt tokens (12 cached) and 5 completion tokens.
const CALL_NANO = 7 * 2_500 + 12 * 1_250 + 5 * 10_000;
const BUDGET_USD = 0.002;
const BUDGET_NANO = 2_000_000;
const CONCURRENT = 300;

let upstream: MockUpstream;
let dir: string;

beforeAll(async () => {
  upstream = await startMockUpstream();
  dir = await mkdtemp(join(tmpdir(), "sb-budget-race-"));
});
afterAll(async () => {
  await upstream?.stop();
  await rm(dir, { recursive: true, force: true });
});

interface Setup {
  gateway: TestGateway;
  accounts: Accounts;
  client: OpenAI;
  token: string;
}

async function setUp(mode: BudgetMode, name: string, budgets: { key?: number; team?: number; user?: number }): Promise<Setup> {
  const store = await openStore({ dataDir: join(dir, name) });
  const team = await store.teams.insert({ teamId: "research", ...(budgets.team !== undefined ? { maxBudgetNano: budgets.team } : {}) });
  await store.users.insert({ userId: "ada", ...(budgets.user !== undefined ? { maxBudgetNano: budgets.user } : {}) });
  const { key, token, keyName } = newVirtualKey();
  await store.keys.insert({ token, keyName, teamId: team.teamId, userId: "ada", ...(budgets.key !== undefined ? { maxBudgetNano: budgets.key } : {}) });
  const accounts = await openAccounts(store, { budgetMode: mode, spendFlushMs: 20 });
  const gateway = await startGateway(
    { models: [{ model_name: "priced", model: "openai/gpt-4o-2024-08-06", api_base: upstream.url, api_key: "sk-upstream-budget" }] },
    { masterKey: "sk-master-budget-race-0123456789abcdefghij", accounts },
  );
  return { gateway, accounts, client: new OpenAI({ baseURL: gateway.baseURL, apiKey: key, maxRetries: 0 }), token };
}

/** Fires `count` calls at once; resolves to how many succeeded and the errors of the others. */
async function burst(client: OpenAI, count: number): Promise<{ ok: number; errors: InstanceType<typeof OpenAI.APIError>[] }> {
  const results = await Promise.allSettled(
    Array.from({ length: count }, () => client.chat.completions.create({ model: "priced", max_tokens: 8, messages: [{ role: "user", content: "price me" }] })),
  );
  const errors = results.flatMap((r) => (r.status === "rejected" ? [r.reason as InstanceType<typeof OpenAI.APIError>] : []));
  return { ok: results.length - errors.length, errors };
}

/** The ledger after every queued row is stored: Σ rows, and the three rollups. */
async function ledger(setup: Setup) {
  await setup.accounts.accounting.writer.flush();
  const { store } = setup.accounts;
  const rows = await store.spend.logs({ limit: 100_000, offset: 0 });
  return {
    rows: rows.length,
    rowSum: rows.reduce((sum, row) => sum + (row.costNano ?? 0), 0),
    key: (await store.keys.byToken(setup.token))?.spend.totalNano,
    team: (await store.teams.byId("research"))?.spend.totalNano,
    user: (await store.users.byId("ada"))?.spend.totalNano,
  };
}

describe("strict budgets under a burst", () => {
  for (const scope of ["key", "team", "user"] as const) {
    test(`${CONCURRENT} calls released together against a ${scope} budget of $${BUDGET_USD}: spend never passes it`, async () => {
      const setup = await setUp("strict", `strict-${scope}`, { [scope]: BUDGET_NANO });
      try {
        let succeeded = 0;
        // Bursts until the budget refuses everything: each burst races the same small remainder.
        for (let round = 0; round < 20; round++) {
          const { ok, errors } = await burst(setup.client, CONCURRENT);
          succeeded += ok;
          for (const error of errors) {
            expect({ status: error.status, type: (error.error as { type?: string })?.type, code: error.code }).toEqual({ status: 400, type: "budget_exceeded", code: "400" });
            // Spent: LiteLLM's words; not spent yet but this call does not fit: what it may cost and what is left.
            expect(error.message).toMatch(/^400 (?:Budget has been exceeded! |This request may cost up to \$)/);
            if (scope === "team") expect(error.message).toMatch(/Team=research|team 'research'/);
          }
          const after = await ledger(setup);
          expect(after.rowSum).toBeLessThanOrEqual(BUDGET_NANO);
          if (ok === 0) break;
        }
        const final = await ledger(setup);
        expect(succeeded).toBeGreaterThan(0);
        // Exact: rows, rollups and usage × prices agree to the nano-dollar.
        expect(final).toEqual({ rows: succeeded, rowSum: succeeded * CALL_NANO, key: succeeded * CALL_NANO, team: succeeded * CALL_NANO, user: succeeded * CALL_NANO });
        expect(final.rowSum).toBeLessThanOrEqual(BUDGET_NANO);
        // Strict mode reserves the worst case, so it may stop short, but not by more than one worst-case call.
        expect(BUDGET_NANO - final.rowSum).toBeLessThan(BUDGET_NANO);
      } finally {
        await setup.gateway.stop();
      }
    }, 30_000);
  }

  test("a budget of 0 refuses the first call", async () => {
    const setup = await setUp("strict", "zero", { key: 0 });
    try {
      const { ok, errors } = await burst(setup.client, 5);
      expect(ok).toBe(0);
      expect(errors.map((e) => e.status)).toEqual([400, 400, 400, 400, 400]);
      expect(errors[0]?.message).toContain("Current cost: 0, Max budget: 0");
      expect((await ledger(setup)).rows).toBe(0);
    } finally {
      await setup.gateway.stop();
    }
  });
});

describe("soft budgets (LiteLLM's behaviour)", () => {
  test("admit while spend is under budget: a burst may overrun by what is in flight, then everything is refused", async () => {
    const setup = await setUp("soft", "soft", { key: BUDGET_NANO });
    try {
      const first = await burst(setup.client, 100);
      // All 100 were in flight before any settled: each saw spend 0 < budget.
      expect(first.ok).toBe(100);
      const after = await ledger(setup);
      expect(after.rowSum).toBe(100 * CALL_NANO);
      expect(after.rowSum).toBeLessThanOrEqual(BUDGET_NANO + 100 * CALL_NANO);
      const second = await burst(setup.client, 10);
      expect(second.ok).toBe(0);
      expect(second.errors[0]?.message).toContain(`Current cost: ${(100 * CALL_NANO) / 1e9}, Max budget: ${BUDGET_USD}`);
    } finally {
      await setup.gateway.stop();
    }
  });
});
