import type { Accounts } from "../auth/accounts.ts";
import type { ModelTable } from "../router/models.ts";
import type { Router } from "../router/router.ts";
import { Metrics } from "./metrics.ts";
import type { Tracing } from "./tracing.ts";

/** The metrics of a running gateway: labels from its model table, gauges from its router and ledger. */
export function gatewayMetrics(table: ModelTable, router: Router, accounts?: Accounts, tracing?: Tracing): Metrics {
  const deployments = table.deployments();
  const groups = new Map(deployments.map((d) => [d.id, d.modelName]));
  const ids = deployments.map((d) => d.id);
  return new Metrics({
    groupOf: (id) => groups.get(id),
    deployments: () => ids,
    cooling: () => router.loads.cooling(),
    ...(accounts ? { ledger: () => accounts.accounting.writer.status() } : {}),
    ...(tracing ? { tracing: () => tracing.status() } : {}),
  });
}
