import { describe, expect, test } from "bun:test";
import { formatUsd, NANO_PER_USD, perMillion } from "../../src/pricing/units.ts";

describe("perMillion", () => {
  test("converts $/1M tokens to exact integer nano-dollars per token", () => {
    expect(perMillion(2.5)).toBe(2500);
    expect(perMillion(0.075)).toBe(75);
    expect(perMillion(0.028)).toBe(28);
    expect(perMillion(0.275)).toBe(275);
    expect(perMillion(18.75)).toBe(18_750);
    expect(perMillion(0.005)).toBe(5);
    expect(perMillion(0.001)).toBe(1);
    expect(perMillion(1e3)).toBe(1_000_000);
    expect(perMillion(0)).toBe(0);
  });

  test("throws when the price is not a whole number of nano-dollars per token", () => {
    expect(() => perMillion(0.0285)).toThrow(RangeError);
    expect(() => perMillion(0.0001)).toThrow(/not a whole number/);
    expect(() => perMillion(1e-7)).toThrow(RangeError);
    expect(() => perMillion(2.5001)).toThrow(RangeError);
  });

  test("throws on negative, non-finite and unsafe prices", () => {
    expect(() => perMillion(-1)).toThrow(RangeError);
    expect(() => perMillion(Number.NaN)).toThrow(RangeError);
    expect(() => perMillion(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => perMillion(1e21)).toThrow(/too large/);
  });
});

describe("formatUsd", () => {
  test("renders exact decimal dollars", () => {
    expect(formatUsd(1234)).toBe("0.000001234");
    expect(formatUsd(1)).toBe("0.000000001");
    expect(formatUsd(0)).toBe("0");
    expect(formatUsd(NANO_PER_USD)).toBe("1");
    expect(formatUsd(2_500_000_000)).toBe("2.5");
    expect(formatUsd(3_750_000)).toBe("0.00375");
    expect(formatUsd(-1234)).toBe("-0.000001234");
    expect(formatUsd(Number.MAX_SAFE_INTEGER)).toBe("9007199.254740991");
  });

  test("refuses amounts that are not safe integers", () => {
    expect(() => formatUsd(1.5)).toThrow(RangeError);
    expect(() => formatUsd(Number.MAX_SAFE_INTEGER + 1)).toThrow(RangeError);
  });
});
