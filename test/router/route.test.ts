/** `route()` on its own: fake attempts, a recording sleep and a fake clock, for the edge cases of choosing and retrying. */
import { describe, expect, test } from "bun:test";
import type { Resolved } from "../../src/router/models.ts";
import { route, type RouteRequest } from "../../src/router/route.ts";
import { Router } from "../../src/router/router.ts";
import { buildModelTable } from "../../src/router/models.ts";
import type { RouterConfig } from "../../src/config/schema.ts";
import { GatewayError } from "../../src/canonical/errors.ts";

/** Deployments of one group, from a real model table so they are built as the gateway builds them. */
function group(specs: { id: string; rpm?: number }[]): Resolved[] {
  const { table, problems } = buildModelTable(
    { settings: { mock_models: false, env_provider_models: false }, models: specs.map((s) => ({ model_name: "g", model: "openai/m", id: s.id, api_base: "http://127.0.0.1:9/v1", api_key: "k", ...(s.rpm !== undefined ? { rpm: s.rpm } : {}) })) },
    {},
  );
  expect(problems).toEqual([]);
  return [...(table.group("g") ?? [])];
}

function setup(config: RouterConfig = {}) {
  const waits: number[] = [];
  const clock = { now: 10_000_000 };
  const router = new Router({ config, now: () => clock.now, random: () => 0.5, sleep: async (ms) => void waits.push(ms) });
  return { router, waits, clock };
}

const request = (g: readonly Resolved[], cools = g.length > 1): RouteRequest => ({ model: "g", group: g, signal: new AbortController().signal, fallbackGroup: () => "none", cools: () => cools });
const fail = (status: number, retryAfter?: number) =>
  new GatewayError(status === 429 ? "provider.rate_limited" : "provider.server_error", `upstream ${status}`, { status, ...(retryAfter !== undefined ? { retryAfter } : {}) });

/** An attempt that answers from a script per deployment id (the last step repeats) and logs who was called. */
function scripted(steps: Record<string, (GatewayError | "ok")[]>) {
  const calls: string[] = [];
  const seen = new Map<string, number>();
  const attempt = async (r: Resolved) => {
    const id = r.deployment.id;
    calls.push(id);
    const n = seen.get(id) ?? 0;
    seen.set(id, n + 1);
    const list = steps[id] ?? ["ok"];
    const step = list[Math.min(n, list.length - 1)];
    if (step !== "ok") throw step;
    return id;
  };
  return { calls, attempt };
}

describe("route", () => {
  test("untried deployments at their rpm cap do not stop a retry on the one already tried", async () => {
    const { router } = setup({ strategy: "priority" });
    const g = group([{ id: "a" }, { id: "b", rpm: 1 }]);
    router.loads.start("b");
    router.loads.finish("b", { ok: true });
    const { calls, attempt } = scripted({ a: [fail(500), "ok"] });
    const routed = await route(router, request(g), attempt);
    expect(routed.value).toBe("a");
    expect(calls).toEqual(["a", "a"]);
  });

  test("a deployment's Retry-After never delays a retry on another deployment", async () => {
    const { router, waits } = setup({ strategy: "priority", allowed_fails: 5, num_retries: 2 });
    const g = group([{ id: "a" }, { id: "b" }]);
    const { calls, attempt } = scripted({ a: [fail(500), "ok"], b: [fail(429, 30)] });
    const routed = await route(router, request(g), attempt);
    expect(calls).toEqual(["a", "b", "a"]);
    expect(routed.value).toBe("a");
    // One backoff before trying a again, not b's 30 s.
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeLessThan(30_000);
  });

  test("retry_after_seconds (LiteLLM's retry_after) is the least wait before retrying the same deployment; another deployment is tried at once", async () => {
    const { router, waits } = setup({ strategy: "priority", allowed_fails: 5, num_retries: 3, retry_after_seconds: 4 });
    const g = group([{ id: "a" }, { id: "b" }]);
    const { calls, attempt } = scripted({ a: [fail(500), fail(500), "ok"], b: [fail(500)] });
    const routed = await route(router, request(g), attempt);
    expect(calls).toEqual(["a", "b", "a", "a"]);
    expect(routed.value).toBe("a");
    // No wait before b; before each retry of a, at least 4 s (the backoff alone would be well under 1 s).
    expect(waits).toEqual([4_000, 4_000]);
  });

  test("without retry_after_seconds, the same retries wait only the backoff", async () => {
    const { router, waits } = setup({ strategy: "priority", allowed_fails: 5, num_retries: 3 });
    const g = group([{ id: "a" }, { id: "b" }]);
    const { attempt } = scripted({ a: [fail(500), fail(500), "ok"], b: [fail(500)] });
    await route(router, request(g), attempt);
    expect(waits).toHaveLength(2);
    for (const wait of waits) expect(wait).toBeLessThan(1_000);
  });

  test("a lone deployment at its rpm cap is not called: 429 at once", async () => {
    const { router } = setup();
    const g = group([{ id: "solo", rpm: 1 }]);
    router.loads.start("solo");
    router.loads.finish("solo", { ok: true });
    const { calls, attempt } = scripted({});
    const error = await route(router, request(g), attempt).catch((e: unknown) => e as GatewayError);
    expect((error as GatewayError).status).toBe(429);
    expect(calls).toEqual([]);
  });

  test("a request that cannot be built is not an upstream attempt: no retry, no attempt counted", async () => {
    const { router } = setup();
    const g = group([{ id: "a" }, { id: "b" }]);
    const { calls, attempt } = scripted({ a: [new GatewayError("caller.invalid_request", "bad tool schema")], b: [new GatewayError("caller.invalid_request", "bad tool schema")] });
    const error = (await route(router, request(g), attempt).catch((e: unknown) => e)) as GatewayError;
    expect(error.code).toBe("caller.invalid_request");
    expect(calls).toHaveLength(1);
    expect(error.details.attempts).toEqual([]);
    expect(router.loads.coolingUntil(calls[0] as string)).toBeUndefined();
  });

  test("a lone deployment is retried after backoff but never cools down", async () => {
    const { router, waits } = setup({ allowed_fails: 0 });
    const g = group([{ id: "solo" }]);
    const { calls, attempt } = scripted({ solo: [fail(503), fail(503), "ok"] });
    await route(router, request(g), attempt);
    expect(calls).toEqual(["solo", "solo", "solo"]);
    expect(waits).toHaveLength(2);
    expect(router.loads.coolingUntil("solo")).toBeUndefined();
  });
});
