import { expect } from "bun:test";
import { ConfigError } from "../../src/config/errors.ts";

/** Runs `fn`, expects it to throw (or reject with) a ConfigError and returns it, so a test can look at every problem. */
export async function configError(fn: () => unknown): Promise<ConfigError> {
  try {
    await fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error("expected a ConfigError, but loading succeeded");
}
