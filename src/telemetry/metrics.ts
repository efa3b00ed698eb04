/**
 * Prometheus metrics, kept in memory and rendered on scrape (`GET /metrics`, text format 0.0.4).
 * Per call this is a handful of map updates on the request's tail; label values are only ever
 * configured names (model groups, deployments, providers), status codes and fixed sets, never keys,
 * users or anything a client can make up, so the series count stays bounded.
 */
import type { CallObserver, CallRecord } from "./calls.ts";

/** Histogram bucket upper bounds, seconds: from a fast overhead to a long generation. */
const SECONDS_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

const TOKEN_KINDS = ["input", "output", "cache_read", "cache_write", "reasoning"] as const;

/** Label values of one series, in the metric's label order. */
type LabelValues = readonly string[];

/** A counter (or a gauge set on scrape) per label set. */
class Family {
  readonly series = new Map<string, { labels: LabelValues; value: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: "counter" | "gauge",
    readonly labelNames: readonly string[],
  ) {}

  add(labels: LabelValues, value: number): void {
    const key = labels.join("\u0000");
    const entry = this.series.get(key);
    if (entry) entry.value += value;
    else this.series.set(key, { labels, value });
  }

  render(out: string[], format: (value: number) => string = String): void {
    out.push(`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`);
    for (const { labels, value } of this.series.values()) out.push(`${this.name}${labelText(this.labelNames, labels)} ${format(value)}`);
  }
}

class Histogram {
  private readonly series = new Map<string, { labels: LabelValues; counts: number[]; sum: number; count: number }>();

  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
  ) {}

  observe(labels: LabelValues, seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0) return;
    const key = labels.join("\u0000");
    let entry = this.series.get(key);
    if (!entry) this.series.set(key, (entry = { labels, counts: new Array<number>(SECONDS_BUCKETS.length).fill(0), sum: 0, count: 0 }));
    // Stored per bucket, made cumulative when rendered.
    const bucket = SECONDS_BUCKETS.findIndex((bound) => seconds <= bound);
    if (bucket >= 0) (entry.counts[bucket] as number)++;
    entry.sum += seconds;
    entry.count++;
  }

  render(out: string[]): void {
    out.push(`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`);
    for (const { labels, counts, sum, count } of this.series.values()) {
      let cumulative = 0;
      SECONDS_BUCKETS.forEach((bound, i) => {
        cumulative += counts[i] as number;
        out.push(`${this.name}_bucket${labelText([...this.labelNames, "le"], [...labels, String(bound)])} ${cumulative}`);
      });
      out.push(`${this.name}_bucket${labelText([...this.labelNames, "le"], [...labels, "+Inf"])} ${count}`);
      out.push(`${this.name}_sum${labelText(this.labelNames, labels)} ${sum}`);
      out.push(`${this.name}_count${labelText(this.labelNames, labels)} ${count}`);
    }
  }
}

/** `{a="x",b="y"}` with Prometheus escaping (backslash, quote, newline). */
function labelText(names: readonly string[], values: LabelValues): string {
  if (names.length === 0) return "";
  const pairs = names.map((name, i) => `${name}="${(values[i] ?? "").replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`);
  return `{${pairs.join(",")}}`;
}

/** Exact US dollars from integer nano-dollars, as Prometheus reads floats. */
const usd = (nano: number) => String(nano / 1e9);

/** What the scrape reads from the rest of the gateway at that moment. */
export interface MetricsSources {
  /** The configured model group a deployment belongs to (its `model_name`), for the `model` label. */
  groupOf(deploymentId: string): string | undefined;
  /** Every deployment id, and those cooling down now. */
  deployments(): readonly string[];
  cooling(): readonly { id: string }[];
  /** The spend ledger's queue, when there is a store. */
  ledger?(): { queued: number; failing: boolean };
  /** The trace export queue, when tracing is on. */
  tracing?(): { queued: number; exported: number; dropped: number };
}

/** The gateway's metrics: a call observer that counts, and the scrape that renders. */
export class Metrics implements CallObserver {
  private readonly requests = new Family("switchboard_requests_total", "Calls by model group, provider, operation and HTTP status.", "counter", ["model", "provider", "operation", "status"]);
  private readonly tokens = new Family("switchboard_tokens_total", "Tokens by model group, provider and kind (input counts every prompt token, cache reads and writes included; those are also counted apart).", "counter", ["model", "provider", "kind"]);
  private readonly spend = new Family("switchboard_spend_usd_total", "Spend in US dollars by model group and provider, from the same prices as the ledger.", "counter", ["model", "provider"]);
  private readonly attempts = new Family("switchboard_upstream_failed_attempts_total", "Upstream attempts that failed (retried or not), by deployment and error code.", "counter", ["deployment", "code"]);
  private readonly fallbacks = new Family("switchboard_fallbacks_total", "Calls served by a fallback model group, by the group asked for.", "counter", ["model"]);
  private readonly latency = new Histogram("switchboard_request_duration_seconds", "Whole call, from the request to the last byte.", ["model", "provider"]);
  private readonly ttft = new Histogram("switchboard_time_to_first_token_seconds", "From the request to the upstream's first event (or whole answer).", ["model", "provider"]);
  private readonly overhead = new Histogram("switchboard_gateway_overhead_seconds", "Time spent in the gateway around the upstream call.", ["model", "provider"]);
  private started = 0;
  private finished = 0;

  constructor(private readonly sources: MetricsSources) {}

  onStart(): void {
    this.started++;
  }

  onCall(record: CallRecord): void {
    this.finished++;
    const model = (record.deploymentId !== undefined ? this.sources.groupOf(record.deploymentId) : undefined) ?? "none";
    const provider = record.provider ?? "none";
    this.requests.add([model, provider, record.operation, String(record.status)], 1);
    const pair = [model, provider] as const;
    this.latency.observe(pair, record.durationMs / 1000);
    if (record.ttftMs !== undefined) this.ttft.observe(pair, record.ttftMs / 1000);
    if (record.overheadMs !== undefined) this.overhead.observe(pair, record.overheadMs / 1000);
    const usage = record.usage;
    if (usage) {
      const counts = [usage.input, usage.output, usage.cacheRead ?? 0, usage.cacheWrite ?? 0, usage.reasoning ?? 0];
      TOKEN_KINDS.forEach((kind, i) => {
        const n = counts[i] as number;
        if (n > 0) this.tokens.add([model, provider, kind], n);
      });
    }
    if (record.costNano !== undefined && record.costNano > 0) this.spend.add(pair, record.costNano);
    for (const failed of record.failedAttempts ?? []) this.attempts.add([failed.deploymentId, failed.code], 1);
    if (record.fallbackFrom !== undefined) this.fallbacks.add([record.fallbackFrom], 1);
  }

  /** The text a Prometheus scrape gets. */
  render(): string {
    const out: string[] = [];
    this.requests.render(out);
    this.latency.render(out);
    this.ttft.render(out);
    this.overhead.render(out);
    this.tokens.render(out);
    this.spend.render(out, usd);
    this.attempts.render(out);
    this.fallbacks.render(out);
    const inFlight = new Family("switchboard_requests_in_flight", "Proxied calls started and not yet recorded.", "gauge", []);
    inFlight.add([], Math.max(0, this.started - this.finished));
    inFlight.render(out);
    const cooling = new Set(this.sources.cooling().map((c) => c.id));
    const cooldown = new Family("switchboard_deployment_cooling", "1 while the router has taken a deployment out after failures.", "gauge", ["deployment"]);
    for (const id of this.sources.deployments()) cooldown.add([id], cooling.has(id) ? 1 : 0);
    cooldown.render(out);
    const ledger = this.sources.ledger?.();
    if (ledger) {
      const queued = new Family("switchboard_spend_ledger_queued_rows", "Spend rows waiting to be written.", "gauge", []);
      queued.add([], ledger.queued);
      queued.render(out);
      const failing = new Family("switchboard_spend_ledger_failing", "1 while the ledger's database is failing (rows are kept and retried).", "gauge", []);
      failing.add([], ledger.failing ? 1 : 0);
      failing.render(out);
    }
    const traces = this.sources.tracing?.();
    if (traces) {
      const exported = new Family("switchboard_trace_spans_exported_total", "Spans the collector took.", "counter", []);
      exported.add([], traces.exported);
      exported.render(out);
      const dropped = new Family("switchboard_trace_export_dropped_total", "Calls whose trace was dropped: queue full, or spans the collector refused or never took.", "counter", []);
      dropped.add([], traces.dropped);
      dropped.render(out);
      const queued = new Family("switchboard_trace_queued_calls", "Calls waiting for their trace to be exported.", "gauge", []);
      queued.add([], traces.queued);
      queued.render(out);
    }
    return `${out.join("\n")}\n`;
  }
}
