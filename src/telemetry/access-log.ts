import type { CallObserver, CallRecord } from "./calls.ts";

/** The lowest level an access log writes: a call's level is error for 5xx, warn for 4xx, info otherwise. */
export type AccessLogLevel = "info" | "warn" | "error";

const RANK: Record<AccessLogLevel, number> = { info: 0, warn: 1, error: 2 };

/** A call's level from its status. */
export const levelOf = (status: number): AccessLogLevel => (status >= 500 ? "error" : status >= 400 ? "warn" : "info");

const FLUSH_MS = 250;
const MAX_BUFFERED = 10_000;

/**
 * One JSON line per call (no prompt or completion text), buffered in memory and written in
 * batches by a timer, so the request path never waits on stdout. Overflow is counted, not blocking.
 */
export function accessLog(
  write: (text: string) => void = (text) => void Bun.write(Bun.stdout, text),
  minLevel: AccessLogLevel = "info",
): CallObserver & { flush(): void; stop(): void } {
  const min = RANK[minLevel];
  let lines: string[] = [];
  let dropped = 0;
  const flush = () => {
    if (lines.length === 0 && dropped === 0) return;
    let text = lines.join("\n") + (lines.length > 0 ? "\n" : "");
    if (dropped > 0) text += `${JSON.stringify({ level: "warn", msg: "access log lines dropped", dropped })}\n`;
    lines = [];
    dropped = 0;
    write(text);
  };
  const timer = setInterval(flush, FLUSH_MS);
  timer.unref();
  return {
    onCall(record: CallRecord) {
      const level = levelOf(record.status);
      if (RANK[level] < min) return;
      if (lines.length >= MAX_BUFFERED) {
        dropped++;
        return;
      }
      lines.push(JSON.stringify({ time: new Date(record.startedAt).toISOString(), level, ...record }));
    },
    flush,
    stop() {
      clearInterval(timer);
      flush();
    },
  };
}
