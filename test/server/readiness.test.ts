/**
 * Readiness in LiteLLM's words and with Switchboard's own fields: `/health/readiness` (anyone),
 * `/health/readiness/details` (any authenticated caller), `/health/liveness`; none of them calls an
 * upstream, which stays `GET /health`'s job.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import type { GeneratedKeyJson } from "../../src/admin/responses.ts";
import { VERSION } from "../../src/version.ts";
import { startAccountsGateway, type AccountsGateway } from "../support/accounts.ts";
import { startMockUpstream, type MockUpstream } from "../support/mock-upstream.ts";
import { useTempDir } from "../support/temp-dir.ts";

const tmp = useTempDir("switchboard-readiness-");
let upstream: MockUpstream;
let gateway: AccountsGateway;

beforeAll(async () => {
  upstream = await startMockUpstream();
  const dataDir = dirname(await tmp.file("marker", ""));
  gateway = await startAccountsGateway({ models: [{ model_name: "up", model: "openai/ok", api_base: upstream.url, api_key: "sk-upstream" }] }, { dataDir });
});
afterAll(async () => {
  await gateway?.stop();
  await upstream?.stop();
});

describe("/health/readiness", () => {
  test("anyone may ask; with a store it says connected, as LiteLLM does, with the licence field and Switchboard's own fields; no upstream is called", async () => {
    const before = upstream.requests.length;
    const response = await fetch(`${gateway.origin}/health/readiness`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/json");
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ status: "connected", db: "connected", license: { has_license: false }, version: VERSION, deployments_cooling: [], store: { kind: "sqlite" }, spend_ledger: { failing: false } });
    expect(upstream.requests.length).toBe(before);
  });

  test("the details need a key: version under LiteLLM's name, no cache, the exporters; still no upstream call", async () => {
    const before = upstream.requests.length;
    expect((await fetch(`${gateway.origin}/health/readiness/details`)).status).toBe(401);
    const answer = await gateway.admin<Record<string, unknown>>("GET", "/health/readiness/details");
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ status: "connected", db: "connected", litellm_version: VERSION, cache: null, success_callbacks: [], store: { kind: "sqlite" } });
    const key = (await gateway.admin<GeneratedKeyJson>("POST", "/key/generate", {})).body.key;
    expect((await gateway.admin("GET", "/health/readiness/details", undefined, key)).status).toBe(200);
    expect(upstream.requests.length).toBe(before);
  });

  test("liveness answers JSON under both LiteLLM names", async () => {
    for (const path of ["/health/liveness", "/health/liveliness"]) {
      const response = await fetch(`${gateway.origin}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toContain("application/json");
      expect(await response.json()).toEqual({ status: "alive" });
    }
  });

  test("GET /health probes every deployment and counts them as LiteLLM does", async () => {
    const before = upstream.requests.length;
    const answer = await gateway.admin<{ healthy_count: number; unhealthy_count: number; healthy_endpoints: { model_name: string }[] }>("GET", "/health?model=up");
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ healthy_count: 1, unhealthy_count: 0, healthy_endpoints: [{ model_name: "up" }] });
    expect(upstream.requests.length).toBe(before + 1);
  });

  test("while draining both readiness routes answer 503", async () => {
    gateway.lifecycle.draining = true;
    try {
      const ready = await fetch(`${gateway.origin}/health/readiness`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { error: { code: string } }).error.code).toBe("draining");
      expect((await gateway.admin("GET", "/health/readiness/details")).status).toBe(503);
    } finally {
      gateway.lifecycle.draining = false;
    }
  });
});
