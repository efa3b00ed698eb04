import { describe, expect, test } from "bun:test";
import { hostProblem } from "../../src/server/host.ts";

describe("hostProblem", () => {
  test("host[:port] with a port up to 65535, or no Host at all, is usable", () => {
    for (const host of [null, "localhost", "127.0.0.1:4000", "[::1]:65535", "gateway.internal:0", "a_b.example"]) expect(hostProblem(host)).toBeUndefined();
  });

  test("other values say why not", () => {
    expect(hostProblem("127.0.0.1:99999")).toContain("65535");
    expect(hostProblem("a b")).toContain("host[:port]");
    expect(hostProblem("x".repeat(300))).toContain("host[:port]");
    expect(hostProblem("host:123456")).toContain("host[:port]");
  });
});
