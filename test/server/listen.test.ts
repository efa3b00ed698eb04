import { describe, expect, test } from "bun:test";
import { listenOptions } from "../../src/server/listen.ts";
import { hostProblem } from "../../src/server/host.ts";
import { pathOf, queryOf } from "../../src/server/url.ts";

describe("listenOptions", () => {
  test("the last-resort error handler answers JSON 500 and logs the message, not a stack", async () => {
    const logged: unknown[][] = [];
    const options = listenOptions({ hostname: "127.0.0.1", port: 0, idleTimeout: 30, logError: (...args) => logged.push(args) });
    const response = options.error(new TypeError("boom"));
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ error: { message: "The gateway hit an internal error; the request was not completed.", type: "api_error", param: null, code: "internal" } });
    expect(logged).toHaveLength(1);
    expect(options).toMatchObject({ reusePort: false, development: false });
  });
});

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

describe("pathOf and queryOf never throw", () => {
  test("absolute, relative and unparseable request URLs", () => {
    expect(pathOf("http://127.0.0.1:99999/v1/models?x=1")).toBe("/v1/models");
    expect(pathOf("/v1/models/a/b?x=1")).toBe("/v1/models/a/b");
    expect(pathOf("http://host")).toBe("/");
    expect(Object.fromEntries(queryOf("http://127.0.0.1:99999/key/list?page=2&size=3"))).toEqual({ page: "2", size: "3" });
    expect(Object.fromEntries(queryOf("/key/list"))).toEqual({});
    expect(Object.fromEntries(queryOf("http://h/p?a=%20b"))).toEqual({ a: " b" });
  });
});
