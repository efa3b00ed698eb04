/**
 * The gateway as a real process (`bun src/main.ts …`, or any command line, e.g. the built binary):
 * started, its stderr collected, its origin read from the `listening on` banner. Every process is
 * remembered so `killAllStarted()` can SIGKILL leftovers by PID (never by name).
 */
import { resolve } from "node:path";
import type { Subprocess } from "bun";

export const REPO_ROOT = resolve(import.meta.dir, "../..");

export interface GatewayProcess {
  proc: Subprocess<"ignore", "pipe", "pipe">;
  /** `http://host:port` from the banner; "" when the process exited before listening. */
  origin: string;
  /** Everything written to stderr so far. */
  log(): string;
  /** Resolves with the exit code once the process has exited and its stderr is read. */
  exited: Promise<number>;
}

const started: Subprocess[] = [];

/** Starts `command` (default: `bun src/main.ts` + args) and waits for `listening on`, or for the process to exit. */
export async function startGatewayProcess(
  args: string[],
  options: { env?: Record<string, string>; command?: string[]; cwd?: string; timeoutMs?: number } = {},
): Promise<GatewayProcess> {
  const command = options.command ?? [process.execPath, resolve(REPO_ROOT, "src/main.ts")];
  const proc = Bun.spawn([...command, ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", NO_COLOR: "1", ...options.env },
  });
  started.push(proc);
  void new Response(proc.stdout).text().catch(() => "");
  const reader = proc.stderr.getReader();
  const decoder = new TextDecoder();
  let log = "";
  let origin = "";
  let closed = false;
  const deadline = Date.now() + (options.timeoutMs ?? 15_000);
  while (!origin && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) {
      closed = true;
      break;
    }
    log += decoder.decode(value, { stream: true });
    origin = /listening on (http:\/\/\S+)/.exec(log)?.[1] ?? "";
  }
  const rest = closed
    ? Promise.resolve()
    : (async () => {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          log += decoder.decode(value, { stream: true });
        }
      })().catch(() => {});
  if (!origin && !closed) proc.kill("SIGKILL");
  const exited = rest.then(() => proc.exited);
  return { proc, origin, log: () => log, exited };
}

/** SIGKILLs every process started here that is still running (for afterAll). */
export function killAllStarted(): void {
  for (const proc of started) if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
}

/** A started gateway whose port is known, for tests that talk to it over raw sockets. */
export interface SpawnedGateway {
  proc: Subprocess<"ignore", "pipe", "pipe">;
  port: number;
  /** Everything written to stderr so far. */
  stderr: () => string;
  /** SIGTERM, and waits for the exit and the last stderr lines. */
  stop: () => Promise<void>;
}

/** Starts `bun src/main.ts ARGS` with only `env` (plus PATH); throws with its log when it does not start listening. */
export async function spawnGateway(args: string[], env: Record<string, string>): Promise<SpawnedGateway> {
  const gateway = await startGatewayProcess(args, { env, timeoutMs: 10_000 });
  if (!gateway.origin) throw new Error(`gateway did not start:\n${gateway.log()}`);
  return {
    proc: gateway.proc,
    port: Number(new URL(gateway.origin).port),
    stderr: gateway.log,
    stop: async () => {
      gateway.proc.kill("SIGTERM");
      await gateway.exited;
    },
  };
}
