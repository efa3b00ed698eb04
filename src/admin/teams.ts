/** Teams: `/team/new`, `/team/info`, `/team/update`, `/team/delete`, `/team/list` (LiteLLM's paths and shapes). */
import { echo } from "../canonical/echo.ts";
import { Type } from "@sinclair/typebox";
import type { AccessPolicy } from "../auth/policy.ts";
import type { RouteSpec } from "../server/route-spec.ts";
import type { TeamRecord } from "../store/types.ts";
import { notFound } from "./errors.ts";
import { keyJson, teamJson } from "./present.ts";
import { DeletedTeams, TeamInfoResponse, TeamObject } from "./responses.ts";
import { DeleteTeamsBody, NewTeamBody, TeamInfoQuery, UpdateTeamBody } from "./schemas.ts";
import { teamPatch, withoutNulls } from "./settings.ts";
import type { AdminContext } from "./types.ts";

/** Most keys a team or user answer lists. */
export const MAX_LISTED_KEYS = 1_000;

async function findTeam(ctx: AdminContext, teamId: string): Promise<TeamRecord> {
  const team = await ctx.store.teams.byId(teamId);
  if (!team) throw notFound(`No team '${echo(teamId)}'.`, "team_id");
  return team;
}

/** Creates a team (a uuid when no team_id is given). */
export async function createTeam(ctx: AdminContext, body: NewTeamBody): Promise<TeamRecord> {
  const { team_id: teamId, ...fields } = body;
  const team = await ctx.store.teams.insert({ teamId: teamId ?? crypto.randomUUID(), ...withoutNulls(teamPatch(fields)) });
  await ctx.afterWrite();
  return team;
}

/** The `/team/*` routes over `ctx`; `policy` lets members and the team's keys read it. */
export function teamRoutes(ctx: AdminContext, policy: AccessPolicy): RouteSpec[] {
  return [
    {
      method: "POST",
      paths: ["/team/new"],
      summary: "Create a team (its budget, limits and models apply to all its keys)",
      access: "admin",
      body: NewTeamBody,
      response: TeamObject,
      handle: async ({ body }) => teamJson(ctx, await createTeam(ctx, body as NewTeamBody)),
    },
    {
      method: "GET",
      paths: ["/team/info"],
      summary: "A team's settings, live spend and keys (members and the team's keys may read it)",
      access: "self",
      query: TeamInfoQuery,
      response: TeamInfoResponse,
      handle: async ({ query, caller }) => {
        policy.readTeam(caller, query.team_id as string);
        const team = await findTeam(ctx, query.team_id as string);
        const { keys } = await ctx.store.keys.list({ teamId: team.teamId, limit: MAX_LISTED_KEYS, offset: 0 });
        return { team_id: team.teamId, team_info: teamJson(ctx, team), keys: keys.map((key) => keyJson(ctx, key)) };
      },
    },
    {
      method: "POST",
      paths: ["/team/update"],
      summary: "Change a team's settings (null clears a field)",
      access: "admin",
      body: UpdateTeamBody,
      response: TeamObject,
      handle: async ({ body }) => {
        const { team_id: teamId, ...fields } = body as UpdateTeamBody;
        const team = await ctx.store.teams.update(teamId, teamPatch(fields));
        if (!team) throw notFound(`No team '${echo(teamId)}'.`, "team_id");
        await ctx.afterWrite();
        return teamJson(ctx, team);
      },
    },
    {
      method: "POST",
      paths: ["/team/delete"],
      summary: "Delete teams that no key belongs to (400 naming those that still have keys)",
      access: "admin",
      body: DeleteTeamsBody,
      response: DeletedTeams,
      handle: async ({ body }) => {
        const { team_ids: teamIds } = body as DeleteTeamsBody;
        const deleted = await ctx.store.teams.delete(teamIds);
        if (deleted.length === 0) throw notFound(`None of the teams named exist: ${echo(teamIds.map((id) => `'${id}'`).join(", "))}.`, "team_ids");
        await ctx.afterWrite();
        return { deleted_teams: deleted };
      },
    },
    {
      method: "GET",
      paths: ["/team/list"],
      summary: "Every team",
      access: "admin-read",
      response: Type.Array(TeamObject),
      handle: async () => (await ctx.store.teams.all()).map((team) => teamJson(ctx, team)),
    },
  ];
}
