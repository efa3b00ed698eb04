/**
 * The money unit: integer nano-dollars (1e-9 USD). Prices are nano-dollars per token, so
 * `tokens × price` is an exact integer and sums never drift. A JS number holds integers exactly up
 * to 2^53 ≈ 9.007e15 nano-dollars, about $9M, far beyond one call's cost.
 */

/** Nano-dollars in one US dollar. */
export const NANO_PER_USD = 1_000_000_000;

const DECIMAL = /^(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/;

/**
 * Parses a non-negative finite number through its shortest round-trip decimal form (what the
 * source literal said), as an exact `digits / 10^scale` pair.
 */
function exactDecimal(value: number): { digits: bigint; scale: number } {
  const match = DECIMAL.exec(String(value));
  if (!match) throw new RangeError(`price must be a finite, non-negative number, got ${value}`);
  const fraction = match[2] ?? "";
  const exponent = Number(match[3] ?? "0");
  const digits = BigInt(`${match[1]}${fraction}`);
  const scale = fraction.length - exponent;
  return scale >= 0 ? { digits, scale } : { digits: digits * 10n ** BigInt(-scale), scale: 0 };
}

/**
 * Converts a published price in dollars per million tokens to integer nano-dollars per token;
 * throws when the result is not an exact integer, so a mistyped price cannot round silently.
 */
export function perMillion(dollars: number): number {
  if (!Number.isFinite(dollars) || dollars < 0) throw new RangeError(`price must be a finite, non-negative number, got ${dollars}`);
  // $/1M tokens -> nano$/token: × 1e9 / 1e6 = × 1000, done in exact decimal arithmetic.
  const { digits, scale } = exactDecimal(dollars);
  const numerator = digits * 1000n;
  const divisor = 10n ** BigInt(scale);
  if (numerator % divisor !== 0n) {
    throw new RangeError(`$${dollars} per million tokens is not a whole number of nano-dollars per token`);
  }
  const nano = numerator / divisor;
  if (nano > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`$${dollars} per million tokens is too large`);
  return Number(nano);
}

/** Checks that a value is a safe integer amount of nano-dollars (or tokens) and returns it. */
export function assertNano(value: number, what = "amount"): number {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${what} must be a safe integer number of nano-dollars, got ${value}`);
  return value;
}

/**
 * Renders integer nano-dollars as an exact decimal dollar string, trailing zeros trimmed:
 * 1234 -> "0.000001234", 2_500_000_000 -> "2.5", 0 -> "0".
 */
export function formatUsd(nano: number): string {
  assertNano(nano);
  const sign = nano < 0 ? "-" : "";
  const digits = String(Math.abs(nano)).padStart(10, "0");
  const whole = digits.slice(0, -9);
  const fraction = digits.slice(-9).replace(/0+$/, "");
  return `${sign}${whole}${fraction ? `.${fraction}` : ""}`;
}
