import { buildApp, type App } from "../../src/app.ts";
import type { Config } from "../../src/config/schema.ts";
import { buildModelTable } from "../../src/router/models.ts";
import { Router } from "../../src/router/router.ts";
import { newLifecycle, type Lifecycle } from "../../src/server/lifecycle.ts";
import { observers, type CallObserver, type CallRecord } from "../../src/telemetry/calls.ts";
import { gatewayMetrics } from "../../src/telemetry/gateway-metrics.ts";
import type { Tracing } from "../../src/telemetry/tracing.ts";
import { closeAccounts, type Accounts } from "../../src/auth/accounts.ts";
import { rawExchange } from "./raw-http.ts";
import { listenOptions } from "../../src/server/listen.ts";
import { openModelCatalog, type ModelCatalog } from "../../src/models/catalog.ts";
import { SecretBox } from "../../src/models/secret-box.ts";
import { embeddedPrices } from "../../src/pricing/load.ts";
import { McpGateway } from "../../src/mcp/gateway.ts";
import type { SseLimits } from "../../src/mcp/sse-sessions.ts";
import { openMcpRegistry } from "../../src/mcp/registry.ts";
import { PASSTHROUGH_PROVIDERS } from "../../src/passthrough/registry.ts";
import { passthroughSettings } from "../../src/passthrough/upstreams.ts";
import { configuredPassthroughs } from "../../src/passthrough/configured.ts";

export interface GatewayOptions {
  /** Environment the model table reads keys from. Defaults to `{}` so the developer's real keys never leak in. */
  env?: Record<string, string | undefined>;
  masterKey?: string;
  dropParams?: boolean;
  /** Default 32 MB, as in src/config/runtime.ts. */
  maxBodyBytes?: number;
  /** Server idle timeout in seconds (default 30, as in main). */
  idleTimeout?: number;
  /** Keys, budgets, limits and the ledger (see test/support/accounts.ts); stopped with the gateway. */
  accounts?: Accounts;
  /** A router with a fake clock or sleep; default: one built from `config.router`. */
  router?: Router;
  /** Serve `GET /metrics` as main does. */
  metrics?: boolean;
  /** Export traces (stopped with the gateway). */
  tracing?: Tracing;
  /** How often the models added at run time are polled for changes made elsewhere (default 1 s, as in main). */
  modelPollMs?: number;
  /** More call observers (an access log), told of every call after the test's own recorder. */
  observers?: CallObserver[];
  /** Limits of the MCP gateway's HTTP+SSE sessions (default: the gateway's). */
  mcpSessions?: Partial<SseLimits>;
}

export interface TestGateway {
  /** `http://127.0.0.1:PORT/v1`, ready for `new OpenAI({ baseURL })`. */
  baseURL: string;
  /** `http://127.0.0.1:PORT`. */
  origin: string;
  port: number;
  /** Every CallRecord the gateway reported, in order. */
  records: CallRecord[];
  /** Errors the app reported through `logError` (internal errors; never sent to the client). */
  loggedErrors: { message: string; error: unknown }[];
  lifecycle: Lifecycle;
  app: App;
  /** Models managed at run time, as main opens them over the store (present with `accounts`). */
  catalog?: ModelCatalog;
  stop(): Promise<void>;
}

/** Builds the app the way src/main.ts does and serves it on 127.0.0.1 and a free port. */
export async function startGateway(config: Config, opts: GatewayOptions = {}): Promise<TestGateway> {
  const { table, problems } = buildModelTable(config, opts.env ?? {});
  if (problems.length > 0) throw new Error(`test config has problems:\n${problems.join("\n")}`);
  const records: CallRecord[] = [];
  const loggedErrors: { message: string; error: unknown }[] = [];
  const lifecycle = newLifecycle();
  const maxBodyBytes = opts.maxBodyBytes ?? 32 * 1024 * 1024;
  const router = opts.router ?? new Router(config.router ? { config: config.router } : {});
  const metrics = opts.metrics ? gatewayMetrics(table, router, opts.accounts, opts.tracing) : undefined;
  const recorder: CallObserver = { onCall: (record) => records.push(record) };
  const sinks = [recorder, ...(metrics ? [metrics] : []), ...(opts.observers ?? [])];
  const logError = (message: string, error: unknown) => loggedErrors.push({ message, error });
  const env = opts.env ?? {};
  const secrets = await SecretBox.fromEnv(env);
  const catalog = opts.accounts
    ? await openModelCatalog({ config, env, prices: embeddedPrices(), table, store: opts.accounts.store.models, ...(secrets ? { secrets } : {}), log: (message) => logError("models", new Error(message)) })
    : undefined;
  catalog?.watch(opts.modelPollMs ?? 1_000);
  // As main does with a store: the gateway serves the config's MCP servers and those stored at run time.
  const mcp =
    config.mcp_servers || opts.accounts
      ? new McpGateway(
          config.mcp_servers ?? {},
          logError,
          undefined,
          { ...(opts.accounts ? { accounting: opts.accounts.accounting } : {}), ...(opts.tracing ? { tracing: opts.tracing } : {}) },
          opts.mcpSessions,
        )
      : undefined;
  const mcpRegistry =
    mcp && opts.accounts
      ? await openMcpRegistry({ config: config.mcp_servers ?? {}, store: opts.accounts.store.mcpServers, gateway: mcp, ...(secrets ? { secrets } : {}), log: (message) => logError("mcp servers", new Error(message)) })
      : undefined;
  mcpRegistry?.watch(opts.modelPollMs ?? 1_000);
  const app = buildApp({
    ...(mcp ? { mcp } : {}),
    ...(mcpRegistry ? { mcpRegistry } : {}),
    ...(catalog ? { catalog } : {}),
    models: table,
    observer: observers(sinks),
    ...(metrics ? { metrics } : {}),
    ...(opts.tracing ? { tracing: opts.tracing } : {}),
    lifecycle,
    ...(opts.masterKey ? { masterKey: opts.masterKey } : {}),
    dropParams: opts.dropParams ?? false,
    maxBodyBytes,
    ...(opts.accounts ? { accounts: opts.accounts } : {}),
    router,
    passthrough: passthroughSettings([...PASSTHROUGH_PROVIDERS, ...configuredPassthroughs(config.pass_through_endpoints)], config, opts.env ?? {}, embeddedPrices()),
    logError,
  });
  app.listen(listenOptions({ hostname: "127.0.0.1", port: 0, idleTimeout: opts.idleTimeout ?? 30, logError }));
  const server = app.server;
  if (!server) throw new Error("gateway did not start");
  const port = server.port as number;
  const origin = `http://127.0.0.1:${port}`;
  return {
    baseURL: `${origin}/v1`,
    origin,
    port,
    records,
    loggedErrors,
    lifecycle,
    app,
    ...(catalog ? { catalog } : {}),
    stop: async () => {
      catalog?.stop();
      mcpRegistry?.stop();
      await app.stop(true);
      await mcp?.close();
      await opts.tracing?.stop();
      if (opts.accounts) await closeAccounts(opts.accounts);
    },
  };
}

/** Waits until the gateway has recorded `count` calls (stream records land after the last byte). */
export async function recordsSettled(gateway: TestGateway, count: number, timeoutMs = 2000): Promise<CallRecord[]> {
  const deadline = performance.now() + timeoutMs;
  while (gateway.records.length < count && performance.now() < deadline) await Bun.sleep(5);
  return gateway.records;
}

/** The last record whose model is `model`, or throws so the test names what is missing. */
export function lastRecordFor(gateway: TestGateway, model: string): CallRecord {
  for (let i = gateway.records.length - 1; i >= 0; i--) if (gateway.records[i]!.model === model) return gateway.records[i]!;
  throw new Error(`no CallRecord for model '${model}' (have: ${gateway.records.map((r) => r.model).join(", ")})`);
}

/** Reads a `text/event-stream` body into its `data:` payloads (in order, `[DONE]` included). */
export async function readSseData(response: Response): Promise<string[]> {
  const text = await response.text();
  return sseData(text);
}

export function sseData(text: string): string[] {
  const out: string[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    const lines = block.split(/\r?\n/).filter((line) => line.startsWith("data:"));
    if (lines.length > 0) out.push(lines.map((line) => line.slice(5).replace(/^ /, "")).join("\n"));
  }
  return out;
}

/** Sends bytes over a raw TCP socket (for requests fetch refuses to make) and parses the answer. */
export async function rawHttpRequest(port: number, request: string): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  const { status, headers, body } = await rawExchange(port, request);
  return { status, headers, body };
}
