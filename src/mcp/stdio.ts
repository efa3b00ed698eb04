/**
 * Upstream MCP servers the gateway runs as child processes (`transport: stdio`, from the config
 * file only: the management API never starts a command). What the process gets, how its stderr is
 * logged, and how soon it may start again after it exits.
 */
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { McpServerEntry } from "../config/schema.ts";

/** Longest stderr line logged; the rest of a longer one is left out. */
const MAX_LINE = 1_000;
/** A process that ran this long before it exited was healthy: its next start is not held back. */
const HEALTHY_MS = 30_000;
const FIRST_DELAY_MS = 1_000;
const MAX_DELAY_MS = 60_000;

/**
 * The child's environment: the server's `env` over the MCP SDK's safe set of the gateway's own
 * (HOME, LOGNAME, PATH, SHELL, TERM, USER on POSIX). Nothing else of the gateway's environment
 * reaches it: that holds provider keys and the master key.
 */
export function childEnvironment(entry: McpServerEntry): Record<string, string> {
  return { ...getDefaultEnvironment(), ...entry.env };
}

/** The transport that runs the server's command (no shell), with its stderr read line by line into `onLine`. */
export function stdioTransport(entry: McpServerEntry, onLine: (line: string) => void): StdioClientTransport {
  // The config requires a command of every stdio server.
  const transport = new StdioClientTransport({ command: entry.command ?? "", args: entry.args ?? [], env: childEnvironment(entry), stderr: "pipe" });
  const lines = stderrLines(onLine);
  transport.stderr?.on("data", (chunk: Uint8Array | string) => lines.push(chunk));
  transport.stderr?.on("end", () => lines.end());
  return transport;
}

/**
 * Splits a byte stream into lines for the log: empty lines are dropped and a line longer than
 * MAX_LINE is cut there (the rest of it until its newline is skipped), so a child writing without
 * newlines cannot grow the gateway's memory or one log line without bound.
 */
export function stderrLines(onLine: (line: string) => void): { push(chunk: Uint8Array | string): void; end(): void } {
  const decoder = new TextDecoder();
  let line = "";
  let cut = false;
  const emit = () => {
    const text = line.replace(/\r$/, "");
    if (!cut && text.trim() !== "") onLine(text);
    line = "";
    cut = false;
  };
  const add = (text: string) => {
    if (cut) return;
    line += text;
    if (line.length <= MAX_LINE) return;
    onLine(`${line.slice(0, MAX_LINE)} [line cut at ${MAX_LINE} characters]`);
    line = "";
    cut = true;
  };
  return {
    push(chunk) {
      const parts = (typeof chunk === "string" ? chunk : decoder.decode(chunk, { stream: true })).split("\n");
      parts.forEach((part, i) => {
        add(part);
        if (i < parts.length - 1) emit();
      });
    },
    end() {
      add(decoder.decode());
      emit();
    },
  };
}

/**
 * When a server's process may start again after it exited: at once after one exit, then after
 * 1 s, 2 s, 4 s… up to a minute while it keeps exiting soon after starting, so a command that
 * crashes is not restarted by every call that arrives. A process that ran HEALTHY_MS first counts
 * as the first exit again.
 */
export class RestartBackoff {
  private exits = 0;
  private notBefore = 0;

  constructor(private readonly now: () => number) {}

  /** Milliseconds until the process may start again (0: now). */
  wait(): number {
    return Math.max(0, this.notBefore - this.now());
  }

  /** The process started at `startedAt` exited, or never answered; returns the wait before the next start. */
  exited(startedAt: number): number {
    const now = this.now();
    this.exits = now - startedAt >= HEALTHY_MS ? 1 : this.exits + 1;
    const delay = this.exits <= 1 ? 0 : Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (this.exits - 2));
    this.notBefore = now + delay;
    return delay;
  }
}
