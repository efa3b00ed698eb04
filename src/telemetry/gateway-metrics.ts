import type { Accounts } from "../auth/accounts.ts";
import type { ModelTable } from "../router/models.ts";
import type { Router } from "../router/router.ts";
import { Metrics } from "./metrics.ts";
import type { Tracing } from "./tracing.ts";

/** The metrics of a running gateway: labels from its model table, gauges from its router and ledger. */
export function gatewayMetrics(table: ModelTable, router: Router, accounts?: Accounts, tracing?: Tracing): Metrics {
  // Read again only after models change at run time (table.generation), never per call.
  let generation = -1;
  let groups = new Map<string, string>();
  let ids: string[] = [];
  const current = () => {
    if (generation !== table.generation) {
      const deployments = table.deployments();
      groups = new Map(deployments.map((d) => [d.id, d.modelName]));
      ids = deployments.map((d) => d.id);
      generation = table.generation;
    }
    return { groups, ids };
  };
  return new Metrics({
    groupOf: (id) => current().groups.get(id),
    deployments: () => current().ids,
    cooling: () => router.loads.cooling(),
    ...(accounts ? { ledger: () => accounts.accounting.writer.status() } : {}),
    ...(tracing ? { tracing: () => tracing.status() } : {}),
  });
}
