import { describe, expect, test } from "bun:test";
import { echo, MAX_ECHO_CHARS } from "../../src/canonical/echo.ts";

describe("echo", () => {
  test("short input is repeated whole", () => {
    expect(echo("openai/gpt-4o")).toBe("openai/gpt-4o");
    expect(echo("x".repeat(MAX_ECHO_CHARS))).toBe("x".repeat(MAX_ECHO_CHARS));
  });

  test("long input is cut with an ellipsis and its full length", () => {
    expect(echo("m".repeat(1_000_000))).toBe(`${"m".repeat(MAX_ECHO_CHARS)}… (1000000 characters)`);
  });

  test("a surrogate pair is never cut in half", () => {
    const text = `${"a".repeat(MAX_ECHO_CHARS - 1)}😀😀`;
    expect(echo(text)).toBe(`${"a".repeat(MAX_ECHO_CHARS - 1)}… (${text.length} characters)`);
  });
});
