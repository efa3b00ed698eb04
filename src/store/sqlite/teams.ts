import type { Database } from "bun:sqlite";
import { StoreConflict, TEAM_MEMBER_ROLES, type NewTeam, type TeamMember, type TeamMemberRole, type TeamPatch, type TeamRecord, type TeamStore } from "../types.ts";
import { type Bindings, nullable, patched, stringArray, stringRecord } from "./columns.ts";
import { principalTable } from "./principal-table.ts";
import { ensureUserRow } from "./users.ts";
import {
  newPrincipal,
  patchPrincipal,
  type PrincipalRow,
  type PrincipalSettings,
  principalBindings,
  principalFromRow,
} from "./principal.ts";

interface TeamRow extends PrincipalRow {
  team_id: string;
  team_alias: string | null;
  organization_id: string | null;
  tags: string;
  member_permissions: string;
  model_aliases: string;
}

interface MemberRow {
  team_id: string;
  user_id: string;
  role: string;
}

type TeamSettings = PrincipalSettings & Pick<TeamRecord, "teamAlias" | "organizationId" | "tags" | "memberPermissions" | "modelAliases">;

/** The column's CHECK keeps other values out; a hand-edited row reads as the plain role. */
const memberRole = (text: string): TeamMemberRole => ((TEAM_MEMBER_ROLES as readonly string[]).includes(text) ? (text as TeamMemberRole) : "user");

/** A team row without its members (the store attaches them). */
function teamFromRow(row: TeamRow): TeamRecord {
  const team: TeamRecord = {
    ...principalFromRow(row),
    teamId: row.team_id,
    tags: stringArray(row.tags),
    members: [],
    memberPermissions: stringArray(row.member_permissions),
    modelAliases: stringRecord(row.model_aliases),
  };
  if (row.team_alias !== null) team.teamAlias = row.team_alias;
  if (row.organization_id !== null) team.organizationId = row.organization_id;
  return team;
}

function patchTeam(current: TeamSettings, patch: TeamPatch, now: number): TeamSettings {
  return {
    ...patchPrincipal(current, patch, now),
    teamAlias: patched(current.teamAlias, patch.teamAlias, undefined),
    organizationId: patched(current.organizationId, patch.organizationId, undefined),
    tags: patched(current.tags, patch.tags, []),
    memberPermissions: patched(current.memberPermissions, patch.memberPermissions, []),
    modelAliases: patched(current.modelAliases, patch.modelAliases, {}),
  };
}

function teamBindings(settings: TeamSettings): Bindings {
  return {
    ...principalBindings(settings),
    team_alias: nullable(settings.teamAlias),
    organization_id: nullable(settings.organizationId),
    tags: JSON.stringify(settings.tags),
    member_permissions: JSON.stringify(settings.memberPermissions),
    model_aliases: JSON.stringify(settings.modelAliases),
  };
}

/** The TeamStore over `db`. */
export function sqliteTeamStore(db: Database): TeamStore {
  const organizationExists = db.query<{ found: number }, Bindings>("SELECT 1 AS found FROM organizations WHERE organization_id = $organization_id");
  const teams = principalTable<TeamRow, TeamRecord, TeamSettings, TeamPatch>(db, {
    table: "teams",
    idColumn: "team_id",
    what: "team",
    columns: ["team_alias", "organization_id", "tags", "member_permissions", "model_aliases"],
    fromRow: teamFromRow,
    bindings: teamBindings,
    fresh: (now) => ({ ...newPrincipal({}, now), tags: [], memberPermissions: [], modelAliases: {} }),
    patch: patchTeam,
    // A clear error rather than a bare foreign-key failure.
    checkReferences: (settings) => {
      if (settings.organizationId !== undefined && !organizationExists.get({ organization_id: settings.organizationId })) {
        throw new StoreConflict(`organization "${settings.organizationId}" does not exist`);
      }
    },
  });
  const membersOf = db.query<MemberRow, Bindings>("SELECT team_id, user_id, role FROM team_members WHERE team_id = $team_id ORDER BY joined_at, rowid");
  const everyMember = db.query<MemberRow, []>("SELECT team_id, user_id, role FROM team_members ORDER BY joined_at, rowid");
  const putMember = db.query<unknown, Bindings>(
    `INSERT INTO team_members (team_id, user_id, role, joined_at) VALUES ($team_id, $user_id, $role, $now)
     ON CONFLICT (team_id, user_id) DO UPDATE SET role = excluded.role WHERE role <> excluded.role`,
  );
  const removeMember = db.query<unknown, Bindings>("DELETE FROM team_members WHERE team_id = $team_id AND user_id = $user_id");
  const member = (row: MemberRow): TeamMember => ({ userId: row.user_id, role: memberRole(row.role) });

  const withMembers = (team: TeamRecord | undefined): TeamRecord | undefined => {
    if (team) team.members = membersOf.all({ team_id: team.teamId }).map(member);
    return team;
  };
  const must = (teamId: string): TeamRecord => {
    const team = withMembers(teams.byId(teamId));
    if (!team) throw new Error(`team "${teamId}" vanished inside its own transaction`);
    return team;
  };
  const allTeams = (): TeamRecord[] => {
    const byTeam = new Map<string, TeamMember[]>();
    for (const row of everyMember.all()) {
      let list = byTeam.get(row.team_id);
      if (!list) byTeam.set(row.team_id, (list = []));
      list.push(member(row));
    }
    return teams.all().map((team) => ({ ...team, members: byTeam.get(team.teamId) ?? [] }));
  };
  // Members name users; a user nobody created yet is created with defaults, as keys do.
  const put = (teamId: string, members: readonly TeamMember[]): void => {
    const now = Date.now();
    for (const m of members) {
      ensureUserRow(db, m.userId, now);
      putMember.run({ team_id: teamId, user_id: m.userId, role: m.role, now });
    }
  };
  const insertWithMembers = db.transaction((team: NewTeam): TeamRecord => {
    const { members = [], ...fields } = team;
    teams.insert(team.teamId, fields);
    put(team.teamId, members);
    return must(team.teamId);
  });
  const putMembers = db.transaction((teamId: string, members: readonly TeamMember[]): TeamRecord | undefined => {
    if (!teams.byId(teamId)) return undefined;
    put(teamId, members);
    return must(teamId);
  });
  const removeMembers = db.transaction((teamId: string, userIds: readonly string[]): TeamRecord | undefined => {
    if (!teams.byId(teamId)) return undefined;
    for (const userId of userIds) removeMember.run({ team_id: teamId, user_id: userId });
    return must(teamId);
  });
  const usedByKeys = db.query<{ used: number }, Bindings>("SELECT 1 AS used FROM keys WHERE team_id = $team_id LIMIT 1");
  const deleteRow = db.query<unknown, Bindings>("DELETE FROM teams WHERE team_id = $team_id");

  // All or nothing: if any team is still in use, nothing is deleted and the error names every one.
  const remove = db.transaction((teamIds: string[]): string[] => {
    const unique = [...new Set(teamIds)];
    const inUse = unique.filter((teamId) => usedByKeys.get({ team_id: teamId }) !== null);
    if (inUse.length > 0) {
      throw new StoreConflict(`cannot delete ${inUse.length === 1 ? "team" : "teams"} still used by keys: ${inUse.join(", ")}`);
    }
    return unique.filter((teamId) => deleteRow.run({ team_id: teamId }).changes === 1);
  });

  return {
    insert: async (team: NewTeam) => insertWithMembers.immediate(team),
    byId: async (teamId) => withMembers(teams.byId(teamId)),
    all: async () => allTeams(),
    update: async (teamId, patch) => withMembers(teams.update(teamId, patch)),
    // IMMEDIATE: take the write lock up front, so a read-then-write never fails to upgrade its lock.
    delete: async (teamIds) => remove.immediate(teamIds),
    putMembers: async (teamId, members) => putMembers.immediate(teamId, members),
    removeMembers: async (teamId, userIds) => removeMembers.immediate(teamId, userIds),
  };
}
