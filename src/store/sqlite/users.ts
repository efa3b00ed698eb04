import type { Database } from "bun:sqlite";
import { USER_ROLES, type NewUser, type UserPatch, type UserRecord, type UserRole, type UserStore } from "../types.ts";
import { type Bindings, nullable, patched } from "./columns.ts";
import { principalTable } from "./principal-table.ts";
import {
  newPrincipal,
  PRINCIPAL_INSERT_COLUMNS,
  PRINCIPAL_INSERT_VALUES,
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
  user_role: string;
}

type UserSettings = PrincipalSettings & Pick<UserRecord, "userEmail" | "userAlias" | "userRole">;

/** LiteLLM's default role for a user created without one. */
const DEFAULT_ROLE: UserRole = "internal_user";

/** The column's CHECK keeps other values out; a hand-edited row reads as the least privileged role. */
const roleOf = (text: string): UserRole => (USER_ROLES as readonly string[]).includes(text) ? (text as UserRole) : "internal_user_viewer";

function userFromRow(row: UserRow): UserRecord {
  const user: UserRecord = { ...principalFromRow(row), userId: row.user_id, userRole: roleOf(row.user_role) };
  if (row.user_email !== null) user.userEmail = row.user_email;
  if (row.user_alias !== null) user.userAlias = row.user_alias;
  return user;
}

function patchUser(current: UserSettings, patch: UserPatch, now: number): UserSettings {
  return {
    ...patchPrincipal(current, patch, now),
    userEmail: patched(current.userEmail, patch.userEmail, undefined),
    userAlias: patched(current.userAlias, patch.userAlias, undefined),
    userRole: patched(current.userRole, patch.userRole, DEFAULT_ROLE),
  };
}

function userBindings(settings: UserSettings): Bindings {
  return { ...principalBindings(settings), user_email: nullable(settings.userEmail), user_alias: nullable(settings.userAlias), user_role: settings.userRole };
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
  const users = principalTable<UserRow, UserRecord, UserSettings, UserPatch>(db, {
    table: "users",
    idColumn: "user_id",
    what: "user",
    columns: ["user_email", "user_alias", "user_role"],
    fromRow: userFromRow,
    bindings: userBindings,
    fresh: (now) => ({ ...newPrincipal({}, now), userRole: DEFAULT_ROLE }),
    patch: patchUser,
  });

  const ensure = db.transaction((userId: string): UserRecord => {
    ensureUserRow(db, userId, Date.now());
    return users.mustRead(userId);
  });

  const zeroWindow = db.query<unknown, Bindings>(
    `UPDATE users SET spend_window_nano = 0, spend_window_start = MAX(spend_window_start, $start),
       spend_total_nano = CASE WHEN $start = 0 THEN 0 ELSE spend_total_nano END, updated_at = $now
     WHERE user_id = $id`,
  );
  // updated_at moves too, so other processes reload the directory and re-base their budgets.
  const resetSpend = db.transaction((userId: string, windowStart: number): UserRecord | undefined => {
    if (!users.byId(userId)) return undefined;
    zeroWindow.run({ id: userId, start: windowStart, now: Date.now() });
    return users.mustRead(userId);
  });

  const keysOf = db.query<{ token: string }, Bindings>("SELECT token FROM keys WHERE user_id = $id");
  const deleteKeysOf = db.query<unknown, Bindings>("DELETE FROM keys WHERE user_id = $id");
  const deleteMemberships = db.query<unknown, Bindings>("DELETE FROM team_members WHERE user_id = $id");
  const deleteUser = db.query<unknown, Bindings>("DELETE FROM users WHERE user_id = $id");
  const remove = db.transaction((userIds: readonly string[]) => {
    const deleted: string[] = [];
    const tokens: string[] = [];
    for (const id of new Set(userIds)) {
      if (!users.byId(id)) continue;
      for (const { token } of keysOf.all({ id })) tokens.push(token);
      deleteKeysOf.run({ id });
      deleteMemberships.run({ id });
      deleteUser.run({ id });
      deleted.push(id);
    }
    return { users: deleted, keys: tokens };
  });

  return {
    insert: async (user: NewUser) => users.insert(user.userId, user),
    resetSpend: async (userId, windowStart) => resetSpend.immediate(userId, windowStart),
    delete: async (userIds) => remove.immediate(userIds),
    // IMMEDIATE: take the write lock up front, so a read-then-write never fails to upgrade its lock.
    ensure: async (userId) => ensure.immediate(userId),
    byId: async (userId) => users.byId(userId),
    all: async () => users.all(),
    update: async (userId, patch) => users.update(userId, patch),
  };
}
