import type { Database } from "bun:sqlite";
import { PrivilegedUser, StoreConflict, TEAM_MEMBER_ROLES, UnknownUser, type MemberPatch, type NewMember, type TeamMemberRole, type TeamMembership } from "../types.ts";
import { type Bindings, nullable, patched } from "./columns.ts";
import { newPrincipal, PRINCIPAL_INSERT_COLUMNS, PRINCIPAL_INSERT_VALUES, principalBindings } from "./principal.ts";

interface MemberRow {
  team_id: string;
  user_id: string;
  role: string;
  joined_at: number;
  max_budget_nano: number | null;
  rpm_limit: number | null;
  tpm_limit: number | null;
  spend_total_nano: number;
  spend_window_nano: number;
  spend_window_start: number;
  user_email: string | null;
}

/** The column's CHECK keeps other values out; a hand-edited row reads as the plain role. */
const memberRole = (text: string): TeamMemberRole => ((TEAM_MEMBER_ROLES as readonly string[]).includes(text) ? (text as TeamMemberRole) : "user");

function memberFromRow(row: MemberRow): TeamMembership {
  const member: TeamMembership = {
    userId: row.user_id,
    role: memberRole(row.role),
    budgetAnchor: row.joined_at,
    spend: { totalNano: row.spend_total_nano, windowNano: row.spend_window_nano, windowStart: row.spend_window_start },
  };
  if (row.user_email !== null) member.userEmail = row.user_email;
  if (row.max_budget_nano !== null) member.maxBudgetNano = row.max_budget_nano;
  if (row.rpm_limit !== null) member.rpmLimit = row.rpm_limit;
  if (row.tpm_limit !== null) member.tpmLimit = row.tpm_limit;
  return member;
}

const SELECT_MEMBERS = `SELECT m.team_id, m.user_id, m.role, m.joined_at, m.max_budget_nano, m.rpm_limit, m.tpm_limit,
    m.spend_total_nano, m.spend_window_nano, m.spend_window_start, u.user_email
  FROM team_members m LEFT JOIN users u ON u.user_id = m.user_id`;

/**
 * Team membership rows: who is in a team with which role, budget and limits. Every function runs
 * inside the caller's transaction (teams.ts), so a team and its members change together.
 */
export function teamMembers(db: Database) {
  const membersOf = db.query<MemberRow, Bindings>(`${SELECT_MEMBERS} WHERE m.team_id = $team_id ORDER BY m.joined_at, m.rowid`);
  const everyMember = db.query<MemberRow, []>(`${SELECT_MEMBERS} ORDER BY m.joined_at, m.rowid`);
  const oneMember = db.query<MemberRow, Bindings>(`${SELECT_MEMBERS} WHERE m.team_id = $team_id AND m.user_id = $user_id`);
  // A re-put changes the role, and the budget when one is given; an unchanged row is not rewritten.
  const putRow = db.query<unknown, Bindings>(
    `INSERT INTO team_members (team_id, user_id, role, joined_at, max_budget_nano) VALUES ($team_id, $user_id, $role, $now, $max_budget_nano)
     ON CONFLICT (team_id, user_id) DO UPDATE SET role = excluded.role, max_budget_nano = COALESCE(excluded.max_budget_nano, max_budget_nano)
     WHERE role <> excluded.role OR (excluded.max_budget_nano IS NOT NULL AND max_budget_nano IS NOT excluded.max_budget_nano)`,
  );
  const addRow = db.query<unknown, Bindings>(
    `INSERT INTO team_members (team_id, user_id, role, joined_at, max_budget_nano) VALUES ($team_id, $user_id, $role, $now, $max_budget_nano)
     ON CONFLICT (team_id, user_id) DO NOTHING`,
  );
  const updateRow = db.query<unknown, Bindings>(
    "UPDATE team_members SET role = $role, max_budget_nano = $max_budget_nano, rpm_limit = $rpm_limit, tpm_limit = $tpm_limit WHERE team_id = $team_id AND user_id = $user_id",
  );
  const removeRow = db.query<unknown, Bindings>("DELETE FROM team_members WHERE team_id = $team_id AND user_id = $user_id");
  const usersWithEmail = db.query<{ user_id: string }, Bindings>("SELECT user_id FROM users WHERE user_email = $email ORDER BY created_at, rowid LIMIT 2");
  const insertUser = db.query<unknown, Bindings>(
    `INSERT INTO users (user_id, user_email, ${PRINCIPAL_INSERT_COLUMNS}, created_at, updated_at)
     VALUES ($user_id, $user_email, ${PRINCIPAL_INSERT_VALUES}, $now, $now)
     ON CONFLICT (user_id) DO NOTHING`,
  );

  const roleOf = db.query<{ user_role: string }, Bindings>("SELECT user_role FROM users WHERE user_id = $user_id");

  /** A user by id, created (with the email, if given) when missing, as LiteLLM does for members. */
  const ensureUser = (userId: string, email: string | undefined, now: number): void => {
    insertUser.run({ user_id: userId, user_email: nullable(email), ...principalBindings(newPrincipal({}, now)), now });
  };

  /**
   * The user a new member names: its id, else the one user with its email; a missing one is
   * created, or, when `createUsers` is false, an UnknownUser.
   */
  // A team's admin (createUsers false) adds existing internal users only: a key it then makes or
  // manages for a proxy admin or viewer would carry that role.
  const plainUser = (userId: string): string => {
    const role = roleOf.get({ user_id: userId })?.user_role;
    if (role === "proxy_admin" || role === "proxy_admin_viewer") throw new PrivilegedUser(userId, role);
    return userId;
  };
  const userOf = (member: NewMember, now: number, createUsers = true): string => {
    if (member.userId !== undefined) {
      if (!createUsers) {
        if (!roleOf.get({ user_id: member.userId })) throw new UnknownUser({ userId: member.userId });
        plainUser(member.userId);
      }
      ensureUser(member.userId, member.userEmail, now);
      return member.userId;
    }
    const email = member.userEmail;
    if (email === undefined) throw new StoreConflict("a member needs a user_id or a user_email");
    const found = usersWithEmail.all({ email });
    if (found.length > 1) throw new StoreConflict(`several users have the email "${email}"; name the member by user_id`);
    if (found[0]) return createUsers ? found[0].user_id : plainUser(found[0].user_id);
    if (!createUsers) throw new UnknownUser({ userEmail: email });
    const userId = crypto.randomUUID();
    ensureUser(userId, email, now);
    return userId;
  };

  const rowBindings = (teamId: string, userId: string, member: NewMember, now: number): Bindings => ({
    team_id: teamId,
    user_id: userId,
    role: member.role,
    now,
    max_budget_nano: nullable(member.maxBudgetNano),
  });

  return {
    of: (teamId: string): TeamMembership[] => membersOf.all({ team_id: teamId }).map(memberFromRow),
    /** Every team's members, by team id. */
    byTeam(): Map<string, TeamMembership[]> {
      const out = new Map<string, TeamMembership[]>();
      for (const row of everyMember.all()) {
        let list = out.get(row.team_id);
        if (!list) out.set(row.team_id, (list = []));
        list.push(memberFromRow(row));
      }
      return out;
    },
    /** Adds members or changes their role (and budget, when given). */
    put(teamId: string, members: readonly NewMember[]): string[] {
      const now = Date.now();
      return members.map((member) => {
        const userId = userOf(member, now);
        putRow.run(rowBindings(teamId, userId, member, now));
        return userId;
      });
    },
    /**
     * Adds new members; a StoreConflict names those already in, an UnknownUser a user it may not
     * create (the caller's transaction undoes the rest).
     */
    add(teamId: string, members: readonly NewMember[], createUsers = true): string[] {
      const now = Date.now();
      const userIds: string[] = [];
      const already: string[] = [];
      for (const member of members) {
        const userId = userOf(member, now, createUsers);
        if (addRow.run(rowBindings(teamId, userId, member, now)).changes === 0) already.push(userId);
        userIds.push(userId);
      }
      if (already.length > 0) throw new StoreConflict(`${already.length === 1 ? "user" : "users"} already in team "${teamId}": ${already.join(", ")}`);
      return userIds;
    },
    /** Applies a patch to one member; false when it is not a member. */
    update(teamId: string, userId: string, patch: MemberPatch): boolean {
      const row = oneMember.get({ team_id: teamId, user_id: userId });
      if (!row) return false;
      const current = memberFromRow(row);
      updateRow.run({
        team_id: teamId,
        user_id: userId,
        role: patch.role ?? current.role,
        max_budget_nano: nullable(patched(current.maxBudgetNano, patch.maxBudgetNano, undefined)),
        rpm_limit: nullable(patched(current.rpmLimit, patch.rpmLimit, undefined)),
        tpm_limit: nullable(patched(current.tpmLimit, patch.tpmLimit, undefined)),
      });
      return true;
    },
    remove(teamId: string, userIds: readonly string[]): void {
      for (const userId of userIds) removeRow.run({ team_id: teamId, user_id: userId });
    },
  };
}
