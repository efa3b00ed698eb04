import { describe, expect, test } from "bun:test";
import { listenOptions } from "../../src/server/listen.ts";

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
