import type { Database } from "bun:sqlite";
import { StoreConflict, type MemberPatch, type NewMember, type NewTeam, type TeamDeletion, type TeamPatch, type TeamRecord, type TeamStore } from "../types.ts";
import { type Bindings, nullable, patched, stringArray, stringRecord } from "./columns.ts";
import { principalTable } from "./principal-table.ts";
import { teamMembers } from "./team-members.ts";
import { objectPermissionColumn, objectPermissionOf, patchObjectPermission } from "./object-permission.ts";
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
  object_permission: string | null;
}

type TeamSettings = PrincipalSettings & Pick<TeamRecord, "teamAlias" | "organizationId" | "tags" | "memberPermissions" | "modelAliases" | "objectPermission">;

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
  const objectPermission = objectPermissionOf(row.object_permission);
  if (objectPermission) team.objectPermission = objectPermission;
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
    objectPermission: patchObjectPermission(current.objectPermission, patch.objectPermission),
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
    object_permission: objectPermissionColumn(settings.objectPermission),
  };
}

/** The TeamStore over `db`. */
export function sqliteTeamStore(db: Database): TeamStore {
  const organizationExists = db.query<{ found: number }, Bindings>("SELECT 1 AS found FROM organizations WHERE organization_id = $organization_id");
  const teams = principalTable<TeamRow, TeamRecord, TeamSettings, TeamPatch>(db, {
    table: "teams",
    idColumn: "team_id",
    what: "team",
    columns: ["team_alias", "organization_id", "tags", "member_permissions", "model_aliases", "object_permission"],
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
  const members = teamMembers(db);

  const withMembers = (team: TeamRecord | undefined): TeamRecord | undefined => {
    if (team) team.members = members.of(team.teamId);
    return team;
  };
  const must = (teamId: string): TeamRecord => {
    const team = withMembers(teams.byId(teamId));
    if (!team) throw new Error(`team "${teamId}" vanished inside its own transaction`);
    return team;
  };
  const allTeams = (): TeamRecord[] => {
    const byTeam = members.byTeam();
    return teams.all().map((team) => ({ ...team, members: byTeam.get(team.teamId) ?? [] }));
  };
  const insertWithMembers = db.transaction((team: NewTeam): TeamRecord => {
    const { members: joining = [], ...fields } = team;
    teams.insert(team.teamId, fields);
    members.put(team.teamId, joining);
    return must(team.teamId);
  });
  const putMembers = db.transaction((teamId: string, joining: readonly NewMember[]): TeamRecord | undefined => {
    if (!teams.byId(teamId)) return undefined;
    members.put(teamId, joining);
    return must(teamId);
  });
  const addMembers = db.transaction((teamId: string, joining: readonly NewMember[], createUsers: boolean): { team: TeamRecord; userIds: string[] } | undefined => {
    if (!teams.byId(teamId)) return undefined;
    const userIds = members.add(teamId, joining, createUsers);
    return { team: must(teamId), userIds };
  });
  const updateMember = db.transaction((teamId: string, userId: string, patch: MemberPatch): TeamRecord | undefined => {
    if (!teams.byId(teamId) || !members.update(teamId, userId, patch)) return undefined;
    return must(teamId);
  });
  const removeMembers = db.transaction((teamId: string, userIds: readonly string[]): TeamRecord | undefined => {
    if (!teams.byId(teamId)) return undefined;
    members.remove(teamId, userIds);
    return must(teamId);
  });
  const keysOf = db.query<{ token: string }, Bindings>("SELECT token FROM keys WHERE team_id = $team_id ORDER BY created_at, rowid");
  const deleteKeys = db.query<unknown, Bindings>("DELETE FROM keys WHERE team_id = $team_id");
  // Memberships go with the team (ON DELETE CASCADE).
  const deleteRow = db.query<unknown, Bindings>("DELETE FROM teams WHERE team_id = $team_id");

  // All or nothing: a missing team deletes nothing; otherwise the teams and their keys go together,
  // so no key outlives its team for a moment.
  const remove = db.transaction((teamIds: string[]): TeamDeletion => {
    const unique = [...new Set(teamIds)];
    const missing = unique.filter((teamId) => !teams.byId(teamId));
    if (missing.length > 0) return { deleted: [], deletedKeys: [], missing };
    const deletedKeys: string[] = [];
    for (const teamId of unique) {
      for (const { token } of keysOf.all({ team_id: teamId })) deletedKeys.push(token);
      deleteKeys.run({ team_id: teamId });
      deleteRow.run({ team_id: teamId });
    }
    return { deleted: unique, deletedKeys, missing: [] };
  });

  return {
    insert: async (team: NewTeam) => insertWithMembers.immediate(team),
    byId: async (teamId) => withMembers(teams.byId(teamId)),
    all: async () => allTeams(),
    update: async (teamId, patch) => withMembers(teams.update(teamId, patch)),
    // IMMEDIATE: take the write lock up front, so a read-then-write never fails to upgrade its lock.
    delete: async (teamIds) => remove.immediate(teamIds),
    putMembers: async (teamId, joining) => putMembers.immediate(teamId, joining),
    addMembers: async (teamId, joining, options) => addMembers.immediate(teamId, joining, options?.createUsers ?? true),
    updateMember: async (teamId, userId, patch) => updateMember.immediate(teamId, userId, patch),
    removeMembers: async (teamId, userIds) => removeMembers.immediate(teamId, userIds),
  };
}
