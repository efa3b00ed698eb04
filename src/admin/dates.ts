/**
 * Date parameters of the spend routes: `YYYY-MM-DD` (a whole UTC day) or an ISO 8601 timestamp.
 * The store filters on `[from, to)`, so an end date covers its whole day and an end timestamp
 * includes that instant.
 */
import { GatewayError } from "../canonical/errors.ts";
import { echo } from "../canonical/echo.ts";

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?$/;
const DAY_MS = 86_400_000;

function invalid(param: string, text: string): GatewayError {
  return new GatewayError(
    "caller.invalid_request",
    `Invalid value for '${param}': expected a date (YYYY-MM-DD, a UTC day) or an ISO 8601 timestamp (2025-01-31T12:00:00Z), got '${echo(text)}'.`,
    { param },
  );
}

/** Epoch ms of a `YYYY-MM-DD` day's start (UTC), or undefined when it is not a real calendar day. */
function dayStart(text: string): number | undefined {
  const match = DAY.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const date = new Date(ms);
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day ? ms : undefined;
}

/** Parses one date parameter: the start of a range (`end` false) or its exclusive end (`end` true). */
export function parseDateParam(param: string, text: string, end: boolean): number {
  const trimmed = text.trim();
  const day = dayStart(trimmed);
  if (day !== undefined) return end ? day + DAY_MS : day;
  if (!TIMESTAMP.test(trimmed)) throw invalid(param, text);
  // A timestamp without a zone is UTC, as the day form is.
  const ms = Date.parse(/(?:Z|[+-]\d{2}:?\d{2})$/.test(trimmed) ? trimmed : `${trimmed}Z`);
  if (!Number.isFinite(ms) || dayStart(trimmed.slice(0, 10)) === undefined) throw invalid(param, text);
  return end ? ms + 1 : ms;
}

/** The `[from, to)` range of `start_date` and `end_date` (either may be absent); a 400 when it is backwards. */
export function dateRange(startDate: string | undefined, endDate: string | undefined): { from?: number; to?: number } {
  const from = startDate ? parseDateParam("start_date", startDate, false) : undefined;
  const to = endDate ? parseDateParam("end_date", endDate, true) : undefined;
  if (from !== undefined && to !== undefined && to <= from) {
    throw new GatewayError("caller.invalid_request", `Invalid value for 'end_date': '${echo(endDate ?? "")}' is before start_date '${echo(startDate ?? "")}'.`, { param: "end_date" });
  }
  return { ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}) };
}

/** Epoch ms as ISO 8601, or null when absent. */
export function isoOrNull(ms: number | undefined): string | null {
  return ms === undefined ? null : new Date(ms).toISOString();
}
