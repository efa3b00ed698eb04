/**
 * Money on the management API: any finite non-negative number of dollars is accepted; amounts finer
 * than the ledger's unit (one nano-dollar) are rounded UP to it, exactly (decimal arithmetic on the
 * number's shortest round-trip text, never a float multiply). Seen: `0.00020999999999999998` (what
 * `0.00007 * 3` gives in any float language) was a 400.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import { usdToNano } from "../../src/admin/money.ts";
import type { GeneratedKeyJson } from "../../src/admin/responses.ts";
import { GatewayError } from "../../src/canonical/errors.ts";
import { startAccountsGateway, type AccountsGateway, type ErrorBody } from "../support/accounts.ts";
import { useTempDir } from "../support/temp-dir.ts";

describe("usdToNano", () => {
  test.each([
    [0, 0],
    [-0, 0],
    [0.3, 300_000_000],
    [12.5, 12_500_000_000],
    [1e-9, 1],
    // Finer than a nano-dollar: rounded up, never down (a budget never grows by rounding, nor shrinks to 0).
    [0.00020999999999999998, 210_000],
    [0.1 + 0.2, 300_000_001],
    [1e-10, 1],
    [1.5e-9, 2],
    [2.0000000001, 2_000_000_001],
    [5e-324, 1],
    [1e-7, 100],
    [1.23e-5, 12_300],
    [9_000_000, 9_000_000_000_000_000],
  ])("$%p is %p nano-dollars", (usd, nano) => {
    expect(usdToNano(usd)).toBe(nano);
  });

  test.each([
    [-1, "expected a non-negative number of US dollars"],
    [-1e-12, "expected a non-negative number of US dollars"],
    [Number.NaN, "expected a non-negative number of US dollars"],
    [Number.POSITIVE_INFINITY, "expected a non-negative number of US dollars"],
    [1e10, "larger than this gateway can count"],
  ])("$%p is a 400 naming the field", (usd, wording) => {
    let error: unknown;
    try {
      usdToNano(usd, "soft_budget");
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(GatewayError);
    expect((error as GatewayError).status).toBe(400);
    expect((error as GatewayError).details.param).toBe("soft_budget");
    expect((error as GatewayError).message).toContain("'soft_budget'");
    expect((error as GatewayError).message).toContain(wording);
  });
});

describe("max_budget through the management API", () => {
  const tmp = useTempDir("switchboard-admin-money-");
  let gateway: AccountsGateway;
  beforeAll(async () => {
    gateway = await startAccountsGateway({}, { dataDir: dirname(await tmp.file("marker", "")) });
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  // Sent as the literal text a float-computing client writes, not re-serialised by this test.
  const FINE = '{"max_budget":0.00020999999999999998}';

  test("/key/generate and /key/update round a finer-than-nano amount up", async () => {
    const created = await gateway.admin<GeneratedKeyJson>("POST", "/key/generate", FINE);
    expect(created.status).toBe(200);
    expect(created.body.max_budget).toBe(0.00021);
    expect((await gateway.accounts.store.keys.byToken(created.body.token))?.maxBudgetNano).toBe(210_000);
    const updated = await gateway.admin<{ max_budget: number }>("POST", "/key/update", `{"key":"${created.body.token}","max_budget":1.0000000001}`);
    expect(updated.status).toBe(200);
    expect((await gateway.accounts.store.keys.byToken(created.body.token))?.maxBudgetNano).toBe(1_000_000_001);
  });

  test("/team/new and /user/new round the same way", async () => {
    const team = await gateway.admin<{ team_id: string; max_budget: number }>("POST", "/team/new", '{"team_id":"fine-team","max_budget":0.00020999999999999998}');
    expect(team.status).toBe(200);
    expect((await gateway.accounts.store.teams.byId("fine-team"))?.maxBudgetNano).toBe(210_000);
    const user = await gateway.admin<{ user_id: string }>("POST", "/user/new", '{"user_id":"fine-user","max_budget":1e-10}');
    expect(user.status).toBe(200);
    expect((await gateway.accounts.store.users.byId("fine-user"))?.maxBudgetNano).toBe(1);
  });

  test.each([
    ["-1", "greater or equal to 0"],
    ['"ten"', "expected number"],
  ])("max_budget %s is still a 400 naming it", async (value, wording) => {
    for (const path of ["/key/generate", "/team/new", "/user/new"]) {
      const answer = await gateway.admin<ErrorBody>("POST", path, `{"max_budget":${value}}`);
      expect(answer.status).toBe(400);
      expect(answer.body.error.param ?? "").toStartWith("max_budget");
      expect(answer.body.error.message).toContain(wording);
    }
  });
});
