/**
 * Money units. The ledger counts integer nano-dollars (1e-9 USD). Rates are held one step finer,
 * in integer pico-dollars (1e-12 USD) per token, because published prices are not whole
 * nano-dollars per token: $0.0375 per million tokens is 37.5 nano-dollars, exactly 37,500
 * pico-dollars. Any price with up to six decimals in dollars per million tokens (twelve in dollars
 * per token, LiteLLM's unit) is an exact integer of pico-dollars per token.
 *
 * The rounding rule, applied once per call and nowhere else: a call's cost is summed exactly in
 * integer pico-dollars (tokens × rate, per kind of token), then rounded UP to the next whole
 * nano-dollar for the ledger. So a call is never billed less than its exact price, by less than
 * one nano-dollar. The sum is done in JS numbers while it stays below 2^53 pico-dollars (about
 * $9,000 for one call) and in BigInt beyond, so it is exact either way.
 *
 * Rates finer than a pico-dollar per token cannot be held exactly: a deployment's `price` with
 * such a rate is a config error; a price file's rate (genai-prices computes some, e.g. 1/12 of a
 * dollar) is rounded UP to the pico-dollar, and the loader reports every rate it rounded.
 */

/** Nano-dollars in one US dollar. */
export const NANO_PER_USD = 1_000_000_000;

/** Pico-dollars (the rate unit) in one nano-dollar (the ledger unit). */
export const PICO_PER_NANO = 1000;

const DECIMAL = /^(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/;

/**
 * Parses a non-negative finite number through its shortest round-trip decimal form (what the
 * source literal said), as an exact `digits / 10^scale` pair.
 */
function exactDecimal(value: number): { digits: bigint; scale: number } {
  const match = Number.isFinite(value) && value >= 0 ? DECIMAL.exec(String(value)) : null;
  if (!match) throw new RangeError(`price must be a finite, non-negative number, got ${value}`);
  const fraction = match[2] ?? "";
  const exponent = Number(match[3] ?? "0");
  const digits = BigInt(`${match[1]}${fraction}`);
  const scale = fraction.length - exponent;
  return scale >= 0 ? { digits, scale } : { digits: digits * 10n ** BigInt(-scale), scale: 0 };
}

/** Dollars per `1e12 / factor` units as pico-dollars per unit (per million tokens: × 1e6), in exact decimal arithmetic, rounded up. */
function picoOf(dollars: number, factor = 1_000_000n): { pico: bigint; exact: boolean } {
  const { digits, scale } = exactDecimal(dollars);
  const numerator = digits * factor;
  const divisor = 10n ** BigInt(scale);
  const remainder = numerator % divisor;
  return { pico: numerator / divisor + (remainder === 0n ? 0n : 1n), exact: remainder === 0n };
}

function safe(pico: bigint, dollars: number): number {
  if (pico > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`$${dollars} per million tokens is too large`);
  return Number(pico);
}

/**
 * A price in dollars per million tokens as integer pico-dollars per token; throws when the price
 * is finer than a pico-dollar per token (more than six decimals), so a price cannot round silently.
 */
export function perMillion(dollars: number): number {
  const { pico, exact } = picoOf(dollars);
  if (!exact) throw new RangeError(`$${dollars} per million tokens has more than 6 decimals (the smallest rate is $0.000001 per million tokens)`);
  return safe(pico, dollars);
}

/** Like `perMillion`, but a price finer than a pico-dollar per token is rounded up to it; `exact` says whether it was. */
export function perMillionRoundedUp(dollars: number): { pico: number; exact: boolean } {
  const { pico, exact } = picoOf(dollars);
  return { pico: safe(pico, dollars), exact };
}

/** A fee in dollars per thousand calls (genai-prices' `requests_kcount`) as pico-dollars per call, rounded up like `perMillionRoundedUp`. */
export function perThousandCallsRoundedUp(dollars: number): { pico: number; exact: boolean } {
  const { pico, exact } = picoOf(dollars, 1_000_000_000n);
  return { pico: safe(pico, dollars), exact };
}

/** A rate in pico-dollars per token as dollars per million tokens, for messages and `config check`. */
export function picoToPerMillion(pico: number): string {
  return formatFixed(pico, 6);
}

/** Integer pico-dollars rounded up to integer nano-dollars (the one rounding step; `pico` must be a safe integer). */
export function picoToNanoUp(pico: number): number {
  const remainder = pico % PICO_PER_NANO;
  return (pico - remainder) / PICO_PER_NANO + (remainder > 0 ? 1 : 0);
}

/** Checks that a value is a safe integer amount of nano-dollars (or tokens) and returns it. */
export function assertNano(value: number, what = "amount"): number {
  if (!Number.isSafeInteger(value)) throw new RangeError(`${what} must be a safe integer number of nano-dollars, got ${value}`);
  return value;
}

/** An integer with `decimals` implied decimal places as an exact decimal string, trailing zeros trimmed. */
function formatFixed(value: number, decimals: number): string {
  const sign = value < 0 ? "-" : "";
  const digits = String(Math.abs(value)).padStart(decimals + 1, "0");
  const whole = digits.slice(0, -decimals);
  const fraction = digits.slice(-decimals).replace(/0+$/, "");
  return `${sign}${whole}${fraction ? `.${fraction}` : ""}`;
}

/**
 * Renders integer nano-dollars as an exact decimal dollar string, trailing zeros trimmed:
 * 1234 -> "0.000001234", 2_500_000_000 -> "2.5", 0 -> "0".
 */
export function formatUsd(nano: number): string {
  assertNano(nano);
  return formatFixed(nano, 9);
}
