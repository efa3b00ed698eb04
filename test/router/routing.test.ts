/**
 * The router end to end: the official OpenAI SDK (its own retries off) against a gateway whose
 * deployments are paths of one scripted upstream. Waits go through a recording sleep, so backoff
 * and Retry-After are asserted without waiting; cooldowns use a fake clock.
 */
import { describe, expect, test } from "bun:test";
import OpenAI from "openai";
import type { Config } from "../../src/config/schema.ts";
import { Router } from "../../src/router/router.ts";
import { sseData, startGateway, type TestGateway } from "../support/build-test-app.ts";
import { apiFailure, useScriptedUpstream } from "../support/scripted-upstream.ts";

const scripted = useScriptedUpstream();
const { deployment, order, track } = scripted;

interface Harness {
  gateway: TestGateway;
  client: OpenAI;
  waits: number[];
  clock: { now: number };
}

async function harness(config: Config): Promise<Harness> {
  const waits: number[] = [];
  const clock = { now: 1_000_000 };
  const router = new Router({
    ...(config.router ? { config: config.router } : {}),
    now: () => clock.now,
    random: () => 0.5,
    sleep: async (ms) => {
      waits.push(ms);
    },
  });
  const gateway = await startGateway({ settings: { mock_models: false, env_provider_models: false }, ...config }, { router });
  track(gateway);
  return { gateway, client: new OpenAI({ baseURL: gateway.baseURL, apiKey: "unused", maxRetries: 0 }), waits, clock };
}

const ask = (model: string) => ({ model, messages: [{ role: "user" as const, content: "hi" }] });


describe("retries", () => {
  test("a 500 is retried on the group's other deployment at once; headers say where and how many attempts", async () => {
    scripted.upstream.script("r1a", [{ kind: "status", status: 500 }]);
    scripted.upstream.script("r1b", [{ kind: "ok" }]);
    const { client, waits } = await harness({
      models: [deployment("g1", "r1a", { order: 0 }), deployment("g1", "r1b", { order: 1 })],
      router: { strategy: "priority" },
    });
    const { data, response } = await client.chat.completions.create(ask("g1")).withResponse();
    expect(data.choices[0]?.message.content).toBe("Hello from r1b");
    expect(order()).toEqual(["r1a", "r1b"]);
    expect(response.headers.get("x-switchboard-model-id")).toBe("r1b");
    expect(response.headers.get("x-switchboard-attempts")).toBe("2");
    expect(response.headers.get("x-switchboard-fallback")).toBeNull();
    // A different deployment needs no backoff.
    expect(waits).toEqual([]);
  });

  test("a lone deployment's 429 is retried after its Retry-After", async () => {
    scripted.upstream.script("r2", [{ kind: "status", status: 429, headers: { "retry-after": "3" }, body: { error: { message: "slow down", type: "rate_limit_error", param: null, code: "rate_limit_exceeded" } } }, { kind: "ok" }]);
    const { client, waits } = await harness({ models: [deployment("g2", "r2")] });
    const answer = await client.chat.completions.create(ask("g2"));
    expect(answer.choices[0]?.message.content).toBe("Hello from r2");
    expect(order()).toEqual(["r2", "r2"]);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(3_000);
  });

  test("exponential backoff between attempts on the same deployment, then the last error with every attempt named", async () => {
    scripted.upstream.script("r3", [{ kind: "status", status: 503 }]);
    const { client, waits } = await harness({ models: [deployment("g3", "r3")], router: { num_retries: 3 } });
    const error = await apiFailure(client.chat.completions.create(ask("g3")));
    expect(error.status).toBe(503);
    expect(order()).toEqual(["r3", "r3", "r3", "r3"]);
    expect(waits).toHaveLength(3);
    // Full jitter in [cap/2, cap] with random() = 0.5: 3/4 of 250, 500, 1000 ms.
    expect(waits).toEqual([187.5, 375, 750]);
    expect(error.message).toContain("4 attempts");
    expect(error.message).toContain("r3 (g3): 503");
    expect(error.headers?.get("x-switchboard-attempts")).toBe("4");
  });

  test.each([400, 401, 403, 404, 413, 422])("%i is never retried", async (code) => {
    scripted.upstream.script(`n${code}`, [{ kind: "status", status: code }]);
    const { client } = await harness({ models: [deployment(`gn${code}`, `n${code}`), deployment(`gn${code}`, `n${code}b`)] });
    const error = await apiFailure(client.chat.completions.create(ask(`gn${code}`)));
    expect(error.status).toBe(code);
    expect(scripted.upstream.hits).toHaveLength(1);
  });
});

describe("streams", () => {
  test("a stream that breaks before its first byte is retried elsewhere; the client sees one clean answer", async () => {
    scripted.upstream.script("s1a", [{ kind: "reset-before-first-byte" }]);
    scripted.upstream.script("s1b", [{ kind: "ok" }]);
    const { client } = await harness({ models: [deployment("gs1", "s1a", { order: 0 }), deployment("gs1", "s1b", { order: 1 })], router: { strategy: "priority" } });
    const stream = await client.chat.completions.create({ ...ask("gs1"), stream: true });
    let text = "";
    for await (const part of stream) text += part.choices[0]?.delta.content ?? "";
    expect(text).toBe("Hello from s1b");
    expect(order()).toEqual(["s1a", "s1b"]);
  });

  test("a stream whose first event is an error is retried elsewhere; the error never reaches the client", async () => {
    scripted.upstream.script("s4a", [{ kind: "error-event", error: { message: "The server is overloaded", type: "server_error", code: 503 } }]);
    const { client } = await harness({ models: [deployment("gs4", "s4a", { order: 0 }), deployment("gs4", "s4b", { order: 1 })], router: { strategy: "priority" } });
    const stream = await client.chat.completions.create({ ...ask("gs4"), stream: true });
    let text = "";
    for await (const part of stream) text += part.choices[0]?.delta.content ?? "";
    expect(text).toBe("Hello from s4b");
    expect(order()).toEqual(["s4a", "s4b"]);
  });

  test("after the first byte a broken stream is not retried: an in-stream error, no duplicated content", async () => {
    scripted.upstream.script("s2a", [{ kind: "die-after", chunks: 2 }]);
    const { gateway } = await harness({ models: [deployment("gs2", "s2a", { order: 0 }), deployment("gs2", "s2b", { order: 1 })], router: { strategy: "priority" } });
    const response = await fetch(`${gateway.baseURL}/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ ...ask("gs2"), stream: true }) });
    expect(response.status).toBe(200);
    const frames = sseData(await response.text());
    expect(frames.at(-1)).toBe("[DONE]");
    const events = frames.slice(0, -1).map((d) => JSON.parse(d));
    expect(events.at(-1).error).toMatchObject({ code: "unreachable" });
    expect(events.slice(0, -1).map((e) => e.choices[0].delta.content ?? "").join("")).toBe("Hello from");
    expect(order()).toEqual(["s2a"]);
  });

  test("a first byte slower than first_byte_timeout_seconds moves the stream to another deployment", async () => {
    scripted.upstream.script("s3a", [{ kind: "slow", ms: 3_000 }]);
    const { client } = await harness({
      models: [deployment("gs3", "s3a", { order: 0, first_byte_timeout_seconds: 0.3 }), deployment("gs3", "s3b", { order: 1 })],
      router: { strategy: "priority" },
    });
    const stream = await client.chat.completions.create({ ...ask("gs3"), stream: true });
    let text = "";
    for await (const part of stream) text += part.choices[0]?.delta.content ?? "";
    expect(text).toBe("Hello from s3b");
    expect(order()).toEqual(["s3a", "s3b"]);
  });
});

describe("cooldowns", () => {
  test("a deployment that failed allowed_fails times sits out, comes back after cooldown_seconds; all cooling -> 429 with Retry-After", async () => {
    scripted.upstream.script("c1a", [{ kind: "status", status: 500 }, { kind: "ok" }]);
    scripted.upstream.script("c1b", [{ kind: "status", status: 500 }, { kind: "ok" }]);
    const { client, clock } = await harness({
      models: [deployment("gc", "c1a", { order: 0 }), deployment("gc", "c1b", { order: 1 })],
      router: { strategy: "priority", allowed_fails: 1, cooldown_seconds: 30, num_retries: 1 },
    });
    // Both fail once: both cool down.
    const first = await apiFailure(client.chat.completions.create(ask("gc")));
    expect(first.status).toBe(500);
    expect(order()).toEqual(["c1a", "c1b"]);
    // Every deployment cooling: 429 at once, without calling anyone, saying when to come back.
    const cooling = await apiFailure(client.chat.completions.create(ask("gc")));
    expect(cooling.status).toBe(429);
    expect(cooling.headers?.get("retry-after")).toBe("30");
    expect(cooling.message).toContain("cooling down");
    expect(scripted.upstream.hits).toHaveLength(2);
    // They come back by themselves.
    clock.now += 30_000;
    const answer = await client.chat.completions.create(ask("gc"));
    expect(answer.choices[0]?.message.content).toBe("Hello from c1a");
  });

  test("a 429 cools a deployment at once for its Retry-After; calls go to the other one", async () => {
    scripted.upstream.script("c2a", [{ kind: "status", status: 429, headers: { "retry-after": "10" } }, { kind: "ok" }]);
    const { client, clock } = await harness({
      models: [deployment("gc2", "c2a", { order: 0 }), deployment("gc2", "c2b", { order: 1 })],
      router: { strategy: "priority", cooldown_seconds: 1 },
    });
    await client.chat.completions.create(ask("gc2"));
    await client.chat.completions.create(ask("gc2"));
    expect(order()).toEqual(["c2a", "c2b", "c2b"]);
    clock.now += 10_000;
    await client.chat.completions.create(ask("gc2"));
    expect(order().at(-1)).toBe("c2a");
  });
});

describe("fallbacks", () => {
  test("when a group is exhausted the fallback serves, and says so", async () => {
    scripted.upstream.script("f1", [{ kind: "status", status: 502 }]);
    const { client } = await harness({
      models: [deployment("primary", "f1"), deployment("backup", "f2")],
      router: { num_retries: 0, fallbacks: { primary: ["backup"] } },
    });
    const { data, response } = await client.chat.completions.create(ask("primary")).withResponse();
    expect(data.choices[0]?.message.content).toBe("Hello from f2");
    expect(order()).toEqual(["f1", "f2"]);
    expect(response.headers.get("x-switchboard-fallback")).toBe("backup");
    expect(response.headers.get("x-switchboard-attempts")).toBe("2");
  });

  test("a context-window error goes to context_window_fallbacks, not the general list", async () => {
    scripted.upstream.script("f3", [{ kind: "status", status: 400, body: { error: { message: "This model's maximum context length is 8192 tokens.", type: "invalid_request_error", param: "messages", code: "context_length_exceeded" } } }]);
    const { client } = await harness({
      models: [deployment("small", "f3"), deployment("big", "f4"), deployment("other", "f5")],
      router: { fallbacks: { small: ["other"] }, context_window_fallbacks: { small: ["big"] } },
    });
    const answer = await client.chat.completions.create(ask("small"));
    expect(answer.choices[0]?.message.content).toBe("Hello from f4");
    expect(order()).toEqual(["f3", "f4"]);
  });

  test("a 400 that is the caller's fault falls back nowhere", async () => {
    scripted.upstream.script("f6", [{ kind: "status", status: 400 }]);
    const { client } = await harness({ models: [deployment("strict", "f6"), deployment("spare", "f7")], router: { fallbacks: { strict: ["spare"] } } });
    const error = await apiFailure(client.chat.completions.create(ask("strict")));
    expect(error.status).toBe(400);
    expect(order()).toEqual(["f6"]);
  });
});
