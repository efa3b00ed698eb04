/**
 * Budget windows. A duration like "30d" cuts time into windows starting at the budget's anchor;
 * spend in the current window is what the budget caps, so a budget "resets" exactly on schedule
 * with no reset job: a new window simply starts at zero.
 */

const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^([1-9]\d{0,5})(s|m|h|d|mo)$/;

/** Parses `<n>s|m|h|d|mo` ("30s", "1h", "30d", "1mo"); undefined when malformed. */
export function parseDuration(text: string): { count: number; unit: "s" | "m" | "h" | "d" | "mo" } | undefined {
  const match = DURATION.exec(text.trim());
  if (!match) return undefined;
  return { count: Number(match[1]), unit: match[2] as "s" | "m" | "h" | "d" | "mo" };
}

/** Milliseconds of a fixed-length duration; undefined for months (their length varies) or bad text. */
export function durationMs(text: string): number | undefined {
  const parsed = parseDuration(text);
  if (!parsed || parsed.unit === "mo") return undefined;
  return parsed.count * UNIT_MS[parsed.unit];
}

/** `anchor` plus `months` calendar months (UTC), clamped to the month's last day (Jan 31 + 1mo = Feb 28/29). */
function addMonths(anchor: number, months: number): number {
  const date = new Date(anchor);
  const day = date.getUTCDate();
  date.setUTCDate(1);
  date.setUTCMonth(date.getUTCMonth() + months);
  const lastDay = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
  date.setUTCDate(Math.min(day, lastDay));
  return date.getTime();
}

/** The one window of a budget without a duration (shared: asked for on every call). */
const ALL_TIME = Object.freeze({ start: 0 });

/**
 * The window containing `now`: its start and the next reset. Without a duration (or before the
 * anchor) there is one window from the anchor on, start 0 meaning "all time".
 */
export function budgetWindow(anchor: number, duration: string | undefined, now: number): Readonly<{ start: number; resetAt?: number }> {
  if (!duration) return ALL_TIME;
  const parsed = parseDuration(duration);
  if (!parsed || now < anchor) return ALL_TIME;
  if (parsed.unit !== "mo") {
    const length = parsed.count * UNIT_MS[parsed.unit];
    const start = anchor + Math.floor((now - anchor) / length) * length;
    return { start, resetAt: start + length };
  }
  // Months: estimate the index, then step to the exact calendar boundary.
  let index = Math.max(0, Math.floor((now - anchor) / (31 * UNIT_MS.d * parsed.count)));
  while (addMonths(anchor, (index + 1) * parsed.count) <= now) index++;
  return { start: addMonths(anchor, index * parsed.count), resetAt: addMonths(anchor, (index + 1) * parsed.count) };
}

/** Spend counted against the budget now: the rollup's window spend if it is the current window, else 0. */
export function spendInWindow(totals: { totalNano: number; windowNano: number; windowStart: number }, windowStart: number): number {
  if (windowStart === 0) return totals.totalNano;
  return totals.windowStart === windowStart ? totals.windowNano : 0;
}
