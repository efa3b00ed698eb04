import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import type { CallRecord } from "../../src/telemetry/calls.ts";
import { Metrics } from "../../src/telemetry/metrics.ts";
import { startGateway, recordsSettled, type TestGateway } from "../support/build-test-app.ts";
import { startMockUpstream, type MockUpstream } from "../support/mock-upstream.ts";

/** `name{labels} value` lines of a scrape, by their name+labels text. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{.*\})?) (-?[0-9.e+-]+|\+Inf|NaN)$/.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    out.set(match[1] as string, Number(match[2]));
  }
  return out;
}

const base: CallRecord = { callId: "c", operation: "chat", model: "asked-for", stream: false, status: 200, outcome: "ok", startedAt: 0, durationMs: 120 };

describe("Metrics", () => {
  const metrics = () =>
    new Metrics({ groupOf: (id) => (id === "dep-1" ? 'gpt "quoted"' : undefined), deployments: () => ["dep-1", "dep-2"], cooling: () => [{ id: "dep-2" }], ledger: () => ({ queued: 7, failing: true }) });

  test("counters, cumulative histogram buckets and gauges in the text format; labels are configured names, escaped", () => {
    const m = metrics();
    m.onStart();
    m.onStart();
    m.onStart();
    m.onCall({ ...base, deploymentId: "dep-1", provider: "openai", ttftMs: 40, overheadMs: 0.8, usage: { input: 10, output: 5, cacheRead: 4 }, costNano: 1_500 });
    m.onCall({ ...base, status: 404, outcome: "error", durationMs: 2 });
    const text = m.render();
    const s = samples(text);
    expect(s.get('switchboard_requests_total{model="gpt \\"quoted\\"",provider="openai",operation="chat",status="200"}')).toBe(1);
    // No deployment (a 404 before routing): the requested name is never a label.
    expect(s.get('switchboard_requests_total{model="none",provider="none",operation="chat",status="404"}')).toBe(1);
    expect(text).not.toContain("asked-for");
    expect(s.get('switchboard_tokens_total{model="gpt \\"quoted\\"",provider="openai",kind="input"}')).toBe(10);
    expect(s.get('switchboard_tokens_total{model="gpt \\"quoted\\"",provider="openai",kind="cache_read"}')).toBe(4);
    expect(s.get('switchboard_spend_usd_total{model="gpt \\"quoted\\"",provider="openai"}')).toBe(0.0000015);
    const bucket = (le: string) => s.get(`switchboard_request_duration_seconds_bucket{model="gpt \\"quoted\\"",provider="openai",le="${le}"}`);
    expect(bucket("0.1")).toBe(0);
    expect(bucket("0.25")).toBe(1);
    expect(bucket("+Inf")).toBe(1);
    expect(s.get('switchboard_time_to_first_token_seconds_sum{model="gpt \\"quoted\\"",provider="openai"}')).toBe(0.04);
    expect(s.get('switchboard_gateway_overhead_seconds_count{model="gpt \\"quoted\\"",provider="openai"}')).toBe(1);
    expect(s.get("switchboard_requests_in_flight")).toBe(1);
    expect(s.get('switchboard_deployment_cooling{deployment="dep-1"}')).toBe(0);
    expect(s.get('switchboard_deployment_cooling{deployment="dep-2"}')).toBe(1);
    expect(s.get("switchboard_spend_ledger_queued_rows")).toBe(7);
    expect(s.get("switchboard_spend_ledger_failing")).toBe(1);
    expect(text).toContain("# TYPE switchboard_request_duration_seconds histogram");
  });

  test("failed attempts and fallbacks are counted by deployment and code, by the group asked for", () => {
    const m = metrics();
    m.onCall({ ...base, deploymentId: "dep-1", provider: "openai", fallbackFrom: "primary", failedAttempts: [{ deploymentId: "dep-2", model: "primary", code: "provider.server_error", status: 500 }] });
    const s = samples(m.render());
    expect(s.get('switchboard_upstream_failed_attempts_total{deployment="dep-2",code="provider.server_error"}')).toBe(1);
    expect(s.get('switchboard_fallbacks_total{model="primary"}')).toBe(1);
  });
});

describe("GET /metrics", () => {
  let upstream: MockUpstream;
  let gateway: TestGateway;
  beforeAll(async () => {
    upstream = await startMockUpstream();
    gateway = await startGateway(
      {
        settings: { mock_models: false, env_provider_models: false },
        models: [{ model_name: "gpt-test", model: "openai/ok", api_base: upstream.url, api_key: "sk-upstream-secret-1234", price: { input: 1, output: 2, context_window: 1000, max_output_tokens: 100 } }],
        router: { num_retries: 0 },
      },
      { metrics: true },
    );
  });
  afterAll(async () => {
    await gateway.stop();
    await upstream.stop();
  });

  test("a scrape after real calls: requests, tokens and spend by configured model; no keys, users or prompts anywhere", async () => {
    const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: "sk-client-secret-5678", maxRetries: 0 });
    await client.chat.completions.create({ model: "gpt-test", user: "alice@example.com", messages: [{ role: "user", content: "a very private prompt" }] });
    await client.chat.completions.create({ model: "no-such-model", messages: [{ role: "user", content: "hi" }] }).catch(() => {});
    await recordsSettled(gateway, 2);
    const response = await fetch(`${gateway.origin}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain; version=0.0.4");
    const text = await response.text();
    const s = samples(text);
    expect(s.get('switchboard_requests_total{model="gpt-test",provider="openai",operation="chat",status="200"}')).toBe(1);
    expect(s.get('switchboard_requests_total{model="none",provider="none",operation="chat",status="404"}')).toBe(1);
    expect(s.get('switchboard_tokens_total{model="gpt-test",provider="openai",kind="output"}')).toBeGreaterThan(0);
    expect(s.get('switchboard_spend_usd_total{model="gpt-test",provider="openai"}')).toBeGreaterThan(0);
    expect(s.get("switchboard_requests_in_flight")).toBe(0);
    for (const secret of ["sk-upstream-secret-1234", "sk-client-secret-5678", "alice@example.com", "a very private prompt", "no-such-model"]) expect(text).not.toContain(secret);
  });
});
