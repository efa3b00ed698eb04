#!/usr/bin/env bun
import { buildApp } from "./app.ts";
import { PASSTHROUGH_PROVIDERS } from "./passthrough/registry.ts";
import { passthroughSettings } from "./passthrough/upstreams.ts";
import { configuredPassthroughs } from "./passthrough/configured.ts";
import { RouteConflictError } from "./server/route-overlap.ts";
import { McpGateway } from "./mcp/gateway.ts";
import { openMcpRegistry } from "./mcp/registry.ts";
import { parseCommand, UsageError, type CliFlags } from "./cli/args.ts";
import { configCheck } from "./cli/config-check.ts";
import { helpText } from "./cli/help.ts";
import { ConfigError } from "./config/errors.ts";
import { loadConfigFile, type LoadedConfig } from "./config/load.ts";
import { masterKeyNotes, masterKeyPath, runtimeSettings, withCliModel } from "./config/runtime.ts";
import { buildModelTable } from "./router/models.ts";
import { Router } from "./router/router.ts";
import { HealthChecker } from "./router/health.ts";
import { gatewayMetrics } from "./telemetry/gateway-metrics.ts";
import { Tracing } from "./telemetry/tracing.ts";
import { tracingSampling, tracingTarget } from "./telemetry/tracing-config.ts";
import { isLoopback } from "./server/host.ts";
import { newLifecycle } from "./server/lifecycle.ts";
import { listenOptions } from "./server/listen.ts";
import { accessLog } from "./telemetry/access-log.ts";
import { observers, type CallObserver } from "./telemetry/calls.ts";
import { VERSION } from "./version.ts";
import { closeAccounts, openAccounts } from "./auth/accounts.ts";
import { openStore } from "./store/open.ts";
import { runKeysCommand } from "./cli/keys.ts";
import { resolveDataDir } from "./config/data-dir.ts";
import { LOCK_FILE, takeServerLock } from "./store/server-lock.ts";
import { join } from "node:path";
import { priceReport } from "./cli/price-report.ts";
import { loadPrices, pricesFileOf } from "./pricing/load.ts";
import { openModelCatalog } from "./models/catalog.ts";
import { SecretBox } from "./models/secret-box.ts";

const log = (message: string) => console.error(`[switchboard] ${message}`);

/** Loads config, builds the app and serves it until SIGTERM/SIGINT, then drains. */
async function serve(flags: CliFlags, env: Record<string, string | undefined>): Promise<void> {
  const loaded: LoadedConfig = flags.config
    ? await loadConfigFile(flags.config, env)
    : { config: {}, written: {}, warnings: [], format: "switchboard", env, relocate: (problem) => problem };
  for (const warning of loaded.warnings) log(`warning: ${warning}`);
  const config = withCliModel(loaded.config, flags.model);
  const settings = runtimeSettings(config, flags, loaded.env);
  const pricesFile = pricesFileOf(config, loaded.env);
  const prices = await loadPrices(pricesFile).catch((error: Error) => {
    throw new ConfigError(flags.config ?? "SWITCHBOARD_PRICES_FILE", [`pricing.file: ${error.message}`]);
  });
  const { table, problems } = buildModelTable(config, loaded.env, prices);
  if (problems.length > 0) throw new ConfigError(flags.config ?? "--model", problems.map(loaded.relocate));
  // Once per deployment, at start: the model table prices each configured model now, never per request.
  for (const warning of priceReport(table, prices).warnings) log(`warning: ${warning}`);
  if (!settings.masterKey && !isLoopback(settings.host) && !settings.allowUnauthenticatedPublic) {
    throw new UsageError(
      `refusing to bind ${settings.host} without authentication: set SWITCHBOARD_MASTER_KEY (or auth.master_key), ` +
        "or pass --allow-unauthenticated-public if this network is trusted",
    );
  }

  const keyNotes = masterKeyNotes(config, loaded.env, masterKeyPath(loaded));
  for (const warning of keyNotes.warnings) log(`warning: ${warning}`);
  if (keyNotes.weak) {
    throw new UsageError(`refusing to start: ${keyNotes.weak}. It can mint keys and read all spend; set SWITCHBOARD_MASTER_KEY to a random value, e.g. the output of: openssl rand -base64 32`);
  }
  const dataDir = resolveDataDir(flags.dataDir, env, config.store?.data_dir);
  const lock = await takeServerLock(dataDir);
  if (!lock) {
    throw new UsageError(
      `refusing to start: another Switchboard server is using the data directory ${dataDir} (it holds ${join(dataDir, LOCK_FILE)}). ` +
        "Rate limits and budgets are counted in each server's memory, so a second server on the same data directory would let every key use them twice. " +
        "Run one server per data directory: stop the other one, or give this one its own --data-dir (or store.data_dir). " +
        "`switchboard keys` works while the server runs.",
    );
  }
  const store = await openStore({ dataDir });
  const accounts = await openAccounts(store, {
    budgetMode: config.budgets?.mode ?? "strict",
    onError: (what, error) => log(`${what}: ${error instanceof Error ? error.message : String(error)}`),
  });
  const counts = accounts.directory.size();
  // Models added at run time join the config's in the same table, now and whenever they change.
  const box = await secretBox(loaded.env);
  const catalog = await openModelCatalog({ config, env: loaded.env, prices, table, store: store.models, ...box, log: (message) => log(`warning: ${message}`) });
  catalog.watch(1_000, (error) => log(`reloading models failed: ${error instanceof Error ? error.message : String(error)}`));

  const lifecycle = newLifecycle();
  const sinks: CallObserver[] = [];
  const access = settings.accessLog ? accessLog(undefined, settings.accessLogLevel) : undefined;
  if (access) sinks.push(access);
  const router = new Router(config.router ? { config: config.router } : {});
  const target = tracingTarget(config, loaded.env);
  const sampling = tracingSampling(config, loaded.env);
  if (typeof sampling === "string") throw new UsageError(`refusing to start: ${sampling}`);
  const tracing = target ? new Tracing({ ...target, sampling, onError: (error) => log(`tracing: ${error instanceof Error ? error.message : String(error)}`) }) : undefined;
  const metrics = settings.metrics ? gatewayMetrics(table, router, accounts, tracing) : undefined;
  if (metrics) sinks.push(metrics);
  const health = new HealthChecker(table, router);
  if (config.router?.health_check_interval_seconds) {
    health.start(config.router.health_check_interval_seconds * 1000, (error) => log(`health checks failed: ${error instanceof Error ? error.message : String(error)}`));
  }
  const logError = (message: string, error: unknown) => log(`${message}: ${error instanceof Error ? error.message : String(error)}`);
  // MCP servers come from the config file and from the store (added at run time), now and whenever they change.
  const mcp = new McpGateway(config.mcp_servers ?? {}, logError, undefined, { accounting: accounts.accounting, ...(tracing ? { tracing } : {}) });
  const mcpRegistry = await openMcpRegistry({ config: config.mcp_servers ?? {}, store: store.mcpServers, gateway: mcp, ...box, log: (message) => log(`warning: ${message}`) });
  mcpRegistry.watch(1_000, (error) => log(`reloading MCP servers failed: ${error instanceof Error ? error.message : String(error)}`));
  const app = withConfigProblems(flags.config ?? "config", loaded, () =>
    buildApp({
      mcp,
      mcpRegistry,
      models: table,
      observer: observers(sinks),
      lifecycle,
      ...(settings.masterKey ? { masterKey: settings.masterKey } : {}),
      dropParams: settings.dropParams,
      maxBodyBytes: settings.maxBodyBytes,
      accounts,
      catalog,
      router,
      health,
      ...(metrics ? { metrics } : {}),
      ...(tracing ? { tracing } : {}),
      passthrough: passthroughSettings([...PASSTHROUGH_PROVIDERS, ...configuredPassthroughs(config.pass_through_endpoints)], config, loaded.env, prices),
      logError,
    }),
  );
  app.listen(listenOptions({ hostname: settings.host, port: settings.port, idleTimeout: settings.idleTimeoutSeconds, logError }));
  const server = app.server;
  if (!server) throw new Error("server did not start");
  // Handlers before the banner: a supervisor may send SIGTERM the moment it sees `listening on`.
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) {
      log(`${signal} again: exiting now`);
      process.exit(1);
    }
    stopping = true;
    lifecycle.draining = true;
    // An MCP SSE stream never ends on its own: each ends once its calls in progress are answered.
    mcp.drainSessions();
    const deadline = Date.now() + settings.graceMs;
    log(`${signal}: draining ${server.pendingRequests} in-flight request(s), up to ${settings.graceMs / 1000} s`);
    void server.stop(false);
    while (server.pendingRequests > 0 && Date.now() < deadline) await Bun.sleep(50);
    const left = server.pendingRequests;
    if (left > 0) log(`grace period over: closing ${left} request(s)`);
    await server.stop(true);
    access?.stop();
    health.stop();
    catalog.stop();
    mcpRegistry.stop();
    await mcp.close();
    await tracing?.stop().catch((error: unknown) => log(`tracing: ${error instanceof Error ? error.message : String(error)}`));
    try {
      await closeAccounts(accounts);
    } catch (error) {
      log(`spend rows could not all be stored before exit: ${error instanceof Error ? error.message : String(error)}`);
    }
    lock.release();
    log("stopped");
    process.exit(0);
  };
  process.on("SIGTERM", () => void shutdown("SIGTERM"));
  process.on("SIGINT", () => void shutdown("SIGINT"));
  // One write, so the banner and its warning arrive (and are logged) together.
  const banner = [`switchboard ${VERSION} listening on http://${server.hostname}:${server.port} (${table.list().length} model names${flags.config ? `, config ${flags.config}` : ""})`];
  banner.push(`store ${store.location} (schema v${store.schemaVersion}): ${counts.keys} keys, ${counts.teams} teams, ${counts.users} users; budgets ${config.budgets?.mode ?? "strict"}; prices ${prices.label}`);
  if (!settings.masterKey) {
    banner.push(
      `no master key set: requests are not authenticated; bound to loopback only. Set SWITCHBOARD_MASTER_KEY to require one${counts.keys > 0 ? " (virtual keys that are presented still get their limits and budgets)" : ""}.`,
    );
  }
  log(banner.join("\n[switchboard] "));
}

/** Runs `build`, turning its route conflicts (config endpoints over the gateway's routes) into config problems at the user's paths. */
function withConfigProblems<T>(source: string, loaded: LoadedConfig, build: () => T): T {
  try {
    return build();
  } catch (error) {
    if (error instanceof RouteConflictError) throw new ConfigError(source, error.problems.map(loaded.relocate));
    throw error;
  }
}

/** The box for literal secrets of models and MCP servers added at run time, when an encryption key is set. */
async function secretBox(env: Record<string, string | undefined>): Promise<{ secrets?: SecretBox }> {
  const box = await SecretBox.fromEnv(env);
  if (box?.weakness) log(`warning: ${box.source} is too weak to encrypt new model secrets (${box.weakness}); /model/new and /v1/mcp/server refuse literal secrets until it is replaced`);
  return box ? { secrets: box } : {};
}

async function main(): Promise<number> {
  const env = process.env;
  try {
    const command = parseCommand(process.argv.slice(2), env);
    switch (command.kind) {
      case "help":
        console.log(helpText());
        return 0;
      case "version":
        console.log(VERSION);
        return 0;
      case "keys":
        return await runKeysCommand(command, env);
      case "config-check":
        return await configCheck(command.file, command.print, env);
      case "serve":
        await serve(command.flags, env);
        return -1;
    }
  } catch (error) {
    if (error instanceof ConfigError || error instanceof UsageError) {
      log(error.message);
      return 2;
    }
    log(`failed to start: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

const code = await main();
if (code >= 0) process.exit(code);
