/** W3C trace context: the ids a call's span gets, and the `traceparent` it is joined to or sends upstream. */

/** A call's place in a trace. */
export interface TraceContext {
  traceId: string;
  /** The call's own span. */
  spanId: string;
  /** The caller's span, when the request came with a valid `traceparent`. */
  parentSpanId?: string;
  /** Whether the trace is sampled: the caller's flag when it sent one (the sampler decides what counts). */
  sampled: boolean;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE = "0".repeat(32);
const ZERO_SPAN = "0".repeat(16);

/** Random words drawn from the system's CSPRNG a thousand at a time: one ids' worth costs an index, not a syscall and a buffer. */
const pool = new Uint32Array(1024);
let next = pool.length;

function randomWord(): string {
  if (next === pool.length) {
    crypto.getRandomValues(pool);
    next = 0;
  }
  return (pool[next++] as number).toString(16).padStart(8, "0");
}

/** `bytes` (a multiple of 4) random bytes as lowercase hex. */
export function randomHex(bytes: number): string {
  let out = "";
  for (let i = 0; i < bytes; i += 4) out += randomWord();
  return out;
}

/** The parent a `traceparent` header names, or undefined when it is absent or malformed (version ff, all-zero ids). */
export function parseTraceparent(header: string | null): { traceId: string; spanId: string; sampled: boolean } | undefined {
  if (!header) return undefined;
  const match = TRACEPARENT.exec(header.trim().toLowerCase());
  if (!match) return undefined;
  const [, version, traceId, spanId, flags] = match as unknown as [string, string, string, string, string];
  if (version === "ff" || traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined;
  return { traceId, spanId, sampled: (Number.parseInt(flags, 16) & 1) === 1 };
}

/**
 * A new context for a call: joined to the caller's trace when it sent one, else a new trace whose id
 * is the call's own id (a UUIDv7 without its dashes: its right-most bytes are random, as W3C asks),
 * so a spend row, an access-log line and a trace are found by the same id.
 */
export function callTraceContext(traceparent: string | null, callId?: string): TraceContext {
  const parent = parseTraceparent(traceparent);
  if (!parent) return { traceId: callId ? callId.replaceAll("-", "") : randomHex(16), spanId: randomHex(8), sampled: true };
  return { traceId: parent.traceId, spanId: randomHex(8), parentSpanId: parent.spanId, sampled: parent.sampled };
}

/** The `traceparent` sent upstream for a span of this trace. */
export function traceparentFor(traceId: string, spanId: string, sampled: boolean): string {
  return `00-${traceId}-${spanId}-${sampled ? "01" : "00"}`;
}
