import type { Database } from "bun:sqlite";
import { StoreConflict } from "../types.ts";
import type { Bindings } from "./columns.ts";
import { PRINCIPAL_INSERT_COLUMNS, PRINCIPAL_INSERT_VALUES, PRINCIPAL_SET, type PrincipalRow } from "./principal.ts";

/** What a table of principals (teams, users, organisations) adds to the shared budget/limit columns. */
export interface PrincipalTableSpec<Row extends PrincipalRow, Rec, Settings, Patch> {
  table: "teams" | "users" | "organizations";
  /** Its id column, and what the id is called in messages. */
  idColumn: string;
  what: string;
  /** Its own columns, in `bindings`' names. */
  columns: readonly string[];
  fromRow(row: Row): Rec;
  /** Bindings for the shared and own columns (not the id). */
  bindings(settings: Settings): Bindings;
  /** The settings a new row starts from, then patched with what the caller gave. */
  fresh(now: number): Settings;
  patch(current: Settings, patch: Patch, now: number): Settings;
  /** Checks the settings about to be written against other tables (inside the write's transaction); throws StoreConflict. */
  checkReferences?(settings: Settings): void;
}

/**
 * Read, insert and update for a principal table: one shape for teams, users and organisations, whose rows differ
 * only in a few columns of their own. Writes are IMMEDIATE transactions (the write lock up front, so
 * a read-then-write never fails to upgrade its lock).
 */
export function principalTable<Row extends PrincipalRow, Rec extends Settings, Settings, Patch>(db: Database, spec: PrincipalTableSpec<Row, Rec, Settings, Patch>) {
  const { table, idColumn, what, columns } = spec;
  const own = columns.length > 0 ? `${columns.join(", ")}, ` : "";
  const ownValues = columns.length > 0 ? `${columns.map((c) => `$${c}`).join(", ")}, ` : "";
  const ownSet = columns.map((c) => `${c} = $${c}, `).join("");
  const selectOne = db.query<Row, Bindings>(`SELECT * FROM ${table} WHERE ${idColumn} = $id`);
  const selectAll = db.query<Row, []>(`SELECT * FROM ${table} ORDER BY created_at, rowid`);
  const insertRow = db.query<unknown, Bindings>(
    `INSERT INTO ${table} (${idColumn}, ${own}${PRINCIPAL_INSERT_COLUMNS}, created_at, updated_at)
     VALUES ($id, ${ownValues}${PRINCIPAL_INSERT_VALUES}, $now, $now)
     ON CONFLICT (${idColumn}) DO NOTHING`,
  );
  const updateRow = db.query<unknown, Bindings>(`UPDATE ${table} SET ${ownSet}${PRINCIPAL_SET}, updated_at = $now WHERE ${idColumn} = $id`);

  function byId(id: string): Rec | undefined {
    const row = selectOne.get({ id });
    return row ? spec.fromRow(row) : undefined;
  }

  function mustRead(id: string): Rec {
    const record = byId(id);
    if (!record) throw new Error(`${what} "${id}" vanished inside its own transaction`);
    return record;
  }

  const insert = db.transaction((id: string, fields: Patch): Rec => {
    const now = Date.now();
    const settings = spec.patch(spec.fresh(now), fields, now);
    spec.checkReferences?.(settings);
    const { changes } = insertRow.run({ id, ...spec.bindings(settings), now });
    if (changes === 0) throw new StoreConflict(`${what} "${id}" already exists`);
    return mustRead(id);
  });

  const update = db.transaction((id: string, patch: Patch): Rec | undefined => {
    const current = byId(id);
    if (!current) return undefined;
    const now = Date.now();
    const settings = spec.patch(current, patch, now);
    spec.checkReferences?.(settings);
    updateRow.run({ id, ...spec.bindings(settings), now });
    return mustRead(id);
  });

  return {
    byId,
    mustRead,
    all: (): Rec[] => selectAll.all().map(spec.fromRow),
    insert: (id: string, fields: Patch): Rec => insert.immediate(id, fields),
    update: (id: string, patch: Patch): Rec | undefined => update.immediate(id, patch),
  };
}
