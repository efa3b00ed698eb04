import type { Database } from "bun:sqlite";
import { StoreConflict, type NewTeam, type TeamPatch, type TeamRecord, type TeamStore } from "../types.ts";
import { type Bindings, nullable, patched, stringArray } from "./columns.ts";
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

interface TeamRow extends PrincipalRow {
  team_id: string;
  team_alias: string | null;
  tags: string;
}

type TeamSettings = PrincipalSettings & Pick<TeamRecord, "teamAlias" | "tags">;

function teamFromRow(row: TeamRow): TeamRecord {
  const team: TeamRecord = { ...principalFromRow(row), teamId: row.team_id, tags: stringArray(row.tags) };
  if (row.team_alias !== null) team.teamAlias = row.team_alias;
  return team;
}

function patchTeam(current: TeamSettings, patch: TeamPatch, now: number): TeamSettings {
  return {
    ...patchPrincipal(current, patch, now),
    teamAlias: patched(current.teamAlias, patch.teamAlias, undefined),
    tags: patched(current.tags, patch.tags, []),
  };
}

function teamBindings(settings: TeamSettings): Bindings {
  return { ...principalBindings(settings), team_alias: nullable(settings.teamAlias), tags: JSON.stringify(settings.tags) };
}

/** The TeamStore over `db`. */
export function sqliteTeamStore(db: Database): TeamStore {
  const selectOne = db.query<TeamRow, Bindings>("SELECT * FROM teams WHERE team_id = $team_id");
  const selectAll = db.query<TeamRow, []>("SELECT * FROM teams ORDER BY created_at, rowid");
  const insertRow = db.query<unknown, Bindings>(
    `INSERT INTO teams (team_id, team_alias, tags, ${PRINCIPAL_INSERT_COLUMNS}, created_at, updated_at)
     VALUES ($team_id, $team_alias, $tags, ${PRINCIPAL_INSERT_VALUES}, $now, $now)
     ON CONFLICT (team_id) DO NOTHING`,
  );
  const updateRow = db.query<unknown, Bindings>(
    `UPDATE teams SET team_alias = $team_alias, tags = $tags, ${PRINCIPAL_SET}, updated_at = $now WHERE team_id = $team_id`,
  );
  const usedByKeys = db.query<{ used: number }, Bindings>("SELECT 1 AS used FROM keys WHERE team_id = $team_id LIMIT 1");
  const deleteRow = db.query<unknown, Bindings>("DELETE FROM teams WHERE team_id = $team_id");

  function byId(teamId: string): TeamRecord | undefined {
    const row = selectOne.get({ team_id: teamId });
    return row ? teamFromRow(row) : undefined;
  }

  function mustRead(teamId: string): TeamRecord {
    const team = byId(teamId);
    if (!team) throw new Error(`team "${teamId}" vanished inside its own transaction`);
    return team;
  }

  const insert = db.transaction((team: NewTeam): TeamRecord => {
    const now = Date.now();
    const settings = patchTeam({ ...newPrincipal({}, now), tags: [] }, team, now);
    const { changes } = insertRow.run({ team_id: team.teamId, ...teamBindings(settings), now });
    if (changes === 0) throw new StoreConflict(`team "${team.teamId}" already exists`);
    return mustRead(team.teamId);
  });

  const update = db.transaction((teamId: string, patch: TeamPatch): TeamRecord | undefined => {
    const current = byId(teamId);
    if (!current) return undefined;
    const now = Date.now();
    updateRow.run({ team_id: teamId, ...teamBindings(patchTeam(current, patch, now)), now });
    return mustRead(teamId);
  });

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
    // IMMEDIATE: take the write lock up front, so a read-then-write never fails to upgrade its lock.
    insert: async (team) => insert.immediate(team),
    byId: async (teamId) => byId(teamId),
    all: async () => selectAll.all().map(teamFromRow),
    update: async (teamId, patch) => update.immediate(teamId, patch),
    delete: async (teamIds) => remove.immediate(teamIds),
  };
}
