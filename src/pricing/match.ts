/**
 * genai-prices' model-matching rules (`equals`, `starts_with`, `ends_with`, `contains`, `regex`,
 * `and`, `or`), compiled once into a predicate. Like the package, matching is on the lower-cased
 * model id and the string rules ignore case; a `regex` is compiled once here, not per lookup.
 */

/** One matching rule as the price data writes it. */
export type MatchLogic =
  | { equals: string }
  | { starts_with: string }
  | { ends_with: string }
  | { contains: string }
  | { regex: string }
  | { and: MatchLogic[] }
  | { or: MatchLogic[] };

/** Tests a lower-cased model id. */
export type Matcher = (id: string) => boolean;

const never: Matcher = () => false;

/** Compiles a rule; an unknown or malformed rule matches nothing (a price file cannot break start-up). */
export function compileMatch(logic: unknown): Matcher {
  if (!logic || typeof logic !== "object") return never;
  const rule = logic as Record<string, unknown>;
  if (Array.isArray(rule.or)) {
    const parts = rule.or.map(compileMatch);
    return (id) => parts.some((part) => part(id));
  }
  if (Array.isArray(rule.and)) {
    const parts = rule.and.map(compileMatch);
    return (id) => parts.every((part) => part(id));
  }
  const text = (key: string) => (typeof rule[key] === "string" ? (rule[key] as string) : undefined);
  const equals = text("equals")?.toLowerCase();
  if (equals !== undefined) return (id) => id === equals;
  const prefix = text("starts_with")?.toLowerCase();
  if (prefix !== undefined) return (id) => id.startsWith(prefix);
  const suffix = text("ends_with")?.toLowerCase();
  if (suffix !== undefined) return (id) => id.endsWith(suffix);
  const part = text("contains")?.toLowerCase();
  if (part !== undefined) return (id) => id.includes(part);
  const source = text("regex");
  if (source !== undefined) {
    try {
      const pattern = new RegExp(source);
      return (id) => pattern.test(id);
    } catch {
      return never;
    }
  }
  return never;
}

const COMPACT_DATE = /(-)(20\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?=-|:|$)/g;

/**
 * genai-prices' second attempt: a compact snapshot date `-20250514` written `-2025-05-14` (only
 * real calendar dates), so rows that list the dashed form match the compact one.
 */
export function dashDates(id: string): string {
  return id.replace(COMPACT_DATE, (whole, dash: string, year: string, month: string, day: string) => {
    const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
    return date.getUTCMonth() === Number(month) - 1 && date.getUTCDate() === Number(day) ? `${dash}${year}-${month}-${day}` : whole;
  });
}
