/**
 * The real gateway process (`bun src/main.ts`), for behaviour that depends on main's listen options
 * and Bun's HTTP layer, and for what the process writes to stderr.
 */
import type { Subprocess } from "bun";
import { join } from "node:path";

const root = join(import.meta.dir, "..", "..");

export interface SpawnedGateway {
  proc: Subprocess<"ignore", "pipe", "pipe">;
  port: number;
  /** Everything written to stderr so far. */
  stderr: () => string;
  /** SIGTERM, and waits for the exit and the last stderr lines. */
  stop: () => Promise<void>;
}

/** Starts `bun src/main.ts ARGS` with only `env` (plus PATH) and waits for its `listening on` line. */
export async function spawnGateway(args: string[], env: Record<string, string>): Promise<SpawnedGateway> {
  const proc = Bun.spawn([process.execPath, "src/main.ts", ...args], {
    cwd: root,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", NO_COLOR: "1", ...env },
  });
  const reader = proc.stderr.getReader();
  const decoder = new TextDecoder();
  let log = "";
  let port = 0;
  const deadline = Date.now() + 10_000;
  while (!port && Date.now() < deadline) {
    const { value, done } = await reader.read();
    if (done) break;
    log += decoder.decode(value, { stream: true });
    port = Number(/listening on http:\/\/[^:\s]+:(\d+)/.exec(log)?.[1] ?? 0);
  }
  if (!port) {
    proc.kill("SIGKILL");
    throw new Error(`gateway did not start:\n${log}`);
  }
  // Keep reading so the pipe never fills.
  const closed = (async () => {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      log += decoder.decode(value, { stream: true });
    }
  })();
  return {
    proc,
    port,
    stderr: () => log,
    stop: async () => {
      proc.kill("SIGTERM");
      await proc.exited;
      await closed;
    },
  };
}
