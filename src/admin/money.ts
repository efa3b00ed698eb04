/**
 * Dollars on the management API, nano-dollars in the store. LiteLLM's API takes and returns
 * budgets and spend as JSON numbers in dollars; the conversion in goes through the number's
 * decimal text (what the client wrote), never a float multiply, so `0.1` is exactly 100,000,000.
 */
import { GatewayError } from "../canonical/errors.ts";
import { NANO_PER_USD } from "../pricing/units.ts";

const DECIMAL = /^(\d+)(?:\.(\d+))?(?:e([+-]?\d+))?$/;

/**
 * Converts a non-negative dollar amount to integer nano-dollars; a 400 naming `param` when it
 * cannot be. The amount is the number's shortest round-trip decimal (what the client wrote, or what
 * its float arithmetic printed) times 10^9, rounded UP to a whole nano-dollar, in exact decimal
 * arithmetic: `0.00020999999999999998` is 210,000, `1e-10` is 1. Rounding up keeps a tiny budget
 * from becoming 0 and never gives more than asked by more than one unit.
 */
export function usdToNano(value: number, param = "max_budget"): number {
  const invalid = (why: string) => new GatewayError("caller.invalid_request", `Invalid value for '${param}': ${why}.`, { param });
  if (!Number.isFinite(value) || value < 0) throw invalid(`expected a non-negative number of US dollars, got ${value}`);
  const match = DECIMAL.exec(String(value));
  if (!match) throw invalid(`expected a non-negative number of US dollars, got ${value}`);
  const fraction = match[2] ?? "";
  const scale = fraction.length - Number(match[3] ?? "0");
  let nano = BigInt(`${match[1]}${fraction}`) * 1_000_000_000n;
  if (scale >= 0) {
    const divisor = 10n ** BigInt(scale);
    nano = (nano + divisor - 1n) / divisor;
  } else {
    nano *= 10n ** BigInt(-scale);
  }
  if (nano > BigInt(Number.MAX_SAFE_INTEGER)) throw invalid(`$${value} is larger than this gateway can count (about $9,000,000)`);
  return Number(nano);
}

/** Nano-dollars as the JSON number of dollars LiteLLM clients expect (display precision; `*_usd` strings are exact). */
export function nanoToUsd(nano: number): number {
  return nano / NANO_PER_USD;
}
