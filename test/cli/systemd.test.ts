/**
 * The README's systemd recipe works as written: the config and env file it installs match, the
 * gateway starts with exactly the unit's command line and environment, serves, and stays up; the
 * keys CLI finds the service's data directory from the config. test/smoke/binary-smoke.ts runs the
 * same recipe against the built binary.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { killAllStarted, REPO_ROOT, startGatewayProcess } from "../support/gateway-process.ts";
import { installService, parseEnvFile, parseUnit, readmeRecipe } from "../support/systemd-recipe.ts";

const roots: string[] = [];
afterAll(async () => {
  killAllStarted();
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

async function freshRoot(): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), "switchboard-systemd-"));
  roots.push(root);
  return root;
}

const BUN_ENTRY = [process.execPath, join(REPO_ROOT, "src/main.ts")];

async function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const proc = Bun.spawn([...BUN_ENTRY, ...args], { cwd: REPO_ROOT, stdout: "pipe", stderr: "pipe", env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...env } });
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited]);
  return { code, stdout, stderr };
}

describe("the README's systemd recipe", () => {
  test("installs a config and an env file that match: every variable the config needs is in the template, and the README fills the secrets", async () => {
    const readme = await readFile(join(REPO_ROOT, "README.md"), "utf8");
    const recipe = readmeRecipe(readme);
    expect(recipe.config).toBe("config/service.yaml");
    expect(recipe.envTemplate).toBe("config/switchboard.env");
    const config = await readFile(join(REPO_ROOT, recipe.config), "utf8");
    const needed = [...new Set([...config.matchAll(/os\.environ\/([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1] as string))].sort();
    const template = parseEnvFile(await readFile(join(REPO_ROOT, recipe.envTemplate), "utf8"));
    expect(Object.keys(template).sort()).toEqual(needed);
    expect(recipe.fills.map(([name]) => name).sort()).toEqual(needed);
  });

  test("the gateway starts with exactly the unit's command line and env file, serves, stays up, and the keys CLI finds its data dir from --config", async () => {
    const root = await freshRoot();
    const service = await installService(root, BUN_ENTRY, ["SWITCHBOARD_PORT=0"]);
    const gateway = await startGatewayProcess([], { command: service.argv, env: service.env, cwd: service.cwd });
    expect(gateway.log()).toContain("listening on");
    expect(gateway.origin).not.toBe("");
    expect(service.dataDir).toBe(join(root, "var/lib/switchboard"));
    expect(gateway.log()).toContain(`store ${join(service.dataDir, "switchboard.db")}`);

    const masterKey = service.envFile.SWITCHBOARD_MASTER_KEY as string;
    const client = new OpenAI({ baseURL: `${gateway.origin}/v1`, apiKey: masterKey, maxRetries: 0 });
    const models = (await client.models.list()).data.map((m) => m.id);
    expect(models).toContain("gpt-4o-mini");
    const answer = await client.chat.completions.create({ model: "mock/echo", messages: [{ role: "user", content: "as a service" }] });
    expect(answer.choices[0]?.message.content).toBe("Echo: as a service");
    expect((await fetch(`${gateway.origin}/v1/models`)).status).toBe(401);

    // The keys CLI, given the service's config, writes to the service's store (and needs none of its secrets).
    const configPath = join(root, "etc/switchboard/config.yaml");
    const created = await runCli(["keys", "create", "--alias", "svc", "--models", "mock/*", "--json", "--config", configPath]);
    expect(created.stderr).toBe("");
    expect(created.code).toBe(0);
    const virtualKey = (JSON.parse(created.stdout) as { key: string }).key;
    let status = 0;
    for (let tries = 0; tries < 50 && status !== 200; tries++) {
      await Bun.sleep(100);
      status = (await fetch(`${gateway.origin}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${virtualKey}` },
        body: JSON.stringify({ model: "mock/echo", messages: [{ role: "user", content: "hi" }] }),
      })).status;
    }
    expect(status).toBe(200);

    // Still up past the unit's RestartSec: a crash loop would have exited by now.
    await Bun.sleep(2_500);
    expect(gateway.proc.exitCode).toBeNull();
    expect((await fetch(`${gateway.origin}/health/readiness`)).status).toBe(200);
    gateway.proc.kill("SIGTERM");
    expect(await gateway.exited).toBe(0);
  }, 60_000);

  test("an env file left unfilled stops the service with the variable's name, and the unit does not restart it in a loop", async () => {
    const unit = parseUnit(await readFile(join(REPO_ROOT, "config/switchboard.service"), "utf8"));
    expect(unit.environmentFiles).toEqual([{ path: "/etc/switchboard/env", optional: false }]);
    expect(await readFile(join(REPO_ROOT, "config/switchboard.service"), "utf8")).toMatch(/^RestartPreventExitStatus=2$/m);

    const root = await freshRoot();
    const template = parseEnvFile(await readFile(join(REPO_ROOT, "config/switchboard.env"), "utf8"));
    const service = await installService(root, BUN_ENTRY, ["SWITCHBOARD_PORT=0"]);
    const gateway = await startGatewayProcess([], { command: service.argv, env: { ...service.env, ...template }, cwd: service.cwd });
    expect(gateway.origin).toBe("");
    expect(await gateway.exited).toBe(2);
    expect(gateway.log()).toContain("environment variable SWITCHBOARD_MASTER_KEY is not set");
    expect(existsSync(join(service.dataDir, "switchboard.db"))).toBe(false);
  }, 30_000);
});
