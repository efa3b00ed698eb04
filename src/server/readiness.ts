/**
 * `GET /health/readiness` (anyone: what a load balancer probes) and `GET /health/readiness/details`
 * (any authenticated caller), in LiteLLM's shape: `status` is "connected" with a store ("healthy"
 * without one), `db` says whether the store takes writes; Switchboard's own fields ride along.
 * Neither ever calls an upstream: that is `GET /health`'s job.
 */
import { Type } from "@sinclair/typebox";
import type { Accounts } from "../auth/accounts.ts";
import type { ModelTable } from "../router/models.ts";
import type { Router } from "../router/router.ts";
import { VERSION } from "../version.ts";
import type { Lifecycle } from "./lifecycle.ts";
import type { RouteSpec } from "./route-spec.ts";

export interface ReadinessDeps {
  lifecycle: Lifecycle;
  models: ModelTable;
  router: Router;
  accounts?: Accounts;
  /** What exports each call's record, by LiteLLM's callback names ("otel", "prometheus"). */
  callbacks: readonly string[];
}

export interface Readiness {
  status: number;
  body: Record<string, unknown>;
}

/**
 * 503 while draining or when the spend ledger is full (new calls are refused then); 200
 * "degraded" while the ledger's store is failing but rows are still being held for retry.
 */
export function readiness(deps: ReadinessDeps): Readiness {
  if (deps.lifecycle.draining) return { status: 503, body: { status: "draining" } };
  // Deployments the router has taken out after failures, and when each comes back.
  const cooling = deps.router.loads.cooling().map((c) => ({ model_id: c.id, until: new Date(c.until).toISOString() }));
  // Switchboard has no licence to check; the field is there because LiteLLM's clients read it.
  const base = { license: { has_license: false }, version: VERSION, models: deps.models.list().length, deployments_cooling: cooling };
  const writer = deps.accounts?.accounting.writer;
  if (!writer) return { status: 200, body: { status: "healthy", db: "Not connected", ...base } };
  const ledger = writer.status();
  const store = { kind: deps.accounts?.store.kind, schema_version: deps.accounts?.store.schemaVersion };
  const spendLedger = { queued: ledger.queued, capacity: ledger.capacity, failing: ledger.failing, ...(ledger.lastError ? { last_error: ledger.lastError } : {}) };
  const db = ledger.failing ? "disconnected" : "connected";
  if (!writer.accepting()) return { status: 503, body: { status: "unavailable", db, ...base, store, spend_ledger: spendLedger } };
  return { status: 200, body: { status: ledger.failing ? "degraded" : "connected", db, ...base, store, spend_ledger: spendLedger } };
}

const json = ({ status, body }: Readiness) => new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

/** The unauthenticated probe. */
export const readinessResponse = (deps: ReadinessDeps): Response => json(readiness(deps));

/** `GET /health/readiness/details`: readiness plus the version and exporters, as LiteLLM's authenticated diagnostics name them. */
export function readinessDetailsRoute(deps: ReadinessDeps): RouteSpec {
  return {
    method: "GET",
    paths: ["/health/readiness/details"],
    summary: "Readiness with diagnostics: version (litellm_version carries Switchboard's), exporters, store and ledger; never calls an upstream",
    response: Type.Object(
      {
        status: Type.String(),
        db: Type.Optional(Type.String()),
        litellm_version: Type.String({ description: "Switchboard's version, under LiteLLM's field name." }),
        cache: Type.Null({ description: "Switchboard has no response cache." }),
        success_callbacks: Type.Array(Type.String()),
      },
      { additionalProperties: true },
    ),
    handle: () => {
      const ready = readiness(deps);
      return json({ status: ready.status, body: { ...ready.body, litellm_version: VERSION, cache: null, success_callbacks: [...deps.callbacks] } });
    },
  };
}
