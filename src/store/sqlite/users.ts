import type { Database } from "bun:sqlite";
import { StoreConflict, type NewUser, type UserPatch, type UserRecord, type UserStore } from "../types.ts";
import { type Bindings, nullable, patched } from "./columns.ts";
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

interface UserRow extends PrincipalRow {
  user_id: string;
  user_email: string | null;
  user_alias: string | null;
}

type UserSettings = PrincipalSettings & Pick<UserRecord, "userEmail" | "userAlias">;

function userFromRow(row: UserRow): UserRecord {
  const user: UserRecord = { ...principalFromRow(row), userId: row.user_id };
  if (row.user_email !== null) user.userEmail = row.user_email;
  if (row.user_alias !== null) user.userAlias = row.user_alias;
  return user;
}

function patchUser(current: UserSettings, patch: UserPatch, now: number): UserSettings {
  return {
    ...patchPrincipal(current, patch, now),
    userEmail: patched(current.userEmail, patch.userEmail, undefined),
    userAlias: patched(current.userAlias, patch.userAlias, undefined),
  };
}

function userBindings(settings: UserSettings): Bindings {
  return { ...principalBindings(settings), user_email: nullable(settings.userEmail), user_alias: nullable(settings.userAlias) };
}

/**
 * Inserts a user with default settings unless it exists. Shared with keys.ts, which calls it inside
 * its own transaction so a key may name a user nobody created yet without breaking the foreign key.
 */
export function ensureUserRow(db: Database, userId: string, now: number): void {
  db.query<unknown, Bindings>(
    `INSERT INTO users (user_id, ${PRINCIPAL_INSERT_COLUMNS}, created_at, updated_at)
     VALUES ($user_id, ${PRINCIPAL_INSERT_VALUES}, $now, $now)
     ON CONFLICT (user_id) DO NOTHING`,
  ).run({ user_id: userId, ...principalBindings(newPrincipal({}, now)), now });
}

/** The UserStore over `db`. */
export function sqliteUserStore(db: Database): UserStore {
  const selectOne = db.query<UserRow, Bindings>("SELECT * FROM users WHERE user_id = $user_id");
  const selectAll = db.query<UserRow, []>("SELECT * FROM users ORDER BY created_at, rowid");
  const insertRow = db.query<unknown, Bindings>(
    `INSERT INTO users (user_id, user_email, user_alias, ${PRINCIPAL_INSERT_COLUMNS}, created_at, updated_at)
     VALUES ($user_id, $user_email, $user_alias, ${PRINCIPAL_INSERT_VALUES}, $now, $now)
     ON CONFLICT (user_id) DO NOTHING`,
  );
  const updateRow = db.query<unknown, Bindings>(
    `UPDATE users SET user_email = $user_email, user_alias = $user_alias, ${PRINCIPAL_SET}, updated_at = $now WHERE user_id = $user_id`,
  );

  function byId(userId: string): UserRecord | undefined {
    const row = selectOne.get({ user_id: userId });
    return row ? userFromRow(row) : undefined;
  }

  function mustRead(userId: string): UserRecord {
    const user = byId(userId);
    if (!user) throw new Error(`user "${userId}" vanished inside its own transaction`);
    return user;
  }

  const insert = db.transaction((user: NewUser): UserRecord => {
    const now = Date.now();
    const settings = patchUser(newPrincipal({}, now), user, now);
    const { changes } = insertRow.run({ user_id: user.userId, ...userBindings(settings), now });
    if (changes === 0) throw new StoreConflict(`user "${user.userId}" already exists`);
    return mustRead(user.userId);
  });

  const ensure = db.transaction((userId: string): UserRecord => {
    ensureUserRow(db, userId, Date.now());
    return mustRead(userId);
  });

  const update = db.transaction((userId: string, patch: UserPatch): UserRecord | undefined => {
    const current = byId(userId);
    if (!current) return undefined;
    const now = Date.now();
    updateRow.run({ user_id: userId, ...userBindings(patchUser(current, patch, now)), now });
    return mustRead(userId);
  });

  return {
    // IMMEDIATE: take the write lock up front, so a read-then-write never fails to upgrade its lock.
    insert: async (user) => insert.immediate(user),
    ensure: async (userId) => ensure.immediate(userId),
    byId: async (userId) => byId(userId),
    all: async () => selectAll.all().map(userFromRow),
    update: async (userId, patch) => update.immediate(userId, patch),
  };
}
