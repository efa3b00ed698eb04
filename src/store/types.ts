/**
 * The store contract: keys, teams, users, organisations and the spend ledger. Callers see only these types; the
 * SQLite implementation (embedded default) and a later PostgreSQL one (`Bun.sql`) both fulfil them.
 * Every method is async so a networked database fits without touching callers.
 * Money is integer nano-dollars (see pricing/units.ts); times are epoch milliseconds.
 */

/** Request limits shared by keys, teams and users; absent means unlimited. */
export interface Limits {
  rpmLimit?: number;
  tpmLimit?: number;
  maxParallelRequests?: number;
}

/** A budget: a cap on spend, over the whole life or per window (`budgetDuration`, e.g. "30d"). */
export interface Budget {
  maxBudgetNano?: number;
  /** `<n>s|m|h|d|mo`; windows start at `budgetAnchor` and repeat. Absent: the budget covers all time. */
  budgetDuration?: string;
  /** Start of the first window (creation, or when the duration was last set). */
  budgetAnchor: number;
}

/**
 * Spend rolled up on the entity, updated in the same transaction as the spend rows:
 * enforcement reads these, never sums the log.
 */
export interface SpendTotals {
  /** Everything ever spent. */
  totalNano: number;
  /** Spent in the window starting at `windowStart` (0 = no window: equals the total). */
  windowNano: number;
  windowStart: number;
}

/** What keys, teams and users have in common. */
export interface Principal extends Limits, Budget {
  /** Model names, aliases or patterns (`openai/*`) allowed; empty = all. */
  models: string[];
  blocked: boolean;
  metadata: Record<string, unknown>;
  spend: SpendTotals;
  createdAt: number;
  updatedAt: number;
}

/**
 * LiteLLM's `object_permission`, the part Switchboard applies: which MCP servers (by name or id, or
 * by their access groups) and which of their tools (the server's own names, by server) a key, team
 * or organisation may use. Absent or empty fields restrict nothing (see mcp/access.ts).
 */
export interface ObjectPermission {
  mcpServers?: string[];
  mcpAccessGroups?: string[];
  mcpToolPermissions?: Record<string, string[]>;
}

/** A change to an object permission: a field absent keeps, `null` clears, a value replaces (LiteLLM merges field by field). */
export type ObjectPermissionPatch = { [K in keyof ObjectPermission]?: ObjectPermission[K] | null };

/** A virtual key. The key itself is never stored: `token` is its SHA-256 digest (hex) and its id. */
export interface KeyRecord extends Principal {
  token: string;
  /** Masked for display: `sk-...abcd`. */
  keyName: string;
  keyAlias?: string;
  teamId?: string;
  userId?: string;
  /** Model aliases this key may call: alias -> model name. */
  aliases: Record<string, string>;
  tags: string[];
  expiresAt?: number;
  objectPermission?: ObjectPermission;
}

/** LiteLLM's user roles: admins manage everything (viewers read it); internal users manage their own keys (viewers read their own). */
export const USER_ROLES = ["proxy_admin", "proxy_admin_viewer", "internal_user", "internal_user_viewer"] as const;
export type UserRole = (typeof USER_ROLES)[number];

/** LiteLLM's team member roles: a team admin manages the team's keys and members; a user uses it. */
export const TEAM_MEMBER_ROLES = ["admin", "user"] as const;
export type TeamMemberRole = (typeof TEAM_MEMBER_ROLES)[number];

export interface TeamMember {
  userId: string;
  role: TeamMemberRole;
}

/**
 * A member as the team holds it: its role, what it may spend and call within this team (LiteLLM's
 * team membership budget: `max_budget_in_team`, rpm/tpm per member) and what it has spent there.
 * The budget covers all time (LiteLLM's member budgets have no window).
 */
export interface TeamMembership extends TeamMember {
  /** The user's email, for LiteLLM's `members_with_roles` (read from the user). */
  userEmail?: string;
  maxBudgetNano?: number;
  rpmLimit?: number;
  tpmLimit?: number;
  /** When the user joined: the start of its budget. */
  budgetAnchor: number;
  /** Spend of the member's calls with keys of this team, rolled up with the ledger. */
  spend: SpendTotals;
}

/** A member to add: a user by id, or by email (the user with that email, created when there is none). */
export interface NewMember {
  userId?: string;
  userEmail?: string;
  role: TeamMemberRole;
  maxBudgetNano?: number;
}

/** A change to one member; `null` clears a limit. */
export type MemberPatch = { role?: TeamMemberRole } & Settable<Pick<TeamMembership, "maxBudgetNano" | "rpmLimit" | "tpmLimit">>;

export interface TeamRecord extends Principal {
  teamId: string;
  teamAlias?: string;
  /** The organisation the team belongs to: its models, budget and limits bound the team's keys too. */
  organizationId?: string;
  tags: string[];
  /** Members in the order they joined. */
  members: TeamMembership[];
  /** Management routes (`/key/generate`, ...) a plain member may call on the team's keys (LiteLLM's team_member_permissions). */
  memberPermissions: string[];
  /** Model aliases for the team's keys: alias -> model name. */
  modelAliases: Record<string, string>;
  objectPermission?: ObjectPermission;
}

/** An organisation: above teams, with its own models, budget and limits (LiteLLM's organization). */
export interface OrganizationRecord extends Principal {
  organizationId: string;
  organizationAlias?: string;
  objectPermission?: ObjectPermission;
}

export interface UserRecord extends Principal {
  userId: string;
  userEmail?: string;
  userAlias?: string;
  userRole: UserRole;
}

/** Fields a caller sets on create/update; `null` clears an optional field on update. */
type Settable<T> = { [K in keyof T]?: T[K] | null };

type PrincipalFields = "models" | "blocked" | "metadata" | "rpmLimit" | "tpmLimit" | "maxParallelRequests" | "maxBudgetNano" | "budgetDuration";

/** The object permission part of a create or update: merged field by field into the current one. */
type WithObjectPermission = { objectPermission?: ObjectPermissionPatch | null };

export type NewKey = Pick<KeyRecord, "token" | "keyName"> &
  Partial<Pick<KeyRecord, PrincipalFields | "keyAlias" | "teamId" | "userId" | "aliases" | "tags" | "expiresAt">> &
  WithObjectPermission;
export type KeyPatch = Settable<Pick<KeyRecord, PrincipalFields | "keyAlias" | "teamId" | "userId" | "aliases" | "tags" | "expiresAt">> & WithObjectPermission;

type TeamFields = PrincipalFields | "teamAlias" | "organizationId" | "tags" | "memberPermissions" | "modelAliases";
export type NewTeam = Pick<TeamRecord, "teamId"> & Partial<Pick<TeamRecord, TeamFields>> & WithObjectPermission & { members?: readonly NewMember[] };
export type TeamPatch = Settable<Pick<TeamRecord, TeamFields>> & WithObjectPermission;

export type NewOrganization = Pick<OrganizationRecord, "organizationId"> & Partial<Pick<OrganizationRecord, PrincipalFields | "organizationAlias">> & WithObjectPermission;
export type OrganizationPatch = Settable<Pick<OrganizationRecord, PrincipalFields | "organizationAlias">> & WithObjectPermission;

export type NewUser = Pick<UserRecord, "userId"> & Partial<Pick<UserRecord, PrincipalFields | "userEmail" | "userAlias" | "userRole">>;
export type UserPatch = Settable<Pick<UserRecord, PrincipalFields | "userEmail" | "userAlias" | "userRole">>;

/** One row of the spend ledger: every call that reached an upstream. */
export interface SpendRow {
  callId: string;
  /** The id of the answer as its client saw it (`chatcmpl-…`, `msg_…`): LiteLLM's `request_id`. Absent when the answer had none (embeddings, errors). */
  responseId?: string;
  /** Digest of the virtual key; absent for the master key or an unauthenticated gateway. */
  token?: string;
  keyAlias?: string;
  teamId?: string;
  /** The organisation of the key's team. */
  organizationId?: string;
  userId?: string;
  /** The `user` field of the request body (the caller's end user). */
  endUser?: string;
  operation: string;
  /** The model name the client sent. */
  modelRequested: string;
  deploymentId?: string;
  provider?: string;
  /** The model the upstream was asked for. */
  upstreamModel?: string;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens: number;
  /** Null when the cost is unknown: tokens were used (or a call succeeded without usage) and the model has no price. */
  costNano: number | null;
  status: number;
  outcome: "ok" | "error" | "cancelled";
  errorCode?: string;
  startedAt: number;
  endedAt: number;
  ttftMs?: number;
  stream: boolean;
  tags: string[];
  /**
   * The budget window each rollup belongs to (see SpendTotals.windowStart), computed when the call
   * settled; a rollup only moves forward to a later window, never back.
   */
  windows: { key?: number; team?: number; user?: number; org?: number; member?: number };
}

export interface SpendFilter {
  /** The answer's id (see SpendRow.responseId) or the gateway's call id. */
  requestId?: string;
  token?: string;
  teamId?: string;
  userId?: string;
  model?: string;
  /** Inclusive, on `startedAt`. */
  from?: number;
  /** Exclusive, on `startedAt`. */
  to?: number;
  limit: number;
  offset: number;
}

export type ReportGroup = "day" | "model" | "key" | "team" | "user";

export interface ReportRow {
  /** The day (YYYY-MM-DD, UTC), model, key token, team id or user id; "" when the row had none. */
  group: string;
  requests: number;
  /** Sum of the known costs. */
  costNano: number;
  /** Rows whose cost is unknown (NULL): their model had no price. */
  unpricedRequests: number;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

export interface KeyListFilter {
  teamId?: string;
  userId?: string;
  keyAlias?: string;
  limit: number;
  offset: number;
}

/** Keys; `byToken` is a parameterised lookup on the digest. */
export interface KeyStore {
  insert(key: NewKey): Promise<KeyRecord>;
  byToken(token: string): Promise<KeyRecord | undefined>;
  list(filter: KeyListFilter): Promise<{ keys: KeyRecord[]; total: number }>;
  /** Every key, for the in-process cache. */
  all(): Promise<KeyRecord[]>;
  update(token: string, patch: KeyPatch): Promise<KeyRecord | undefined>;
  /** Deletes keys; their spend rows stay. Returns the tokens that existed. */
  delete(tokens: string[]): Promise<string[]>;
  /** Regenerate: moves the key (settings and spend) to a new digest atomically. */
  replaceToken(token: string, next: { token: string; keyName: string }, patch?: KeyPatch): Promise<KeyRecord | undefined>;
}

export interface TeamStore {
  insert(team: NewTeam): Promise<TeamRecord>;
  byId(teamId: string): Promise<TeamRecord | undefined>;
  all(): Promise<TeamRecord[]>;
  update(teamId: string, patch: TeamPatch): Promise<TeamRecord | undefined>;
  /**
   * Deletes teams with their keys and memberships in one transaction (spend rows stay, as for
   * deleted keys). All or nothing: when any team is missing, nothing is deleted and `missing` names them.
   */
  delete(teamIds: string[]): Promise<TeamDeletion>;
  /** Adds members, or changes the role of those already in (users are created when missing); undefined when the team does not exist. */
  putMembers(teamId: string, members: readonly NewMember[]): Promise<TeamRecord | undefined>;
  /**
   * Adds new members (users found by email or created when missing); StoreConflict naming any
   * already in, and nothing is added. Undefined when the team does not exist. With `createUsers:
   * false` (a team's admin adding) a member naming no existing user is an UnknownUser, and one naming
   * a proxy admin or viewer a PrivilegedUser; nothing is added either way.
   */
  addMembers(teamId: string, members: readonly NewMember[], options?: { createUsers?: boolean }): Promise<{ team: TeamRecord; userIds: string[] } | undefined>;
  /** Changes one member's role, budget or limits; undefined when the team or the member does not exist. */
  updateMember(teamId: string, userId: string, patch: MemberPatch): Promise<TeamRecord | undefined>;
  /** Removes members (absent ones are ignored); undefined when the team does not exist. */
  removeMembers(teamId: string, userIds: readonly string[]): Promise<TeamRecord | undefined>;
}

/** What a team delete did: the teams and keys deleted, or the teams that do not exist (then nothing was deleted). */
export interface TeamDeletion {
  deleted: string[];
  /** Tokens of the deleted teams' keys. */
  deletedKeys: string[];
  missing: string[];
}

/** What deleting organisations removed: the organisations, their teams and those teams' keys (LiteLLM's cascade). */
export interface DeletedOrganizations {
  organizationIds: string[];
  teamIds: string[];
  /** Tokens of the keys deleted with the teams. */
  tokens: string[];
}

export interface OrganizationStore {
  insert(organization: NewOrganization): Promise<OrganizationRecord>;
  byId(organizationId: string): Promise<OrganizationRecord | undefined>;
  all(): Promise<OrganizationRecord[]>;
  update(organizationId: string, patch: OrganizationPatch): Promise<OrganizationRecord | undefined>;
  /** Deletes organisations with their teams and those teams' keys in one transaction; spend rows stay. Ids that do not exist are skipped. */
  delete(organizationIds: string[]): Promise<DeletedOrganizations>;
}

export interface UserStore {
  insert(user: NewUser): Promise<UserRecord>;
  /** Creates the user with defaults when missing (keys may name a user that was never created). */
  ensure(userId: string): Promise<UserRecord>;
  byId(userId: string): Promise<UserRecord | undefined>;
  all(): Promise<UserRecord[]>;
  update(userId: string, patch: UserPatch): Promise<UserRecord | undefined>;
  /**
   * Zeroes the spend the user's budget counts now, in one transaction: the rollup of the window
   * starting at `windowStart`, or, for a budget over all time (`windowStart` 0), the lifetime total
   * too. The ledger keeps its rows. Undefined when the user does not exist.
   */
  resetSpend(userId: string, windowStart: number): Promise<UserRecord | undefined>;
  /**
   * Deletes users with their keys and team memberships, in one transaction (LiteLLM deletes a
   * user's keys with it); spend rows stay. Returns the users that existed and the deleted keys' tokens.
   */
  delete(userIds: readonly string[]): Promise<{ users: string[]; keys: string[] }>;
}

/** Which rows a breakdown sums (every filter optional; dates on `startedAt`, `to` exclusive). */
export interface BreakdownFilter {
  token?: string;
  userId?: string;
  teamId?: string;
  endUser?: string;
  from?: number;
  to?: number;
}

/** Spend summed per UTC day, team, end user, model and key: the finest grain LiteLLM's spend report shows. */
export interface BreakdownRow {
  /** YYYY-MM-DD (UTC). */
  day: string;
  teamId?: string;
  endUser?: string;
  /** The model name the client sent. */
  model: string;
  /** The key's token; absent for the master key. */
  token?: string;
  /** Sum of the known costs (rows without a price count 0). */
  costNano: number;
  inputTokens: number;
  outputTokens: number;
}

export interface SpendStore {
  /**
   * Appends rows and adds their cost to the key/team/user/organisation rollups in ONE transaction: all or
   * nothing. Rows whose callId is already stored are skipped (a retried batch never double-counts).
   */
  append(rows: readonly SpendRow[]): Promise<void>;
  logs(filter: SpendFilter): Promise<SpendRow[]>;
  report(group: ReportGroup, range: { from?: number; to?: number }): Promise<ReportRow[]>;
  /** Rows summed per day, team, end user, model and key, ordered by those. */
  breakdown(filter: BreakdownFilter): Promise<BreakdownRow[]>;
}

/**
 * A model deployment added at run time (`/model/new`), in LiteLLM's form: `litellmParams` holds no
 * literal secret (only `os.environ/NAME` references); literal ones live in `sealedSecrets`, encrypted.
 */
export interface StoredModel {
  modelId: string;
  modelName: string;
  /** LiteLLM's litellm_params without literal secrets. */
  litellmParams: Record<string, unknown>;
  /** LiteLLM's model_info as given (descriptive; its prices and limits are applied). */
  modelInfo: Record<string, unknown>;
  /** The literal secrets of litellm_params (same shape), sealed with the gateway's encryption key; absent when there are none. */
  sealedSecrets?: string;
  createdAt: number;
  updatedAt: number;
}

export type NewModel = Pick<StoredModel, "modelId" | "modelName" | "litellmParams" | "modelInfo"> & Partial<Pick<StoredModel, "sealedSecrets">>;
/** Replaces the whole deployment (the caller merges); `sealedSecrets: undefined` removes them. */
export type ModelReplacement = Pick<StoredModel, "modelName" | "litellmParams" | "modelInfo"> & Partial<Pick<StoredModel, "sealedSecrets">>;

/** Models managed at run time. */
export interface ModelStore {
  /** Throws StoreConflict when the id is taken. */
  insert(model: NewModel): Promise<StoredModel>;
  byId(modelId: string): Promise<StoredModel | undefined>;
  all(): Promise<StoredModel[]>;
  replace(modelId: string, next: ModelReplacement): Promise<StoredModel | undefined>;
  /** True when it existed. */
  delete(modelId: string): Promise<boolean>;
  /** A value that changes whenever a stored model changes (from any process). Cheap. */
  changeMarker(): Promise<number>;
}

/**
 * An MCP server added at run time (`POST /v1/mcp/server`): `settings` holds what is not secret
 * (url, transport, auth_type, tool filters, names), `sealedSecrets` its credentials, encrypted.
 */
export interface StoredMcpServer {
  serverId: string;
  /** Its unique name, which prefixes its tools. */
  serverName: string;
  settings: Record<string, unknown>;
  /** `{auth_value?, static_headers?}` sealed with the gateway's encryption key; absent when there are none. */
  sealedSecrets?: string;
  createdAt: number;
  updatedAt: number;
}

export type McpServerContent = Pick<StoredMcpServer, "serverName" | "settings"> & Partial<Pick<StoredMcpServer, "sealedSecrets">>;

/** MCP servers managed at run time. */
export interface McpServerStore {
  /** Throws StoreConflict when the id or the name is taken. */
  insert(server: McpServerContent & { serverId: string }): Promise<StoredMcpServer>;
  byId(serverId: string): Promise<StoredMcpServer | undefined>;
  all(): Promise<StoredMcpServer[]>;
  /** Replaces the whole server (the caller merges); throws StoreConflict when the name is taken. */
  replace(serverId: string, next: McpServerContent): Promise<StoredMcpServer | undefined>;
  /** True when it existed. */
  delete(serverId: string): Promise<boolean>;
  /** A value that changes whenever a stored MCP server changes (from any process). Cheap. */
  changeMarker(): Promise<number>;
}

/** A write that conflicts with existing data (duplicate id, a team still used by keys). */
export class StoreConflict extends Error {
  override readonly name = "StoreConflict";
}

/** A new member names a user that does not exist, and the write was told not to create users. */
/** A member a team's admin may not add: a proxy admin or viewer (their keys would carry that role). */
export class PrivilegedUser extends StoreConflict {
  constructor(
    readonly userId: string,
    readonly userRole: UserRole,
  ) {
    super(`user "${userId}" is a ${userRole}`);
  }
}

export class UnknownUser extends StoreConflict {
  readonly userId?: string;
  readonly userEmail?: string;
  constructor(ref: { userId: string } | { userEmail: string }) {
    super("userId" in ref ? `no user "${ref.userId}" exists` : `no user has the email "${ref.userEmail}"`);
    Object.assign(this, ref);
  }
}

/** Everything the accounts directory holds, read at one point in time. */
export interface AccountsSnapshot {
  /** The change marker as of the snapshot. */
  marker: number;
  keys: KeyRecord[];
  teams: TeamRecord[];
  users: UserRecord[];
  organizations: OrganizationRecord[];
  /** Which of the call ids asked about the ledger already held at the snapshot (their cost is in the rollups read). */
  storedCallIds: ReadonlySet<string>;
}

export interface Store {
  readonly kind: "sqlite" | "postgres";
  /** Where the data lives, for logs (a path or a redacted URL). */
  readonly location: string;
  /** The schema version after migrations. */
  readonly schemaVersion: number;
  keys: KeyStore;
  teams: TeamStore;
  users: UserStore;
  organizations: OrganizationStore;
  spend: SpendStore;
  models: ModelStore;
  mcpServers: McpServerStore;
  /**
   * Keys, teams, users and organisations with their rollups, read in one transaction (a commit of the
   * ledger's writer landing between two reads would count its batch in some rollups and not others),
   * with which of `pendingCallIds` (spend rows this process has not seen stored yet) are already in.
   */
  readAccounts(pendingCallIds: readonly string[]): Promise<AccountsSnapshot>;
  /** A value that changes whenever keys, teams, users or organisations change (from any process), but not on spend alone. Cheap. */
  changeMarker(): Promise<number>;
  close(): Promise<void>;
}
