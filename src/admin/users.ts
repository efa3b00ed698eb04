/** Users: `/user/new`, `/user/info`, `/user/update`, `/user/delete`, `/user/list` (LiteLLM's paths and shapes). */
import { echo } from "../canonical/echo.ts";
import type { AccessPolicy } from "../auth/policy.ts";
import { budgetWindow } from "../budgets/window.ts";
import type { RouteSpec } from "../server/route-spec.ts";
import type { TeamMember, TeamRecord, UserRecord } from "../store/types.ts";
import { invalid, notFound } from "./errors.ts";
import { isoOrNull } from "./dates.ts";
import { generateKey } from "./keys.ts";
import { keyJson, membershipsJson, teamJson, userJson } from "./present.ts";
import { DeletedUsers, NewUserResponse, UserInfoResponse, UserListResponse, UserUpdateResponse } from "./responses.ts";
import { DeleteUsersBody, NewUserBody, UNAPPLIED_USER_FIELDS, UpdateUserBody, UserInfoQuery, UserListQuery } from "./schemas.ts";
import { userPatch, withoutNulls } from "./settings.ts";
import { MAX_LISTED_KEYS } from "./teams.ts";
import type { AdminContext } from "./types.ts";
import { unappliedWarnings, withoutUnapplied, withWarnings } from "./unapplied-fields.ts";
import { intParam, textParam } from "./query.ts";

const UNAPPLIED_ON_UPDATE = [...UNAPPLIED_USER_FIELDS, "password", "teams", "team_id", "duration", "key_alias", "aliases"] as const;

/** Every team, and each user's teams (management reads may read the store). */
async function memberships(ctx: AdminContext): Promise<{ teams: TeamRecord[]; of: (userId: string) => TeamRecord[] }> {
  const teams = await ctx.store.teams.all();
  return { teams, of: (userId) => teams.filter((team) => team.members.some((member) => member.userId === userId)) };
}

/** A user as answers show it, with its team ids. */
export async function presentUser(ctx: AdminContext, user: UserRecord) {
  const { of } = await memberships(ctx);
  return userJson(ctx, user, of(user.userId).map((team) => team.teamId));
}

/** The teams `/user/new` joins: `team_id` (as a plain member) and `teams` (ids or {team_id, user_role}). */
function teamsToJoin(body: NewUserBody): { teamId: string; role: TeamMember["role"]; budgetInTeam: boolean }[] {
  const joins: { teamId: string; role: TeamMember["role"]; budgetInTeam: boolean }[] = [];
  if (body.team_id) joins.push({ teamId: body.team_id, role: "user", budgetInTeam: false });
  for (const team of body.teams ?? []) {
    if (typeof team === "string") joins.push({ teamId: team, role: "user", budgetInTeam: false });
    else joins.push({ teamId: team.team_id, role: team.user_role ?? "user", budgetInTeam: team.max_budget_in_team != null });
  }
  return joins;
}

/** Creates the user, joins its teams and, unless `auto_create_key: false`, makes its first key. */
async function newUser(ctx: AdminContext, body: NewUserBody) {
  const warnings = unappliedWarnings(body, UNAPPLIED_USER_FIELDS);
  const joins = teamsToJoin(body);
  if (joins.some((join) => join.budgetInTeam)) warnings.push("'teams[].max_budget_in_team' is accepted for LiteLLM compatibility but not applied by Switchboard here; set it with /team/member_add or /team/member_update.");
  for (const { teamId } of joins) {
    if (!(await ctx.store.teams.byId(teamId))) throw invalid(`Team '${echo(teamId)}' does not exist; create it first (POST /team/new).`, body.team_id === teamId ? "team_id" : "teams");
  }
  const fields = withoutUnapplied(body, UNAPPLIED_USER_FIELDS);
  const user = await ctx.store.users.insert({ userId: fields.user_id ?? crypto.randomUUID(), ...withoutNulls(userPatch(fields)) });
  for (const { teamId, role } of joins) await ctx.store.teams.putMembers(teamId, [{ userId: user.userId, role }]);
  await ctx.afterWrite();
  const created =
    body.auto_create_key === false
      ? undefined
      : await generateKey(ctx, {
          user_id: user.userId,
          ...(body.team_id ? { team_id: body.team_id } : {}),
          ...(body.key_alias != null ? { key_alias: body.key_alias } : {}),
          ...(body.duration != null ? { duration: body.duration } : {}),
          ...(body.aliases != null ? { aliases: body.aliases } : {}),
        });
  const key = created?.record;
  return withWarnings(
    {
      ...(await presentUser(ctx, user)),
      key: created?.key ?? null,
      token: key?.token ?? null,
      key_name: key?.keyName ?? null,
      key_alias: key?.keyAlias ?? null,
      expires: isoOrNull(key?.expiresAt),
      team_id: key?.teamId ?? null,
      aliases: key?.aliases ?? {},
    },
    warnings,
  );
}

/** `/user/update`: LiteLLM's upsert (a user not yet known is created), `user_role`, and `spend: 0` as a reset. */
async function updateUser(ctx: AdminContext, body: UpdateUserBody) {
  const warnings = unappliedWarnings(body, UNAPPLIED_ON_UPDATE);
  const { user_id: givenId, spend, ...fields } = withoutUnapplied(body, UNAPPLIED_ON_UPDATE);
  let userId = givenId ?? undefined;
  if (userId === undefined) {
    // LiteLLM finds the user by email when no id is given.
    if (!body.user_email) throw invalid("Name the user: 'user_id' (or 'user_email' of an existing user).", "user_id");
    const found = (await ctx.store.users.all()).find((user) => user.userEmail === body.user_email);
    if (!found) throw notFound(`No user with email '${echo(body.user_email)}'.`, "user_email");
    userId = found.userId;
  }
  // Rows still queued belong before a reset: store them first, so they are zeroed with it (and when
  // the ledger cannot store them, the answer is a 503 before anything changed).
  if (spend === 0) await ctx.flushSpend();
  await ctx.store.users.ensure(userId);
  let user = await ctx.store.users.update(userId, userPatch(fields));
  if (!user) throw notFound(`No user '${echo(userId)}'.`, "user_id");
  if (spend === 0) {
    const start = budgetWindow(user.budgetAnchor, user.budgetDuration, ctx.now()).start;
    user = (await ctx.store.users.resetSpend(userId, start)) ?? user;
  }
  await ctx.afterWrite();
  return withWarnings({ user_id: user.userId, data: await presentUser(ctx, user) }, warnings);
}

/** `/user/list`: LiteLLM's filters, sort and pages over every user. */
async function listUsers(ctx: AdminContext, query: Record<string, string>) {
  const page = intParam(query, "page", 1, 1, 1_000_000);
  const pageSize = intParam(query, "page_size", 25, 1, 100);
  const role = textParam(query, "role");
  const ids = textParam(query, "user_ids")?.split(",").map((id) => id.trim()).filter((id) => id.length > 0);
  const email = textParam(query, "user_email")?.toLowerCase();
  const team = textParam(query, "team");
  const { of } = await memberships(ctx);
  const keyCounts = new Map<string, number>();
  for (const key of await ctx.store.keys.all()) if (key.userId !== undefined) keyCounts.set(key.userId, (keyCounts.get(key.userId) ?? 0) + 1);
  const users = (await ctx.store.users.all()).filter(
    (user) =>
      (role === undefined || user.userRole === role) &&
      (ids === undefined || ids.includes(user.userId)) &&
      (email === undefined || (user.userEmail ?? "").toLowerCase().includes(email)) &&
      (team === undefined || of(user.userId).some((t) => t.teamId === team)),
  );
  const sortBy = textParam(query, "sort_by");
  const order = (textParam(query, "sort_order") ?? (sortBy ? "asc" : "desc")) === "asc" ? 1 : -1;
  const sortKey = (user: UserRecord): string | number => {
    if (sortBy === "user_id") return user.userId;
    if (sortBy === "user_email") return user.userEmail ?? "";
    if (sortBy === "user_alias") return user.userAlias ?? "";
    if (sortBy === "user_role") return user.userRole;
    if (sortBy === "spend") return ctx.spendOf("user", user.userId, user).windowNano;
    return user.createdAt;
  };
  users.sort((a, b) => {
    const [x, y] = [sortKey(a), sortKey(b)];
    return (x < y ? -1 : x > y ? 1 : 0) * order;
  });
  const shown = users.slice((page - 1) * pageSize, page * pageSize);
  return {
    users: shown.map((user) => ({ ...userJson(ctx, user, of(user.userId).map((t) => t.teamId)), key_count: keyCounts.get(user.userId) ?? 0 })),
    total: users.length,
    page,
    page_size: pageSize,
    total_pages: Math.ceil(users.length / pageSize),
  };
}

/** The `/user/*` routes over `ctx`; `policy` lets a key read its own user. */
export function userRoutes(ctx: AdminContext, policy: AccessPolicy): RouteSpec[] {
  return [
    {
      method: "POST",
      paths: ["/user/new"],
      summary: "Create a user (its budget, limits and models apply to all its keys), join it to teams, and return its first key",
      access: "admin",
      body: NewUserBody,
      response: NewUserResponse,
      handle: async ({ body }) => newUser(ctx, body as NewUserBody),
    },
    {
      method: "GET",
      paths: ["/user/info"],
      summary: "A user's settings, live spend, keys and teams (without ?user_id=, the calling key's user)",
      access: "self",
      query: UserInfoQuery,
      response: UserInfoResponse,
      handle: async ({ query, caller }) => {
        const userId = textParam(query, "user_id") ?? policy.userOf(caller);
        if (userId === undefined) throw invalid("Name the user: /user/info?user_id=<id> (this key belongs to no user).", "user_id");
        policy.readUser(caller, userId);
        const user = await ctx.store.users.byId(userId);
        if (!user) throw notFound(`No user '${echo(userId)}'.`, "user_id");
        const { keys } = await ctx.store.keys.list({ userId, limit: MAX_LISTED_KEYS, offset: 0 });
        const teams = (await memberships(ctx)).of(userId);
        return {
          user_id: user.userId,
          user_info: userJson(ctx, user, teams.map((team) => team.teamId)),
          keys: keys.map((key) => keyJson(ctx, key)),
          // Each team with this user's membership of it (its spend and budget there), as LiteLLM shows them.
          teams: teams.map((team) => ({ ...teamJson(ctx, team), team_memberships: membershipsJson(ctx, team, userId) })),
        };
      },
    },
    {
      method: "POST",
      paths: ["/user/update"],
      summary: "Change a user's settings and role (null clears a field; spend: 0 resets its budget's spend); a user not yet known is created, as LiteLLM does",
      access: "admin",
      body: UpdateUserBody,
      response: UserUpdateResponse,
      handle: async ({ body }) => updateUser(ctx, body as UpdateUserBody),
    },
    {
      method: "POST",
      paths: ["/user/delete"],
      summary: "Delete users with their keys and team memberships (their spend rows stay)",
      access: "admin",
      body: DeleteUsersBody,
      response: DeletedUsers,
      handle: async ({ body }) => {
        const { user_ids: userIds } = body as DeleteUsersBody;
        for (const userId of userIds) if (!(await ctx.store.users.byId(userId))) throw notFound(`No user '${echo(userId)}'; nothing was deleted.`, "user_ids");
        const deleted = await ctx.store.users.delete(userIds);
        await ctx.afterWrite();
        return { deleted_users: deleted.users, deleted_keys: deleted.keys.length };
      },
    },
    {
      method: "GET",
      paths: ["/user/list"],
      summary: "Users, filtered and paged as LiteLLM's /user/list (role, user_ids, user_email, team, page, page_size, sort_by)",
      access: "admin-read",
      query: UserListQuery,
      response: UserListResponse,
      handle: async ({ query }) => listUsers(ctx, query),
    },
  ];
}
