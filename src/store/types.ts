/**
 * The store contract: keys, teams, users and the spend ledger. Callers see only these types; the
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
}

export interface TeamRecord extends Principal {
  teamId: string;
  teamAlias?: string;
  tags: string[];
}

export interface UserRecord extends Principal {
  userId: string;
  userEmail?: string;
  userAlias?: string;
}

/** Fields a caller sets on create/update; `null` clears an optional field on update. */
type Settable<T> = { [K in keyof T]?: T[K] | null };

type PrincipalFields = "models" | "blocked" | "metadata" | "rpmLimit" | "tpmLimit" | "maxParallelRequests" | "maxBudgetNano" | "budgetDuration";

export type NewKey = Pick<KeyRecord, "token" | "keyName"> &
  Partial<Pick<KeyRecord, PrincipalFields | "keyAlias" | "teamId" | "userId" | "aliases" | "tags" | "expiresAt">>;
export type KeyPatch = Settable<Pick<KeyRecord, PrincipalFields | "keyAlias" | "teamId" | "userId" | "aliases" | "tags" | "expiresAt">>;

export type NewTeam = Pick<TeamRecord, "teamId"> & Partial<Pick<TeamRecord, PrincipalFields | "teamAlias" | "tags">>;
export type TeamPatch = Settable<Pick<TeamRecord, PrincipalFields | "teamAlias" | "tags">>;

export type NewUser = Pick<UserRecord, "userId"> & Partial<Pick<UserRecord, PrincipalFields | "userEmail" | "userAlias">>;
export type UserPatch = Settable<Pick<UserRecord, PrincipalFields | "userEmail" | "userAlias">>;

/** One row of the spend ledger: every call that reached an upstream. */
export interface SpendRow {
  callId: string;
  /** Digest of the virtual key; absent for the master key or an unauthenticated gateway. */
  token?: string;
  keyAlias?: string;
  teamId?: string;
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
  windows: { key?: number; team?: number; user?: number };
}

export interface SpendFilter {
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
  /** Deletes teams that no key references; throws StoreConflict naming the ones still in use. */
  delete(teamIds: string[]): Promise<string[]>;
}

export interface UserStore {
  insert(user: NewUser): Promise<UserRecord>;
  /** Creates the user with defaults when missing (keys may name a user that was never created). */
  ensure(userId: string): Promise<UserRecord>;
  byId(userId: string): Promise<UserRecord | undefined>;
  all(): Promise<UserRecord[]>;
  update(userId: string, patch: UserPatch): Promise<UserRecord | undefined>;
}

export interface SpendStore {
  /**
   * Appends rows and adds their cost to the key/team/user rollups in ONE transaction: all or
   * nothing. Rows whose callId is already stored are skipped (a retried batch never double-counts).
   */
  append(rows: readonly SpendRow[]): Promise<void>;
  logs(filter: SpendFilter): Promise<SpendRow[]>;
  report(group: ReportGroup, range: { from?: number; to?: number }): Promise<ReportRow[]>;
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

/** A write that conflicts with existing data (duplicate id, a team still used by keys). */
export class StoreConflict extends Error {
  override readonly name = "StoreConflict";
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
  spend: SpendStore;
  models: ModelStore;
  /** A value that changes whenever keys, teams or users change (from any process), but not on spend alone. Cheap. */
  changeMarker(): Promise<number>;
  close(): Promise<void>;
}
