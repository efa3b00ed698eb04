import { describe, expect, test } from "bun:test";
import { formatUsd, NANO_PER_USD, perMillion, perMillionRoundedUp, perThousandCallsRoundedUp, picoToNanoUp, picoToPerMillion } from "../../src/pricing/units.ts";

describe("perMillion", () => {
  test("converts $/1M tokens to exact integer pico-dollars per token", () => {
    expect(perMillion(2.5)).toBe(2_500_000);
    expect(perMillion(0.075)).toBe(75_000);
    expect(perMillion(0.028)).toBe(28_000);
    expect(perMillion(18.75)).toBe(18_750_000);
    expect(perMillion(1e3)).toBe(1_000_000_000);
    expect(perMillion(0)).toBe(0);
  });

  test("prices that are no whole number of nano-dollars per token are exact too", () => {
    // $0.0375 per million = 37.5 nano-dollars per token.
    expect(perMillion(0.0375)).toBe(37_500);
    expect(perMillion(0.0285)).toBe(28_500);
    expect(perMillion(0.003625)).toBe(3_625);
    expect(perMillion(0.000001)).toBe(1);
  });

  test("throws when the price is finer than a pico-dollar per token (more than six decimals)", () => {
    expect(() => perMillion(0.0000001)).toThrow(/more than 6 decimals/);
    expect(() => perMillion(2.5000001)).toThrow(RangeError);
    expect(() => perMillion(0.08333333333333334)).toThrow(RangeError);
  });

  test("throws on negative, non-finite and unsafe prices", () => {
    expect(() => perMillion(-1)).toThrow(RangeError);
    expect(() => perMillion(Number.NaN)).toThrow(RangeError);
    expect(() => perMillion(Number.POSITIVE_INFINITY)).toThrow(RangeError);
    expect(() => perMillion(1e10)).toThrow(/too large/);
  });
});

describe("rounding a price file's rates", () => {
  test("a rate finer than a pico-dollar per token rounds UP to it, and says so", () => {
    expect(perMillionRoundedUp(0.08333333333333334)).toEqual({ pico: 83_334, exact: false });
    expect(perMillionRoundedUp(0.18000000000000002)).toEqual({ pico: 180_001, exact: false });
    expect(perMillionRoundedUp(0.0375)).toEqual({ pico: 37_500, exact: true });
  });

  test("a per-thousand-calls fee is pico-dollars per call", () => {
    expect(perThousandCallsRoundedUp(12)).toEqual({ pico: 12_000_000_000, exact: true });
    expect(perThousandCallsRoundedUp(0.005)).toEqual({ pico: 5_000_000, exact: true });
  });
});

describe("picoToNanoUp: the one rounding step", () => {
  test("whole nano-dollars stay, any remainder rounds up", () => {
    expect(picoToNanoUp(0)).toBe(0);
    expect(picoToNanoUp(1)).toBe(1);
    expect(picoToNanoUp(1000)).toBe(1);
    expect(picoToNanoUp(1001)).toBe(2);
    expect(picoToNanoUp(37_500)).toBe(38);
    // Near 2^53, where a float division would lose the remainder.
    expect(picoToNanoUp(9_007_199_254_740_001)).toBe(9_007_199_254_741);
    expect(picoToNanoUp(9_007_199_254_740_000)).toBe(9_007_199_254_740);
  });

  test("rates render back as dollars per million tokens", () => {
    expect(picoToPerMillion(37_500)).toBe("0.0375");
    expect(picoToPerMillion(2_500_000)).toBe("2.5");
    expect(picoToPerMillion(1)).toBe("0.000001");
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
