/**
 * An OTLP/HTTP trace receiver for tests: a real socket (Bun.serve on 127.0.0.1, port 0) that accepts
 * `POST /v1/traces` with `application/x-protobuf` bodies (optionally `content-encoding: gzip`) and
 * decodes them into flat `DecodedSpan`s.
 *
 * The decoder is deliberately independent of the code under test: it is written by hand from the
 * protobuf wire format and the OTLP .proto definitions (opentelemetry/proto/collector/trace/v1,
 * trace/v1, common/v1, resource/v1), and shares nothing with @opentelemetry/* or protobufjs. A bug
 * in how the gateway (or the SDK it uses) encodes spans therefore shows up as a test failure
 * instead of being mirrored by a decoder built from the same code.
 *
 * The decoder is strict: truncated input, an unexpected wire type on a known field, groups (wire
 * types 3/4), or ids of the wrong length throw. Unknown fields of wire types 0, 1, 2 and 5 are skipped.
 *
 * Modes (`setMode`):
 *
 * | mode   | answers |
 * | ------ | ------- |
 * | `ok`   | 200 with an empty body (an empty ExportTraceServiceResponse); the spans are decoded and recorded |
 * | `fail` | 503 (retryable for OTLP exporters); nothing is decoded or recorded in `spans` |
 * | `hang` | never answers, until the client gives up or `stop()` is called; nothing is recorded in `spans` |
 *
 * Every request that reaches the server is recorded in `requests`, whatever the mode or outcome.
 * Other paths/methods get 404, other content types or encodings 415, undecodable bodies 400 (the
 * error is kept in `errors` and makes `waitForSpans` reject at once).
 */

export interface DecodedSpan {
  /** Lowercase hex, 32 digits. */
  traceId: string;
  /** Lowercase hex, 16 digits. */
  spanId: string;
  /** Lowercase hex; absent when the span has no parent (field missing or empty). */
  parentSpanId?: string;
  name: string;
  /** OTLP SpanKind: 0 unspecified, 1 internal, 2 server, 3 client, 4 producer, 5 consumer (the API's SpanKind + 1). */
  kind: number;
  startTimeUnixNano: bigint;
  endTimeUnixNano: bigint;
  /**
   * string | boolean | number (int64 as a number when it is a safe integer, else a bigint; doubles
   * as numbers) | Uint8Array (bytes) | unknown[] (array_value) | Record<string, unknown> (kvlist_value).
   * An AnyValue with no value set decodes to `undefined`.
   */
  attributes: Record<string, unknown>;
  /** OTLP StatusCode: 0 unset, 1 ok, 2 error. `message` only when non-empty. */
  status: { code: number; message?: string };
  /** The attributes of the span's Resource. */
  resource: Record<string, unknown>;
  scope: { name?: string; version?: string };
}

export interface ReceivedRequest {
  method: string;
  /** URL path, e.g. `/v1/traces`. */
  path: string;
  headers: Headers;
  contentType: string | null;
}

export type OtlpReceiverMode = "ok" | "fail" | "hang";

export interface OtlpReceiver {
  /** Base URL, e.g. `http://127.0.0.1:PORT`; the traces endpoint is `${url}/v1/traces`. */
  url: string;
  /** Every span received (and accepted in `ok` mode) so far, in order. */
  spans: DecodedSpan[];
  /** Every request received so far, in order, whatever was answered. */
  requests: ReceivedRequest[];
  /** Decode errors (requests answered 400), in order. */
  errors: string[];
  /**
   * Resolves with (a copy of) all spans once at least `count` have arrived (polls); rejects with a
   * message naming what did arrive after `timeoutMs` (default 5000), or at once on a decode error.
   */
  waitForSpans(count: number, timeoutMs?: number): Promise<DecodedSpan[]>;
  /** Make the receiver answer 503 (`fail`) or never answer (`hang`) to simulate a dead or slow collector. */
  setMode(mode: OtlpReceiverMode): void;
  stop(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Protobuf wire format
// ---------------------------------------------------------------------------------------------

const WIRE_VARINT = 0;
const WIRE_I64 = 1;
const WIRE_LEN = 2;
const WIRE_I32 = 5;

const utf8 = new TextDecoder("utf-8", { fatal: true });

class ProtoReader {
  private pos: number;
  private readonly view: DataView;

  constructor(
    private readonly buf: Uint8Array,
    private readonly what: string,
  ) {
    this.pos = 0;
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  get done(): boolean {
    return this.pos >= this.buf.length;
  }

  private fail(message: string): never {
    throw new Error(`OTLP decode error in ${this.what} at byte ${this.pos}: ${message}`);
  }

  /** An unsigned varint of up to 64 bits (10 bytes). */
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.buf.length) this.fail("truncated varint");
      const byte = this.buf[this.pos++] as number;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return BigInt.asUintN(64, result);
      shift += 7n;
    }
    this.fail("varint longer than 10 bytes");
  }

  /** A varint that must fit in a safe integer (tags, lengths, enums, counts). */
  smallVarint(): number {
    const v = this.varint();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`varint ${v} too large`);
    return Number(v);
  }

  fixed64(): bigint {
    if (this.pos + 8 > this.buf.length) this.fail("truncated fixed64");
    const v = this.view.getBigUint64(this.pos, true);
    this.pos += 8;
    return v;
  }

  double(): number {
    if (this.pos + 8 > this.buf.length) this.fail("truncated double");
    const v = this.view.getFloat64(this.pos, true);
    this.pos += 8;
    return v;
  }

  bytes(): Uint8Array {
    const len = this.smallVarint();
    if (this.pos + len > this.buf.length) this.fail(`length ${len} runs past the end (${this.buf.length - this.pos} bytes left)`);
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  string(): string {
    const bytes = this.bytes();
    try {
      return utf8.decode(bytes);
    } catch {
      this.fail("string is not valid UTF-8");
    }
  }

  /** The next field's number and wire type. */
  tag(): { field: number; wire: number } {
    const key = this.smallVarint();
    const field = Math.floor(key / 8);
    const wire = key % 8;
    if (field === 0) this.fail("field number 0");
    return { field, wire };
  }

  skip(wire: number): void {
    switch (wire) {
      case WIRE_VARINT:
        this.varint();
        return;
      case WIRE_I64:
        if (this.pos + 8 > this.buf.length) this.fail("truncated fixed64");
        this.pos += 8;
        return;
      case WIRE_LEN:
        this.bytes();
        return;
      case WIRE_I32:
        if (this.pos + 4 > this.buf.length) this.fail("truncated fixed32");
        this.pos += 4;
        return;
      default:
        this.fail(`unsupported wire type ${wire}`);
    }
  }

  /** Throws unless a known field arrived with the wire type its .proto type implies. */
  expect(field: number, wire: number, expected: number): void {
    if (wire !== expected) this.fail(`field ${field} has wire type ${wire}, expected ${expected}`);
  }

  /** A reader over the next length-delimited field (a sub-message). */
  message(what: string): ProtoReader {
    return new ProtoReader(this.bytes(), `${this.what}.${what}`);
  }
}

function hex(bytes: Uint8Array): string {
  let out = "";
  for (const b of bytes) out += b.toString(16).padStart(2, "0");
  return out;
}

function int64(u: bigint): number | bigint {
  const v = BigInt.asIntN(64, u);
  return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v;
}

// ---------------------------------------------------------------------------------------------
// OTLP messages
// ---------------------------------------------------------------------------------------------

/** AnyValue (common/v1): oneof 1 string, 2 bool, 3 int64, 4 double, 5 ArrayValue, 6 KeyValueList, 7 bytes. */
function decodeAnyValue(r: ProtoReader): unknown {
  let value: unknown = undefined;
  while (!r.done) {
    const { field, wire } = r.tag();
    switch (field) {
      case 1:
        r.expect(field, wire, WIRE_LEN);
        value = r.string();
        break;
      case 2:
        r.expect(field, wire, WIRE_VARINT);
        value = r.varint() !== 0n;
        break;
      case 3:
        r.expect(field, wire, WIRE_VARINT);
        value = int64(r.varint());
        break;
      case 4:
        r.expect(field, wire, WIRE_I64);
        value = r.double();
        break;
      case 5: {
        // ArrayValue: 1 values (repeated AnyValue)
        r.expect(field, wire, WIRE_LEN);
        const ar = r.message("array_value");
        const values: unknown[] = [];
        while (!ar.done) {
          const t = ar.tag();
          if (t.field === 1) {
            ar.expect(t.field, t.wire, WIRE_LEN);
            values.push(decodeAnyValue(ar.message("values")));
          } else ar.skip(t.wire);
        }
        value = values;
        break;
      }
      case 6: {
        // KeyValueList: 1 values (repeated KeyValue)
        r.expect(field, wire, WIRE_LEN);
        const kr = r.message("kvlist_value");
        const out: Record<string, unknown> = {};
        while (!kr.done) {
          const t = kr.tag();
          if (t.field === 1) {
            kr.expect(t.field, t.wire, WIRE_LEN);
            const [k, v] = decodeKeyValue(kr.message("values"));
            out[k] = v;
          } else kr.skip(t.wire);
        }
        value = out;
        break;
      }
      case 7:
        r.expect(field, wire, WIRE_LEN);
        value = r.bytes().slice();
        break;
      default:
        r.skip(wire);
    }
  }
  return value;
}

/** KeyValue (common/v1): 1 key, 2 value (AnyValue). */
function decodeKeyValue(r: ProtoReader): [string, unknown] {
  let key = "";
  let value: unknown = undefined;
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1) {
      r.expect(field, wire, WIRE_LEN);
      key = r.string();
    } else if (field === 2) {
      r.expect(field, wire, WIRE_LEN);
      value = decodeAnyValue(r.message(`value(${key})`));
    } else r.skip(wire);
  }
  return [key, value];
}

function addAttribute(r: ProtoReader, wire: number, field: number, into: Record<string, unknown>): void {
  r.expect(field, wire, WIRE_LEN);
  const [k, v] = decodeKeyValue(r.message("attributes"));
  into[k] = v;
}

/** Resource (resource/v1): 1 attributes (repeated KeyValue), 2 dropped_attributes_count. */
function decodeResource(r: ProtoReader): Record<string, unknown> {
  const attributes: Record<string, unknown> = {};
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1) addAttribute(r, wire, field, attributes);
    else r.skip(wire);
  }
  return attributes;
}

/** InstrumentationScope (common/v1): 1 name, 2 version, 3 attributes, 4 dropped_attributes_count. */
function decodeScope(r: ProtoReader): { name?: string; version?: string } {
  const scope: { name?: string; version?: string } = {};
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1) {
      r.expect(field, wire, WIRE_LEN);
      const name = r.string();
      if (name !== "") scope.name = name;
      else delete scope.name;
    } else if (field === 2) {
      r.expect(field, wire, WIRE_LEN);
      const version = r.string();
      if (version !== "") scope.version = version;
      else delete scope.version;
    } else r.skip(wire);
  }
  return scope;
}

/** Status (trace/v1): 2 message, 3 code (field 1 is reserved). */
function decodeStatus(r: ProtoReader): { code: number; message?: string } {
  const status: { code: number; message?: string } = { code: 0 };
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 2) {
      r.expect(field, wire, WIRE_LEN);
      const message = r.string();
      if (message !== "") status.message = message;
      else delete status.message;
    } else if (field === 3) {
      r.expect(field, wire, WIRE_VARINT);
      status.code = Number(BigInt.asIntN(32, r.varint()));
    } else r.skip(wire);
  }
  return status;
}

function id(r: ProtoReader, name: string, lengths: number[]): string {
  const bytes = r.bytes();
  if (!lengths.includes(bytes.length)) throw new Error(`OTLP decode error: span ${name} is ${bytes.length} bytes, expected ${lengths.join(" or ")}`);
  return hex(bytes);
}

/**
 * Span (trace/v1): 1 trace_id, 2 span_id, 3 trace_state, 4 parent_span_id, 5 name, 6 kind,
 * 7 start_time_unix_nano (fixed64), 8 end_time_unix_nano (fixed64), 9 attributes,
 * 10 dropped_attributes_count, 11 events, 12 dropped_events_count, 13 links, 14 dropped_links_count,
 * 15 status, 16 flags (fixed32). Events, links, counts, trace_state and flags are skipped.
 */
function decodeSpan(r: ProtoReader, resource: Record<string, unknown>, scope: { name?: string; version?: string }): DecodedSpan {
  let traceId = "";
  let spanId = "";
  let parentSpanId = "";
  let name = "";
  let kind = 0;
  let startTimeUnixNano = 0n;
  let endTimeUnixNano = 0n;
  const attributes: Record<string, unknown> = {};
  let status: { code: number; message?: string } = { code: 0 };
  while (!r.done) {
    const { field, wire } = r.tag();
    switch (field) {
      case 1:
        r.expect(field, wire, WIRE_LEN);
        traceId = id(r, "trace_id", [16]);
        break;
      case 2:
        r.expect(field, wire, WIRE_LEN);
        spanId = id(r, "span_id", [8]);
        break;
      case 4:
        r.expect(field, wire, WIRE_LEN);
        parentSpanId = id(r, "parent_span_id", [0, 8]);
        break;
      case 5:
        r.expect(field, wire, WIRE_LEN);
        name = r.string();
        break;
      case 6:
        r.expect(field, wire, WIRE_VARINT);
        kind = Number(BigInt.asIntN(32, r.varint()));
        break;
      case 7:
        r.expect(field, wire, WIRE_I64);
        startTimeUnixNano = r.fixed64();
        break;
      case 8:
        r.expect(field, wire, WIRE_I64);
        endTimeUnixNano = r.fixed64();
        break;
      case 9:
        addAttribute(r, wire, field, attributes);
        break;
      case 15:
        r.expect(field, wire, WIRE_LEN);
        status = decodeStatus(r.message("status"));
        break;
      default:
        r.skip(wire);
    }
  }
  if (traceId === "") throw new Error(`OTLP decode error: span "${name}" has no trace_id`);
  if (spanId === "") throw new Error(`OTLP decode error: span "${name}" has no span_id`);
  const span: DecodedSpan = {
    traceId,
    spanId,
    name,
    kind,
    startTimeUnixNano,
    endTimeUnixNano,
    attributes,
    status,
    resource: { ...resource },
    scope: { ...scope },
  };
  if (parentSpanId !== "") span.parentSpanId = parentSpanId;
  return span;
}

/** ScopeSpans (trace/v1): 1 scope, 2 spans, 3 schema_url. The scope may come after the spans on the wire. */
function decodeScopeSpans(r: ProtoReader, resource: Record<string, unknown>): DecodedSpan[] {
  let scope: { name?: string; version?: string } = {};
  const spanReaders: ProtoReader[] = [];
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1) {
      r.expect(field, wire, WIRE_LEN);
      scope = decodeScope(r.message("scope"));
    } else if (field === 2) {
      r.expect(field, wire, WIRE_LEN);
      spanReaders.push(r.message(`spans[${spanReaders.length}]`));
    } else r.skip(wire);
  }
  return spanReaders.map((sr) => decodeSpan(sr, resource, scope));
}

/** ResourceSpans (trace/v1): 1 resource, 2 scope_spans, 3 schema_url. The resource may come after the scope_spans on the wire. */
function decodeResourceSpans(r: ProtoReader): DecodedSpan[] {
  let resource: Record<string, unknown> = {};
  const scopeReaders: ProtoReader[] = [];
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1) {
      r.expect(field, wire, WIRE_LEN);
      resource = decodeResource(r.message("resource"));
    } else if (field === 2) {
      r.expect(field, wire, WIRE_LEN);
      scopeReaders.push(r.message(`scope_spans[${scopeReaders.length}]`));
    } else r.skip(wire);
  }
  return scopeReaders.flatMap((sr) => decodeScopeSpans(sr, resource));
}

/** Decodes an ExportTraceServiceRequest (collector/trace/v1: 1 resource_spans) into its spans, in wire order. Throws on malformed input. */
export function decodeTraceRequest(bytes: Uint8Array): DecodedSpan[] {
  const r = new ProtoReader(bytes, "ExportTraceServiceRequest");
  const spans: DecodedSpan[] = [];
  let n = 0;
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1) {
      r.expect(field, wire, WIRE_LEN);
      spans.push(...decodeResourceSpans(r.message(`resource_spans[${n++}]`)));
    } else r.skip(wire);
  }
  return spans;
}

// ---------------------------------------------------------------------------------------------
// Receiver
// ---------------------------------------------------------------------------------------------

const TRACES_PATH = "/v1/traces";

export function startOtlpReceiver(): OtlpReceiver {
  const spans: DecodedSpan[] = [];
  const requests: ReceivedRequest[] = [];
  const errors: string[] = [];
  let mode: OtlpReceiverMode = "ok";
  /** Releases of requests held open in `hang` mode. */
  const hung = new Set<() => void>();

  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    idleTimeout: 0,
    async fetch(request) {
      const path = new URL(request.url).pathname;
      const contentType = request.headers.get("content-type");
      requests.push({ method: request.method, path, headers: new Headers(request.headers), contentType });

      if (path !== TRACES_PATH || request.method !== "POST") return new Response("not found", { status: 404 });
      const mediaType = contentType?.split(";")[0]?.trim().toLowerCase();
      if (mediaType !== "application/x-protobuf") return new Response(`unsupported content-type: ${contentType}`, { status: 415 });
      const encoding = request.headers.get("content-encoding")?.trim().toLowerCase() ?? "identity";
      if (encoding !== "identity" && encoding !== "gzip") return new Response(`unsupported content-encoding: ${encoding}`, { status: 415 });

      let body = new Uint8Array(await request.arrayBuffer());

      if (mode === "fail") return new Response("collector unavailable", { status: 503 });
      if (mode === "hang") {
        await new Promise<void>((resolve) => {
          const release = () => {
            hung.delete(release);
            resolve();
          };
          hung.add(release);
          request.signal.addEventListener("abort", release, { once: true });
        });
        return new Response("collector unavailable", { status: 503 });
      }

      try {
        if (encoding === "gzip") body = Bun.gunzipSync(body);
        spans.push(...decodeTraceRequest(body));
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        errors.push(message);
        return new Response(message, { status: 400 });
      }
      return new Response(null, { status: 200, headers: { "content-type": "application/x-protobuf" } });
    },
  });

  let stopped: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${server.port}`,
    spans,
    requests,
    errors,
    async waitForSpans(count, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (errors.length > 0) throw new Error(`OTLP receiver could not decode a request: ${errors[0]}`);
        if (spans.length >= count) return spans.slice();
        if (Date.now() >= deadline) {
          const names = spans.map((s) => JSON.stringify(s.name)).join(", ");
          throw new Error(
            `OTLP receiver: expected ${count} span(s) within ${timeoutMs} ms, got ${spans.length}${spans.length ? ` (${names})` : ""} from ${requests.length} request(s)`,
          );
        }
        await Bun.sleep(Math.min(20, Math.max(1, deadline - Date.now())));
      }
    },
    setMode(next) {
      mode = next;
    },
    stop() {
      stopped ??= (async () => {
        for (const release of [...hung]) release();
        await server.stop(true);
      })();
      return stopped;
    },
  };
}

/**
 * The spans of `receiver` that `pick` chooses, once the gateway's trace thread exported at least
 * `count` of them: `flush` (the Tracing's) is called between looks; throws after ~2 s naming `what`.
 */
export async function exportedSpans(receiver: OtlpReceiver, flush: () => Promise<void>, pick: (span: DecodedSpan) => boolean, what: string, count = 1): Promise<DecodedSpan[]> {
  for (let i = 0; i < 200; i++) {
    await flush();
    const spans = receiver.spans.filter(pick);
    if (spans.length >= count) return spans;
    await Bun.sleep(10);
  }
  throw new Error(`fewer than ${count} exported span(s): ${what}`);
}
