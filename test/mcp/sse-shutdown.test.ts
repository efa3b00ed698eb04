/**
 * SIGTERM with an MCP SSE session open: the stream would never end on its own, so the gateway ends
 * it (it has nothing in progress) instead of holding the drain for the whole grace period.
 */
import { afterAll, expect, test } from "bun:test";
import { dirname } from "node:path";
import { killAllStarted, startGatewayProcess } from "../support/gateway-process.ts";
import { openRawSse } from "../support/raw-sse-session.ts";
import { useTempDir } from "../support/temp-dir.ts";

const tmp = useTempDir("switchboard-mcp-sse-shutdown-");
afterAll(killAllStarted);

test("SIGTERM ends an idle SSE session's stream, so the drain does not wait out the grace period", async () => {
  const dataDir = dirname(await tmp.file("marker", ""));
  const gateway = await startGatewayProcess(["--port", "0", "--data-dir", dataDir]);
  expect(gateway.origin).not.toBe("");
  const session = await openRawSse(gateway.origin, "/mcp/sse", {});
  gateway.proc.kill("SIGTERM");
  // The stream ends (the session was drained), and the process exits without closing it by force.
  await expect(session.until(() => false)).rejects.toThrow("the stream ended");
  const code = await gateway.exited;
  const log = gateway.log();
  expect({ code, drained: log.includes("draining 1 in-flight request(s)"), forced: log.includes("grace period over"), log }).toEqual({ code: 0, drained: true, forced: false, log });
});
