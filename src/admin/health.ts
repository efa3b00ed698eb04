/** `GET /health` (master key): every deployment checked with a minimal real call, in LiteLLM's shape. */
import { Type } from "@sinclair/typebox";
import type { HealthChecker, HealthResult } from "../router/health.ts";
import type { RouteSpec } from "../server/route-spec.ts";
import { PRICE_SETTINGS } from "../router/unpriced.ts";

const Endpoint = {
  model_id: Type.String({ description: "The deployment id (x-switchboard-model-id)." }),
  model_name: Type.String({ description: "The name clients call." }),
  model: Type.String({ description: "<provider>/<upstream model>." }),
  latency_ms: Type.Number(),
  region: Type.Optional(Type.String()),
};

/** The health report. */
export const HealthReport = Type.Object({
  healthy_endpoints: Type.Array(Type.Object(Endpoint)),
  unhealthy_endpoints: Type.Array(Type.Object({ ...Endpoint, error: Type.String(), error_code: Type.String() })),
  skipped: Type.Array(Type.Object({ model_id: Type.String(), model_name: Type.String(), reason: Type.String() })),
  unpriced: Type.Array(
    Type.Object({
      model_id: Type.String(),
      model_name: Type.String(),
      model: Type.String({ description: "<provider>/<upstream model> without a price (for a wildcard: each model it served unpriced so far)." }),
      fix: Type.String(),
    }),
    { description: "Deployments whose cost is unknown: served, but refused to keys with a budget." },
  ),
  healthy_count: Type.Integer(),
  unhealthy_count: Type.Integer(),
});

const HealthQuery = Type.Object({ model: Type.Optional(Type.String({ minLength: 1, description: "Check only the deployments of this model name." })) });

const endpoint = (r: HealthResult) => ({ model_id: r.id, model_name: r.modelName, model: `${r.provider}/${r.upstreamModel}`, latency_ms: Math.round(r.latencyMs), ...(r.region ? { region: r.region } : {}) });

/** The route, over a checker shared with the background checks. */
export function healthRoute(checker: HealthChecker): RouteSpec {
  return {
    method: "GET",
    paths: ["/health"],
    summary: "Check every deployment with a minimal real call (one output token); failures feed the router's cooldowns",
    access: "admin-read",
    query: HealthQuery,
    response: HealthReport,
    handle: async ({ query }) => {
      const { results, skipped } = await checker.check(query.model);
      const healthy = results.filter((r) => r.healthy);
      const unhealthy = results.filter((r) => !r.healthy);
      return {
        healthy_endpoints: healthy.map(endpoint),
        unhealthy_endpoints: unhealthy.map((r) => ({ ...endpoint(r), error: r.error ?? "", error_code: r.errorCode ?? "" })),
        skipped: skipped.map((s) => ({ model_id: s.id, model_name: s.modelName, reason: s.reason })),
        unpriced: checker
          .unpriced(query.model)
          .map(({ deployment, model }) => ({ model_id: deployment.id, model_name: deployment.modelName, model: `${deployment.provider.id}/${model}`, fix: `Set ${PRICE_SETTINGS}.` })),
        healthy_count: healthy.length,
        unhealthy_count: unhealthy.length,
      };
    },
  };
}
