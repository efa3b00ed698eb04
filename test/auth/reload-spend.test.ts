/**
 * A reload that lands after the ledger's writer thread committed a batch but before this thread
 * handled its reply: the rollups read already hold the batch and the writer still lists it. Each
 * scope (key, team, organisation, team member) must count it once, or a budget refuses calls that fit.
 */
import { Database } from "bun:sqlite";
import { expect, test } from "bun:test";
import { dirname, join } from "node:path";
import { openAccounts } from "../../src/auth/accounts.ts";
import type { Caller } from "../../src/auth/caller.ts";
import { memberId, type BudgetScope } from "../../src/budgets/book.ts";
import { admitCall } from "../../src/calls/admit.ts";
import { openSqliteStore } from "../../src/store/sqlite/index.ts";
import { useTempDir } from "../support/temp-dir.ts";

const tmp = useTempDir("switchboard-reload-spend-");

test("a batch committed but not yet acknowledged is counted once after a reload, in every scope", async () => {
  const path = join(dirname(await tmp.file("marker", "")), "s.db");
  const store = await openSqliteStore(path); // the writer thread on, as the server runs
  const token = "a".repeat(64);
  await store.organizations.insert({ organizationId: "o1", maxBudgetNano: 1_000 });
  await store.teams.insert({ teamId: "t1", organizationId: "o1", maxBudgetNano: 1_000, members: [{ userId: "u1", role: "user", maxBudgetNano: 1_000 }] });
  await store.keys.insert({ token, keyName: "sk-...aaaa", teamId: "t1", userId: "u1", maxBudgetNano: 1_000 });
  const { directory, accounting } = await openAccounts(store, { budgetMode: "strict", spendFlushMs: 3_600_000 });
  const callerNow = (): Caller => ({ kind: "key", key: directory.cached(token)!, team: directory.team("t1")!, user: directory.user("u1")!, organization: directory.organization("o1")! });
  const spent = () => {
    const of = (scope: BudgetScope, id: string) => accounting.book.snapshot({ scope, id, budget: { budgetAnchor: 0, maxBudgetNano: 1_000 }, stored: { totalNano: 0, windowNano: 0, windowStart: 0 } }).spentNano;
    return { key: of("key", token), team: of("team", "t1"), org: of("org", "o1"), member: of("member", memberId("t1", "u1")) };
  };
  try {
    const admission = (await admitCall(accounting, callerNow(), [], {}, "count_tokens"))!;
    admission.finish({ callId: "c1", operation: "chat", model: "m", stream: false, status: 200, outcome: "ok", costNano: 600, startedAt: Date.now(), durationMs: 1 }, true);
    expect(spent()).toEqual({ key: 600, team: 600, org: 600, member: 600 });

    // The writer hands its batch to the thread; this thread stays busy (no event loop turn) until
    // the row is in the file, so the thread's reply is still unhandled when the reload runs.
    const flushing = accounting.writer.flush();
    const probe = new Database(path, { readonly: true });
    const deadline = Date.now() + 5_000;
    while (!probe.query("SELECT 1 FROM spend_logs WHERE call_id = 'c1'").get() && Date.now() < deadline) Bun.sleepSync(1);
    probe.close();
    expect(accounting.writer.unstored().map((row) => row.callId)).toEqual(["c1"]);

    await directory.reload();
    expect(spent()).toEqual({ key: 600, team: 600, org: 600, member: 600 });
    // 600 of 1,000 spent: another call still fits.
    expect(await admitCall(accounting, callerNow(), [], {}, "count_tokens")).toBeDefined();
    await flushing;
    await directory.reload();
    expect(spent()).toEqual({ key: 600, team: 600, org: 600, member: 600 });
  } finally {
    await accounting.writer.stop();
    directory.stop();
    await store.close();
  }
});
