/**
 * Crash safety of the spend ledger. The promise under test: "a `kill -9` loses no spend row of a
 * request whose response finished more than one second earlier; rollup totals equal the rows".
 *
 * The gateway runs as a real process on a temp data dir; the test drives concurrent load at it
 * (a listed-price model and the mock at its nominal price, buffered and streamed), SIGKILLs it mid-load, restarts it on the same
 * database (WAL recovery happens there), stops it cleanly, then reads the SQLite file directly.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { newVirtualKey } from "../../src/auth/key-material.ts";
import { DATABASE_FILE, openStore } from "../../src/store/open.ts";
import { killAllStarted, startGatewayProcess, type GatewayProcess } from "../support/gateway-process.ts";
import { startMockUpstream, type MockUpstream } from "../support/mock-upstream.ts";


/** The durability window the product promises. The only timing this test relies on. */
const DURABLE_AFTER_MS = 1_000;
/** What one `priced` call costs (see test/integration/cost.test.ts). */
const PRICED_CALL_NANO = 82_500;
const WORKERS = 16;
const LOAD_MS = 2_500;

const TEAM = "t";
const USER = "u";

/** A gateway process (test/support/gateway-process.ts) that reached `listening on`. */
async function startGateway(args: string[], env: Record<string, string>): Promise<GatewayProcess> {
  const gateway = await startGatewayProcess(args, { env, timeoutMs: 10_000 });
  if (!gateway.origin) throw new Error(`gateway did not start:\n${gateway.log()}`);
  return gateway;
}

/** One response the client read to the end. */
interface Completion {
  callId: string;
  model: "priced" | "mock/echo";
  stream: boolean;
  /** performance.now() when the last byte of the body had been read. */
  finishedAt: number;
}

interface Load {
  completions: Completion[];
  /** Answers that were not a complete 200 while the gateway was alive (should be none). */
  failures: string[];
  stop(): Promise<void>;
}

/** The request mix: mostly `priced`, a quarter of them streamed, plus mock calls (at the mock's nominal price). */
const MIX: readonly { model: Completion["model"]; stream: boolean }[] = [
  { model: "priced", stream: false },
  { model: "priced", stream: true },
  { model: "priced", stream: false },
  { model: "mock/echo", stream: false },
  { model: "priced", stream: false },
  { model: "priced", stream: true },
  { model: "priced", stream: false },
  { model: "mock/echo", stream: true },
];

/** Runs `WORKERS` loops of sequential calls until stopped; connection errors after stop are ignored. */
function driveLoad(origin: string, virtualKey: string): Load {
  const completions: Completion[] = [];
  const failures: string[] = [];
  const abort = new AbortController();
  let stopped = false;
  let sequence = 0;

  async function one(): Promise<void> {
    const { model, stream } = MIX[sequence++ % MIX.length]!;
    const response = await fetch(`${origin}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${virtualKey}` },
      body: JSON.stringify({ model, stream, messages: [{ role: "user", content: "crash test" }] }),
      signal: abort.signal,
    });
    const text = await response.text();
    const finishedAt = performance.now();
    if (stopped) return;
    const callId = response.headers.get("x-switchboard-call-id");
    const complete = stream ? text.trimEnd().endsWith("data: [DONE]") : text.includes('"choices"');
    if (response.status !== 200 || !callId || !complete) {
      failures.push(`${model} stream=${stream}: status ${response.status}, call id ${callId}, body ${text.slice(0, 300)}`);
      return;
    }
    completions.push({ callId, model, stream, finishedAt });
  }

  const workers = Array.from({ length: WORKERS }, async () => {
    while (!stopped) {
      try {
        await one();
      } catch (error) {
        // After the kill every in-flight and new call fails to connect: expected, ignored.
        if (!stopped) failures.push(`fetch failed before the kill: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  });

  return {
    completions,
    failures,
    async stop() {
      stopped = true;
      abort.abort();
      await Promise.allSettled(workers);
    },
  };
}

let dir = "";
let upstream: MockUpstream | undefined;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "switchboard-crash-"));
  upstream = await startMockUpstream();
});

afterAll(async () => {
  killAllStarted();
  await upstream?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("kill -9 under load", () => {
  test(
    "loses no spend row older than 1 s, and the rollups equal the rows",
    async () => {
      const dataDir = join(dir, "data");
      const configFile = join(dir, "switchboard.yaml");
      await writeFile(
        configFile,
        [
          "models:",
          "  - model_name: priced",
          "    model: openai/gpt-4o-2024-08-06",
          `    api_base: ${upstream!.url}`,
          "    api_key: sk-upstream-x",
          "",
        ].join("\n"),
      );

      // The team, user and key exist before the gateway starts; it opens the same file.
      const virtual = newVirtualKey();
      const store = await openStore({ dataDir });
      await store.teams.insert({ teamId: TEAM });
      await store.keys.insert({ token: virtual.token, keyName: virtual.keyName, teamId: TEAM, userId: USER });
      await store.close();

      const masterKey = `sk-${Buffer.from(crypto.getRandomValues(new Uint8Array(30))).toString("base64url")}`;
      const env = { SWITCHBOARD_DATA_DIR: dataDir, SWITCHBOARD_MASTER_KEY: masterKey };
      const args = ["--config", configFile, "--port", "0"];

      // 1. Load, then SIGKILL while it is still running.
      const first = await startGateway(args, env);
      const load = driveLoad(first.origin, virtual.key);
      await Bun.sleep(LOAD_MS);
      const killedAt = performance.now();
      first.proc.kill("SIGKILL");
      await load.stop();
      await first.proc.exited;
      await first.exited;
      expect({ signal: first.proc.signalCode, failuresBeforeKill: load.failures.slice(0, 5), log: first.log() }).toEqual({
        signal: "SIGKILL",
        failuresBeforeKill: [],
        log: first.log(),
      });

      // 2. Restart on the crashed database (WAL recovery), serve one priced call, stop cleanly.
      // The call comes before SIGTERM on purpose: main.ts writes "listening on" before it installs
      // its signal handlers, so a SIGTERM sent right at that line can meet Bun's default action
      // (exit 143, no drain). Answering a call proves start-up has run past that point.
      const second = await startGateway(args, env);
      const after = await fetch(`${second.origin}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${virtual.key}` },
        body: JSON.stringify({ model: "priced", messages: [{ role: "user", content: "after the crash" }] }),
      });
      await after.text();
      const afterCallId = after.headers.get("x-switchboard-call-id");
      second.proc.kill("SIGTERM");
      const code = await second.proc.exited;
      await second.exited;
      expect({ code, status: after.status, callId: typeof afterCallId, stopped: second.log().includes("stopped"), log: second.log() }).toEqual({
        code: 0,
        status: 200,
        callId: "string",
        stopped: true,
        log: second.log(),
      });

      // 3. Read the ledger directly.
      const db = new Database(join(dataDir, DATABASE_FILE), { readonly: true });
      try {
        const integrity = db.query<{ integrity_check: string }, []>("PRAGMA integrity_check").all();
        expect(integrity.map((row) => row.integrity_check)).toEqual(["ok"]);

        const stored = new Set(db.query<{ call_id: string }, []>("SELECT call_id FROM spend_logs").all().map((row) => row.call_id));
        const missing = (ids: readonly string[]) => ids.filter((id) => !stored.has(id));

        const completions = load.completions;
        const durable = completions.filter((c) => c.finishedAt < killedAt - DURABLE_AFTER_MS);
        const recent = completions.filter((c) => c.finishedAt >= killedAt - DURABLE_AFTER_MS);
        const recentMissing = missing(recent.map((c) => c.callId));
        console.error(
          `[crash] completed ${completions.length} calls (${completions.filter((c) => c.model === "priced").length} priced, ` +
            `${completions.filter((c) => c.stream).length} streamed); checked ${durable.length} finished > ${DURABLE_AFTER_MS} ms before the kill; ` +
            `${stored.size} rows stored (incl. 1 call after the restart); ${recentMissing.length} of ${recent.length} calls from the last second not stored (allowed)`,
        );

        // Every response carried its own call id.
        expect(new Set(completions.map((c) => c.callId)).size).toBe(completions.length);

        // The durability promise. The checker itself must be able to fail: a call id the gateway
        // never saw is reported as missing.
        expect(durable.length).toBeGreaterThan(0);
        const unknown = `never-issued-${crypto.randomUUID()}`;
        expect(missing([unknown])).toEqual([unknown]);
        const lost = missing(durable.map((c) => c.callId));
        expect({ lost: lost.length, of: durable.length, sample: lost.slice(0, 10) }).toEqual({ lost: 0, of: durable.length, sample: [] });

        // The restarted gateway's call was stored by its clean shutdown.
        expect(missing([afterCallId!])).toEqual([]);

        // The rows are this key's, once each, priced exactly.
        const duplicates = db.query<{ call_id: string }, []>("SELECT call_id FROM spend_logs GROUP BY call_id HAVING COUNT(*) > 1").all();
        expect(duplicates).toEqual([]);
        const strays = db
          .query<{ n: number }, [string, string, string]>("SELECT COUNT(*) AS n FROM spend_logs WHERE token IS NOT ? OR team_id IS NOT ? OR user_id IS NOT ?")
          .get(virtual.token, TEAM, USER);
        expect(strays?.n).toBe(0);
        const pricedCosts = db
          .query<{ cost_nano: number | null; n: number }, []>("SELECT cost_nano, COUNT(*) AS n FROM spend_logs WHERE model_requested = 'priced' GROUP BY cost_nano")
          .all();
        expect(pricedCosts.map((row) => row.cost_nano)).toEqual([PRICED_CALL_NANO]);

        // Rollups equal the rows (no budget window: the window sum equals the total).
        const rowSum = (column: "token" | "team_id" | "user_id", id: string) =>
          db.query<{ total: number }, [string]>(`SELECT COALESCE(SUM(cost_nano), 0) AS total FROM spend_logs WHERE ${column} = ?`).get(id)?.total;
        const rollup = (table: "keys" | "teams" | "users", column: string, id: string) =>
          db.query<{ total: number; win: number }, [string]>(`SELECT spend_total_nano AS total, spend_window_nano AS win FROM ${table} WHERE ${column} = ?`).get(id);
        const keySum = rowSum("token", virtual.token);
        // mock/echo calls cost the mock's nominal price: every one priced, none unknown.
        const mock = db.query<{ total: number; unknown: number }, []>("SELECT COALESCE(SUM(cost_nano), 0) AS total, SUM(cost_nano IS NULL) AS unknown FROM spend_logs WHERE model_requested = 'mock/echo'").get();
        expect(mock?.unknown ?? 0).toBe(0);
        expect(keySum).toBe(pricedCosts[0]!.n * PRICED_CALL_NANO + (mock?.total ?? 0));
        expect(keySum).toBeGreaterThan(0);
        expect({
          key: rollup("keys", "token", virtual.token),
          team: rollup("teams", "team_id", TEAM),
          user: rollup("users", "user_id", USER),
        }).toEqual({
          key: { total: keySum!, win: keySum! },
          team: { total: rowSum("team_id", TEAM)!, win: rowSum("team_id", TEAM)! },
          user: { total: rowSum("user_id", USER)!, win: rowSum("user_id", USER)! },
        });
      } finally {
        db.close();
      }
    },
    60_000,
  );
});
