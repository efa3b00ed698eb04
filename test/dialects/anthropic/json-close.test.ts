import { describe, expect, test } from "bun:test";
import { JsonCloseTracker } from "../../../src/dialects/anthropic/json-close.ts";

/** The fragment count after which the tracker first reads closed (-1: never). */
function closesAfter(fragments: string[]): number {
  const tracker = new JsonCloseTracker();
  for (const [i, fragment] of fragments.entries()) {
    tracker.push(fragment);
    if (tracker.closed) return i + 1;
  }
  return -1;
}

describe("JsonCloseTracker", () => {
  test("closes exactly when the top-level object or array closes", () => {
    expect(closesAfter(['{"a":', "1", "}"])).toBe(3);
    expect(closesAfter(["  [1,", "[2,{}]", "]"])).toBe(3);
    expect(closesAfter(["{}"])).toBe(1);
  });

  test("braces and quotes inside strings do not count; escapes are followed across fragments", () => {
    expect(closesAfter(['{"a":"}', "]", '"', "}"])).toBe(4);
    expect(closesAfter(['{"a":"\\', '"}', '"}'])).toBe(3);
    expect(closesAfter(['{"a":"\\\\', '"}'])).toBe(2);
  });

  test("empty text, scalars and unfinished objects never read as closed", () => {
    expect(closesAfter([""])).toBe(-1);
    expect(closesAfter(['"just a string"'])).toBe(-1);
    expect(closesAfter(["42"])).toBe(-1);
    expect(closesAfter(['{"a":[1,2}'])).toBe(-1);
  });
});
