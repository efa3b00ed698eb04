/** `switchboard keys ...` as a user runs it: a real process on a temp data directory. */
import { describe, expect, test } from "bun:test";
import { writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { openStore } from "../../src/store/open.ts";
import { tokenOf } from "../../src/auth/key-material.ts";
import { useTempDir } from "../support/temp-dir.ts";

const root = resolve(import.meta.dir, "../..");
const ENTRY = "src/main.ts";
const tmp = useTempDir("switchboard-cli-keys-");
let dirs = 0;

/** A fresh data directory (not created yet: the command creates it). */
async function dataDir(): Promise<string> {
  return join(dirname(await tmp.file("marker", "")), `data-${++dirs}`);
}

async function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn([process.execPath, ENTRY, ...args], { cwd: root, stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH ?? "/usr/bin:/bin", NO_COLOR: "1", ...env } });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

interface CreatedJson {
  key: string;
  token: string;
  key_alias: string | null;
  models: string[];
  max_budget: number | null;
  budget_duration: string | null;
  rpm_limit: number | null;
  tpm_limit: number | null;
  max_parallel_requests: number | null;
  expires: string | null;
  user_id: string | null;
}

describe("switchboard keys", () => {
  test("create prints the key once with its token; list, info and revoke work on the same store", async () => {
    const dir = await dataDir();
    const created = await run(["keys", "create", "--alias", "ci", "--models", "mock/echo,mock/*", "--max-budget", "2.5", "--budget-duration", "30d", "--rpm", "10", "--data-dir", dir]);
    expect(created.stderr).toBe("");
    expect(created.code).toBe(0);
    const key = /^key:\s+(sk-[A-Za-z0-9_-]{43})$/m.exec(created.stdout)?.[1] as string;
    expect(key).toBeDefined();
    const token = tokenOf(key);
    expect(created.stdout).toContain(`token:   ${token}`);
    expect(created.stdout).toContain("budget:  $2.5 per 30d");
    expect(created.stdout.split(key)).toHaveLength(2);

    const list = await run(["keys", "list", "--data-dir", dir]);
    expect(list.code).toBe(0);
    const lines = list.stdout.trim().split("\n");
    expect(lines[0]).toStartWith("TOKEN");
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(token.slice(0, 12));
    expect(lines[1]).toContain("ci");
    expect(list.stdout).not.toContain(key);

    for (const ref of [key, token, token.slice(0, 12)]) {
      const info = await run(["keys", "info", ref, "--data-dir", dir]);
      expect(info.code).toBe(0);
      expect(info.stdout).toContain(`token:   ${token}`);
      expect(info.stdout).toContain("models:  mock/echo, mock/*");
      expect(info.stdout).toContain("limits:  rpm 10, tpm -, parallel -");
      expect(info.stdout).not.toContain(key);
    }

    const revoked = await run(["keys", "revoke", key, "--data-dir", dir]);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain(`token ${token}`);
    const gone = await run(["keys", "info", token, "--data-dir", dir]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain("No key matches");
    expect((await run(["keys", "list", "--data-dir", dir])).stdout.trim()).toBe(`no keys in ${dir}`);
  });

  test("--json output, SWITCHBOARD_DATA_DIR, and the store the server opens sees the key", async () => {
    const dir = await dataDir();
    const created = await run(["keys", "create", "--json", "--tpm", "500", "--max-parallel", "3", "--duration", "1mo", "--user", "alice"], { SWITCHBOARD_DATA_DIR: dir });
    expect(created.code).toBe(0);
    const json = JSON.parse(created.stdout) as CreatedJson;
    expect(json).toMatchObject({ token: tokenOf(json.key), tpm_limit: 500, max_parallel_requests: 3, user_id: "alice", models: [] });
    expect(json.expires).not.toBeNull();

    const list = JSON.parse((await run(["keys", "list", "--json", "--data-dir", dir])).stdout) as { token: string }[];
    expect(list.map((k) => k.token)).toEqual([json.token]);
    const info = JSON.parse((await run(["keys", "info", json.key, "--json", "--data-dir", dir])).stdout) as { key: string; info: { user_id: string } };
    expect(info).toMatchObject({ key: json.token, info: { user_id: "alice" } });

    const store = await openStore({ dataDir: dir });
    try {
      expect((await store.keys.byToken(json.token))?.maxParallelRequests).toBe(3);
      expect(await store.users.byId("alice")).toBeDefined();
    } finally {
      await store.close();
    }
    const revoked = await run(["keys", "revoke", json.token, "--json", "--data-dir", dir]);
    expect(JSON.parse(revoked.stdout)).toEqual({ deleted_keys: [json.token] });
  });

  test.each([
    ["0.00020999999999999998", 210_000, "$0.00021"],
    ["2e-4", 200_000, "$0.0002"],
    ["1e-10", 1, "$0.000000001"],
  ])("--max-budget %s is accepted and rounded up to the ledger's nano-dollar (%p)", async (flag, nano, shown) => {
    const dir = await dataDir();
    const created = await run(["keys", "create", "--json", "--max-budget", flag, "--data-dir", dir]);
    expect(created.stderr).toBe("");
    expect(created.code).toBe(0);
    const json = JSON.parse(created.stdout) as CreatedJson;
    const store = await openStore({ dataDir: dir });
    try {
      expect((await store.keys.byToken(json.token))?.maxBudgetNano).toBe(nano);
    } finally {
      await store.close();
    }
    expect((await run(["keys", "info", json.token, "--data-dir", dir])).stdout).toContain(`budget:  ${shown}`);
  });

  test.each([
    [["keys"], "usage: switchboard keys"],
    [["keys", "frobnicate"], "unknown keys command 'frobnicate'"],
    [["keys", "info"], "usage: switchboard keys info"],
    [["keys", "create", "--rpm", "ten"], "--rpm must be a whole number"],
    [["keys", "create", "--max-budget", "-5"], "--max-budget"],
    [["keys", "create", "--max-budget", "ten"], "--max-budget must be a non-negative number of US dollars"],
    [["keys", "create", "--max-budget", "Infinity"], "--max-budget must be a non-negative number of US dollars"],
    [["keys", "create", "--budget-duration", "monthly"], "--budget-duration must be a duration"],
    [["keys", "list", "--alias", "x"], "--alias cannot be used with switchboard keys list"],
    [["--alias", "x"], "--alias cannot be used with the server"],
    [["keys", "create", "--port", "4000"], "--port cannot be used with switchboard keys"],
  ])("%j is a usage error (exit 2)", async (args, message) => {
    const dir = await dataDir();
    const { code, stderr } = await run([...args, "--data-dir", dir]);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });

  test("a team that does not exist fails (exit 1) and writes nothing", async () => {
    const dir = await dataDir();
    const { code, stderr } = await run(["keys", "create", "--team", "nope", "--data-dir", dir]);
    expect(code).toBe(1);
    expect(stderr).toContain("Team 'nope' does not exist");
    expect((await run(["keys", "list", "--data-dir", dir])).stdout.trim()).toBe(`no keys in ${dir}`);
  });

  test("revoking an unknown key fails (exit 1)", async () => {
    const dir = await dataDir();
    const { code, stderr } = await run(["keys", "revoke", `sk-${"Q".repeat(43)}`, "--data-dir", dir]);
    expect(code).toBe(1);
    expect(stderr).toContain("No key matches sk-...QQQQ");
  });

  test("revoke and info accept an alias; an alias two keys share is refused, naming their tokens", async () => {
    const dir = await dataDir();
    const make = async (alias: string) => JSON.parse((await run(["keys", "create", "--alias", alias, "--json", "--data-dir", dir])).stdout) as CreatedJson;
    const ci = await make("ci");
    const twinA = await make("twin");
    const twinB = await make("twin");

    const info = await run(["keys", "info", "ci", "--data-dir", dir]);
    expect(info.stderr).toBe("");
    expect(info.stdout).toContain(`token:   ${tokenOf(ci.key)}`);

    const ambiguous = await run(["keys", "revoke", "twin", "--data-dir", dir]);
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toContain("alias 'twin' is shared by 2 keys");
    expect(ambiguous.stderr).toContain(tokenOf(twinA.key).slice(0, 12));
    expect(ambiguous.stderr).toContain(tokenOf(twinB.key).slice(0, 12));
    expect(ambiguous.stderr).toContain("give the token");

    const revoked = await run(["keys", "revoke", "ci", "--data-dir", dir]);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain(`revoked 'ci'`);
    const left = JSON.parse((await run(["keys", "list", "--json", "--data-dir", dir])).stdout) as { token: string }[];
    expect(left.map((k) => k.token).sort()).toEqual([tokenOf(twinA.key), tokenOf(twinB.key)].sort());

    const unknown = await run(["keys", "revoke", "nobody", "--data-dir", dir]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("nobody");
  });

  test("--config FILE: the keys commands use its store.data_dir, without needing the secrets it refers to", async () => {
    const dir = await dataDir();
    const config = await tmp.file(
      "service.yaml",
      `auth:\n  master_key: os.environ/SWITCHBOARD_MASTER_KEY\nstore:\n  data_dir: ${dir}\nmodels:\n  - model_name: gpt\n    model: openai/gpt-4o-mini\n    api_key: os.environ/OPENAI_API_KEY\n`,
    );
    const created = await run(["keys", "create", "--alias", "from-config", "--config", config]);
    expect(created.stderr).toBe("");
    expect(created.code).toBe(0);
    expect((await run(["keys", "list", "--data-dir", dir])).stdout).toContain("from-config");
    expect((await run(["keys", "list"], { SWITCHBOARD_CONFIG: config })).stdout).toContain("from-config");

    // One order for the server and the CLI: --data-dir, then SWITCHBOARD_DATA_DIR, then the file.
    const other = await dataDir();
    expect((await run(["keys", "list", "--config", config, "--data-dir", other])).stdout.trim()).toBe(`no keys in ${other}`);
    expect((await run(["keys", "list", "--config", config], { SWITCHBOARD_DATA_DIR: other })).stdout.trim()).toBe(`no keys in ${other}`);

    const missing = await run(["keys", "list", "--config", `${config}.nope`]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("file not found");
    await writeFile(config, "store:\n  data_dir: os.environ/SWITCHBOARD_STATE\n");
    const unset = await run(["keys", "list", "--config", config]);
    expect(unset.code).toBe(2);
    expect(unset.stderr).toContain("store.data_dir: environment variable SWITCHBOARD_STATE is not set");
  });
});
