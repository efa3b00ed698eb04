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
import { modelRoutes } from "./admin/model-routes.ts";
import type { ModelCatalog } from "./models/catalog.ts";
import { readinessDetailsRoute, readinessResponse, type ReadinessDeps } from "./server/readiness.ts";
import { routeList, type FixedRoute } from "./server/route-list.ts";
import type { McpGateway } from "./mcp/gateway.ts";
import { mcpRoutes } from "./mcp/routes.ts";
import type { McpRegistry } from "./mcp/registry.ts";
import { mcpAdminRoutes } from "./admin/mcp-routes.ts";
import { passthroughRoutes } from "./passthrough/routes.ts";
import { PASSTHROUGH_PROVIDERS } from "./passthrough/registry.ts";
import { PassthroughUpstreams, passthroughSettings, type PassthroughSettings } from "./passthrough/upstreams.ts";
import { embeddedPrices } from "./pricing/load.ts";
import type { PassthroughProvider } from "./passthrough/types.ts";
import { conflictLine, mountConflicts, RouteConflictError, servedConflicts } from "./server/route-overlap.ts";

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
  /** Models managed at run time (`/model/new` …), over the store; without it `/model/info` lists the config's models only. */
  catalog?: ModelCatalog;
  /** The MCP gateway (`/mcp`). */
  mcp?: McpGateway;
  /** Its servers, the config file's and those managed at run time (`/v1/mcp/server`, over the store). */
  mcpRegistry?: McpRegistry;
  /** The pass-through routes' environment credentials and price data (default: none from the environment, the embedded prices). */
  passthrough?: PassthroughSettings;
  /** Where internal errors are reported (never to the client). */
  logError?: (message: string, error: unknown) => void;
}

/**
 * Refuses config endpoints (pass_through_endpoints) whose paths overlap a route the gateway serves
 * or each other: the first route registered would silently win. Throws RouteConflictError, whose
 * lines name the endpoint by its config path (main reports them as config problems).
 */
function refuseConflicts(providers: readonly PassthroughProvider[], served: readonly RouteSpec[], fixed: readonly FixedRoute[]): void {
  const mounts = providers.flatMap((provider) => (provider.mount ? [provider.mount] : []));
  if (mounts.length === 0) return;
  const own = [...served.flatMap((route) => route.paths.map((path) => ({ method: route.method, path, summary: route.summary }))), ...fixed.map((route) => ({ method: route.method, path: route.path, summary: route.name }))];
  const conflicts = [...mountConflicts(mounts), ...servedConflicts(mounts, own)];
  if (conflicts.length > 0) throw new RouteConflictError(conflicts.map(conflictLine));
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
    ...(deps.mcp ? { mcp: deps.mcp } : {}),
    logError,
  };
  const readinessDeps: ReadinessDeps = {
    lifecycle: deps.lifecycle,
    models: deps.models,
    router,
    ...(accounts ? { accounts } : {}),
    callbacks: [...(deps.tracing ? ["otel"] : []), ...(deps.metrics ? ["prometheus"] : [])],
  };
  const passthroughDeps = {
    ...callDeps,
    upstreams: new PassthroughUpstreams(deps.models, deps.passthrough ?? passthroughSettings(PASSTHROUGH_PROVIDERS, {}, {}, embeddedPrices())),
    maxBodyBytes: deps.maxBodyBytes,
  };
  const passthrough = passthroughRoutes(passthroughDeps);
  const served: RouteSpec[] = [
    ...openAIRoutes(callDeps, deps.lifecycle.startedAt),
    ...anthropicRoutes(callDeps),
    ...(accounts ? adminRoutes({ accounts, models: deps.models }) : []),
    ...modelRoutes({ table: deps.models, ...(deps.catalog ? { catalog: deps.catalog } : {}) }),
    healthRoute(deps.health ?? new HealthChecker(deps.models, router)),
    readinessDetailsRoute(readinessDeps),
    ...(deps.mcp ? mcpRoutes(deps.mcp) : []),
    ...(deps.mcp && deps.mcpRegistry ? mcpAdminRoutes({ gateway: deps.mcp, registry: deps.mcpRegistry }) : []),
    ...passthrough.providers,
  ];
  const fixedRoutes: FixedRoute[] = [
    { method: "GET", path: "/health/liveliness", name: "Process is up" },
    { method: "GET", path: "/health/liveness", name: "Process is up" },
    { method: "GET", path: "/health/readiness", name: "Ready to serve (503 while draining)" },
    { method: "GET", path: "/routes", name: "The server's routes (this list)" },
    { method: "GET", path: "/metrics", name: "Prometheus metrics" },
    { method: "GET", path: "/openapi.json", name: "OpenAPI 3.1 document" },
  ];
  refuseConflicts(passthroughDeps.upstreams.settings.providers, served, fixedRoutes);
  const routes: RouteSpec[] = [...served, ...passthrough.configured];
  const openapi = JSON.stringify(openApiDocument(routes, VERSION));
  const listed = JSON.stringify(routeList(routes, fixedRoutes));

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
    .get("/health/readiness", () => readinessResponse(readinessDeps))
    .get("/routes", () => new Response(listed, { headers: { "content-type": "application/json" } }))
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

export type App = ReturnType<typeof buildApp>;
