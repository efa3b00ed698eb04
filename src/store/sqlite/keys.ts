import type { Database } from "bun:sqlite";
import { StoreConflict, type KeyListFilter, type KeyPatch, type KeyRecord, type KeyStore, type NewKey } from "../types.ts";
import { type Bindings, nullable, patched, stringArray, stringRecord } from "./columns.ts";
import { Conditions, page } from "./filters.ts";
import {
  newPrincipal,
  PRINCIPAL_INSERT_COLUMNS,
  PRINCIPAL_INSERT_VALUES,
  PRINCIPAL_SET,
  patchPrincipal,
  type PrincipalRow,
  type PrincipalSettings,
  principalBindings,
  principalFromRow,
} from "./principal.ts";
import { objectPermissionColumn, objectPermissionOf, patchObjectPermission } from "./object-permission.ts";
import { ensureUserRow } from "./users.ts";

interface KeyRow extends PrincipalRow {
  token: string;
  key_name: string;
  key_alias: string | null;
  team_id: string | null;
  user_id: string | null;
  aliases: string;
  tags: string;
  expires_at: number | null;
  object_permission: string | null;
}

type KeySettings = PrincipalSettings & Pick<KeyRecord, "keyAlias" | "teamId" | "userId" | "aliases" | "tags" | "expiresAt" | "objectPermission">;

function keyFromRow(row: KeyRow): KeyRecord {
  const key: KeyRecord = {
    ...principalFromRow(row),
    token: row.token,
    keyName: row.key_name,
    aliases: stringRecord(row.aliases),
    tags: stringArray(row.tags),
  };
  if (row.key_alias !== null) key.keyAlias = row.key_alias;
  if (row.team_id !== null) key.teamId = row.team_id;
  if (row.user_id !== null) key.userId = row.user_id;
  if (row.expires_at !== null) key.expiresAt = row.expires_at;
  const objectPermission = objectPermissionOf(row.object_permission);
  if (objectPermission) key.objectPermission = objectPermission;
  return key;
}

function patchKey(current: KeySettings, patch: KeyPatch, now: number): KeySettings {
  return {
    ...patchPrincipal(current, patch, now),
    keyAlias: patched(current.keyAlias, patch.keyAlias, undefined),
    teamId: patched(current.teamId, patch.teamId, undefined),
    userId: patched(current.userId, patch.userId, undefined),
    aliases: patched(current.aliases, patch.aliases, {}),
    tags: patched(current.tags, patch.tags, []),
    expiresAt: patched(current.expiresAt, patch.expiresAt, undefined),
    objectPermission: patchObjectPermission(current.objectPermission, patch.objectPermission),
  };
}

function keyBindings(settings: KeySettings): Bindings {
  return {
    ...principalBindings(settings),
    key_alias: nullable(settings.keyAlias),
    team_id: nullable(settings.teamId),
    user_id: nullable(settings.userId),
    aliases: JSON.stringify(settings.aliases),
    tags: JSON.stringify(settings.tags),
    expires_at: nullable(settings.expiresAt),
    object_permission: objectPermissionColumn(settings.objectPermission),
  };
}

/** A short, safe-to-log form of a token for error messages. */
function shortToken(token: string): string {
  return token.length > 12 ? `${token.slice(0, 12)}...` : token;
}

/** The KeyStore over `db`. */
export function sqliteKeyStore(db: Database): KeyStore {
  const selectOne = db.query<KeyRow, Bindings>("SELECT * FROM keys WHERE token = $token");
  const selectAll = db.query<KeyRow, []>("SELECT * FROM keys ORDER BY created_at, rowid");
  const teamExists = db.query<{ found: number }, Bindings>("SELECT 1 AS found FROM teams WHERE team_id = $team_id");
  const insertRow = db.query<unknown, Bindings>(
    `INSERT INTO keys (token, key_name, key_alias, team_id, user_id, aliases, tags, expires_at, object_permission, ${PRINCIPAL_INSERT_COLUMNS}, created_at, updated_at)
     VALUES ($token, $key_name, $key_alias, $team_id, $user_id, $aliases, $tags, $expires_at, $object_permission, ${PRINCIPAL_INSERT_VALUES}, $now, $now)
     ON CONFLICT (token) DO NOTHING`,
  );
  const updateRow = db.query<unknown, Bindings>(
    `UPDATE keys SET key_alias = $key_alias, team_id = $team_id, user_id = $user_id, aliases = $aliases, tags = $tags,
       expires_at = $expires_at, object_permission = $object_permission, ${PRINCIPAL_SET}, updated_at = $now
     WHERE token = $token`,
  );
  // The token is the primary key but nothing references it, so moving a key is a plain UPDATE.
  const moveRow = db.query<unknown, Bindings>("UPDATE keys SET token = $next, key_name = $key_name, updated_at = $now WHERE token = $token");
  const deleteRow = db.query<unknown, Bindings>("DELETE FROM keys WHERE token = $token");

  function byToken(token: string): KeyRecord | undefined {
    const row = selectOne.get({ token });
    return row ? keyFromRow(row) : undefined;
  }

  function mustRead(token: string): KeyRecord {
    const key = byToken(token);
    if (!key) throw new Error(`key ${shortToken(token)} vanished inside its own transaction`);
    return key;
  }

  /** The team must exist (clear error rather than a bare FK failure); a missing user is created. */
  function checkReferences(settings: KeySettings, now: number): void {
    if (settings.teamId !== undefined && !teamExists.get({ team_id: settings.teamId })) {
      throw new StoreConflict(`team "${settings.teamId}" does not exist`);
    }
    if (settings.userId !== undefined) ensureUserRow(db, settings.userId, now);
  }

  /** The body of update, shared with replaceToken inside its transaction. */
  function applyPatch(current: KeyRecord, patch: KeyPatch, now: number): KeyRecord {
    const settings = patchKey(current, patch, now);
    checkReferences(settings, now);
    updateRow.run({ token: current.token, ...keyBindings(settings), now });
    return mustRead(current.token);
  }

  const insert = db.transaction((key: NewKey): KeyRecord => {
    const now = Date.now();
    const settings = patchKey({ ...newPrincipal({}, now), aliases: {}, tags: [] }, key, now);
    checkReferences(settings, now);
    const { changes } = insertRow.run({ token: key.token, key_name: key.keyName, ...keyBindings(settings), now });
    if (changes === 0) throw new StoreConflict(`a key with token ${shortToken(key.token)} already exists`);
    return mustRead(key.token);
  });

  const list = db.transaction((filter: KeyListFilter): { keys: KeyRecord[]; total: number } => {
    const where = new Conditions()
      .add("team_id = $team_id", "team_id", filter.teamId)
      .add("user_id = $user_id", "user_id", filter.userId)
      .add("key_alias = $key_alias", "key_alias", filter.keyAlias);
    const total = db.query<{ total: number }, Bindings>(`SELECT COUNT(*) AS total FROM keys${where.sql()}`).get(where.params)?.total ?? 0;
    const rows = db
      .query<KeyRow, Bindings>(`SELECT * FROM keys${where.sql()} ORDER BY created_at, rowid LIMIT $limit OFFSET $offset`)
      .all({ ...where.params, ...page(filter.limit, filter.offset) });
    return { keys: rows.map(keyFromRow), total };
  });

  const update = db.transaction((token: string, patch: KeyPatch): KeyRecord | undefined => {
    const current = byToken(token);
    return current ? applyPatch(current, patch, Date.now()) : undefined;
  });

  const remove = db.transaction((tokens: string[]): string[] => {
    const deleted: string[] = [];
    for (const token of new Set(tokens)) {
      if (deleteRow.run({ token }).changes === 1) deleted.push(token);
    }
    return deleted;
  });

  const replaceToken = db.transaction((token: string, next: { token: string; keyName: string }, patch: KeyPatch | undefined): KeyRecord | undefined => {
    if (!byToken(token)) return undefined;
    if (next.token !== token && byToken(next.token)) throw new StoreConflict(`a key with token ${shortToken(next.token)} already exists`);
    const now = Date.now();
    moveRow.run({ token, next: next.token, key_name: next.keyName, now });
    const moved = mustRead(next.token);
    return patch ? applyPatch(moved, patch, now) : moved;
  });

  return {
    // Writes use IMMEDIATE: the write lock is taken up front, so a read-then-write never fails to
    // upgrade its lock against another process (which busy_timeout cannot wait out).
    insert: async (key) => insert.immediate(key),
    byToken: async (token) => byToken(token),
    // A read transaction so the count and the page come from the same snapshot.
    list: async (filter) => list.deferred(filter),
    all: async () => selectAll.all().map(keyFromRow),
    update: async (token, patch) => update.immediate(token, patch),
    delete: async (tokens) => remove.immediate(tokens),
    replaceToken: async (token, next, patch) => replaceToken.immediate(token, next, patch),
  };
}
