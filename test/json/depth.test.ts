import { describe, expect, test } from "bun:test";
import { depthExceededAt, MAX_JSON_DEPTH, topLevelKeyAt } from "../../src/json/depth.ts";

const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);

describe("depthExceededAt", () => {
  test("counts arrays and objects; -1 at the limit, the first bracket past it beyond", () => {
    expect(depthExceededAt('{"a":[1]}', 2)).toBe(-1);
    expect(depthExceededAt('{"a":[1]}', 1)).toBe(5);
    expect(depthExceededAt(nested(MAX_JSON_DEPTH))).toBe(-1);
    expect(depthExceededAt(nested(MAX_JSON_DEPTH + 1))).toBe(MAX_JSON_DEPTH);
    expect(depthExceededAt(`{"a":{"b":${nested(200)}}}`)).toBe(10 + MAX_JSON_DEPTH - 2);
  });

  test("siblings do not add up; closing brackets bring the depth back", () => {
    expect(depthExceededAt(`[${Array(1000).fill(nested(MAX_JSON_DEPTH - 1)).join(",")}]`)).toBe(-1);
  });

  test("brackets in strings, escaped quotes and escaped backslashes are not structure", () => {
    const inString = (s: string) => `{"a":${JSON.stringify(s)},"b":${nested(3)}}`;
    expect(depthExceededAt(inString("[".repeat(500)), 4)).toBe(-1);
    expect(depthExceededAt(inString(`\\"${"{".repeat(500)}`), 4)).toBe(-1);
    expect(depthExceededAt(inString(`x\\\\`), 4)).toBe(-1);
    expect(depthExceededAt(inString("[".repeat(500)), 3)).not.toBe(-1);
    // A key full of brackets, too.
    expect(depthExceededAt(`{${JSON.stringify("{".repeat(500))}:1}`, 1)).toBe(-1);
  });

  test("an unterminated string ends the scan (JSON.parse rejects the text next)", () => {
    expect(depthExceededAt(`{"a":"${"[".repeat(500)}`, 2)).toBe(-1);
  });
});

describe("topLevelKeyAt", () => {
  test("names the top-level member holding a position", () => {
    const text = `{"model":"m","x":{"y":${nested(10)}},"z":1}`;
    expect(topLevelKeyAt(text, text.indexOf("[[["))).toBe("x");
    expect(topLevelKeyAt(`{"a\\u0062":${nested(5)}}`, 12)).toBe("ab");
    expect(topLevelKeyAt(nested(10), 5)).toBeUndefined();
  });
});
