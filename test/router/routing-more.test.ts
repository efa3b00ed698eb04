/**
 * More of the router end to end: fallbacks never widen a key's reach, content-policy fallbacks,
 * Anthropic-style 529, stream idle timeouts, least-busy under parallel load, and `GET /health`
 * with readiness reporting cooldowns.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import OpenAI from "openai";
import type { GeneratedKeyJson } from "../../src/admin/responses.ts";
import type { Config } from "../../src/config/schema.ts";
import { Router } from "../../src/router/router.ts";
import { startAccountsGateway, TEST_MASTER_KEY, type AccountsGateway } from "../support/accounts.ts";
import { sseData, startGateway, type TestGateway } from "../support/build-test-app.ts";
import { apiFailure, UPSTREAM_KEY, useScriptedUpstream } from "../support/scripted-upstream.ts";
import { useTempDir } from "../support/temp-dir.ts";

const tmp = useTempDir("switchboard-router-");
const scripted = useScriptedUpstream();
const { deployment, order, track } = scripted;
const base = { settings: { mock_models: false, env_provider_models: false } } satisfies Config;
const ask = (model: string) => ({ model, messages: [{ role: "user" as const, content: "hi" }] });

async function gatewayFor(config: Config, router?: Router): Promise<TestGateway> {
  const gateway = await startGateway({ ...base, ...config }, router ? { router } : {});
  track(gateway);
  return gateway;
}

describe("fallbacks and keys", () => {
  let gateway: AccountsGateway;
  beforeAll(async () => {
    const dataDir = dirname(await tmp.file("marker", ""));
    gateway = await startAccountsGateway(
      { ...base, models: [deployment("primary", "k1"), deployment("backup", "k2")], router: { num_retries: 0, fallbacks: { primary: ["backup"] } } },
      { dataDir },
    );
    track(gateway);
  });
  const keyFor = async (models: string[]) => {
    const answer = await gateway.admin<GeneratedKeyJson>("POST", "/key/generate", { models });
    expect(answer.status).toBe(200);
    return new OpenAI({ baseURL: gateway.baseURL, apiKey: answer.body.key, maxRetries: 0 });
  };

  test("a fallback the key may not call is never reached", async () => {
    scripted.upstream.script("k1", [{ kind: "status", status: 502 }]);
    const client = await keyFor(["primary"]);
    const error = await apiFailure(client.chat.completions.create(ask("primary")));
    expect(error.status).toBe(502);
    expect(order()).toEqual(["k1"]);
  });

  test("a key that may call the fallback gets it", async () => {
    scripted.upstream.script("k1", [{ kind: "status", status: 502 }]);
    const client = await keyFor(["primary", "backup"]);
    const { data, response } = await client.chat.completions.create(ask("primary")).withResponse();
    expect(data.choices[0]?.message.content).toBe("Hello from k2");
    expect(response.headers.get("x-switchboard-fallback")).toBe("backup");
    expect(order()).toEqual(["k1", "k2"]);
  });
});

describe("failure kinds", () => {
  test("a content-filter refusal goes to content_policy_fallbacks", async () => {
    scripted.upstream.script("p1", [{ kind: "status", status: 400, body: { error: { message: "Your request was rejected by the safety system.", type: "invalid_request_error", param: null, code: "content_policy_violation" } } }]);
    const gateway = await gatewayFor({ models: [deployment("careful", "p1"), deployment("lenient", "p2")], router: { content_policy_fallbacks: { careful: ["lenient"] } } });
    const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: "unused", maxRetries: 0 });
    const answer = await client.chat.completions.create(ask("careful"));
    expect(answer.choices[0]?.message.content).toBe("Hello from p2");
    expect(order()).toEqual(["p1", "p2"]);
  });

  test("529 (overloaded) is retried on the other deployment", async () => {
    scripted.upstream.script("o1", [{ kind: "status", status: 529, body: { error: { message: "Overloaded", type: "overloaded_error", param: null, code: null } } }]);
    const gateway = await gatewayFor({ models: [deployment("busy", "o1", { order: 0 }), deployment("busy", "o2", { order: 1 })], router: { strategy: "priority" } });
    const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: "unused", maxRetries: 0 });
    const answer = await client.chat.completions.create(ask("busy"));
    expect(answer.choices[0]?.message.content).toBe("Hello from o2");
    expect(order()).toEqual(["o1", "o2"]);
  });
});

describe("timeouts", () => {
  test("a stream that goes quiet past stream_idle_timeout_seconds ends with an in-stream timeout; nothing is repeated", async () => {
    scripted.upstream.script("i1", [{ kind: "stall-after", chunks: 1 }]);
    const gateway = await gatewayFor({ models: [deployment("quiet", "i1", { stream_idle_timeout_seconds: 0.3 })] });
    const response = await fetch(`${gateway.baseURL}/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ...ask("quiet"), stream: true }) });
    expect(response.status).toBe(200);
    const frames = sseData(await response.text());
    expect(frames.at(-1)).toBe("[DONE]");
    const events = frames.slice(0, -1).map((d) => JSON.parse(d));
    const last = events.at(-1);
    expect(last.error).toMatchObject({ type: "timeout_error" });
    expect(last.error.message).toContain("sent nothing for 0.3 s");
    expect(events.slice(0, -1).map((e) => e.choices[0].delta.content ?? "").join("")).toBe("Hello");
    expect(order()).toEqual(["i1"]);
  });
});

describe("least-busy", () => {
  test("under parallel load, calls spread to the deployment with fewer in flight", async () => {
    // l1 holds every call 800 ms, l2 answers at once: least-busy must send nearly everything to l2.
    scripted.upstream.script("l1", [{ kind: "slow", ms: 800 }]);
    scripted.upstream.script("l2", [{ kind: "ok" }]);
    const gateway = await gatewayFor({ models: [deployment("spread", "l1"), deployment("spread", "l2")], router: { strategy: "least-busy" } });
    const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: "unused", maxRetries: 0 });
    await Promise.all(Array.from({ length: 12 }, async (_, i) => {
      await Bun.sleep(i * 40);
      await client.chat.completions.create(ask("spread"));
    }));
    const counts = { l1: order().filter((d) => d === "l1").length, l2: order().filter((d) => d === "l2").length };
    expect(counts.l1 + counts.l2).toBe(12);
    // l1 can win the first pick (a tie at zero) and, on a slow machine, one more tie; never more.
    expect(counts.l1).toBeLessThanOrEqual(2);
    expect(counts.l2).toBeGreaterThanOrEqual(10);
  });
});

describe("GET /health and readiness", () => {
  test("admin only; each deployment checked with a one-token call; failures cool the deployment and show in readiness", async () => {
    scripted.upstream.script("h1", [{ kind: "ok" }]);
    scripted.upstream.script("h2", [{ kind: "status", status: 500 }]);
    const clock = { now: 5_000_000 };
    const config: Config = { models: [deployment("checked", "h1"), deployment("checked", "h2"), { model_name: "fam/*", model: "openai/*", api_base: `${scripted.upstream.url}/h3/v1`, api_key: UPSTREAM_KEY }], router: { allowed_fails: 0, cooldown_seconds: 60 } };
    const router = new Router({ config: config.router ?? {}, now: () => clock.now });
    const gateway = await startGateway({ ...base, ...config }, { router, masterKey: TEST_MASTER_KEY });
    track(gateway);

    const anonymous = await fetch(`${gateway.origin}/health`);
    expect(anonymous.status).toBe(401);

    const answer = await fetch(`${gateway.origin}/health`, { headers: { authorization: `Bearer ${TEST_MASTER_KEY}` } });
    expect(answer.status).toBe(200);
    const report = (await answer.json()) as any;
    expect(report.healthy_count).toBe(1);
    expect(report.unhealthy_count).toBe(1);
    expect(report.healthy_endpoints[0]).toMatchObject({ model_id: "h1", model_name: "checked", model: "openai/h1-model" });
    expect(report.unhealthy_endpoints[0]).toMatchObject({ model_id: "h2", error_code: "provider.server_error" });
    expect(JSON.stringify(report)).not.toContain(UPSTREAM_KEY);
    expect(report.skipped).toEqual([{ model_id: "fam/*", model_name: "fam/*", reason: "a wildcard deployment has no single model to call" }]);
    expect(scripted.upstream.hits.map((h) => h.maxTokens)).toEqual([1, 1]);

    const readiness = (await (await fetch(`${gateway.origin}/health/readiness`)).json()) as any;
    expect(readiness.deployments_cooling).toEqual([{ model_id: "h2", until: new Date(clock.now + 60_000).toISOString() }]);

    // The cooled deployment is not called until it comes back.
    scripted.upstream.hits.length = 0;
    const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: TEST_MASTER_KEY, maxRetries: 0 });
    for (let i = 0; i < 4; i++) await client.chat.completions.create(ask("checked"));
    expect(new Set(order())).toEqual(new Set(["h1"]));
  });

  test("?model= checks only that model's deployments", async () => {
    const gateway = await startGateway({ ...base, models: [deployment("one", "m1"), deployment("two", "m2")] }, { masterKey: TEST_MASTER_KEY });
    track(gateway);
    const report = (await (await fetch(`${gateway.origin}/health?model=two`, { headers: { authorization: `Bearer ${TEST_MASTER_KEY}` } })).json()) as any;
    expect(report.healthy_endpoints.map((e: { model_id: string }) => e.model_id)).toEqual(["m2"]);
    expect(order()).toEqual(["m2"]);
  });
});

describe("strict budgets and fallbacks", () => {
  test("the reservation covers the dearest deployment a call can fall back to, and only those the key may reach", async () => {
    const dataDir = dirname(await tmp.file("budget-marker", ""));
    const price = (dollarsPerMillion: number) => ({ input: dollarsPerMillion, output: dollarsPerMillion, context_window: 100_000, max_output_tokens: 1_000 });
    const gateway = await startAccountsGateway(
      {
        ...base,
        models: [deployment("cheap", "b1", { price: price(1) }), deployment("dear", "b2", { price: price(1_000) })],
        router: { fallbacks: { cheap: ["dear"] } },
      },
      { dataDir: `${dataDir}/budget` },
    );
    track(gateway);
    const clientWith = async (models: string[]) => {
      const answer = await gateway.admin<GeneratedKeyJson>("POST", "/key/generate", { models, max_budget: 0.01 });
      expect(answer.status).toBe(200);
      return new OpenAI({ baseURL: gateway.baseURL, apiKey: answer.body.key, maxRetries: 0 });
    };
    const request = { ...ask("cheap"), max_tokens: 10 };
    // "dear" could serve this call at up to ~$0.1: more than the whole budget, so it is refused up front.
    const both = await clientWith(["cheap", "dear"]);
    const refused = await apiFailure(both.chat.completions.create(request));
    expect(refused.status).toBe(400);
    expect((refused.error as { type?: string }).type).toBe("budget_exceeded");
    expect(scripted.upstream.hits).toHaveLength(0);
    // A key that cannot reach "dear" only reserves for "cheap".
    const cheapOnly = await clientWith(["cheap"]);
    const answer = await cheapOnly.chat.completions.create(request);
    expect(answer.choices[0]?.message.content).toBe("Hello from b1");
  });
});

describe("tags, connect timeout and fallback order", () => {
  test("tagged deployments take requests with their tags; `default` takes the rest; an unserved tag is a 400", async () => {
    const gateway = await gatewayFor({
      models: [deployment("tiers", "t1", { tags: ["paid"] }), deployment("tiers", "t2", { tags: ["default", "free"] })],
    });
    const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: "unused", maxRetries: 0 });
    const tagged = (tags: string[]) => client.chat.completions.create({ ...ask("tiers"), metadata: { tags } } as never);
    for (let i = 0; i < 4; i++) await tagged(["paid"]);
    expect(new Set(order())).toEqual(new Set(["t1"]));
    scripted.upstream.hits.length = 0;
    for (let i = 0; i < 4; i++) await client.chat.completions.create(ask("tiers"));
    await tagged(["unknown-tier"]);
    expect(new Set(order())).toEqual(new Set(["t2"]));
    const onlyPaid = await gatewayFor({ models: [deployment("paid-only", "t3", { tags: ["paid"] })] });
    const refused = await apiFailure(new OpenAI({ baseURL: onlyPaid.baseURL, apiKey: "unused", maxRetries: 0 }).chat.completions.create({ ...ask("paid-only"), metadata: { tags: ["free"] } } as never));
    expect(refused.status).toBe(400);
    expect(refused.message).toContain("No deployment of 'paid-only' serves the tags");
  });

  test("connect_timeout_seconds bounds the wait for headers (then the call moves on), not a stream's slow first token", async () => {
    scripted.upstream.script("ct1", [{ kind: "slow", ms: 3_000 }]);
    const gateway = await gatewayFor({ models: [deployment("conn", "ct1", { order: 0, connect_timeout_seconds: 0.3 }), deployment("conn", "ct2", { order: 1 })], router: { strategy: "priority" } });
    const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: "unused", maxRetries: 0 });
    // Buffered: no headers within 0.3 s -> the next deployment.
    const answer = await client.chat.completions.create(ask("conn"));
    expect(answer.choices[0]?.message.content).toBe("Hello from ct2");
    expect(order()).toEqual(["ct1", "ct2"]);
    // Streamed: headers come at once, the first token after 0.6 s: not a connect problem.
    scripted.upstream.hits.length = 0;
    scripted.upstream.script("ct1", [{ kind: "slow", ms: 600, comment: true }]);
    const stream = await client.chat.completions.create({ ...ask("conn"), stream: true });
    let text = "";
    for await (const part of stream) text += part.choices[0]?.delta.content ?? "";
    expect(text).toBe("Hello from ct1");
    expect(order()).toEqual(["ct1"]);
  });

  test("fallbacks are tried in their configured order until one serves", async () => {
    scripted.upstream.script("fo1", [{ kind: "status", status: 500 }]);
    scripted.upstream.script("fo2", [{ kind: "status", status: 503 }]);
    const gateway = await gatewayFor({
      models: [deployment("first", "fo1"), deployment("second", "fo2"), deployment("third", "fo3")],
      router: { num_retries: 0, fallbacks: { first: ["second", "third"] } },
    });
    const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: "unused", maxRetries: 0 });
    const { data, response } = await client.chat.completions.create(ask("first")).withResponse();
    expect(data.choices[0]?.message.content).toBe("Hello from fo3");
    expect(order()).toEqual(["fo1", "fo2", "fo3"]);
    expect(response.headers.get("x-switchboard-fallback")).toBe("third");
    expect(response.headers.get("x-switchboard-attempts")).toBe("3");
  });
});
