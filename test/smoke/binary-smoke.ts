/**
 * Smoke test for the compiled executable (run by .ci/run after `bun run build`): start-up time,
 * --version/--help, readiness, a chat completion through the mock, a stream that survives SIGTERM
 * (drain), a clean exit, and the README's systemd recipe with the binary. Prints `N passed, N failed` and exits non-zero on any failure.
 */
import { Database } from "bun:sqlite";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { killAllStarted, startGatewayProcess } from "../support/gateway-process.ts";
import { installService } from "../support/systemd-recipe.ts";

const binary = resolve(import.meta.dir, "../../dist/switchboard");
// The binary's database goes to a temp directory, removed at the end.
const dataDir = mkdtempSync(join(tmpdir(), "switchboard-smoke-"));
process.on("exit", () => rmSync(dataDir, { recursive: true, force: true }));
const childEnv = { PATH: process.env.PATH ?? "", SWITCHBOARD_DATA_DIR: dataDir };
let passed = 0;
let failed = 0;

function check(name: string, ok: boolean, detail = ""): void {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "ok  " : "FAIL"} ${name}${detail ? ` (${detail})` : ""}`);
}

async function run(args: string[]): Promise<{ code: number; out: string }> {
  const proc = Bun.spawn([binary, ...args], { stdout: "pipe", stderr: "pipe", env: childEnv });
  const out = (await new Response(proc.stdout).text()) + (await new Response(proc.stderr).text());
  return { code: await proc.exited, out };
}

const pkg = (await Bun.file(resolve(import.meta.dir, "../../package.json")).json()) as { version: string };
const version = await run(["--version"]);
check("--version prints the package version", version.code === 0 && version.out.trim() === pkg.version, version.out.trim());
const help = await run(["--help"]);
check("--help documents config check and the mock models", help.code === 0 && help.out.includes("config check") && help.out.includes("mock/echo"));

const started = performance.now();
const server = Bun.spawn([binary, "--port", "0"], { stdout: "pipe", stderr: "pipe", env: childEnv });
const reader = server.stderr.getReader();
let log = "";
let base = "";
while (!base) {
  const { value, done } = await reader.read();
  if (done) break;
  log += new TextDecoder().decode(value);
  const match = /listening on (http:\/\/[^\s]+)/.exec(log);
  if (match) base = match[1] as string;
}
const startupMs = performance.now() - started;
check("starts and prints its address", base !== "", log.trim().split("\n")[0]);
check("starts in well under a second", startupMs < 1000, `${startupMs.toFixed(0)} ms to listening`);

try {
  const ready = await fetch(`${base}/health/readiness`);
  const readyBody = (await ready.json()) as { store?: { kind?: string; schema_version?: number } };
  check("/health/readiness is 200", ready.status === 200, JSON.stringify(readyBody));
  check("the embedded SQLite store is open and migrated", readyBody.store?.kind === "sqlite" && (readyBody.store.schema_version ?? 0) >= 1, JSON.stringify(readyBody.store));

  const chat = await fetch(`${base}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "mock/echo", messages: [{ role: "user", content: "hello binary" }] }),
  });
  const body = (await chat.json()) as { choices: { message: { content: string } }[]; usage: { total_tokens: number } };
  check("chat completion through the mock", chat.status === 200 && body.choices[0]?.message.content === "Echo: hello binary" && body.usage.total_tokens === 5);

  const message = await fetch(`${base}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
    body: JSON.stringify({ model: "mock/echo", max_tokens: 50, messages: [{ role: "user", content: "hello anthropic" }] }),
  });
  const anthropicBody = (await message.json()) as { type: string; content: { type: string; text: string }[]; usage: { input_tokens: number; output_tokens: number } };
  check(
    "Anthropic-format message through the mock (translated)",
    message.status === 200 && anthropicBody.type === "message" && anthropicBody.content[0]?.text === "Echo: hello anthropic" && anthropicBody.usage.output_tokens === 3,
  );

  // A slow stream in flight when SIGTERM arrives must finish before the process exits.
  const stream = await fetch(`${base}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "mock/slow", stream: true, messages: [{ role: "user", content: "drain me please" }] }),
  });
  const text = stream.text();
  await Bun.sleep(300);
  server.kill("SIGTERM");
  const streamed = await text;
  check("an in-flight stream completes after SIGTERM", streamed.includes(" please") && streamed.trimEnd().endsWith("data: [DONE]"));
  const refused = await fetch(`${base}/health/readiness`).then((r) => r.status).catch(() => "refused");
  check("no new requests are served while draining", refused === 503 || refused === "refused", String(refused));
  const code = await server.exited;
  check("exits 0 after draining", code === 0, `exit ${code}`);
  // The ledger's writer thread is its own entry point in the executable: its rows prove it ran.
  const db = new Database(join(dataDir, "switchboard.db"), { readonly: true });
  const rows = db.query<{ n: number }, []>("SELECT count(*) AS n FROM spend_logs").get()?.n ?? 0;
  db.close();
  check("every call left a spend row, written by the embedded ledger thread", rows >= 3, `${rows} rows`);
} finally {
  server.kill("SIGKILL");
}

// The README's systemd recipe with the real binary: its config and env file, the unit's command line.
const serviceRoot = mkdtempSync(join(tmpdir(), "switchboard-smoke-service-"));
process.on("exit", () => rmSync(serviceRoot, { recursive: true, force: true }));
const service = await installService(serviceRoot, [binary], ["SWITCHBOARD_PORT=0"]);
const unit = await startGatewayProcess([], { command: service.argv, env: service.env, cwd: service.cwd });
try {
  check("the systemd recipe starts the binary with the unit's command line and env file", unit.origin !== "", unit.log().trim().split("\n")[0]);
  const served = await fetch(`${unit.origin}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${service.envFile.SWITCHBOARD_MASTER_KEY}` },
    body: JSON.stringify({ model: "mock/echo", messages: [{ role: "user", content: "as a service" }] }),
  }).catch(() => undefined);
  check("the service answers with its master key", served?.status === 200, String(served?.status));
  await Bun.sleep(2_500);
  check("the service stays up past the unit's RestartSec", unit.proc.exitCode === null);
  unit.proc.kill("SIGTERM");
  check("the service exits 0 on SIGTERM", (await unit.exited) === 0);
} finally {
  killAllStarted();
}

console.log(`smoke: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
