/**
 * A team inside an organisation must fit within it, as LiteLLM checks on `/team/new` and
 * `/team/update`: the organisation exists, the team's models are among the organisation's, and its
 * max_budget, tpm_limit and rpm_limit are not above the organisation's. Checked when the team is
 * written, never later: lowering an organisation's budget leaves its teams' budgets as they are
 * (LiteLLM does the same), and the organisation's own budget still binds every call.
 */
import { listedModelAllowed } from "../auth/model-access.ts";
import { echo } from "../canonical/echo.ts";
import { formatUsd } from "../pricing/units.ts";
import type { OrganizationRecord, TeamPatch, TeamRecord } from "../store/types.ts";
import { invalid } from "./errors.ts";
import type { AdminContext } from "./types.ts";

/** The team fields an organisation bounds. */
type Bounded = Pick<TeamPatch, "models" | "maxBudgetNano" | "tpmLimit" | "rpmLimit">;

/** The organisation a new or changed team names, or a 400 in LiteLLM's words when it does not exist. */
async function organizationOf(ctx: AdminContext, organizationId: string): Promise<OrganizationRecord> {
  const organization = await ctx.store.organizations.byId(organizationId);
  if (!organization) throw invalid(`Organization not found for organization_id=${echo(organizationId)}.`, "organization_id");
  return organization;
}

/** Throws a 400 naming the first field of `team` that does not fit within `organization`. */
function checkWithin(organization: OrganizationRecord, team: Bounded): void {
  if (organization.models.length > 0) {
    for (const model of team.models ?? []) {
      if (!listedModelAllowed(organization.models, model)) {
        throw invalid(
          `Model '${echo(model)}' not in organization's allowed models. Organization '${echo(organization.organizationId)}' allows: ${echo(organization.models.join(", "))}.`,
          "models",
        );
      }
    }
  }
  const above = (field: string, mine: number | null | undefined, theirs: number | undefined, show: (n: number) => string = String) => {
    if (mine === null || mine === undefined || theirs === undefined || mine <= theirs) return;
    throw invalid(`Team ${field} (${show(mine)}) exceeds organization's ${field} (${show(theirs)}).`, field);
  };
  above("max_budget", team.maxBudgetNano, organization.maxBudgetNano, formatUsd);
  above("tpm_limit", team.tpmLimit, organization.tpmLimit);
  above("rpm_limit", team.rpmLimit, organization.rpmLimit);
}

/** Checks a new team against the organisation it names (if any). */
export async function checkNewTeam(ctx: AdminContext, patch: TeamPatch): Promise<void> {
  if (patch.organizationId === undefined || patch.organizationId === null) return;
  checkWithin(await organizationOf(ctx, patch.organizationId), patch);
}

/**
 * Checks a team update: a team moving into an organisation must fit whole; a team staying in one
 * must fit in the fields this update sets. A team leaving its organisation is not checked.
 */
export async function checkTeamUpdate(ctx: AdminContext, current: TeamRecord, patch: TeamPatch): Promise<void> {
  const target = patch.organizationId === undefined ? current.organizationId : (patch.organizationId ?? undefined);
  if (target === undefined) return;
  const organization = await organizationOf(ctx, target);
  if (target !== current.organizationId) {
    const pick = <K extends keyof Bounded>(key: K) => (patch[key] === undefined ? current[key] : patch[key]);
    checkWithin(organization, { models: pick("models"), maxBudgetNano: pick("maxBudgetNano"), tpmLimit: pick("tpmLimit"), rpmLimit: pick("rpmLimit") });
    return;
  }
  checkWithin(organization, patch);
}
