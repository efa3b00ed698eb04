/**
 * Load benchmark: `bun run bench` (= `bun test/bench/run.ts`).
 *
 * Starts, each in its own process on 127.0.0.1:
 *   - upstream:  test/bench/upstream.ts, a minimal OpenAI-wire server (fixed chat.completion + usage,
 *                or ~10 SSE chunks when streaming);
 *   - proxy:     test/bench/trivial-proxy.ts, a ~20-line Bun.serve + fetch forwarder (the baseline);
 *   - gateway:   `bun src/main.ts --config <temp config>` with one model `bench` -> openai/bench at the
 *                upstream (mock and env-provider models off), no master key. Its store (and so the
 *                spend ledger, one row per call) is on, in its own SWITCHBOARD_DATA_DIR in the temp dir:
 *                "ledger on, no keys";
 *   - keys:      a second gateway, same config plus a random master key (SWITCHBOARD_MASTER_KEY) and a
 *                priced deployment, called with a virtual key that has rpm/tpm/parallel limits and a
 *                strict budget (test/bench/keys.ts writes it into the store before the gateway starts):
 *                authentication, rate limits, budget reservation and settlement, cost headers and the
 *                ledger all run on every request, none of them ever refuses;
 *   - group:     the `gateway` setup with `bench` served by a group of 3 deployments (same upstream,
 *                weighted shuffle): the router's choice on every request;
 *   - traced:    the `gateway` setup with tracing on: every call becomes OpenInference spans exported
 *                over OTLP/HTTP protobuf to test/bench/otlp-sink.ts (a collector that only counts).
 * Then, for each concurrency, runs a bounded load against each of them (warm-up, then a measured
 * window), plus a streaming case, and prints a markdown table: RPS, p50/p99 latency, latency added
 * over the direct upstream, CPU-ms per request and peak RSS of the serving process, host CPU use;
 * then the verdicts (gateway vs trivial proxy, gateway + keys vs gateway) and, once the gateways
 * stopped, how many spend rows each stored.
 *
 * Load generator: `wrk` when installed (one thread, keep-alive, Lua script for the POST body),
 * otherwise test/bench/loadgen.ts (fetch workers in a separate Bun process).
 *
 * Environment (all optional):
 *   BENCH_SECONDS=5        measured seconds per run (wrk rounds to whole seconds)
 *   BENCH_WARMUP=1         warm-up seconds per run
 *   BENCH_CONCURRENCY=1,16,64
 *   BENCH_STREAM=1         also run the streaming case (0 to skip)
 *   BENCH_STREAM_CONCURRENCY=16
 *   BENCH_LOADGEN=auto     auto | wrk | bun
 *   BENCH_TARGETS=upstream,proxy,gateway,keys,group,traced
 *   BENCH_PROFILE=1        run the gateway under `bun --cpu-prof --cpu-prof-md`; prints where the profile went
 *                          (=keys: the keys gateway instead; =gateway,keys or =all: both)
 *   BENCH_JSON=<file>      also write the raw results as JSON
 *   BENCH_STRICT=1         exit 1 when a target (throughput ratio, CPU per request) is missed
 *   BENCH_ENTRY=src/main.ts  the gateway entry point to run (for A/B experiments)
 *   BENCH_TRACE_SAMPLE=1   the traced gateway's tracing.sample_rate (share of calls traced)
 *
 * Every child is stopped (SIGTERM, then SIGKILL by PID) on exit, on error and on SIGINT/SIGTERM;
 * upstream and proxy also exit when the runner's end of their stdin closes.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, cpus } from "node:os";
import { join, resolve } from "node:path";
import type { Subprocess } from "bun";
import { provisionBenchKey, randomMasterKey, readLedger, type LedgerSummary } from "./keys.ts";
import type { LoadResult, LoadSpec } from "./loadgen.ts";

const ROOT = resolve(import.meta.dir, "../..");
const BENCH_DIR = import.meta.dir;
const BUN = process.execPath;
const CLK_TCK = 100;

const envNum = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return process.env[name] !== undefined && Number.isFinite(value) && value > 0 ? value : fallback;
};
const SECONDS = envNum("BENCH_SECONDS", 5);
const WARMUP = envNum("BENCH_WARMUP", 1);
const CONCURRENCY = (process.env.BENCH_CONCURRENCY ?? "1,16,64").split(",").map(Number).filter((n) => Number.isInteger(n) && n > 0);
const STREAM_ON = process.env.BENCH_STREAM !== "0";
const STREAM_C = envNum("BENCH_STREAM_CONCURRENCY", 16);
const TRACE_SAMPLE = Math.min(1, envNum("BENCH_TRACE_SAMPLE", 1));
const TARGETS = (process.env.BENCH_TARGETS ?? "upstream,proxy,gateway,keys,group,traced").split(",") as TargetName[];
/** Which gateways run under the CPU profiler: BENCH_PROFILE=1 (or =gateway), =keys, =gateway,keys or =all. */
const PROFILE: ReadonlySet<GatewayName> = (() => {
  const wanted = (process.env.BENCH_PROFILE ?? "").split(",").map((s) => s.trim());
  const on = new Set<GatewayName>();
  if (wanted.some((w) => w === "1" || w === "gateway" || w === "all")) on.add("gateway");
  if (wanted.some((w) => w === "keys" || w === "all")) on.add("keys");
  if (wanted.some((w) => w === "group" || w === "all")) on.add("group");
  if (wanted.some((w) => w === "traced" || w === "all")) on.add("traced");
  return on;
})();
/** BENCH_PIN=1: the server under test (proxy, gateway) on the last core, upstream and load generator on the others. */
const PIN = process.env.BENCH_PIN === "1" && cpus().length >= 2 && Bun.which("taskset") !== null;
const LAST_CORE = cpus().length - 1;
const pinned = (argv: string[], role: "server" | "driver") =>
  PIN ? ["taskset", "-c", role === "server" ? String(LAST_CORE) : `0-${LAST_CORE - 1}`, ...argv] : argv;

type TargetName = "upstream" | "proxy" | "gateway" | "keys" | "group" | "traced";
type GatewayName = Extract<TargetName, "gateway" | "keys" | "group" | "traced">;

/** What the load generators send to targets that do not check it (the upstream's and plain gateway's key is ignored). */
const DEFAULT_AUTH = "Bearer sk-bench";

const CHAT_BODY = JSON.stringify({
  model: "bench",
  messages: [
    { role: "system", content: "You are a concise assistant. Answer in one short paragraph." },
    { role: "user", content: "Write a haiku about load balancers and explain the metaphor in one sentence." },
  ],
  temperature: 0.7,
});
const STREAM_BODY = JSON.stringify({ ...JSON.parse(CHAT_BODY), stream: true });

const log = (message: string) => console.error(`[bench] ${message}`);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// Child processes: tracked, always stopped by PID.

const children = new Set<Subprocess>();
let tmp: string | undefined;

interface Child {
  name: string;
  proc: Subprocess<"pipe", "pipe", "pipe">;
  tail: () => string;
}

const running = (proc: Subprocess) => proc.exitCode === null && proc.signalCode === null;

async function stopChild(proc: Subprocess): Promise<void> {
  if (running(proc)) {
    try {
      proc.kill("SIGTERM");
    } catch {
      // already gone
    }
    const exited = await Promise.race([proc.exited.then(() => true), sleep(3000).then(() => false)]);
    if (!exited && running(proc)) {
      try {
        proc.kill("SIGKILL");
      } catch {
        // already gone
      }
      await Promise.race([proc.exited, sleep(1000)]);
    }
  }
  children.delete(proc);
}

let cleaning: Promise<void> | undefined;
let interrupted = false;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    await Promise.all([...children].map(stopChild));
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  })();
  return cleaning;
}

for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
  process.on(signal, () => {
    interrupted = true;
    log(`${signal}: stopping children`);
    void cleanup().then(() => process.exit(130));
  });
}

function spawnTracked(argv: string[], cwd = ROOT, extraEnv: Record<string, string> = {}): Subprocess<"pipe", "pipe", "pipe"> {
  const proc = Bun.spawn(argv, {
    cwd,
    stdin: "pipe",
    stdout: "pipe",
    stderr: "pipe",
    // A clean environment: no provider keys, no SWITCHBOARD_* settings leaking into the gateway;
    // only what the bench sets itself (data directory, master key).
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? tmpdir(), NO_COLOR: "1", ...extraEnv },
  });
  children.add(proc);
  void proc.exited.then(() => children.delete(proc));
  return proc;
}

async function collect(stream: ReadableStream<Uint8Array>, onText: (text: string) => void): Promise<void> {
  const decoder = new TextDecoder();
  for await (const chunk of stream) onText(decoder.decode(chunk, { stream: true }));
}

/** Starts a long-running child and waits until `ready` matches its output (stdout or stderr). */
async function startChild(
  name: string,
  argv: string[],
  ready: RegExp,
  env: Record<string, string> = {},
  timeoutMs = 15_000,
): Promise<{ child: Child; match: RegExpExecArray }> {
  const proc = spawnTracked(argv, ROOT, env);
  let output = "";
  const onText = (text: string) => {
    output = (output + text).slice(-16_384);
  };
  void collect(proc.stdout, onText).catch(() => {});
  void collect(proc.stderr, onText).catch(() => {});
  const child: Child = { name, proc, tail: () => output.trim().split("\n").slice(-15).join("\n") };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const match = ready.exec(output);
    if (match) return { child, match };
    if (!running(proc)) break;
    await sleep(20);
  }
  await stopChild(proc);
  throw new Error(`${name} did not start (${running(proc) ? "timed out" : `exited ${proc.exitCode ?? proc.signalCode}`}):\n${output.trim()}`);
}

// ---------------------------------------------------------------------------------------------
// /proc readings.

/** utime + stime of a process (all its threads), in clock ticks. */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // fields[0] is field 3 (state); utime is field 14, stime field 15.
  return Number(fields[11]) + Number(fields[12]);
}

/** Peak resident set size (VmHWM) in MB. */
function peakRssMb(pid: number): number {
  const match = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return match ? Number(match[1]) / 1024 : Number.NaN;
}

/** Busy and total jiffies of the whole machine. */
function hostCpu(): { busy: number; total: number } {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0] as string;
  const values = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = values.reduce((a, b) => a + b, 0);
  const idle = (values[3] ?? 0) + (values[4] ?? 0);
  return { busy: total - idle, total };
}

// ---------------------------------------------------------------------------------------------
// Load generators.

interface LoadRun {
  target: TargetName;
  url: string;
  /** The Authorization header value. */
  authorization: string;
  body: string;
  concurrency: number;
  seconds: number;
  stream: boolean;
}

function hasWrk(): boolean {
  return Bun.which("wrk") !== null;
}

const LOADGEN = (() => {
  const wanted = process.env.BENCH_LOADGEN ?? "auto";
  if (wanted === "bun") return "bun" as const;
  if (wanted === "wrk") {
    if (!hasWrk()) throw new Error("BENCH_LOADGEN=wrk but wrk is not on PATH");
    return "wrk" as const;
  }
  return hasWrk() ? ("wrk" as const) : ("bun" as const);
})();

async function runProcess(argv: string[], timeoutMs: number): Promise<string> {
  const proc = spawnTracked(argv, BENCH_DIR);
  let err = "";
  const stderr = collect(proc.stderr, (t) => {
    err = (err + t).slice(-4096);
  }).catch(() => {});
  const stdout = new Response(proc.stdout).text();
  const timer = setTimeout(() => {
    log(`${argv[0]} overran ${timeoutMs} ms; killing pid ${proc.pid}`);
    void stopChild(proc);
  }, timeoutMs);
  const code = await proc.exited;
  clearTimeout(timer);
  await stderr;
  const out = await stdout;
  if (code !== 0) throw new Error(`${argv.slice(0, 2).join(" ")} exited ${code ?? proc.signalCode}: ${err.trim() || out.trim()}`);
  return out;
}

function wrkScript(body: string, authorization: string): string {
  const doneFn = `
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('BENCH_RESULT {"requests":%d,"duration_us":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50_us":%d,"p99_us":%d,"mean_us":%f}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99), latency.mean))
end
`;
  return `wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\nwrk.headers["Authorization"] = [==[${authorization}]==]\nwrk.body = [==[${body}]==]\n${doneFn}`;
}

async function loadWithWrk(run: LoadRun): Promise<LoadResult> {
  if (!tmp) throw new Error("no temp dir");
  const script = join(tmp, `wrk-${run.target}-${run.stream ? "stream" : "chat"}.lua`);
  writeFileSync(script, wrkScript(run.body, run.authorization));
  const seconds = Math.max(1, Math.round(run.seconds));
  const out = await runProcess(pinned(["wrk", "-t1", `-c${run.concurrency}`, `-d${seconds}s`, "--timeout", "5s", "-s", script, run.url], "driver"), (seconds + 20) * 1000);
  const line = /BENCH_RESULT (\{.*\})/.exec(out);
  if (!line) throw new Error(`could not read wrk output:\n${out}`);
  const r = JSON.parse(line[1] as string) as Record<string, number>;
  const errors = (r.connect ?? 0) + (r.read ?? 0) + (r.write ?? 0) + (r.status ?? 0) + (r.timeout ?? 0);
  const elapsedS = (r.duration_us ?? 0) / 1e6;
  const ok = (r.requests ?? 0) - (r.status ?? 0);
  return {
    requests: ok,
    errors,
    elapsedS,
    rps: ok / elapsedS,
    p50Ms: (r.p50_us ?? 0) / 1000,
    p99Ms: (r.p99_us ?? 0) / 1000,
    meanMs: (r.mean_us ?? 0) / 1000,
    ...(errors ? { firstError: `wrk errors: connect ${r.connect} read ${r.read} write ${r.write} status ${r.status} timeout ${r.timeout}` } : {}),
  };
}

async function loadWithBun(run: LoadRun): Promise<LoadResult> {
  const spec: LoadSpec = { url: run.url, authorization: run.authorization, body: run.body, concurrency: run.concurrency, seconds: run.seconds, stream: run.stream };
  const out = await runProcess(pinned([BUN, join(BENCH_DIR, "loadgen.ts"), JSON.stringify(spec)], "driver"), (run.seconds + 20) * 1000);
  return JSON.parse(out.trim().split("\n").pop() as string) as LoadResult;
}

const load = (run: LoadRun) => (LOADGEN === "wrk" ? loadWithWrk(run) : loadWithBun(run));

// ---------------------------------------------------------------------------------------------
// The targets.

interface Target {
  name: TargetName;
  label: string;
  pid: number;
  url: string;
  /** The Authorization header value every request to this target carries. */
  authorization: string;
}

const LABELS: Record<TargetName, string> = {
  upstream: "direct",
  proxy: "trivial proxy",
  gateway: "switchboard",
  keys: "switchboard + keys",
  group: "switchboard, 3 deployments",
  traced: "switchboard + tracing",
};

async function startUpstream(): Promise<{ child: Child; base: string }> {
  const { child, match } = await startChild("upstream", pinned([BUN, join(BENCH_DIR, "upstream.ts"), "0"], "driver"), /listening (\d+)/);
  return { child, base: `http://127.0.0.1:${match[1]}/v1` };
}

/** The OTLP collector the `traced` gateway exports to; its base URL (`/v1/traces`, `/stats`). */
async function startOtlpSink(): Promise<string> {
  const { match } = await startChild("otlp-sink", pinned([BUN, join(BENCH_DIR, "otlp-sink.ts"), "0"], "driver"), /listening (\d+)/);
  return `http://127.0.0.1:${match[1]}`;
}

async function startProxy(upstreamBase: string): Promise<{ child: Child; url: string }> {
  const { child, match } = await startChild("proxy", pinned([BUN, join(BENCH_DIR, "trivial-proxy.ts"), upstreamBase, "0"], "server"), /listening (\d+)/);
  return { child, url: `http://127.0.0.1:${match[1]}/v1/chat/completions` };
}

interface Gateway {
  name: GatewayName;
  child: Child;
  url: string;
  authorization: string;
  /** Its SWITCHBOARD_DATA_DIR (the SQLite store with the spend ledger), inside the bench's temp dir. */
  dataDir: string;
  profileDir?: string;
}

/**
 * A gateway in its own directory under `tmp` (config file + data dir), both on the same priced
 * model so the difference between them is only keys, limits and budgets. `gateway`: no master
 * key. `keys`: a random master key and a virtual key created in its store before it starts;
 * requests then authenticate with that key.
 */
async function startGateway(name: GatewayName, upstreamBase: string, tmpDir: string, otlpBase?: string): Promise<Gateway> {
  const dir = join(tmpDir, name);
  const dataDir = join(dir, "data");
  mkdirSync(dir, { recursive: true });
  const withKeys = name === "keys";
  const config = {
    server: { host: "127.0.0.1", port: 0, shutdown_grace_seconds: 1 },
    settings: { mock_models: false, env_provider_models: false },
    // gpt-4o-mini is in the embedded price data, so every build (even one without price overrides) prices it alike.
    models:
      name === "group"
        ? ["a", "b", "c"].map((id) => ({ model_name: "bench", id: `bench-${id}`, model: "openai/gpt-4o-mini", api_base: upstreamBase, api_key: "sk-bench" }))
        : [{ model_name: "bench", model: "openai/gpt-4o-mini", api_base: upstreamBase, api_key: "sk-bench" }],
    ...(name === "traced" && otlpBase ? { tracing: { endpoint: `${otlpBase}/v1/traces`, sample_rate: TRACE_SAMPLE } } : {}),
  };
  const configPath = join(dir, "switchboard-bench.json");
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  const env: Record<string, string> = { SWITCHBOARD_DATA_DIR: dataDir };
  let authorization = DEFAULT_AUTH;
  if (withKeys) {
    env.SWITCHBOARD_MASTER_KEY = randomMasterKey();
    authorization = `Bearer ${await provisionBenchKey(dataDir)}`;
  }
  let profileDir: string | undefined;
  const bunFlags: string[] = [];
  if (PROFILE.has(name)) {
    profileDir = mkdtempSync(join(tmpdir(), `switchboard-cpuprof-${name}-`));
    bunFlags.push("--cpu-prof", "--cpu-prof-md", `--cpu-prof-dir=${profileDir}`);
  }
  const argv = pinned([BUN, ...bunFlags, process.env.BENCH_ENTRY ?? "src/main.ts", "--config", configPath], "server");
  const { child, match } = await startChild(name, argv, /listening on http:\/\/[^\s:]+:(\d+)/, env);
  const base = `http://127.0.0.1:${match[1]}`;
  for (let i = 0; i < 50; i++) {
    const ready = await fetch(`${base}/health/readiness`).catch(() => undefined);
    if (ready?.ok) break;
    await sleep(50);
  }
  return { name, child, url: `${base}/v1/chat/completions`, authorization, dataDir, ...(profileDir ? { profileDir } : {}) };
}

/** One request of each kind must come back right before any load is run. */
async function sanityCheck(target: Target): Promise<void> {
  const headers = { "content-type": "application/json", authorization: target.authorization };
  const chat = await fetch(target.url, { method: "POST", headers, body: CHAT_BODY });
  const chatText = await chat.text();
  let parsed: { choices?: { message?: { content?: string } }[]; usage?: { total_tokens?: number } } = {};
  try {
    parsed = JSON.parse(chatText);
  } catch {
    // reported below
  }
  if (chat.status !== 200 || !parsed.choices?.[0]?.message?.content || parsed.usage?.total_tokens !== 46) {
    throw new Error(`${target.label}: chat completion check failed (HTTP ${chat.status}): ${chatText.slice(0, 300)}`);
  }
  if (target.name === "keys") {
    // Proof that the limiter and the pricing ran on the call, and that a request with another key is refused.
    const missing = ["x-ratelimit-remaining-requests", "x-switchboard-response-cost"].filter((h) => !chat.headers.has(h));
    if (missing.length > 0) throw new Error(`${target.label}: response lacks ${missing.join(", ")}; headers: ${JSON.stringify(Object.fromEntries(chat.headers))}`);
    const anonymous = await fetch(target.url, { method: "POST", headers: { "content-type": "application/json", authorization: DEFAULT_AUTH }, body: CHAT_BODY });
    await anonymous.arrayBuffer();
    if (anonymous.status !== 401) throw new Error(`${target.label}: a request with a wrong key got HTTP ${anonymous.status}, not 401`);
    log(
      `${target.label}: x-ratelimit-remaining-requests ${chat.headers.get("x-ratelimit-remaining-requests")}, x-switchboard-response-cost ${chat.headers.get("x-switchboard-response-cost")}; wrong key -> 401`,
    );
  }
  if (target.name === "group") {
    // Proof that the router spreads calls over the group.
    const ids = new Set<string>();
    for (let i = 0; i < 30; i++) {
      const answer = await fetch(target.url, { method: "POST", headers, body: CHAT_BODY });
      await answer.arrayBuffer();
      ids.add(answer.headers.get("x-switchboard-model-id") ?? "");
    }
    if (ids.size < 2) throw new Error(`${target.label}: 30 calls all went to ${[...ids].join(", ")}`);
    log(`${target.label}: 30 calls spread over ${[...ids].sort().join(", ")}`);
  }
  if (!STREAM_ON) return;
  const stream = await fetch(target.url, { method: "POST", headers, body: STREAM_BODY });
  const streamText = await stream.text();
  const frames = streamText.split("\n\n").filter((f) => f.startsWith("data: ")).length;
  if (stream.status !== 200 || !streamText.includes("data: [DONE]") || frames < 10) {
    throw new Error(`${target.label}: streaming check failed (HTTP ${stream.status}, ${frames} frames): ${streamText.slice(0, 300)}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Measuring.

interface Row {
  kind: "chat" | "stream";
  target: TargetName;
  label: string;
  concurrency: number;
  result: LoadResult;
  cpuMsPerReq: number;
  peakRssMb: number;
  hostBusyPct: number;
}

/** Successful responses per target over all runs, warm-ups included (set against the spend rows stored). */
const completed = new Map<TargetName, number>();

async function measure(target: Target, kind: Row["kind"], concurrency: number): Promise<Row> {
  const body = kind === "stream" ? STREAM_BODY : CHAT_BODY;
  const base = { target: target.name, url: target.url, authorization: target.authorization, body, concurrency, stream: kind === "stream" };
  const warm = await load({ ...base, seconds: WARMUP });
  const cpu0 = cpuTicks(target.pid);
  const host0 = hostCpu();
  const result = await load({ ...base, seconds: SECONDS });
  const cpu1 = cpuTicks(target.pid);
  const host1 = hostCpu();
  const handled = result.requests + result.errors;
  completed.set(target.name, (completed.get(target.name) ?? 0) + warm.requests + result.requests);
  const row: Row = {
    kind,
    target: target.name,
    label: target.label,
    concurrency,
    result,
    cpuMsPerReq: handled > 0 ? ((cpu1 - cpu0) * 1000) / CLK_TCK / handled : Number.NaN,
    peakRssMb: peakRssMb(target.pid),
    hostBusyPct: (100 * (host1.busy - host0.busy)) / Math.max(1, host1.total - host0.total),
  };
  log(
    `${kind.padEnd(6)} ${target.label.padEnd(18)} c=${String(concurrency).padEnd(3)} ${result.rps.toFixed(0).padStart(6)} rps  p50 ${result.p50Ms.toFixed(2)} ms  p99 ${result.p99Ms.toFixed(2)} ms  cpu ${row.cpuMsPerReq.toFixed(3)} ms/req  errors ${result.errors}${result.firstError ? ` (${result.firstError})` : ""}`,
  );
  await sleep(200);
  return row;
}

// ---------------------------------------------------------------------------------------------
// Report.

const f = (n: number, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : "–");
const signed = (n: number, digits = 2) => (Number.isFinite(n) ? `${n >= 0 ? "+" : ""}${n.toFixed(digits)}` : "–");

function table(rows: Row[]): string {
  const direct = (row: Row) => rows.find((r) => r.kind === row.kind && r.concurrency === row.concurrency && r.target === "upstream");
  const lines = [
    "| case | target | c | RPS | p50 ms | p99 ms | Δp50 vs direct | Δp99 vs direct | CPU ms/req | peak RSS MB | host CPU % | errors |",
    "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
  ];
  for (const row of rows) {
    const d = row.target === "upstream" ? undefined : direct(row);
    lines.push(
      `| ${row.kind} | ${row.label} | ${row.concurrency} | ${f(row.result.rps, 0)} | ${f(row.result.p50Ms)} | ${f(row.result.p99Ms)} | ${
        d ? signed(row.result.p50Ms - d.result.p50Ms) : "–"
      } | ${d ? signed(row.result.p99Ms - d.result.p99Ms) : "–"} | ${f(row.cpuMsPerReq, 3)} | ${f(row.peakRssMb, 1)} | ${f(row.hostBusyPct, 0)} | ${row.result.errors} |`,
    );
  }
  return lines.join("\n");
}

function verdicts(rows: Row[]): { text: string; pass: boolean } {
  const find = (target: TargetName, c: number, kind: Row["kind"] = "chat") => rows.find((r) => r.kind === kind && r.target === target && r.concurrency === c);
  const pct = (a: Row, b: Row) => `${((a.result.rps / b.result.rps) * 100).toFixed(1)}%`;
  const out: string[] = [];
  let pass = true;
  const refC = CONCURRENCY.includes(16) ? 16 : (CONCURRENCY[Math.floor(CONCURRENCY.length / 2)] as number);
  const gw = find("gateway", refC);
  const px = find("proxy", refC);
  const keys = find("keys", refC);
  if (gw && px) {
    const ratio = gw.result.rps / px.result.rps;
    const ok = ratio >= 0.8;
    pass &&= ok;
    out.push(`- Throughput, gateway / trivial proxy at c=${refC}: **${(ratio * 100).toFixed(1)}%** (${f(gw.result.rps, 0)} vs ${f(px.result.rps, 0)} rps); target ≥ 80% → ${ok ? "PASS" : "FAIL"}`);
  }
  if (gw) {
    const ok = gw.cpuMsPerReq < 0.15;
    pass &&= ok;
    const others = CONCURRENCY.map((c) => find("gateway", c))
      .filter((r): r is Row => !!r)
      .map((r) => `c=${r.concurrency}: ${f(r.cpuMsPerReq, 3)}`)
      .join(", ");
    const proxyCpu = px ? ` (trivial proxy: ${f(px.cpuMsPerReq, 3)})` : "";
    out.push(`- Gateway CPU per request at c=${refC}: **${f(gw.cpuMsPerReq, 3)} ms**${proxyCpu}; target < 0.15 ms → ${ok ? "PASS" : "FAIL"}  [all: ${others}]`);
  }
  const direct = find("upstream", refC);
  if (gw && direct) out.push(`- Gateway added latency at c=${refC}: p50 ${signed(gw.result.p50Ms - direct.result.p50Ms)} ms, p99 ${signed(gw.result.p99Ms - direct.result.p99Ms)} ms`);
  if (keys && gw) {
    const ratio = keys.result.rps / gw.result.rps;
    const ok = ratio >= 0.9;
    pass &&= ok;
    const others = CONCURRENCY.flatMap((c) => {
      const k = find("keys", c);
      const g = find("gateway", c);
      return k && g ? [`c=${c}: ${pct(k, g)}`] : [];
    }).join(", ");
    out.push(
      `- Throughput, gateway + keys / gateway at c=${refC} (reference concurrency): **${(ratio * 100).toFixed(1)}%** (${f(keys.result.rps, 0)} vs ${f(gw.result.rps, 0)} rps); target ≥ 90% → ${ok ? "PASS" : "FAIL"}  [all: ${others}]`,
    );
  }
  if (keys) {
    const per = (target: TargetName) =>
      CONCURRENCY.map((c) => find(target, c))
        .filter((r): r is Row => !!r)
        .map((r) => `c=${r.concurrency}: ${f(r.cpuMsPerReq, 3)}`)
        .join(", ");
    const delta = gw ? ` (${signed(keys.cpuMsPerReq - gw.cpuMsPerReq, 3)} ms for keys, limits and budgets)` : "";
    out.push(
      `- CPU per request at c=${refC}: gateway + keys **${f(keys.cpuMsPerReq, 3)} ms**, gateway ${gw ? `**${f(gw.cpuMsPerReq, 3)} ms**` : "–"}${delta}  [gateway + keys: ${per("keys")}; gateway: ${per("gateway")}]`,
    );
    if (gw) out.push(`- Gateway + keys added latency over gateway at c=${refC}: p50 ${signed(keys.result.p50Ms - gw.result.p50Ms)} ms, p99 ${signed(keys.result.p99Ms - gw.result.p99Ms)} ms`);
  }
  const sgw = find("gateway", STREAM_C, "stream");
  const spx = find("proxy", STREAM_C, "stream");
  const skeys = find("keys", STREAM_C, "stream");
  if (sgw && spx) {
    out.push(`- Streaming at c=${STREAM_C}, gateway / trivial proxy: ${pct(sgw, spx)} throughput; CPU ${f(sgw.cpuMsPerReq, 3)} vs ${f(spx.cpuMsPerReq, 3)} ms/req`);
  }
  const group = find("group", refC);
  if (group && gw) {
    const ratio = group.result.rps / gw.result.rps;
    out.push(
      `- Router, 3-deployment group / single deployment at c=${refC}: **${(ratio * 100).toFixed(1)}%** throughput (${f(group.result.rps, 0)} vs ${f(gw.result.rps, 0)} rps); CPU ${f(group.cpuMsPerReq, 3)} vs ${f(gw.cpuMsPerReq, 3)} ms/req (${signed(group.cpuMsPerReq - gw.cpuMsPerReq, 3)} ms)`,
    );
  }
  const traced = find("traced", refC);
  if (traced && gw) {
    const ratio = traced.result.rps / gw.result.rps;
    const ok = ratio >= 0.9;
    pass &&= ok;
    const others = CONCURRENCY.flatMap((c) => {
      const t = find("traced", c);
      const g = find("gateway", c);
      return t && g ? [`c=${c}: ${pct(t, g)}`] : [];
    }).join(", ");
    out.push(
      `- Throughput, gateway + tracing / gateway at c=${refC}: **${(ratio * 100).toFixed(1)}%** (${f(traced.result.rps, 0)} vs ${f(gw.result.rps, 0)} rps); target ≥ 90% → ${ok ? "PASS" : "FAIL"}; CPU ${f(traced.cpuMsPerReq, 3)} vs ${f(gw.cpuMsPerReq, 3)} ms/req  [all: ${others}]`,
    );
  }
  const straced = find("traced", STREAM_C, "stream");
  if (straced && sgw) {
    out.push(`- Streaming at c=${STREAM_C}, gateway + tracing / gateway: ${pct(straced, sgw)} throughput; CPU ${f(straced.cpuMsPerReq, 3)} vs ${f(sgw.cpuMsPerReq, 3)} ms/req`);
  }
  if (skeys && sgw) {
    out.push(`- Streaming at c=${STREAM_C}, gateway + keys / gateway: ${pct(skeys, sgw)} throughput; CPU ${f(skeys.cpuMsPerReq, 3)} vs ${f(sgw.cpuMsPerReq, 3)} ms/req`);
  }
  return { text: out.join("\n"), pass };
}

/** After the gateways stopped (flushing queued rows): what each stored in its ledger, against the responses the load generators counted. */
async function ledgerLines(gateways: Gateway[]): Promise<string> {
  const lines: string[] = [];
  for (const gateway of gateways) {
    let ledger: LedgerSummary;
    try {
      ledger = await readLedger(gateway.dataDir);
    } catch (error) {
      lines.push(`- ${LABELS[gateway.name]}: ledger not readable (${error instanceof Error ? error.message : String(error)})`);
      continue;
    }
    const what =
      gateway.name === "keys"
        ? `${ledger.keyedRows} under the bench key, $${ledger.costUsd.toFixed(4)} charged`
        : gateway.name === "group"
          ? "ledger on, no keys, 3 deployments"
          : gateway.name === "traced"
            ? "ledger on, no keys, tracing on"
            : "ledger on, no keys";
    lines.push(`- ${LABELS[gateway.name]}: ${ledger.rows} spend rows stored (${what}) for ${completed.get(gateway.name) ?? 0} responses counted by the load generator`);
  }
  return lines.join("\n");
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const t0 = performance.now();
  tmp = mkdtempSync(join(tmpdir(), "switchboard-bench-"));
  const bunVersion = Bun.version;
  log(`bun ${bunVersion}, ${cpus().length} cores${PIN ? " (pinned)" : ""}, load generator: ${LOADGEN}, ${WARMUP} s warm-up + ${SECONDS} s per run, c = ${CONCURRENCY.join(", ")}`);

  const upstream = await startUpstream();
  const targets: Target[] = [];
  const target = (name: TargetName, pid: number, url: string, authorization = DEFAULT_AUTH): Target => ({ name, label: LABELS[name], pid, url, authorization });
  if (TARGETS.includes("upstream")) targets.push(target("upstream", upstream.child.proc.pid, `${upstream.base}/chat/completions`));
  if (TARGETS.includes("proxy")) {
    const proxy = await startProxy(upstream.base);
    targets.push(target("proxy", proxy.child.proc.pid, proxy.url));
  }
  const gateways: Gateway[] = [];
  const otlpBase = TARGETS.includes("traced") ? await startOtlpSink() : undefined;
  for (const name of ["gateway", "keys", "group", "traced"] as const) {
    if (!TARGETS.includes(name)) continue;
    const gateway = await startGateway(name, upstream.base, tmp, otlpBase);
    gateways.push(gateway);
    targets.push(target(name, gateway.child.proc.pid, gateway.url, gateway.authorization));
  }
  for (const t of targets) await sanityCheck(t);
  log(`started in ${((performance.now() - t0) / 1000).toFixed(1)} s; sanity checks passed`);

  const rows: Row[] = [];
  // Interleave targets within each concurrency so slow drift on the machine hits all of them alike.
  for (const c of CONCURRENCY) for (const t of targets) rows.push(await measure(t, "chat", c));
  if (STREAM_ON) for (const t of targets) rows.push(await measure(t, "stream", STREAM_C));

  // Any crash of a server mid-run shows up here rather than as a quiet drop in numbers.
  for (const t of targets) {
    const child = [...children].find((p) => p.pid === t.pid);
    if (!child || !running(child)) throw new Error(`${t.label} (pid ${t.pid}) exited during the run`);
  }

  // Stop the gateways gracefully (SIGTERM: they store queued spend rows and write their profiles), then read their ledgers.
  await Promise.all(gateways.map((g) => stopChild(g.child.proc)));
  const ledgers = await ledgerLines(gateways);
  let exportLine = "";
  if (otlpBase) {
    const stats = (await fetch(`${otlpBase}/stats`).then((r) => r.json())) as { exports: number; bytes: number };
    exportLine = `\n### Trace export\n\n- switchboard + tracing: ${stats.exports} OTLP exports, ${(stats.bytes / 1e6).toFixed(1)} MB of protobuf received by the collector for ${completed.get("traced") ?? 0} responses\n`;
  }

  const { text, pass } = verdicts(rows);
  const header = [
    "",
    `## Switchboard load benchmark`,
    "",
    `bun ${bunVersion} · ${cpus().length} cores · load generator: ${LOADGEN === "wrk" ? "wrk (1 thread)" : "built-in (test/bench/loadgen.ts)"} · ${WARMUP} s warm-up + ${LOADGEN === "wrk" ? Math.max(1, Math.round(SECONDS)) : SECONDS} s measured per row · non-streaming body ${CHAT_BODY.length} B · ${PIN ? `pinned: servers on core ${LAST_CORE}, upstream + load generator on the rest` : "no CPU pinning"}`,
    "",
    "CPU ms/req and peak RSS are for the serving process (for *direct*, the mock upstream itself); host CPU % is the whole machine during the measured window.",
    "*switchboard*: ledger on, no keys (no master key; one spend row per call, batched to SQLite), priced deployment. *switchboard + keys*: the same plus a master key and one virtual key with rpm/tpm/parallel limits and a strict budget. *switchboard, 3 deployments*: the first, with the model served by a group of three deployments (weighted shuffle). *switchboard + tracing*: the first, with OpenInference spans exported over OTLP/HTTP protobuf to a local collector.",
    "",
    "",
  ].join("\n");
  console.log(`${header}${table(rows)}\n\n### Targets\n\n${text}\n${ledgers ? `\n### Spend ledger\n\n${ledgers}\n` : ""}${exportLine}`);
  console.log(`_total bench time ${((performance.now() - t0) / 1000).toFixed(1)} s_`);

  if (process.env.BENCH_JSON) writeFileSync(process.env.BENCH_JSON, JSON.stringify({ loadgen: LOADGEN, seconds: SECONDS, rows }, null, 2));
  for (const g of gateways) if (g.profileDir) log(`${LABELS[g.name]} CPU profile written to ${g.profileDir}`);
  return process.env.BENCH_STRICT === "1" && !pass ? 1 : 0;
}

const RUNS_PER_TARGET = CONCURRENCY.length + (STREAM_ON ? 1 : 0);
const watchdog = setTimeout(
  () => {
    log("watchdog: the bench ran far longer than planned; stopping");
    void cleanup().then(() => process.exit(1));
  },
  (60 + RUNS_PER_TARGET * Math.max(1, TARGETS.length) * (SECONDS + WARMUP + 25)) * 1000,
);

let code = 1;
try {
  code = await main();
} catch (error) {
  if (!interrupted) log(`failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
} finally {
  clearTimeout(watchdog);
  await cleanup();
}
process.exit(interrupted ? 130 : code);
