import type { Database } from "bun:sqlite";
import { StoreConflict, type NewTeam, type TeamPatch, type TeamRecord, type TeamStore } from "../types.ts";
import { type Bindings, nullable, patched, stringArray } from "./columns.ts";
import { principalTable } from "./principal-table.ts";
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
  const teams = principalTable<TeamRow, TeamRecord, TeamSettings, TeamPatch>(db, {
    table: "teams",
    idColumn: "team_id",
    what: "team",
    columns: ["team_alias", "tags"],
    fromRow: teamFromRow,
    bindings: teamBindings,
    fresh: (now) => ({ ...newPrincipal({}, now), tags: [] }),
    patch: patchTeam,
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
    insert: async (team: NewTeam) => teams.insert(team.teamId, team),
    byId: async (teamId) => teams.byId(teamId),
    all: async () => teams.all(),
    update: async (teamId, patch) => teams.update(teamId, patch),
    // IMMEDIATE: take the write lock up front, so a read-then-write never fails to upgrade its lock.
    delete: async (teamIds) => remove.immediate(teamIds),
  };
}
