/**
 * One server per data directory. Rate limits and budgets are counted in each server's memory, so a
 * second server on the same data directory would silently double them: it must refuse to start and
 * say why and what to do. The lock is the OS's (SQLite's own file lock), so a `kill -9` releases it.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { killAllStarted, REPO_ROOT, startGatewayProcess } from "../support/gateway-process.ts";

const dirs: string[] = [];
afterAll(async () => {
  killAllStarted();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function freshDataDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "switchboard-lock-"));
  dirs.push(dir);
  return dir;
}

async function runKeys(args: string[], dataDir: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn([process.execPath, "src/main.ts", "keys", ...args, "--data-dir", dataDir], { cwd: REPO_ROOT, stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH ?? "/usr/bin:/bin" } });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

describe("a second server on the same data directory", () => {
  test("is refused with a message that says why and what to do; the keys CLI still works; a kill -9 releases the lock", async () => {
    const dataDir = await freshDataDir();
    const first = await startGatewayProcess(["--port", "0", "--data-dir", dataDir]);
    expect(first.origin).not.toBe("");

    const second = await startGatewayProcess(["--port", "0", "--data-dir", dataDir]);
    expect(second.origin).toBe("");
    expect(await second.exited).toBe(2);
    const message = second.log();
    expect(message).toContain(`another Switchboard server is using the data directory ${dataDir}`);
    expect(message).toContain("Rate limits and budgets are counted in each server's memory");
    expect(message).toContain("--data-dir");
    expect(message).not.toContain("listening");

    // The first one is untouched and serves on.
    expect((await fetch(`${first.origin}/health/liveliness`)).status).toBe(200);

    // The CLI works on the live store.
    const created = await runKeys(["create", "--alias", "while-serving"], dataDir);
    expect(created.stderr).toBe("");
    expect(created.code).toBe(0);
    const listed = await runKeys(["list"], dataDir);
    expect(listed.stdout).toContain("while-serving");

    // kill -9 leaves no stale lock behind: a new server starts at once on the same directory.
    first.proc.kill("SIGKILL");
    await first.exited;
    const third = await startGatewayProcess(["--port", "0", "--data-dir", dataDir]);
    expect(third.log()).not.toContain("another Switchboard server");
    expect(third.origin).not.toBe("");
    expect((await fetch(`${third.origin}/health/liveliness`)).status).toBe(200);
    third.proc.kill("SIGTERM");
    expect(await third.exited).toBe(0);
  }, 60_000);

  test("servers on different data directories run side by side", async () => {
    const [a, b] = await Promise.all([freshDataDir(), freshDataDir()]);
    const one = await startGatewayProcess(["--port", "0", "--data-dir", a]);
    const two = await startGatewayProcess(["--port", "0", "--data-dir", b]);
    expect(one.origin).not.toBe("");
    expect(two.origin).not.toBe("");
    one.proc.kill("SIGTERM");
    two.proc.kill("SIGTERM");
    expect(await one.exited).toBe(0);
    expect(await two.exited).toBe(0);
  }, 60_000);
});
