import { describe, expect, test } from "bun:test";
import { childEnvironment, RestartBackoff, stderrLines } from "../../src/mcp/stdio.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

describe("a stdio server's stderr, as log lines", () => {
  test("lines are whole however the bytes are split (a character across chunks included); empty lines are dropped; CRLF ends a line", () => {
    const lines: string[] = [];
    const reader = stderrLines((line) => lines.push(line));
    const all = bytes("starting…\r\n\nready on stdio\nlast, unterminated");
    for (const byte of all) reader.push(new Uint8Array([byte]));
    expect(lines).toEqual(["starting…", "ready on stdio"]);
    reader.end();
    expect(lines).toEqual(["starting…", "ready on stdio", "last, unterminated"]);
  });

  test("a line longer than 1000 characters is cut there, and the rest of it is skipped up to its newline", () => {
    const lines: string[] = [];
    const reader = stderrLines((line) => lines.push(line));
    reader.push(`${"a".repeat(600)}`);
    reader.push(`${"b".repeat(600)}`);
    reader.push(`${"c".repeat(5000)}\nnext\n`);
    expect(lines).toEqual([`${"a".repeat(600)}${"b".repeat(400)} [line cut at 1000 characters]`, "next"]);
  });
});

describe("a stdio server's restarts", () => {
  test("at once after one exit, then after 1 s, 2 s, 4 s… up to a minute while it keeps exiting soon after starting", () => {
    let clock = 0;
    const restarts = new RestartBackoff(() => clock);
    const waits: number[] = [];
    for (let i = 0; i < 10; i++) {
      waits.push(restarts.exited(clock));
      expect(restarts.wait()).toBe(waits[i] as number);
      clock += waits[i] as number;
      expect(restarts.wait()).toBe(0);
    }
    expect(waits).toEqual([0, 1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000, 60_000]);
  });

  test("a process that ran 30 s before it exited was healthy: it starts again at once", () => {
    let clock = 0;
    const restarts = new RestartBackoff(() => clock);
    restarts.exited(clock);
    expect(restarts.exited(clock)).toBe(1_000);
    clock += 1_000;
    const started = clock;
    clock += 30_000;
    expect(restarts.exited(started)).toBe(0);
    expect(restarts.wait()).toBe(0);
  });
});

describe("a stdio server's environment", () => {
  test("its env over the safe set of the gateway's own (PATH, HOME…), nothing else", () => {
    const env = childEnvironment({ transport: "stdio", command: "x", env: { TOKEN: "t", PATH: "/opt/tool/bin" } });
    expect(env.TOKEN).toBe("t");
    expect(env.PATH).toBe("/opt/tool/bin");
    expect(Object.keys(env).every((name) => ["HOME", "LOGNAME", "PATH", "SHELL", "TERM", "USER", "TOKEN"].includes(name))).toBe(true);
    if (process.env.HOME) expect(env.HOME).toBe(process.env.HOME);
  });
});
