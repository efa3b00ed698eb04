/**
 * A config endpoint whose path overlaps a route the gateway serves itself (the /v1 API, a provider
 * pass-through, the management API, MCP, the fixed probes) is refused when the app is built, naming
 * both; so is one that overlaps another endpoint. The gateway binary reports it as a config
 * problem at the path the user wrote, and does not start.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { buildApp } from "../../src/app.ts";
import { closeAccounts } from "../../src/auth/accounts.ts";
import type { PassThroughEndpoint } from "../../src/config/schema.ts";
import { McpGateway } from "../../src/mcp/gateway.ts";
import { configuredPassthroughs } from "../../src/passthrough/configured.ts";
import { PASSTHROUGH_PROVIDERS } from "../../src/passthrough/registry.ts";
import { passthroughSettings } from "../../src/passthrough/upstreams.ts";
import { embeddedPrices } from "../../src/pricing/load.ts";
import { buildModelTable } from "../../src/router/models.ts";
import { newLifecycle } from "../../src/server/lifecycle.ts";
import { RouteConflictError } from "../../src/server/route-overlap.ts";
import { observers } from "../../src/telemetry/calls.ts";
import { openTestAccounts, TEST_MASTER_KEY } from "../support/accounts.ts";
import { killAllStarted, startGatewayProcess } from "../support/gateway-process.ts";
import { useTempDir } from "../support/temp-dir.ts";

const tmp = useTempDir("switchboard-passthrough-conflicts-");
const target = "http://127.0.0.1:9/t";
afterAll(() => killAllStarted());

/** The problems building the app (with a store and MCP, as main builds it) reports for these endpoints; [] when it builds. */
async function problemsOf(endpoints: PassThroughEndpoint[]): Promise<readonly string[]> {
  const accounts = await openTestAccounts(join(dirname(await tmp.file("marker", "")), `store-${crypto.randomUUID()}`));
  const config = { pass_through_endpoints: endpoints };
  try {
    buildApp({
      models: buildModelTable({}, {}).table,
      observer: observers([]),
      lifecycle: newLifecycle(),
      masterKey: TEST_MASTER_KEY,
      dropParams: false,
      maxBodyBytes: 1024,
      accounts,
      mcp: new McpGateway({}),
      passthrough: passthroughSettings([...PASSTHROUGH_PROVIDERS, ...configuredPassthroughs(endpoints)], config, {}, embeddedPrices()),
    });
    return [];
  } catch (error) {
    if (!(error instanceof RouteConflictError)) throw error;
    return error.problems;
  } finally {
    await closeAccounts(accounts);
  }
}

describe("overlaps with the gateway's own routes", () => {
  test("each is refused, naming the endpoint and the route it overlaps", async () => {
    const cases: [PassThroughEndpoint, string][] = [
      [{ path: "/v1/models", target }, "'/v1/models' overlaps a route the gateway serves itself (GET /v1/models: "],
      [{ path: "/v1", target, include_subpath: true }, "'/v1' with its subpaths overlaps a route the gateway serves itself (POST /v1/chat/completions: "],
      [{ path: "/anthropic/custom", target }, "'/anthropic/custom' overlaps a route the gateway serves itself (GET /anthropic/:path*: Anthropic pass-through"],
      [{ path: "/key/generate", target }, "'/key/generate' overlaps a route the gateway serves itself (POST /key/generate: "],
      [{ path: "/mcp", target, methods: ["PUT"] }, "'/mcp' overlaps a route the gateway serves itself (POST /mcp: "],
      [{ path: "/health/liveness", target }, "'/health/liveness' overlaps a route the gateway serves itself (GET /health/liveness: Process is up)"],
    ];
    for (const [endpoint, message] of cases) {
      const problems = await problemsOf([endpoint]);
      expect(problems).toHaveLength(1);
      expect(problems[0]).toStartWith(`pass_through_endpoints[0].path: ${message}`);
    }
    expect((await problemsOf([{ path: "/v1", target, include_subpath: true }]))[0]).toMatch(/ and \d+ more\); choose another path, or leave include_subpath off$/);
  });

  test("paths beside the gateway's are served: /v1/rerank, /v1 itself, /openai-compatible", async () => {
    expect(await problemsOf([{ path: "/v1/rerank", target }, { path: "/v1", target }, { path: "/openai-compatible", target, include_subpath: true }])).toEqual([]);
  });

  test("endpoints that overlap each other are refused too, when they share a method", async () => {
    expect(await problemsOf([{ path: "/x", target, include_subpath: true }, { path: "/x/y", target, methods: ["GET"] }])).toEqual([
      "pass_through_endpoints[1].path: '/x/y' overlaps an earlier endpoint, '/x' with its subpaths, for GET; give them different paths, or different methods",
    ]);
    expect(await problemsOf([{ path: "/x", target, methods: ["GET"] }, { path: "/x", target, methods: ["POST"] }])).toEqual([]);
  });
});

test("the binary reports an overlap as a config problem at the LiteLLM path and does not start", async () => {
  const file = await tmp.file("litellm.yaml", "");
  const dataDir = join(dirname(file), "process");
  await writeFile(file, `model_list: []\ngeneral_settings:\n  master_key: ${TEST_MASTER_KEY}\n  pass_through_endpoints:\n    - path: /v1/rerank\n      target: ${target}\n      auth: true\n    - path: /v1/models\n      target: ${target}\n      auth: true\n`);
  const gateway = await startGatewayProcess(["--config", file, "--port", "0", "--data-dir", dataDir]);
  expect(gateway.origin).toBe("");
  expect(await gateway.exited).toBe(2);
  expect(gateway.log()).toContain("general_settings.pass_through_endpoints[1].path: '/v1/models' overlaps a route the gateway serves itself (GET /v1/models: ");
}, 30_000);
