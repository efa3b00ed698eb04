/** Team members: `/team/member_add`, `/team/member_delete`, `/team/member_update` (LiteLLM's paths and shapes). */
import { forbidden, type AccessPolicy } from "../auth/policy.ts";
import type { Caller } from "../auth/caller.ts";
import { echo } from "../canonical/echo.ts";
import type { GatewayError } from "../canonical/errors.ts";
import type { RouteSpec } from "../server/route-spec.ts";
import { PrivilegedUser, UnknownUser, type MemberPatch, type TeamMembership, type TeamRecord } from "../store/types.ts";
import { invalid, notFound } from "./errors.ts";
import { nanoToUsd, usdToNano } from "./money.ts";
import { membershipJson, teamJson } from "./present.ts";
import { presentUser } from "./users.ts";
import { MemberAddResponse, MemberUpdateResponse, TeamObject } from "./responses.ts";
import { MemberAddBody, MemberDeleteBody, MemberUpdateBody } from "./schemas.ts";
import { findTeam, newMember } from "./teams.ts";
import type { AdminContext } from "./types.ts";

const orNull = <T>(value: T | undefined): T | null => (value === undefined ? null : value);

/** The members a delete or update names: by user_id, else every member with the user_email (LiteLLM matches either). */
function namedMembers(team: TeamRecord, ref: { user_id?: string | null; user_email?: string | null }): TeamMembership[] {
  if (ref.user_id == null && ref.user_email == null) throw invalid("Either user_id or user_email needs to be passed in.", "user_id");
  const found = team.members.filter((member) => (ref.user_id != null ? member.userId === ref.user_id : member.userEmail === ref.user_email));
  if (found.length === 0) {
    if (ref.user_id != null) throw invalid(`The user '${echo(ref.user_id)}' is not a member of team '${echo(team.teamId)}'.`, "user_id");
    throw invalid(`No member of team '${echo(team.teamId)}' has the email '${echo(ref.user_email as string)}'.`, "user_email");
  }
  return found;
}

/** A member patch from `/team/member_update`'s fields: absent keeps, null clears a limit. */
function memberPatch(body: MemberUpdateBody): MemberPatch {
  const patch: MemberPatch = {};
  if (body.role != null) patch.role = body.role;
  if (body.max_budget_in_team !== undefined) patch.maxBudgetNano = body.max_budget_in_team === null ? null : usdToNano(body.max_budget_in_team, "max_budget_in_team");
  if (body.rpm_limit !== undefined) patch.rpmLimit = body.rpm_limit;
  if (body.tpm_limit !== undefined) patch.tpmLimit = body.tpm_limit;
  return patch;
}

/** The 403 for a team's admin naming a user that does not exist (only proxy admins create users). */
function notCreated(error: UnknownUser, caller: Caller): GatewayError {
  const who = error.userId !== undefined ? `User '${echo(error.userId)}' does not exist` : `No user has the email '${echo(error.userEmail ?? "")}'`;
  return forbidden(`${who}, and only a proxy admin may create users: create it with POST /user/new (or add it with the master key), then add it`, caller);
}

/**
 * The `/team/member_*` routes over `ctx`: proxy admins, and a team's admins for their own team
 * (`policy.manageTeamMembers`).
 */
export function teamMemberRoutes(ctx: AdminContext, policy: AccessPolicy): RouteSpec[] {
  return [
    {
      method: "POST",
      paths: ["/team/member_add"],
      summary:
        "Add members by user_id or user_email, each with max_budget_in_team when given; 400 if one is already in. Proxy admins create users that do not exist; a team's admin adds existing users to its team",
      access: "self",
      body: MemberAddBody,
      response: MemberAddResponse,
      handle: async ({ body, caller }) => {
        const { team_id: teamId, member, max_budget_in_team: budget } = body as MemberAddBody;
        policy.manageTeamMembers(caller, teamId, "/team/member_add");
        const listed = Array.isArray(member) ? member : [member];
        const members = listed.map((m, i) => newMember(m, Array.isArray(member) ? `member[${i}]` : "member", budget));
        const added = await ctx.store.teams.addMembers(teamId, members, { createUsers: policy.createsUsers(caller) }).catch((error: unknown) => {
          if (error instanceof UnknownUser) throw notCreated(error, caller);
          if (error instanceof PrivilegedUser) {
            throw forbidden(`User '${echo(error.userId)}' is a ${error.userRole}, and only a proxy admin adds proxy admins or viewers to a team (a team's admin could then act with their keys)`, caller);
          }
          throw error;
        });
        if (!added) throw notFound(`No team '${echo(teamId)}'.`, "team_id");
        await ctx.afterWrite();
        const users = await Promise.all(added.userIds.map((userId) => ctx.store.users.byId(userId)));
        const memberships = added.team.members.filter((m) => added.userIds.includes(m.userId));
        return {
          ...teamJson(ctx, added.team),
          // A team's admin learns who joined, not the users' own settings and spend (those are theirs and the proxy admins').
          updated_users: policy.readsAll(caller)
            ? await Promise.all(users.flatMap((user) => (user ? [presentUser(ctx, user)] : [])))
            : users.flatMap((user) => (user ? [{ user_id: user.userId, user_email: user.userEmail ?? null }] : [])),
          updated_team_memberships: memberships.map((m) => membershipJson(ctx, teamId, m)),
        };
      },
    },
    {
      method: "POST",
      paths: ["/team/member_delete"],
      summary: "Remove a member (by user_id or user_email) from a team; the user and its keys stay. Proxy admins, and a team's admins for their team",
      access: "self",
      body: MemberDeleteBody,
      response: TeamObject,
      handle: async ({ body, caller }) => {
        const ref = body as MemberDeleteBody;
        policy.manageTeamMembers(caller, ref.team_id, "/team/member_delete");
        const leaving = namedMembers(await findTeam(ctx, ref.team_id), ref);
        const team = await ctx.store.teams.removeMembers(ref.team_id, leaving.map((m) => m.userId));
        if (!team) throw notFound(`No team '${echo(ref.team_id)}'.`, "team_id");
        await ctx.afterWrite();
        return teamJson(ctx, team);
      },
    },
    {
      method: "POST",
      paths: ["/team/member_update"],
      summary:
        "Change a member's role, budget in the team (max_budget_in_team) or rpm/tpm limits there (null clears). Proxy admins, and a team's admins for their team",
      access: "self",
      body: MemberUpdateBody,
      response: MemberUpdateResponse,
      handle: async ({ body, caller }) => {
        const update = body as MemberUpdateBody;
        policy.manageTeamMembers(caller, update.team_id, "/team/member_update");
        const [named] = namedMembers(await findTeam(ctx, update.team_id), update);
        const userId = (named as TeamMembership).userId;
        const team = await ctx.store.teams.updateMember(update.team_id, userId, memberPatch(update));
        const member = team?.members.find((m) => m.userId === userId);
        if (!team || !member) throw notFound(`The user '${echo(userId)}' is no longer a member of team '${echo(update.team_id)}'.`, "user_id");
        await ctx.afterWrite();
        return {
          team_id: team.teamId,
          user_id: member.userId,
          user_email: orNull(member.userEmail),
          max_budget_in_team: member.maxBudgetNano === undefined ? null : nanoToUsd(member.maxBudgetNano),
          rpm_limit: orNull(member.rpmLimit),
          tpm_limit: orNull(member.tpmLimit),
        };
      },
    },
  ];
}
