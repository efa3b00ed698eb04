/**
 * Teams: `/team/new`, `/team/info`, `/team/update`, `/team/delete`, `/team/list`, `/team/block`,
 * `/team/unblock` (LiteLLM's paths and shapes). Members: team-members.ts.
 */
import { echo } from "../canonical/echo.ts";
import { Type } from "@sinclair/typebox";
import type { Caller } from "../auth/caller.ts";
import type { AccessPolicy } from "../auth/policy.ts";
import type { RouteSpec } from "../server/route-spec.ts";
import type { NewMember, TeamRecord } from "../store/types.ts";
import { invalid, notFound } from "./errors.ts";
import { keyJson, membershipsJson, teamJson } from "./present.ts";
import { DeletedTeams, TeamInfoResponse, TeamListEntry, TeamObject, TeamUpdateResponse, TeamWithWarnings } from "./responses.ts";
import {
  DeleteTeamsBody,
  NEW_TEAM_UNAPPLIED,
  NewTeamBody,
  TEAM_UNAPPLIED,
  TeamInfoQuery,
  TeamListQuery,
  TeamRefBody,
  UpdateTeamBody,
  type MemberBody,
} from "./schemas.ts";
import { usdToNano } from "./money.ts";
import { teamPatch, withoutNulls } from "./settings.ts";
import { checkNewTeam, checkTeamUpdate } from "./team-organization.ts";
import type { AdminContext } from "./types.ts";
import { objectPermissionWarnings } from "./object-permission.ts";
import { unappliedWarnings, withoutUnapplied, withWarnings } from "./unapplied-fields.ts";

/** Most keys a team or user answer lists. */
export const MAX_LISTED_KEYS = 1_000;

export async function findTeam(ctx: AdminContext, teamId: string): Promise<TeamRecord> {
  const team = await ctx.store.teams.byId(teamId);
  if (!team) throw notFound(`No team '${echo(teamId)}'.`, "team_id");
  return team;
}

/** A member of a request as the store takes it; LiteLLM's rule: a user_id or a user_email. */
export function newMember(member: MemberBody, param: string, maxBudgetInTeam?: number | null): NewMember {
  const out: NewMember = { role: member.role };
  if (member.user_id != null) out.userId = member.user_id;
  if (member.user_email != null) out.userEmail = member.user_email;
  if (out.userId === undefined && out.userEmail === undefined) throw invalid(`A member needs a user_id or a user_email (${param}).`, param);
  if (maxBudgetInTeam != null) out.maxBudgetNano = usdToNano(maxBudgetInTeam, "max_budget_in_team");
  return out;
}

/**
 * Creates a team (a uuid when no team_id is given) with its members. A user creating a team with
 * its own key joins it as an admin, as in LiteLLM; the master key is no user and joins nothing.
 */
export async function createTeam(ctx: AdminContext, body: NewTeamBody, caller?: Caller): Promise<TeamRecord> {
  const { team_id: teamId, members_with_roles: listed, ...fields } = withoutUnapplied(body, NEW_TEAM_UNAPPLIED);
  const members = (listed ?? []).map((member, i) => newMember(member, `members_with_roles[${i}]`));
  const creator = caller?.kind === "key" ? caller.key.userId : undefined;
  if (creator !== undefined && !members.some((member) => member.userId === creator)) members.push({ userId: creator, role: "admin" });
  const patch = teamPatch(fields);
  await checkNewTeam(ctx, patch);
  const team = await ctx.store.teams.insert({ teamId: teamId ?? crypto.randomUUID(), ...withoutNulls(patch), members });
  await ctx.afterWrite();
  return team;
}

/** A team with its memberships and keys, as LiteLLM's `/team/list` entries (and `/user/info` teams) show it. */
export async function teamWithKeysJson(ctx: AdminContext, team: TeamRecord, userId?: string) {
  const { keys } = await ctx.store.keys.list({ teamId: team.teamId, limit: MAX_LISTED_KEYS, offset: 0 });
  return { ...teamJson(ctx, team), team_memberships: membershipsJson(ctx, team, userId), keys: keys.map((key) => keyJson(ctx, key)) };
}

const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Sets a team's `blocked`; 404 when it does not exist. */
async function setBlocked(ctx: AdminContext, teamId: string, blocked: boolean) {
  const team = await ctx.store.teams.update(teamId, { blocked });
  if (!team) throw notFound(`No team '${echo(teamId)}'.`, "team_id");
  await ctx.afterWrite();
  return teamJson(ctx, team);
}

/** The `/team/*` routes over `ctx` (members: teamMemberRoutes); `policy` lets members and the team's keys read it. */
export function teamRoutes(ctx: AdminContext, policy: AccessPolicy): RouteSpec[] {
  return [
    {
      method: "POST",
      paths: ["/team/new"],
      summary: "Create a team with its members (its budget, limits, models and model aliases apply to all its keys)",
      access: "admin",
      body: NewTeamBody,
      response: TeamWithWarnings,
      handle: async ({ body, caller }) => {
        const team = await createTeam(ctx, body as NewTeamBody, caller);
        return withWarnings(teamJson(ctx, team), [...unappliedWarnings(body as object, NEW_TEAM_UNAPPLIED), ...objectPermissionWarnings(body as object)]);
      },
    },
    {
      method: "GET",
      paths: ["/team/info"],
      summary: "A team's settings, members, live spend, memberships and keys (members and the team's keys may read it)",
      access: "self",
      query: TeamInfoQuery,
      response: TeamInfoResponse,
      handle: async ({ query, caller }) => {
        policy.readTeam(caller, query.team_id as string);
        const team = await findTeam(ctx, query.team_id as string);
        const { keys } = await ctx.store.keys.list({ teamId: team.teamId, limit: MAX_LISTED_KEYS, offset: 0 });
        // A member sees the team's keys only as far as it may read them (/key/info in the team's member permissions).
        const shown = policy.readsAll(caller) ? keys : keys.filter((key) => policy.mayReadKey(caller, key));
        return { team_id: team.teamId, team_info: teamJson(ctx, team), keys: shown.map((key) => keyJson(ctx, key)), team_memberships: membershipsJson(ctx, team) };
      },
    },
    {
      method: "POST",
      paths: ["/team/update"],
      summary: "Change a team's settings (null clears a field); members change through /team/member_*",
      access: "admin",
      body: UpdateTeamBody,
      response: TeamUpdateResponse,
      handle: async ({ body }) => {
        const { team_id: teamId, ...fields } = withoutUnapplied(body as UpdateTeamBody, TEAM_UNAPPLIED);
        const patch = teamPatch(fields);
        await checkTeamUpdate(ctx, await findTeam(ctx, teamId), patch);
        const team = await ctx.store.teams.update(teamId, patch);
        if (!team) throw notFound(`No team '${echo(teamId)}'.`, "team_id");
        await ctx.afterWrite();
        return withWarnings({ team_id: team.teamId, data: teamJson(ctx, team) }, [...unappliedWarnings(body as object, TEAM_UNAPPLIED), ...objectPermissionWarnings(body as object)]);
      },
    },
    {
      method: "POST",
      paths: ["/team/delete"],
      summary: "Delete teams with their keys and memberships, all at once (404, and nothing deleted, if any is missing); spend rows stay",
      access: "admin",
      body: DeleteTeamsBody,
      response: DeletedTeams,
      handle: async ({ body }) => {
        const { team_ids: teamIds } = body as DeleteTeamsBody;
        const { deleted, missing } = await ctx.store.teams.delete(teamIds);
        if (missing.length > 0) throw notFound(`No ${missing.length === 1 ? "team" : "teams"} ${echo(missing.map((id) => `'${id}'`).join(", "))}; nothing was deleted.`, "team_ids");
        // The deleted keys leave the directory now: they stop authenticating with this answer.
        await ctx.afterWrite();
        return { deleted_teams: deleted };
      },
    },
    {
      method: "GET",
      paths: ["/team/list"],
      summary: "Every team (or a user's teams), with memberships and keys",
      access: "admin-read",
      query: TeamListQuery,
      response: Type.Array(TeamListEntry),
      handle: async ({ query }) => {
        const userId = query.user_id;
        const teams = (await ctx.store.teams.all()).filter((team) => userId === undefined || team.members.some((member) => member.userId === userId));
        // LiteLLM sorts by alias (teams without one first); the sort is stable, so creation order breaks ties.
        teams.sort((a, b) => byCodePoint(a.teamAlias ?? "", b.teamAlias ?? ""));
        return Promise.all(teams.map((team) => teamWithKeysJson(ctx, team, userId)));
      },
    },
    {
      method: "POST",
      paths: ["/team/block"],
      summary: "Block a team: every key of it is refused (401) until unblocked",
      access: "admin",
      body: TeamRefBody,
      response: TeamObject,
      handle: async ({ body }) => setBlocked(ctx, (body as TeamRefBody).team_id, true),
    },
    {
      method: "POST",
      paths: ["/team/unblock"],
      summary: "Unblock a team",
      access: "admin",
      body: TeamRefBody,
      response: TeamObject,
      handle: async ({ body }) => setBlocked(ctx, (body as TeamRefBody).team_id, false),
    },
  ];
}
