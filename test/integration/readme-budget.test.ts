/**
 * The README's budget example, as a reader would run it: the key it creates with `/key/generate`
 * (models `mock/*`, a `max_budget`) calling `mock/echo` until the budget trips. The mock models
 * have a documented nominal price, so it does trip, within the number of calls the README says.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dirname, join, resolve } from "node:path";
import type { GeneratedKeyJson } from "../../src/admin/responses.ts";
import { startAccountsGateway, type AccountsGateway } from "../support/accounts.ts";
import { useTempDir } from "../support/temp-dir.ts";

const readme = await Bun.file(join(resolve(import.meta.dir, "../.."), "README.md")).text();
const tmp = useTempDir("switchboard-readme-budget-");
let gateway: AccountsGateway;

beforeAll(async () => {
  const dataDir = dirname(await tmp.file("marker", ""));
  // The README's gateway: no config file, strict budgets (the default).
  gateway = await startAccountsGateway({}, { dataDir, budgetMode: "strict" });
});
afterAll(async () => {
  await gateway?.stop();
});

/** The JSON body of the README's `curl … /key/generate … -d '…'` example. */
function readmeKeyRequest(): Record<string, unknown> {
  const body = /curl [^\n]*\/key\/generate[^\n]*\\\n\s*-d '([^']+)'/.exec(readme)?.[1];
  if (!body) throw new Error("the README has no `curl … /key/generate … -d '…'` example");
  return JSON.parse(body) as Record<string, unknown>;
}

describe("the README's budget example", () => {
  test("documents the mock's nominal price and the call count its example key trips within", () => {
    expect(readme).toContain("$1 per 1,000 tokens");
    const request = readmeKeyRequest();
    expect(request.models).toEqual(["mock/*"]);
    expect(typeof request.max_budget).toBe("number");
  });

  test("the key it creates is refused by its budget after a predictable number of mock/echo calls", async () => {
    const request = readmeKeyRequest();
    const created = await gateway.admin<GeneratedKeyJson>("POST", "/key/generate", request);
    expect(created.status).toBe(200);
    const maxBudget = request.max_budget as number;
    // "hi" is 1 token in, "Echo: hi" 2 tokens out: 3 tokens at $0.001.
    const perCall = 0.003;
    const limit = Math.ceil(maxBudget / perCall) + 1;
    let served = 0;
    let refused: { status: number; body: { error: { type: string; message: string } } } | undefined;
    for (let i = 0; i < limit && !refused; i++) {
      const response = await fetch(`${gateway.baseURL}/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${created.body.key}`, "content-type": "application/json" },
        body: JSON.stringify({ model: "mock/echo", messages: [{ role: "user", content: "hi" }] }),
      });
      if (response.status === 200) {
        served++;
        expect(response.headers.get("x-switchboard-response-cost")).toBe("0.003");
        await response.text();
      } else refused = { status: response.status, body: (await response.json()) as never };
    }
    expect(refused?.status).toBe(400);
    expect(refused?.body.error.type).toBe("budget_exceeded");
    expect(served).toBeGreaterThan(0);
    const stated = /refused\s+after\s+at\s+most\s+(\d+)\s+such\s+calls/.exec(readme)?.[1];
    expect(stated).toBeDefined();
    expect(served).toBeLessThanOrEqual(Number(stated));
    const info = await gateway.admin<{ info: { spend_usd: string } }>("GET", `/key/info?key=${created.body.token}`);
    expect(Number(info.body.info.spend_usd)).toBeCloseTo(served * perCall, 9);
    expect(Number(info.body.info.spend_usd)).toBeLessThanOrEqual(maxBudget);
  });
});
