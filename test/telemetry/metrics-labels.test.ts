/**
 * What /metrics and the overhead header say about failing and retried calls: the provider label is
 * the provider id on every series, an upstream 529 is counted as 529, and the gateway-overhead header
 * leaves out the upstream's time and the router's backoff, as the README documents.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { Server } from "bun";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { startGateway, recordsSettled, type TestGateway } from "../support/build-test-app.ts";
import { useScriptedUpstream } from "../support/scripted-upstream.ts";

/** An Anthropic-wire upstream that answers every /v1/messages with the status and error type set next. */
let anthropicAnswer: { status: number; type: string } = { status: 500, type: "api_error" };
let anthropic: Server<unknown>;
const scripted = useScriptedUpstream();
let gateway: TestGateway;

/** The sample lines of a scrape whose name starts with `name`. */
async function series(name: string): Promise<string[]> {
  const text = await (await fetch(`${gateway.origin}/metrics`)).text();
  return text.split("\n").filter((line) => line.startsWith(name));
}

/** How long the slow upstream sleeps before answering (or before a stream's first event). */
const UPSTREAM_SLEEP_MS = 300;

beforeAll(async () => {
  anthropic = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: () => Response.json({ type: "error", error: { type: anthropicAnswer.type, message: `scripted ${anthropicAnswer.status}` } }, { status: anthropicAnswer.status }),
  });
  gateway = scripted.track(
    await startGateway(
      {
        settings: { mock_models: false, env_provider_models: false },
        models: [
          { model_name: "claude", model: "anthropic/claude-test", api_base: `http://127.0.0.1:${anthropic.port}/v1`, api_key: "sk-ant-upstream" },
          scripted.deployment("overloaded", "overloaded"),
          scripted.deployment("flaky", "flaky"),
          scripted.deployment("slow", "slow"),
        ],
        router: { num_retries: 1 },
      },
      { metrics: true },
    ),
  );
});
afterAll(() => anthropic.stop(true));

describe("/metrics labels of failed calls", () => {
  test("a failing call's series carry the provider id (anthropic), never its display name", async () => {
    anthropicAnswer = { status: 500, type: "api_error" };
    const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: "x", maxRetries: 0 });
    const failure = await client.chat.completions.create({ model: "claude", messages: [{ role: "user", content: "hi" }] }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(OpenAI.APIError);
    await recordsSettled(gateway, 1);
    const requests = await series("switchboard_requests_total{");
    expect(requests).toContain('switchboard_requests_total{model="claude",provider="anthropic",operation="chat",status="500"} 1');
    const text = await (await fetch(`${gateway.origin}/metrics`)).text();
    expect(text).not.toContain('provider="Anthropic"');
  });

  test("an upstream 529 is counted as 529 (Anthropic and OpenAI-wire upstreams); clients still get their dialect's status", async () => {
    const before = gateway.records.length;
    anthropicAnswer = { status: 529, type: "overloaded_error" };
    const viaAnthropic = new Anthropic({ baseURL: gateway.origin, apiKey: "x", maxRetries: 0 });
    const anthropicFailure = await viaAnthropic.messages.create({ model: "claude", max_tokens: 10, messages: [{ role: "user", content: "hi" }] }).catch((error: unknown) => error);
    expect((anthropicFailure as { status?: number }).status).toBe(529);

    scripted.upstream.script("overloaded", [{ kind: "status", status: 529, body: { error: { message: "overloaded", type: "overloaded_error" } } }]);
    const viaOpenAI = new OpenAI({ baseURL: gateway.baseURL, apiKey: "x", maxRetries: 0 });
    const openaiFailure = await viaOpenAI.chat.completions.create({ model: "overloaded", messages: [{ role: "user", content: "hi" }] }).catch((error: unknown) => error);
    // OpenAI-format clients do not know 529: they get 503, as before.
    expect((openaiFailure as { status?: number }).status).toBe(503);

    await recordsSettled(gateway, before + 2);
    const requests = await series("switchboard_requests_total{");
    expect(requests).toContain('switchboard_requests_total{model="claude",provider="anthropic",operation="chat",status="529"} 1');
    expect(requests).toContain('switchboard_requests_total{model="overloaded",provider="openai",operation="chat",status="529"} 1');
    expect(requests.some((line) => line.includes('status="503"'))).toBe(false);
  });
});

describe("x-switchboard-overhead-duration-ms", () => {
  test("a call retried after a 500 and a 1 s backoff: the overhead leaves out both attempts' upstream time and the backoff", async () => {
    // Retry-After: 1 makes the router wait a whole second before trying the same deployment again.
    scripted.upstream.script("flaky", [{ kind: "status", status: 500, headers: { "retry-after": "1" } }, { kind: "slow", ms: UPSTREAM_SLEEP_MS }]);
    const started = performance.now();
    const response = await fetch(`${gateway.baseURL}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "flaky", messages: [{ role: "user", content: "hi" }] }),
    });
    const elapsed = performance.now() - started;
    expect(response.status).toBe(200);
    expect(response.headers.get("x-switchboard-attempts")).toBe("2");
    const overhead = Number(response.headers.get("x-switchboard-overhead-duration-ms"));
    // The call took the backoff, the failed attempt and the upstream's sleep…
    expect(elapsed).toBeGreaterThan(1_000 + UPSTREAM_SLEEP_MS);
    // …none of which is the gateway's own time.
    expect(overhead).toBeGreaterThanOrEqual(0);
    expect(overhead).toBeLessThan(UPSTREAM_SLEEP_MS);
  });

  test("a stream whose first event is slow: the wait for it is upstream time, not overhead", async () => {
    scripted.upstream.script("slow", [{ kind: "slow", ms: UPSTREAM_SLEEP_MS, comment: true }]);
    const started = performance.now();
    const response = await fetch(`${gateway.baseURL}/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "slow", stream: true, messages: [{ role: "user", content: "hi" }] }),
    });
    expect(response.status).toBe(200);
    await response.text();
    expect(performance.now() - started).toBeGreaterThan(UPSTREAM_SLEEP_MS);
    const overhead = Number(response.headers.get("x-switchboard-overhead-duration-ms"));
    expect(overhead).toBeGreaterThanOrEqual(0);
    expect(overhead).toBeLessThan(UPSTREAM_SLEEP_MS);
  });
});
