/**
 * Bad keys and a failing database: malformed or injection-shaped keys are a 401 without a store
 * lookup; a store that cannot write (full disk, locked) never fails a call, readiness says so, and
 * the held rows are written once it recovers.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import type { SpendRow } from "../../src/store/types.ts";
import { startAccountsGateway, TEST_MASTER_KEY, type AccountsGateway } from "../support/accounts.ts";

let dir: string;
let gateway: AccountsGateway;
let lookups = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "sb-failure-"));
  gateway = await startAccountsGateway({}, { dataDir: dir });
  // Count store lookups by token, through the real store.
  const keys = gateway.accounts.store.keys;
  const byToken = keys.byToken.bind(keys);
  keys.byToken = (token) => {
    lookups++;
    return byToken(token);
  };
});
afterAll(async () => {
  await gateway?.stop();
  await rm(dir, { recursive: true, force: true });
});

const chat = (key: string) =>
  fetch(`${gateway.baseURL}/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "mock/echo", messages: [{ role: "user", content: "hi" }] }),
  });

/** Sends a request with a raw Authorization header (bytes fetch would refuse, like NUL) and returns the status line. */
function rawStatus(authorization: string): Promise<string> {
  const { port } = new URL(gateway.origin);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), "127.0.0.1", () => {
      const body = JSON.stringify({ model: "mock/echo", messages: [{ role: "user", content: "hi" }] });
      socket.write(`POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${authorization}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
    });
    let text = "";
    socket.on("data", (chunk) => (text += chunk.toString("latin1")));
    socket.on("end", () => resolve(text.split("\r\n")[0] ?? ""));
    socket.on("error", reject);
  });
}

describe("malformed and injection-shaped keys", () => {
  test("are refused with a 401 in OpenAI's shape, never a database error, and never looked up", async () => {
    const before = lookups;
    for (const key of ["' OR '1'='1", "sk-' OR '1'='1' --", `sk-${"A".repeat(8_000)}`, "sk-\u00e9\u00e8", "Robert'); DROP TABLE keys;--"]) {
      const response = await chat(key);
      const body = (await response.json()) as { error: { type: string; message: string } };
      expect({ status: response.status, type: body.error.type }).toEqual({ status: 401, type: "authentication_error" });
      expect(body.error.message).toBe("Invalid API key.");
    }
    expect(lookups).toBe(before);
  });

  test("a NUL byte or a 64 KB key never reaches the store either", async () => {
    const before = lookups;
    expect(await rawStatus("sk-abc\u0000def")).toMatch(/^HTTP\/1\.1 (400|401)/);
    expect(await rawStatus(`sk-${"B".repeat(64 * 1024)}`)).toMatch(/^HTTP\/1\.1 (401|431)/);
    expect(lookups).toBe(before);
  });

  test("a well-formed unknown key is looked up once, then remembered as missing", async () => {
    const unknown = `sk-${"x".repeat(43)}`;
    const before = lookups;
    for (let i = 0; i < 5; i++) expect((await chat(unknown)).status).toBe(401);
    expect(lookups - before).toBe(1);
  });
});

describe("a store that cannot write", () => {
  test("calls go on, readiness reports degraded, and the held rows are written once it recovers", async () => {
    const spend = gateway.accounts.store.spend;
    const append = spend.append.bind(spend);
    let failing = true;
    spend.append = (rows: readonly SpendRow[]) => (failing ? Promise.reject(new Error("SQLITE_FULL: database or disk is full")) : append(rows));
    try {
      const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: TEST_MASTER_KEY, maxRetries: 0 });
      const answers = await Promise.all(Array.from({ length: 20 }, () => client.chat.completions.create({ model: "mock/echo", messages: [{ role: "user", content: "still here" }] })));
      expect(answers.map((a) => a.choices[0]?.message.content)).toEqual(Array(20).fill("Echo: still here"));
      // The writer tries on its timer and fails: the rows stay queued.
      let ready: { status: string; db: string; spend_ledger: { queued: number; failing: boolean; last_error?: string } } | undefined;
      for (let i = 0; i < 100; i++) {
        const response = await fetch(`${gateway.origin}/health/readiness`);
        ready = (await response.json()) as typeof ready;
        expect(response.status).toBe(200);
        if (ready?.status === "degraded") break;
        await Bun.sleep(20);
      }
      expect(ready?.status).toBe("degraded");
      expect(ready?.db).toBe("disconnected");
      expect(ready?.spend_ledger.queued).toBeGreaterThanOrEqual(20);
      expect(ready?.spend_ledger.last_error).toContain("disk is full");
      const stored = (await gateway.accounts.store.spend.logs({ limit: 1000, offset: 0 })).length;
      failing = false;
      await gateway.accounts.accounting.writer.flush();
      const after = await gateway.accounts.store.spend.logs({ limit: 1000, offset: 0 });
      expect(after.length - stored).toBeGreaterThanOrEqual(20);
      const recovered = (await (await fetch(`${gateway.origin}/health/readiness`)).json()) as { status: string; db: string };
      expect(recovered).toMatchObject({ status: "connected", db: "connected" });
    } finally {
      failing = false;
      spend.append = append;
    }
  });
});
