import type { Bindings } from "./columns.ts";

/**
 * Filters become `WHERE` clauses built only from constant fragments (column names and `$name`
 * placeholders); every value is bound, never spliced into the SQL text.
 */
export class Conditions {
  private readonly clauses: string[] = [];
  readonly params: Bindings = {};

  /** Adds `clause` (which names `$param`) when `value` is present. */
  add(clause: string, param: string, value: string | number | undefined): this {
    if (value !== undefined) {
      this.clauses.push(clause);
      this.params[param] = value;
    }
    return this;
  }

  /** ` WHERE a AND b`, or "" without conditions. */
  sql(): string {
    return this.clauses.length === 0 ? "" : ` WHERE ${this.clauses.join(" AND ")}`;
  }
}

/** Checked LIMIT/OFFSET values: SQLite would read a negative limit as "no limit". */
export function page(limit: number, offset: number): { limit: number; offset: number } {
  if (!Number.isSafeInteger(limit) || limit < 0) throw new RangeError(`limit must be a non-negative integer, got ${limit}`);
  if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`offset must be a non-negative integer, got ${offset}`);
  return { limit, offset };
}
