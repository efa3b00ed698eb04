import type { CallObserver, CallRecord } from "./calls.ts";

const FLUSH_MS = 250;
const MAX_BUFFERED = 10_000;

/**
 * One JSON line per call (no prompt or completion text), buffered in memory and written in
 * batches by a timer, so the request path never waits on stdout. Overflow is counted, not blocking.
 */
export function accessLog(write: (text: string) => void = (text) => void Bun.write(Bun.stdout, text)): CallObserver & { flush(): void; stop(): void } {
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
      if (lines.length >= MAX_BUFFERED) {
        dropped++;
        return;
      }
      lines.push(JSON.stringify({ time: new Date(record.startedAt).toISOString(), ...record }));
    },
    flush,
    stop() {
      clearInterval(timer);
      flush();
    },
  };
}
