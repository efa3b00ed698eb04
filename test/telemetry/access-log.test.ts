import { describe, expect, test } from "bun:test";
import { accessLog } from "../../src/telemetry/access-log.ts";
import type { CallRecord } from "../../src/telemetry/calls.ts";

const record = (n: number): CallRecord => ({
  callId: `call-${n}`,
  operation: "chat",
  model: "mock/echo",
  deploymentId: "mock/echo",
  provider: "mock",
  stream: false,
  status: 200,
  outcome: "ok",
  usage: { input: 3, output: 4, cacheRead: 1 },
  startedAt: Date.UTC(2026, 0, 1),
  durationMs: 1.5,
});

describe("accessLog", () => {
  test("buffers calls and writes them as JSON lines in one batch, off the call path", () => {
    const writes: string[] = [];
    const log = accessLog((text) => writes.push(text));
    log.onCall(record(1));
    log.onCall(record(2));
    expect(writes).toEqual([]);
    log.stop();
    expect(writes).toHaveLength(1);
    const lines = writes[0]!.trimEnd().split("\n").map((line) => JSON.parse(line));
    expect(lines.map((l) => l.callId)).toEqual(["call-1", "call-2"]);
    expect(lines[0]).toMatchObject({ time: "2026-01-01T00:00:00.000Z", usage: { input: 3, output: 4, cacheRead: 1 }, status: 200 });
  });

  test("flushes by itself on its timer", async () => {
    const writes: string[] = [];
    const log = accessLog((text) => writes.push(text));
    log.onCall(record(1));
    for (let i = 0; i < 40 && writes.length === 0; i++) await Bun.sleep(25);
    expect(writes.join("")).toContain('"callId":"call-1"');
    log.stop();
  });

  test("past its bound it drops and counts instead of growing or blocking", () => {
    const writes: string[] = [];
    const log = accessLog((text) => writes.push(text));
    for (let i = 0; i < 10_005; i++) log.onCall(record(i));
    log.stop();
    const lines = writes.join("").trimEnd().split("\n");
    expect(lines).toHaveLength(10_001);
    expect(JSON.parse(lines.at(-1)!)).toEqual({ level: "warn", msg: "access log lines dropped", dropped: 5 });
  });

  test("each line carries its level; a minimum level drops the calls below it", () => {
    const writes: string[] = [];
    const log = accessLog((text) => writes.push(text), "warn");
    log.onCall(record(1));
    log.onCall({ ...record(2), status: 429, outcome: "error" });
    log.onCall({ ...record(3), status: 502, outcome: "error" });
    log.stop();
    const lines = writes.join("").trimEnd().split("\n").map((line) => JSON.parse(line));
    expect(lines.map((l) => [l.callId, l.level])).toEqual([
      ["call-2", "warn"],
      ["call-3", "error"],
    ]);
  });
});
