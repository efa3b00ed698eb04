/**
 * Built-in load generator, used by test/bench/run.ts when `wrk` is not installed (or with
 * BENCH_LOADGEN=bun). Runs in its own process so its event loop and GC stay out of the runner:
 *
 *   bun test/bench/loadgen.ts '{"url":"http://127.0.0.1:1234/v1/chat/completions","authorization":"Bearer sk-…","body":"{…}","concurrency":16,"seconds":5}'
 *
 * N workers each loop "POST, read the whole body, record the latency" over keep-alive connections
 * (Bun's fetch pools them per host) until the duration is up; requests in flight at the deadline
 * are finished and counted. Prints one JSON line (a LoadResult) on stdout.
 */

export interface LoadSpec {
  url: string;
  /** The Authorization header value; `Bearer sk-bench` when absent (targets that do not check it). */
  authorization?: string;
  body: string;
  concurrency: number;
  seconds: number;
  /** Streaming: a response counts as ok only when it ends with `[DONE]`. */
  stream?: boolean;
}

export interface LoadResult {
  requests: number;
  errors: number;
  elapsedS: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  firstError?: string;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
}

export async function runLoad(spec: LoadSpec): Promise<LoadResult> {
  const headers = { "content-type": "application/json", authorization: spec.authorization ?? "Bearer sk-bench" };
  let latencies = new Float64Array(1 << 16);
  let count = 0;
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const deadline = started + spec.seconds * 1000;

  const record = (ms: number) => {
    if (count === latencies.length) {
      const grown = new Float64Array(latencies.length * 2);
      grown.set(latencies);
      latencies = grown;
    }
    latencies[count++] = ms;
  };

  const worker = async () => {
    while (performance.now() < deadline) {
      const t0 = performance.now();
      try {
        const response = await fetch(spec.url, { method: "POST", headers, body: spec.body });
        const text = await response.text();
        const ms = performance.now() - t0;
        if (response.status !== 200 || (spec.stream && !text.includes("[DONE]"))) {
          errors++;
          firstError ??= `HTTP ${response.status}: ${text.slice(0, 200)}`;
        } else {
          record(ms);
        }
      } catch (error) {
        errors++;
        firstError ??= error instanceof Error ? error.message : String(error);
        await Bun.sleep(5);
      }
    }
  };

  await Promise.all(Array.from({ length: spec.concurrency }, worker));
  const elapsedS = (performance.now() - started) / 1000;
  const sorted = latencies.subarray(0, count).sort();
  let sum = 0;
  for (let i = 0; i < count; i++) sum += sorted[i] as number;
  return {
    requests: count,
    errors,
    elapsedS,
    rps: count / elapsedS,
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    meanMs: count ? sum / count : Number.NaN,
    ...(firstError ? { firstError } : {}),
  };
}

if (import.meta.main) {
  const spec = JSON.parse(process.argv[2] ?? "{}") as LoadSpec;
  if (!spec.url || !(spec.concurrency > 0) || !(spec.seconds > 0)) {
    console.error("usage: bun test/bench/loadgen.ts '{\"url\":…,\"body\":…,\"concurrency\":N,\"seconds\":S}'");
    process.exit(2);
  }
  console.log(JSON.stringify(await runLoad(spec)));
  process.exit(0);
}
