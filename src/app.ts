import type { Server } from "bun";
import { Elysia } from "elysia";
import { anthropicRoutes } from "./dialects/anthropic/routes.ts";
import { openAIRoutes } from "./dialects/openai/routes.ts";
import type { RouteSpec } from "./server/route-spec.ts";
import { toOpenAIErrorResponse } from "./dialects/openai/errors.ts";
import type { ModelTable } from "./router/models.ts";
import { Router } from "./router/router.ts";
import { HealthChecker } from "./router/health.ts";
import { healthRoute } from "./admin/health.ts";
import type { Metrics } from "./telemetry/metrics.ts";
import type { Tracing } from "./telemetry/tracing.ts";
import { authenticator } from "./auth/authenticate.ts";
import type { Accounts } from "./auth/accounts.ts";
import { adminRoutes } from "./admin/routes.ts";
import { refusalHeaders, requestGate } from "./server/gate.ts";
import { pathOf } from "./server/url.ts";
import { echo } from "./canonical/echo.ts";
import type { Lifecycle } from "./server/lifecycle.ts";
import { openApiDocument } from "./server/openapi.ts";
import { routeHandler } from "./server/route-handler.ts";
import { GatewayError, toGatewayError } from "./canonical/errors.ts";
import type { CallObserver } from "./telemetry/calls.ts";
import { VERSION } from "./version.ts";

export interface AppDeps {
  models: ModelTable;
  observer: CallObserver;
  lifecycle: Lifecycle;
  masterKey?: string;
  dropParams: boolean;
  maxBodyBytes: number;
  /** Keys, budgets, limits and the spend ledger; without it only the master key (if any) is checked. */
  accounts?: Accounts;
  /** Deployment choice, retries, fallbacks and cooldowns (default: the router's defaults). */
  router?: Router;
  /** Deployment health checks (`GET /health`); main also runs them on an interval when configured. */
  health?: HealthChecker;
  /** Served at `GET /metrics` (Prometheus text) when present; it must also be among the observers. */
  metrics?: Metrics;
  /** OpenInference spans over OTLP, when tracing is on. */
  tracing?: Tracing;
  /** Where internal errors are reported (never to the client). */
  logError?: (message: string, error: unknown) => void;
}

const json = (value: unknown, status = 200) => new Response(JSON.stringify(value), { status, headers: { "content-type": "application/json" } });

/** Builds the HTTP app. No I/O happens here: tests drive it with `app.handle()` or a server on port 0. */
export function buildApp(deps: AppDeps) {
  const { accounts } = deps;
  const authenticate = authenticator(deps.masterKey, accounts?.directory);
  const router = deps.router ?? new Router();
  // A message, never a stack: what reaches the log is about the gateway, not a client's input.
  const logError = deps.logError ?? ((message: string, error: unknown) => console.error(`${message}: ${error instanceof Error ? error.message : String(error)}`));
  const callDeps = {
    models: deps.models,
    observer: deps.observer,
    dropParams: deps.dropParams,
    router,
    ...(accounts ? { accounting: accounts.accounting } : {}),
    ...(deps.tracing ? { tracing: deps.tracing } : {}),
    logError,
  };
  const routes: RouteSpec[] = [
    ...openAIRoutes(callDeps, deps.lifecycle.startedAt),
    ...anthropicRoutes(callDeps),
    ...(accounts ? adminRoutes({ accounts, models: deps.models }) : []),
    healthRoute(deps.health ?? new HealthChecker(deps.models, router)),
  ];
  const openapi = JSON.stringify(openApiDocument(routes, VERSION));

  const gate = requestGate(deps.lifecycle, deps.maxBodyBytes);
  const handlers = routes.map((route) => ({ route, handle: routeHandler(route, { gate, authenticate, hasMasterKey: deps.masterKey !== undefined, maxBodyBytes: deps.maxBodyBytes, logError }) }));
  // Proxy routes (those with a body) are also handed to Bun's native router as plain functions;
  // Elysia keeps everything else and serves the same handlers to app.handle().
  const native: Record<string, Record<string, (request: Request, server: Server<unknown>) => Promise<Response>>> = {};
  for (const { route, handle } of handlers) {
    if (!route.body) continue;
    for (const path of route.paths) {
      // Paths with parameters stay with Elysia, which extracts them.
      // Several methods may share a path (LiteLLM's PATCH and POST /organization/update).
      if (!path.includes(":")) (native[path] ??= {})[route.method] = (request, server) => handle(request, {}, server);
    }
  }

  // normalize: false — bodies keep unknown fields anyway, and the per-request copy costs throughput.
  // Refusals before routing are rendered in the shape of the route the path names (Anthropic's on /v1/messages).
  const renderers = new Map(routes.flatMap((route) => (route.renderError ? route.paths.map((path) => [path, route.renderError] as const) : [])));
  const app = new Elysia({ normalize: false, serve: { routes: native } as never })
    .onRequest(({ request }) => {
      const refused = gate(request);
      if (!refused) return undefined;
      const render = renderers.get(pathOf(request.url)) ?? toOpenAIErrorResponse;
      return render(refused, refusalHeaders(refused));
    })
    .onError(({ code, error, request }) => {
      if (code === "NOT_FOUND") {
        const route = echo(`${request.method} ${pathOf(request.url)}`);
        return toOpenAIErrorResponse(new GatewayError("caller.route_not_found", `No route for ${route}. GET /openapi.json lists the routes.`));
      }
      if (!(error instanceof GatewayError)) logError("internal error", error);
      return toOpenAIErrorResponse(toGatewayError(error));
    })
    .get("/health/liveliness", () => json({ status: "alive" }))
    .get("/health/liveness", () => json({ status: "alive" }))
    .get("/health/readiness", () => readiness(deps, router))
    .get("/metrics", () => (deps.metrics ? new Response(deps.metrics.render(), { headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" } }) : toOpenAIErrorResponse(new GatewayError("caller.route_not_found", "Metrics are off (server.metrics: false)."))))
    .get("/openapi.json", () => new Response(openapi, { headers: { "content-type": "application/json" } }));

  for (const { route, handle } of handlers) {
    for (const path of route.paths) {
      // A last `:name*` parameter is Elysia's wildcard, handed to the route under its name.
      const rest = /:(\w+)\*$/.exec(path);
      if (rest) {
        const name = rest[1] as string;
        const wildcard = `${path.slice(0, rest.index)}*`;
        app.route(route.method, wildcard, (({ request, params }: { request: Request; params: Record<string, string> }) => handle(request, { [name]: params["*"] ?? "" }, app.server)) as never);
      } else {
        app.route(route.method, path, (({ request, params }: { request: Request; params: Record<string, string> }) => handle(request, params, app.server)) as never);
      }
    }
  }
  return app;
}

/**
 * Readiness: 503 while draining or when the spend ledger is full (new calls are refused then);
 * 200 "degraded" while the ledger's store is failing but rows are still being held for retry.
 */
function readiness(deps: AppDeps, router: Router): Response {
  if (deps.lifecycle.draining) return json({ status: "draining" }, 503);
  // Deployments the router has taken out after failures, and when each comes back.
  const cooling = router.loads.cooling().map((c) => ({ model_id: c.id, until: new Date(c.until).toISOString() }));
  const base = { version: VERSION, models: deps.models.list().length, deployments_cooling: cooling };
  const writer = deps.accounts?.accounting.writer;
  if (!writer) return json({ status: "ready", ...base });
  const ledger = writer.status();
  const store = { kind: deps.accounts?.store.kind, schema_version: deps.accounts?.store.schemaVersion };
  const spendLedger = { queued: ledger.queued, capacity: ledger.capacity, failing: ledger.failing, ...(ledger.lastError ? { last_error: ledger.lastError } : {}) };
  if (!writer.accepting()) return json({ status: "unavailable", ...base, store, spend_ledger: spendLedger }, 503);
  return json({ status: ledger.failing ? "degraded" : "ready", ...base, store, spend_ledger: spendLedger });
}

export type App = ReturnType<typeof buildApp>;
