import type { RouteSpec } from "../server/route-spec.ts";
import { serverContext } from "./context.ts";
import { fromStoreConflict } from "./errors.ts";
import { keyRoutes } from "./key-routes.ts";
import { organizationRoutes } from "./organizations.ts";
import { spendRoutes } from "./spend.ts";
import { teamMemberRoutes } from "./team-members.ts";
import { teamRoutes } from "./teams.ts";
import type { AdminDeps } from "./types.ts";
import { userRoutes } from "./users.ts";

/** A route whose store conflicts (duplicate id, team still in use) answer 400 with the store's message. */
function conflictsAsBadRequests(route: RouteSpec): RouteSpec {
  return {
    ...route,
    handle: async (input) => {
      try {
        return await route.handle(input);
      } catch (error) {
        throw fromStoreConflict(error);
      }
    },
  };
}

/** The management API (master key only): keys, teams, organisations, users and the spend ledger, in LiteLLM's paths and shapes. */
export function adminRoutes(deps: AdminDeps): RouteSpec[] {
  const ctx = serverContext(deps);
  return [...keyRoutes(ctx), ...teamRoutes(ctx), ...teamMemberRoutes(ctx), ...organizationRoutes(ctx), ...userRoutes(ctx), ...spendRoutes(ctx)].map(conflictsAsBadRequests);
}
