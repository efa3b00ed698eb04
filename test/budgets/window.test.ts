import { describe, expect, test } from "bun:test";
import { budgetWindow, durationMs, parseDuration, spendInWindow } from "../../src/budgets/window.ts";

const at = (iso: string) => Date.parse(iso);

describe("budget durations", () => {
  test("parse <n>s|m|h|d|mo; anything else is refused", () => {
    expect(parseDuration("30s")).toEqual({ count: 30, unit: "s" });
    expect(parseDuration("1mo")).toEqual({ count: 1, unit: "mo" });
    for (const bad of ["", "0d", "30", "d", "1w", "-1d", "1.5h", "1000000d"]) expect(parseDuration(bad)).toBeUndefined();
    expect(durationMs("2h")).toBe(7_200_000);
    expect(durationMs("1mo")).toBeUndefined();
  });
});

describe("budget windows", () => {
  const anchor = at("2026-01-31T10:00:00Z");

  test("fixed lengths repeat from the anchor; the reset is the next window's start", () => {
    expect(budgetWindow(anchor, "1d", anchor)).toEqual({ start: anchor, resetAt: anchor + 86_400_000 });
    expect(budgetWindow(anchor, "1d", anchor + 86_400_000 - 1)).toEqual({ start: anchor, resetAt: anchor + 86_400_000 });
    expect(budgetWindow(anchor, "1d", anchor + 86_400_000)).toEqual({ start: anchor + 86_400_000, resetAt: anchor + 2 * 86_400_000 });
    expect(budgetWindow(anchor, "30s", anchor + 95_000).start).toBe(anchor + 90_000);
  });

  test("months are calendar months, clamped to the month's last day", () => {
    expect(budgetWindow(anchor, "1mo", at("2026-02-15T00:00:00Z"))).toEqual({ start: anchor, resetAt: at("2026-02-28T10:00:00Z") });
    expect(budgetWindow(anchor, "1mo", at("2026-02-28T10:00:00Z")).start).toBe(at("2026-02-28T10:00:00Z"));
    expect(budgetWindow(anchor, "1mo", at("2026-03-31T09:59:59Z")).start).toBe(at("2026-02-28T10:00:00Z"));
    expect(budgetWindow(anchor, "1mo", at("2026-03-31T10:00:00Z")).start).toBe(at("2026-03-31T10:00:00Z"));
    // Leap year, and a window far from the anchor.
    expect(budgetWindow(at("2028-01-31T00:00:00Z"), "1mo", at("2028-02-29T12:00:00Z")).start).toBe(at("2028-02-29T00:00:00Z"));
    expect(budgetWindow(anchor, "3mo", at("2029-05-01T00:00:00Z"))).toEqual({ start: at("2029-04-30T10:00:00Z"), resetAt: at("2029-07-31T10:00:00Z") });
  });

  test("no duration (or a time before the anchor) is one all-time window", () => {
    expect(budgetWindow(anchor, undefined, anchor + 1e12)).toEqual({ start: 0 });
    expect(budgetWindow(anchor, "1d", anchor - 1)).toEqual({ start: 0 });
  });

  test("spend counts only when the rollup is in the current window", () => {
    const totals = { totalNano: 900, windowNano: 300, windowStart: 5_000 };
    expect(spendInWindow(totals, 5_000)).toBe(300);
    expect(spendInWindow(totals, 6_000)).toBe(0);
    expect(spendInWindow(totals, 0)).toBe(900);
  });
});
