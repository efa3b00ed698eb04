/**
 * Organisations: `/organization/new`, `/organization/info`, `/organization/update`,
 * `/organization/delete`, `/organization/list`, in LiteLLM's paths, methods and shapes.
 */
import { echo } from "../canonical/echo.ts";
import type { RouteSpec } from "../server/route-spec.ts";
import type { OrganizationRecord, TeamRecord } from "../store/types.ts";
import { notFound } from "./errors.ts";
import { organizationJson } from "./present.ts";
import { NewOrganizationResponse, OrganizationList, OrganizationObject } from "./responses.ts";
import {
  DeleteOrganizationsBody,
  NewOrganizationBody,
  ORGANIZATION_UNAPPLIED,
  ORGANIZATION_UPDATE_UNAPPLIED,
  OrganizationInfoQuery,
  OrganizationsInfoBody,
  UpdateOrganizationBody,
} from "./schemas.ts";
import { organizationPatch, withoutNulls } from "./settings.ts";
import type { AdminContext } from "./types.ts";
import { objectPermissionWarnings } from "./object-permission.ts";
import { unappliedWarnings, withoutUnapplied, withWarnings } from "./unapplied-fields.ts";

const missing = (organizationId: string) => notFound(`No organization '${echo(organizationId)}'.`, "organization_id");

/** Every team, grouped by organisation (one read for a whole answer). */
async function teamsByOrganization(ctx: AdminContext): Promise<Map<string, TeamRecord[]>> {
  const byOrganization = new Map<string, TeamRecord[]>();
  for (const team of await ctx.store.teams.all()) {
    if (team.organizationId === undefined) continue;
    const list = byOrganization.get(team.organizationId);
    if (list) list.push(team);
    else byOrganization.set(team.organizationId, [team]);
  }
  return byOrganization;
}

/** Organisations as answered, each with its teams. */
async function organizationsJson(ctx: AdminContext, organizations: readonly OrganizationRecord[]) {
  const teams = await teamsByOrganization(ctx);
  return organizations.map((organization) => organizationJson(ctx, organization, teams.get(organization.organizationId) ?? []));
}

/** One organisation as answered, with its teams. */
async function organizationWithTeams(ctx: AdminContext, organization: OrganizationRecord) {
  const teams = (await ctx.store.teams.all()).filter((team) => team.organizationId === organization.organizationId);
  return organizationJson(ctx, organization, teams);
}

/** The `/organization/*` routes over `ctx`. Writes are admin-only, as in LiteLLM; reads are too for now. */
export function organizationRoutes(ctx: AdminContext): RouteSpec[] {
  const update: Omit<RouteSpec, "method"> = {
    paths: ["/organization/update"],
    summary: "Change an organisation's settings (null clears a field); its teams' settings stay as they are",
    access: "admin",
    body: UpdateOrganizationBody,
    response: NewOrganizationResponse,
    handle: async ({ body }) => {
      const warnings = [...unappliedWarnings(body as object, ORGANIZATION_UPDATE_UNAPPLIED), ...objectPermissionWarnings(body as object)];
      const { organization_id: organizationId, ...fields } = withoutUnapplied(body as UpdateOrganizationBody, ORGANIZATION_UPDATE_UNAPPLIED);
      const organization = await ctx.store.organizations.update(organizationId, organizationPatch(fields));
      if (!organization) throw missing(organizationId);
      await ctx.afterWrite();
      return withWarnings(await organizationWithTeams(ctx, organization), warnings);
    },
  };
  return [
    {
      method: "POST",
      paths: ["/organization/new"],
      summary: "Create an organisation (its models, budget and limits bound every team in it, and their keys)",
      access: "admin",
      body: NewOrganizationBody,
      response: NewOrganizationResponse,
      handle: async ({ body }) => {
        const warnings = [...unappliedWarnings(body as object, ORGANIZATION_UNAPPLIED), ...objectPermissionWarnings(body as object)];
        const { organization_id: organizationId, organization_alias: organizationAlias, ...fields } = withoutUnapplied(body as NewOrganizationBody, ORGANIZATION_UNAPPLIED);
        const organization = await ctx.store.organizations.insert({
          organizationId: organizationId ?? crypto.randomUUID(),
          organizationAlias,
          ...withoutNulls(organizationPatch(fields)),
        });
        await ctx.afterWrite();
        return withWarnings(organizationJson(ctx, organization, []), warnings);
      },
    },
    {
      method: "GET",
      paths: ["/organization/info"],
      summary: "An organisation's settings, live spend and teams",
      access: "admin-read",
      query: OrganizationInfoQuery,
      response: OrganizationObject,
      handle: async ({ query }) => {
        const organizationId = query.organization_id as string;
        const organization = await ctx.store.organizations.byId(organizationId);
        if (!organization) throw missing(organizationId);
        return organizationWithTeams(ctx, organization);
      },
    },
    {
      method: "POST",
      paths: ["/organization/info"],
      summary: "Several organisations at once (LiteLLM's older form); ids that do not exist are left out",
      access: "admin",
      body: OrganizationsInfoBody,
      response: OrganizationList,
      handle: async ({ body }) => {
        const wanted = new Set((body as OrganizationsInfoBody).organizations);
        return organizationsJson(ctx, (await ctx.store.organizations.all()).filter((organization) => wanted.has(organization.organizationId)));
      },
    },
    // LiteLLM's method is PATCH; POST is what its older clients and most scripts send.
    { method: "PATCH", ...update },
    { method: "POST", ...update },
    {
      method: "DELETE",
      paths: ["/organization/delete"],
      summary: "Delete organisations with their teams and those teams' keys, as LiteLLM does (404, and nothing deleted, when one does not exist)",
      access: "admin",
      body: DeleteOrganizationsBody,
      response: OrganizationList,
      handle: async ({ body }) => {
        const ids = [...new Set((body as DeleteOrganizationsBody).organization_ids)];
        const organizations: OrganizationRecord[] = [];
        for (const id of ids) {
          const organization = await ctx.store.organizations.byId(id);
          if (!organization) throw notFound(`No organization '${echo(id)}'; nothing was deleted.`, "organization_ids");
          organizations.push(organization);
        }
        // The answer shows them as they were, teams included, as LiteLLM's does.
        const answer = await organizationsJson(ctx, organizations);
        await ctx.store.organizations.delete(ids);
        await ctx.afterWrite();
        return answer;
      },
    },
    {
      method: "GET",
      paths: ["/organization/list"],
      summary: "Every organisation with its teams",
      access: "admin-read",
      response: OrganizationList,
      handle: async () => organizationsJson(ctx, await ctx.store.organizations.all()),
    },
  ];
}
