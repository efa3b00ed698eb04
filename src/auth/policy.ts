/**
 * Who may do what on the management API, in LiteLLM's roles. Two layers:
 * - `authorizeRoute` runs for every route before its body is read, from the route's declared
 *   `access` alone (RouteSpec.access);
 * - `AccessPolicy` answers the questions a "self" route can only ask once it knows its target
 *   (whose key is this, is the caller in that team).
 * Both answer from the caller (resolved by authentication) and the in-memory directory: no store
 * read, so a refusal costs nothing.
 */
import { GatewayError } from "../canonical/errors.ts";
import { echo } from "../canonical/echo.ts";
import type { KeyRecord, TeamRecord, UserRole } from "../store/types.ts";
import type { Caller } from "./caller.ts";
import type { AccountDirectory } from "./directory.ts";
import { listedModelAllowed } from "./model-access.ts";

/**
 * A route's rule (RouteSpec.access):
 * - `admin`: proxy admins only (the master key, keys of `proxy_admin` users);
 * - `admin-read`: also `proxy_admin_viewer` (a GET route: reads of everything);
 * - `self`: every key; proxy admins do anything, viewers only GET, and the handler narrows every
 *   other caller to its own keys, user and teams with `AccessPolicy`;
 * - `public`: no key at all, none read (a config pass-through endpoint with `auth: false`): the
 *   caller is nobody in particular, whatever it sends.
 * No `access`: not a management route (the proxy routes); any authenticated caller.
 */
export type RouteAccess = "admin" | "admin-read" | "self" | "public";

/** A caller's standing: the master key is a proxy admin; a key has its user's role, or none. */
export type CallerRole = UserRole | "no_user";

/** Management routes a team member may be allowed (LiteLLM's team_member_permissions). */
export type KeyRoute = "/key/info" | "/key/generate" | "/key/update" | "/key/delete" | "/key/regenerate" | "/key/list";

/** The routes that change a team's members. */
export type MemberRoute = "/team/member_add" | "/team/member_update" | "/team/member_delete";

/** What plain team members may do when the team names no permissions (LiteLLM's default). */
export const DEFAULT_MEMBER_PERMISSIONS: readonly string[] = ["/key/info", "/key/health"];

/** The role a caller acts with. */
export function roleOf(caller: Caller): CallerRole {
  if (caller.kind === "master") return "proxy_admin";
  if (caller.kind === "open") return "no_user";
  return caller.user?.userRole ?? "no_user";
}

/** Who the caller is, for messages: never the key itself. */
function describeCaller(caller: Caller): string {
  if (caller.kind !== "key") return "this caller";
  if (caller.user) return `this key's user '${caller.user.userId}' (role ${caller.user.userRole})`;
  return `this key (${caller.key.keyAlias ?? caller.key.keyName}) belongs to no user, so it may only read: itself (GET /key/info), its team (GET /team/info) and its own calls (GET /spend/logs)`;
}

/** A 403 saying what was needed and what the caller is. */
export function forbidden(needed: string, caller: Caller): GatewayError {
  return new GatewayError("policy.forbidden", `${needed}; ${describeCaller(caller)}.`);
}

/** Proxy admins and viewers read everything. */
function readsAll(role: CallerRole): boolean {
  return role === "proxy_admin" || role === "proxy_admin_viewer";
}

/** Refuses a call its route's `access` does not allow; the body has not been read yet. */
export function authorizeRoute(access: RouteAccess | undefined, method: string, caller: Caller, hasMasterKey: boolean): void {
  if (access === undefined || access === "public") return;
  if (!hasMasterKey) {
    throw new GatewayError("policy.forbidden", "The management API is disabled: no master key is configured. Set SWITCHBOARD_MASTER_KEY (or auth.master_key).");
  }
  const role = roleOf(caller);
  if (role === "proxy_admin") return;
  const read = method === "GET";
  if (access === "admin") throw forbidden("This route needs the proxy_admin role (or the master key)", caller);
  if (access === "admin-read") {
    if (read && role === "proxy_admin_viewer") return;
    throw forbidden(read ? "This route needs the proxy_admin or proxy_admin_viewer role" : "This route needs the proxy_admin role (or the master key)", caller);
  }
  if (read || role === "internal_user") return;
  throw forbidden("This route changes things: it needs the proxy_admin or internal_user role", caller);
}

/**
 * The object-level rules of "self" routes. Each method returns normally when the caller may, and
 * throws a 403 naming what was missing otherwise. Proxy admins pass every check; viewers pass
 * every read (their writes never get past `authorizeRoute`).
 */
export class AccessPolicy {
  constructor(private readonly directory: AccountDirectory) {}

  /** Whether the caller manages everything (no narrowing). */
  isAdmin(caller: Caller): boolean {
    return roleOf(caller) === "proxy_admin";
  }

  /** Whether the caller reads everything. */
  readsAll(caller: Caller): boolean {
    return readsAll(roleOf(caller));
  }

  /** The caller's user id, when its key has a user. */
  userOf(caller: Caller): string | undefined {
    return caller.kind === "key" ? caller.key.userId : undefined;
  }

  /** The caller's own key, when it is one. */
  keyOf(caller: Caller): KeyRecord | undefined {
    return caller.kind === "key" ? caller.key : undefined;
  }

  /**
   * Reading a key: the key itself, its user's keys, and a team's keys for the team's admins and for
   * members the team allows `/key/info` (LiteLLM's default allows it).
   */
  readKey(caller: Caller, key: KeyRecord): void {
    if (this.readsAll(caller)) return;
    if (caller.kind === "key" && caller.key.token === key.token) return;
    const userId = this.userOf(caller);
    if (userId !== undefined && key.userId === userId) return;
    if (key.teamId !== undefined && userId !== undefined && this.directory.memberRole(key.teamId, userId) !== undefined) {
      this.teamRight(caller, this.directory.team(key.teamId) as TeamRecord, "/key/info");
      return;
    }
    throw forbidden("Only the key itself, its user, its team's admins and members, or a proxy admin may read this key", caller);
  }

  /** Whether `manageKey` would let the caller `route` `key` (for aliases, which narrow instead of refusing). */
  mayManageKey(caller: Caller, key: KeyRecord, route: KeyRoute): boolean {
    try {
      this.manageKey(caller, key, route);
      return true;
    } catch (error) {
      if (error instanceof GatewayError) return false;
      throw error;
    }
  }

  /** Whether `readKey` would let the caller read `key` (for lists that narrow instead of refusing). */
  mayReadKey(caller: Caller, key: KeyRecord): boolean {
    try {
      this.readKey(caller, key);
      return true;
    } catch (error) {
      if (error instanceof GatewayError) return false;
      throw error;
    }
  }

  /**
   * Changing, deleting or regenerating a key. A team's keys belong to the team: its admins manage
   * them, plain members only what the team's member permissions allow (as LiteLLM does). A key
   * without a team belongs to its user. Two limits on top, since a key acts with its user's rights:
   * only the key's own user regenerates it (the new secret goes to the caller, who would then act as
   * that user), and nothing of a blocked team's or organisation's keys changes but by a proxy admin
   * (taking a key out would undo the block).
   */
  manageKey(caller: Caller, key: KeyRecord, route: KeyRoute): void {
    if (this.isAdmin(caller)) return;
    const userId = this.userOf(caller);
    if (key.teamId !== undefined) {
      const team = this.directory.team(key.teamId);
      if (!team || userId === undefined || this.directory.memberRole(team.teamId, userId) === undefined) {
        throw forbidden(`Only the admins of team '${key.teamId}' (and members it allows ${route}) or a proxy admin may ${verb(route)} its keys`, caller);
      }
      this.teamRight(caller, team, route);
      this.notBlocked(caller, team);
    } else if (userId === undefined || key.userId !== userId) {
      throw forbidden(`Only the key's user or a proxy admin may ${verb(route)} this key`, caller);
    }
    if (route === "/key/regenerate" && key.userId !== userId) {
      throw forbidden("Only the key's own user or a proxy admin may regenerate it: the new key goes to whoever asks, and acts with its user's rights", caller);
    }
  }

  /** Refuses changes to the keys of a team a proxy admin blocked (or whose organisation is blocked). */
  private notBlocked(caller: Caller, team: TeamRecord): void {
    const organization = team.organizationId === undefined ? undefined : this.directory.organization(team.organizationId);
    if (team.blocked || organization?.blocked) {
      const what = team.blocked ? `team '${team.teamId}'` : `organization '${team.organizationId}' of team '${team.teamId}'`;
      throw forbidden(`The ${what} is blocked: only a proxy admin may change its keys until it is unblocked`, caller);
    }
  }

  /**
   * Creating a key (`/key/generate`), or changing whose it is (`current`: the key as it is, for
   * `/key/update` and `/key/regenerate`; only what changes is checked). A key a user makes is its
   * own: it acts with its user's rights, so making one for somebody else would hand over that
   * person's account (LiteLLM lets a team's admin do it; Switchboard leaves it to proxy admins). A
   * key goes into a team only as its admin or as a member the team allows `route`; it leaves its team
   * (or moves to another) only by the current team's admin; its owner must belong to the team it
   * lands in; and it asks only for models the user, the team and the team's organisation may use.
   * An existing key's object_permission (the MCP servers and tools it may use) changes only by a
   * proxy admin or its team's admin: its user lifting a restriction put on it would undo it.
   * Returns the user the key is for: the caller's when a new key names none.
   */
  placeKey(
    caller: Caller,
    target: {
      userId?: string | null | undefined;
      teamId?: string | null | undefined;
      models?: readonly string[] | undefined;
      blocked?: boolean | null | undefined;
      objectPermission?: unknown;
    },
    route: KeyRoute,
    current?: KeyRecord,
  ): string | null | undefined {
    if (this.isAdmin(caller)) return target.userId;
    const userId = this.userOf(caller);
    if (userId === undefined) throw forbidden("Only a key with a user may create or change keys", caller);
    // A key without a user escapes its user's budget, limits and models: only proxy admins make one.
    if (target.userId === null) throw forbidden("Only a proxy admin may take a key from its user (user_id: null)", caller);
    // Blocking is how a proxy admin stops a key; its user unblocking it would undo that.
    if (target.blocked !== undefined) throw forbidden("Only a proxy admin may block or unblock a key (POST /key/block, /key/unblock)", caller);
    if (current && target.objectPermission !== undefined && (current.teamId === undefined || this.directory.memberRole(current.teamId, userId) !== "admin")) {
      throw forbidden("Only a proxy admin or an admin of the key's team may change an existing key's object_permission (the MCP servers and tools it may use)", caller);
    }
    const owner = target.userId ?? (current ? current.userId : userId);
    if (owner !== (current ? current.userId : userId)) {
      throw forbidden(`A key you make or change stays its user's: user_id can only be '${current?.userId ?? userId}' here (a proxy admin gives keys to other users)`, caller);
    }
    const teamId = current && target.teamId === undefined ? current.teamId : (target.teamId ?? undefined);
    if (current?.teamId !== undefined && teamId !== current.teamId && this.directory.memberRole(current.teamId, userId) !== "admin") {
      throw forbidden(`Only the admins of team '${current.teamId}' or a proxy admin may take a key out of it`, caller);
    }
    const team = teamId === undefined ? undefined : this.directory.team(teamId);
    if (teamId !== undefined && !team) {
      throw new GatewayError("caller.invalid_request", `Team '${echo(teamId)}' does not exist; create it first (POST /team/new).`, { param: "team_id" });
    }
    if (team && team.teamId !== current?.teamId) {
      if (this.directory.memberRole(team.teamId, userId) === undefined) throw forbidden(`Only members of team '${team.teamId}' or a proxy admin may put keys in it`, caller);
      if (owner !== undefined && this.directory.memberRole(team.teamId, owner) === undefined) {
        throw forbidden(`User '${owner}' is not a member of team '${team.teamId}': its key cannot go there`, caller);
      }
      this.notBlocked(caller, team);
      this.teamRight(caller, team, route);
    }
    this.withinModels(caller, team, target.models);
    return owner;
  }

  /**
   * Which keys a `/key/list` may show: everything for those who read everything; else the caller's
   * own keys, or a team's keys for its admins and the members it allows `/key/list`.
   */
  keyListFilter(caller: Caller, asked: { teamId?: string | undefined; userId?: string | undefined }): { teamId?: string; userId?: string } {
    const filter = { ...(asked.teamId ? { teamId: asked.teamId } : {}), ...(asked.userId ? { userId: asked.userId } : {}) };
    if (this.readsAll(caller)) return filter;
    const userId = this.userOf(caller);
    if (userId === undefined) throw forbidden("Listing keys needs a user", caller);
    if (asked.userId !== undefined && asked.userId !== userId) throw forbidden(`Only user '${echo(asked.userId)}' itself or a proxy admin may list its keys`, caller);
    if (asked.teamId === undefined) return { userId };
    const team = this.directory.team(asked.teamId);
    if (!team || this.directory.memberRole(team.teamId, userId) === undefined) throw forbidden(`Only members of team '${echo(asked.teamId)}' or a proxy admin may list its keys`, caller);
    this.teamRight(caller, team, "/key/list");
    return filter;
  }

  /** Reading a user: the user itself, or anyone who reads everything. */
  readUser(caller: Caller, userId: string): void {
    if (this.readsAll(caller) || this.userOf(caller) === userId) return;
    throw forbidden(`Only user '${echo(userId)}' itself or a proxy admin may read this user`, caller);
  }

  /** Reading a team: its members, keys of the team, and anyone who reads everything. */
  readTeam(caller: Caller, teamId: string): void {
    if (this.readsAll(caller)) return;
    if (caller.kind === "key" && caller.key.teamId === teamId) return;
    const userId = this.userOf(caller);
    if (userId !== undefined && this.directory.memberRole(teamId, userId) !== undefined) return;
    throw forbidden(`Only members of team '${echo(teamId)}', its keys, or a proxy admin may read this team`, caller);
  }

  /**
   * Changing a team's members (`/team/member_add`, `/team/member_update`, `/team/member_delete`):
   * the team's admins (members with role "admin", LiteLLM's `_is_user_team_admin`) and proxy admins.
   * A team's admin changes any member of its team, itself and other admins included, as in LiteLLM;
   * the team's own settings (`/team/update`) stay with proxy admins, as in LiteLLM.
   */
  manageTeamMembers(caller: Caller, teamId: string, route: MemberRoute): void {
    if (this.isAdmin(caller)) return;
    if (this.directory.memberRole(teamId, this.userOf(caller)) === "admin") return;
    throw forbidden(`Only an admin of team '${echo(teamId)}' (a member with role "admin") or a proxy admin may call ${route} on it`, caller);
  }

  /**
   * Whether adding members may create the users they name that do not exist. Only for proxy admins:
   * LiteLLM lets a team's admin create them too, but a new user is an internal_user free to mint keys
   * for any model with no budget, more than the team's admin itself may hand out.
   */
  createsUsers(caller: Caller): boolean {
    return this.isAdmin(caller);
  }

  /** What a team member may do in `team`: everything as its admin, else what the team's member permissions name. */
  private teamRight(caller: Caller, team: TeamRecord, route: KeyRoute): void {
    const userId = this.userOf(caller);
    if (userId !== undefined && this.directory.memberRole(team.teamId, userId) === "admin") return;
    const allowed = team.memberPermissions.length > 0 ? team.memberPermissions : DEFAULT_MEMBER_PERMISSIONS;
    if (allowed.includes(route)) return;
    throw new GatewayError(
      "policy.team_member_denied",
      `Team member does not have permissions for endpoint: ${route}. Members of team '${team.teamId}' may call: ${allowed.join(", ")}. A team admin or a proxy admin can change that with team_member_permissions on /team/update.`,
      { param: route },
    );
  }

  /** Models a new key asks for must be usable by the caller's user (and the team and its organisation, for a team key). */
  private withinModels(caller: Caller, team: TeamRecord | undefined, models: readonly string[] | undefined): void {
    if (!models || models.length === 0) return;
    const user = caller.kind === "key" ? caller.user : undefined;
    const organization = team?.organizationId === undefined ? undefined : this.directory.organization(team.organizationId);
    for (const model of models) {
      if (organization && !listedModelAllowed(organization.models, model)) {
        throw forbidden(`Model '${echo(model)}' is not among the models organization '${organization.organizationId}' may use (${organization.models.join(", ")})`, caller);
      }
      if (user && !listedModelAllowed(user.models, model)) {
        throw forbidden(`Model '${echo(model)}' is not among the models user '${user.userId}' may use (${user.models.join(", ")})`, caller);
      }
      if (team && !listedModelAllowed(team.models, model)) {
        throw forbidden(`Model '${echo(model)}' is not among the models team '${team.teamId}' may use (${team.models.join(", ")})`, caller);
      }
    }
  }
}

/** The verb of a key route, for messages. */
function verb(route: KeyRoute): string {
  return { "/key/info": "read", "/key/generate": "create", "/key/update": "change", "/key/delete": "delete", "/key/regenerate": "regenerate", "/key/list": "list" }[route];
}
