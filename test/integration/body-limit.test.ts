/**
 * Oversized requests (declared and chunked) over raw sockets against the real gateway process,
 * started as a user starts it (`bun src/main.ts`, main's listen options), so Bun's HTTP layer and
 * its body limit are the ones in production.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { dirname } from "node:path";
import { chunkedBody, expectErrorShape, jsonOf, RAW_ROUTES, rawExchange } from "../support/raw-http.ts";
import { spawnGateway, type SpawnedGateway } from "../support/gateway-process.ts";
import { TEST_MASTER_KEY } from "../support/accounts.ts";
import { useTempDir } from "../support/temp-dir.ts";

/** server.max_request_body_mb of the gateway under test, in bytes (0.004 MB). */
const LIMIT = Math.floor(0.004 * 1024 * 1024);
const HUGE = 100 * 1024 * 1024;

const tmp = useTempDir("switchboard-body-limit-");
let gateway: SpawnedGateway;

beforeAll(async () => {
  const config = await tmp.file("config.yaml", "server:\n  max_request_body_mb: 0.004\n");
  gateway = await spawnGateway(["--config", config, "--port", "0"], { SWITCHBOARD_MASTER_KEY: TEST_MASTER_KEY, SWITCHBOARD_DATA_DIR: dirname(config) });
});
afterAll(async () => {
  await gateway?.stop();
});

const send = (head: string, options?: Parameters<typeof rawExchange>[2]) => rawExchange(gateway.port, head, options);

describe("every 413 is the JSON error, whatever the declared size", () => {
  for (const route of RAW_ROUTES) {
    test(`a declared body of 100 MB (25,000x the limit): ${route.method} ${route.path}, refused before any byte of it is sent`, async () => {
      const answer = await send(`${route.method} ${route.path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${HUGE}\r\n\r\n`);
      expectErrorShape(answer, 413, route.anthropic, "body_too_large", "request_too_large");
      expect(answer.sentWhenAnswered).toBe(0);
      expect(jsonOf(answer).error.message).toContain("limit of 4 KB (server.max_request_body_mb)");
    });
  }

  test("a declared body between the limit and twice the limit -> the same 413", async () => {
    const answer = await send(`POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${LIMIT + LIMIT / 2}\r\n\r\n`);
    expectErrorShape(answer, 413, false, "body_too_large", "");
  });

  for (const route of RAW_ROUTES.filter((r) => r.method === "POST")) {
    test(`a chunked body past the limit: ${route.path} answers 413 while the body is still unfinished`, async () => {
      // Four times the limit and no last chunk: a gateway that waited for the whole body would never
      // answer (the exchange would time out); one that stops reading at the limit answers now.
      const answer = await send(`POST ${route.path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${TEST_MASTER_KEY}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`, {
        body: chunkedBody(4, LIMIT),
        timeoutMs: 15_000,
      });
      expectErrorShape(answer, 413, route.anthropic, "body_too_large", "request_too_large");
      expect(answer.sentWhenAnswered).toBeGreaterThan(LIMIT);
    }, 20_000);
  }

  test("the rest of an oversized body is discarded, not held: sending all 256 MB leaves the gateway's memory flat, and it serves the next call", async () => {
    const rss = async () => Number(/VmRSS:\s+(\d+) kB/.exec(await Bun.file(`/proc/${gateway.proc.pid}/status`).text())?.[1]) * 1024;
    const before = await rss();
    const answer = await send(`POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${TEST_MASTER_KEY}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n`, {
      body: [...chunkedBody(4096, 64 * 1024), "0\r\n\r\n"],
      sendAll: true,
      timeoutMs: 20_000,
    });
    expectErrorShape(answer, 413, false, "body_too_large", "");
    expect(answer.sent).toBeGreaterThan(256 * 1024 * 1024);
    expect((await rss()) - before).toBeLessThan(64 * 1024 * 1024);
    const next = await send(`GET /health/liveness HTTP/1.1\r\nHost: localhost\r\n\r\n`);
    expect(jsonOf(next)).toEqual({ status: "alive" });
  }, 30_000);

  test("a chunked body under the limit is served", async () => {
    const body = JSON.stringify({ model: "mock/echo", messages: [{ role: "user", content: "small" }] });
    const answer = await send(
      `POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${TEST_MASTER_KEY}\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`,
      { body: [`${Buffer.byteLength(body).toString(16)}\r\n${body}\r\n`, "0\r\n\r\n"] },
    );
    expect(answer.status).toBe(200);
    expect(jsonOf(answer).choices[0].message.content).toBe("Echo: small");
  });
});

