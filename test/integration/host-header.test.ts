/**
 * Malformed requests (the Host header, and what Bun refuses itself) over raw sockets against the
 * real gateway process, started as a user starts it (`bun src/main.ts`, main's listen options),
 * so Bun's HTTP layer is the one in production and stderr is what an operator would see.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import { expectErrorShape, jsonOf, RAW_ROUTES, rawExchange } from "../support/raw-http.ts";
import { spawnGateway, type SpawnedGateway } from "../support/gateway-process.ts";
import { TEST_MASTER_KEY } from "../support/accounts.ts";
import { useTempDir } from "../support/temp-dir.ts";

const tmp = useTempDir("switchboard-host-header-");
let gateway: SpawnedGateway;

beforeAll(async () => {
  const config = await tmp.file("config.yaml", "server:\n  metrics: true\n");
  gateway = await spawnGateway(["--config", config, "--port", "0"], { SWITCHBOARD_MASTER_KEY: TEST_MASTER_KEY, SWITCHBOARD_DATA_DIR: dirname(config) });
});
afterAll(async () => {
  await gateway?.stop();
});

const send = (head: string, options?: Parameters<typeof rawExchange>[2]) => rawExchange(gateway.port, head, options);

describe("a Host the gateway cannot use -> 400 JSON, no stack trace", () => {
  const cases = [
    { label: "Host: 127.0.0.1:99999", version: "HTTP/1.1", host: "Host: 127.0.0.1:99999\r\n", says: "port" },
    { label: "HTTP/1.0 without Host", version: "HTTP/1.0", host: "", says: "Host" },
  ];
  for (const { label, version, host, says } of cases) {
    for (const route of RAW_ROUTES) {
      test(`${label}: ${route.method} ${route.path}`, async () => {
        const body = route.method === "POST" ? "{}" : "";
        const answer = await send(`${route.method} ${route.path} ${version}\r\n${host}Content-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
        expectErrorShape(answer, 400, route.anthropic, "invalid_host", "invalid_request_error");
        expect(jsonOf(answer).error.message).toContain(says);
      });
    }
  }

  test("hundreds of them write nothing to stderr", async () => {
    const before = gateway.stderr();
    for (let i = 0; i < 100; i++) {
      await send("GET /no/such/route HTTP/1.1\r\nHost: 127.0.0.1:99999\r\nConnection: close\r\n\r\n");
      await send("GET /key/list HTTP/1.0\r\n\r\n");
    }
    await Bun.sleep(50);
    expect(gateway.stderr()).toBe(before);
  });

  test("HTTP/1.0 with a Host, and a port in range, are served (control)", async () => {
    const answer = await send("GET /health/liveness HTTP/1.0\r\nHost: 127.0.0.1:65535\r\n\r\n");
    expect(answer.status).toBe(200);
    expect(jsonOf(answer)).toEqual({ status: "alive" });
  });
});

describe("a short Host still routes by the whole path", () => {
  // Elysia's default reads the path from the 12th character of the URL on, assuming a host of 4 or more.
  for (const host of ["a", "ab", "llm", "llm:4"]) {
    test(`Host: ${host}`, async () => {
      const health = await send(`GET /health/liveness HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
      expect(health.status).toBe(200);
      // An unknown path under a known one is a 404, not the known route.
      const nested = await send(`GET /xx/health/liveness HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`);
      expect(nested.status).toBe(404);
      const models = await send(`GET /zz/v1/models HTTP/1.1\r\nHost: ${host}\r\nAuthorization: Bearer ${TEST_MASTER_KEY}\r\nConnection: close\r\n\r\n`);
      expect(models.status).toBe(404);
    });
  }
});

describe("requests Bun answers itself, before the gateway sees them (documented in the README)", () => {
  // Bun 1.4.5 gives the app no hook for these (its `error` handler is not called): they get Bun's
  // status with an empty body. If a Bun upgrade changes that, these fail and the gateway should answer.
  test("HTTP/1.1 without Host -> Bun's 400, empty body", async () => {
    const answer = await send("GET /v1/models HTTP/1.1\r\nConnection: close\r\n\r\n");
    expect([answer.status, answer.body]).toEqual([400, ""]);
  });

  test("headers over Bun's 16 KB limit -> Bun's 431, empty body", async () => {
    const answer = await send(`GET /v1/models HTTP/1.1\r\nHost: localhost\r\nX-Big: ${"a".repeat(20_000)}\r\nConnection: close\r\n\r\n`);
    expect([answer.status, answer.body]).toEqual([431, ""]);
  });

  test("NUL in a header value -> Bun's 400, empty body", async () => {
    const answer = await send("GET /v1/models HTTP/1.1\r\nHost: localhost\r\nX-Nul: a\0b\r\nConnection: close\r\n\r\n");
    expect([answer.status, answer.body]).toEqual([400, ""]);
  });

  test("a malformed Content-Length -> Bun's 400, empty body", async () => {
    const answer = await send("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Length: abc\r\nConnection: close\r\n\r\n{}");
    expect([answer.status, answer.body]).toEqual([400, ""]);
  });

  test("none of them writes to stderr", () => {
    expect(gateway.stderr()).not.toContain("    at ");
  });
});
