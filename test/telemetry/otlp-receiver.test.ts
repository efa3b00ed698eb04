import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import { context, SpanKind, SpanStatusCode, trace, type HrTime } from "@opentelemetry/api";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { BasicTracerProvider, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { decodeTraceRequest, startOtlpReceiver, type OtlpReceiver } from "../support/otlp-receiver.ts";

/** ExportResultCode from @opentelemetry/core (not a direct dependency): SUCCESS = 0, FAILED = 1. */
const EXPORT_SUCCESS = 0;
const EXPORT_FAILED = 1;

const nanos = (t: HrTime): bigint => BigInt(t[0]) * 1_000_000_000n + BigInt(t[1]);

// --- A tiny hand-written protobuf encoder, for decoder tests that don't go through the SDK. ---
const enc = new TextEncoder();
function varint(v: bigint | number): number[] {
  let u = BigInt.asUintN(64, BigInt(v));
  const out: number[] = [];
  while (u > 0x7fn) {
    out.push(Number(u & 0x7fn) | 0x80);
    u >>= 7n;
  }
  out.push(Number(u));
  return out;
}
const tag = (field: number, wire: number) => varint((field << 3) | wire);
const len = (field: number, body: number[]) => [...tag(field, 2), ...varint(body.length), ...body];
const str = (field: number, s: string) => len(field, [...enc.encode(s)]);
function fixed64(field: number, v: bigint): number[] {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, v, true);
  return [...tag(field, 1), ...b];
}
function double(field: number, v: number): number[] {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setFloat64(0, v, true);
  return [...tag(field, 1), ...b];
}
const fixed32 = (field: number) => [...tag(field, 5), 1, 2, 3, 4];
const kv = (key: string, anyValue: number[], field = 9) => len(field, [...str(1, key), ...len(2, anyValue)]);

describe("decodeTraceRequest (hand-encoded input)", () => {
  const traceId = Array.from({ length: 16 }, (_, i) => i + 1);
  const spanId = [0xde, 0xad, 0xbe, 0xef, 0, 1, 2, 3];
  // Unknown fields of every skippable wire type, scattered through every message level.
  const unknown = [...tag(99, 0), ...varint(-5n), ...fixed64(98, 7n), ...str(97, "ignored"), ...fixed32(96)];
  const span = [
    ...unknown,
    ...len(1, traceId),
    ...len(2, spanId),
    ...str(5, "hand-made"),
    ...tag(6, 0), ...varint(3),
    ...fixed64(7, 1_700_000_000_123_456_789n),
    ...fixed64(8, 0xffff_ffff_ffff_fffen),
    ...kv("neg", [...tag(3, 0), ...varint(-42n)]),
    ...kv("min", [...tag(3, 0), ...varint(-(2n ** 63n))]),
    ...kv("big", [...tag(3, 0), ...varint(2n ** 53n)]),
    ...kv("f", [...tag(2, 0), 0]),
    ...kv("d", double(4, -0.5)),
    ...kv("bytes", len(7, [0, 255])),
    ...kv("kv", len(6, len(1, [...str(1, "inner"), ...len(2, [...unknown, ...str(1, "x")])]))),
    ...kv("empty", []),
    ...len(15, [...unknown, ...tag(3, 0), 2]),
    ...fixed32(16),
  ];
  const request = new Uint8Array([
    ...len(1, [...len(2, [...len(2, span), ...len(1, [...str(1, "scope-x"), ...unknown])]), ...len(1, kv("service.name", str(1, "svc"), 1))]),
    ...unknown,
  ]);

  test("decodes every field, in any order, skipping unknown fields of wire types 0, 1, 2 and 5", () => {
    const spans = decodeTraceRequest(request);
    expect(spans).toHaveLength(1);
    expect(spans[0]).toEqual({
      traceId: "0102030405060708090a0b0c0d0e0f10",
      spanId: "deadbeef00010203",
      name: "hand-made",
      kind: 3,
      startTimeUnixNano: 1_700_000_000_123_456_789n,
      endTimeUnixNano: 0xffff_ffff_ffff_fffen,
      attributes: {
        neg: -42,
        min: -(2n ** 63n),
        big: 2n ** 53n,
        f: false,
        d: -0.5,
        bytes: new Uint8Array([0, 255]),
        kv: { inner: "x" },
        empty: undefined,
      },
      status: { code: 2 },
      resource: { "service.name": "svc" },
      scope: { name: "scope-x" },
    });
    expect(spans[0]?.parentSpanId).toBeUndefined();
    expect("parentSpanId" in spans[0]!).toBe(false);
  });

  test("an empty request has no spans", () => {
    expect(decodeTraceRequest(new Uint8Array())).toEqual([]);
  });

  test("malformed input throws", () => {
    expect(() => decodeTraceRequest(request.subarray(0, request.length - 20))).toThrow(/OTLP decode error/);
    expect(() => decodeTraceRequest(new Uint8Array([...tag(1, 2), 0x80]))).toThrow(/truncated varint/);
    expect(() => decodeTraceRequest(new Uint8Array(tag(5, 3)))).toThrow(/wire type 3/);
    expect(() => decodeTraceRequest(new Uint8Array([...tag(1, 0), 1]))).toThrow(/field 1 has wire type 0/);
    const shortId = new Uint8Array(len(1, len(2, len(2, [...len(1, [1, 2, 3]), ...len(2, spanId)]))));
    expect(() => decodeTraceRequest(shortId)).toThrow(/trace_id is 3 bytes/);
  });
});

describe("OTLP receiver against the official exporter", () => {
  let receiver: OtlpReceiver;
  beforeAll(() => {
    receiver = startOtlpReceiver();
  });
  afterAll(async () => {
    await receiver.stop();
  });
  afterEach(() => {
    receiver.setMode("ok");
  });

  function makeProvider(exporterOptions: { timeoutMillis?: number } = {}) {
    const exporter = new OTLPTraceExporter({ url: `${receiver.url}/v1/traces`, ...exporterOptions });
    const provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ "service.name": "switchboard-test", "deployment.environment": "ci", "host.cpus": 8 }),
      spanProcessors: [new SimpleSpanProcessor(exporter)],
    });
    return { exporter, provider, tracer: provider.getTracer("otlp-receiver-test", "1.2.3") };
  }

  test("decodes exactly what the SDK exported: ids, names, kinds, times, attributes of every type, status, resource, scope", async () => {
    const before = receiver.spans.length;
    const { provider, tracer } = makeProvider();
    const parent = tracer.startSpan("parent op", { kind: SpanKind.SERVER, attributes: { "http.route": "/v1/chat/completions" } });
    const child = tracer.startSpan(
      "child op ✓",
      {
        kind: SpanKind.CLIENT,
        links: [{ context: parent.spanContext(), attributes: { "link.attr": 1 } }],
        attributes: {
          "attr.string": "héllo wörld",
          "attr.empty": "",
          "attr.true": true,
          "attr.false": false,
          "attr.int": 42,
          "attr.zero": 0,
          "attr.negative": -17,
          "attr.big": 2 ** 60,
          "attr.negative.big": -(2 ** 62),
          "attr.double": 3.25,
          "attr.negative.double": -0.001,
          "attr.strings": ["a", "", "ünïcode"],
          "attr.ints": [1, -2, 3],
          "attr.bools": [true, false],
        },
      },
      trace.setSpan(context.active(), parent),
    );
    child.addEvent("an event", { "event.attr": "skipped" });
    child.setStatus({ code: SpanStatusCode.ERROR, message: "upstream exploded" });
    child.end();
    parent.setStatus({ code: SpanStatusCode.OK });
    parent.end();
    await provider.forceFlush();

    const spans = (await receiver.waitForSpans(before + 2)).slice(before);
    expect(spans.map((s) => s.name)).toEqual(["child op ✓", "parent op"]);
    const [gotChild, gotParent] = spans as [(typeof spans)[0], (typeof spans)[0]];

    expect(gotParent.traceId).toBe(parent.spanContext().traceId);
    expect(gotParent.spanId).toBe(parent.spanContext().spanId);
    expect(gotParent.parentSpanId).toBeUndefined();
    expect(gotChild.traceId).toBe(child.spanContext().traceId);
    expect(gotChild.traceId).toBe(gotParent.traceId);
    expect(gotChild.spanId).toBe(child.spanContext().spanId);
    expect(gotChild.parentSpanId).toBe(parent.spanContext().spanId);
    expect(gotChild.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(gotChild.spanId).toMatch(/^[0-9a-f]{16}$/);

    // OTLP SpanKind is the API's SpanKind + 1 (0 is "unspecified").
    expect(gotParent.kind).toBe(2); // SERVER
    expect(gotChild.kind).toBe(3); // CLIENT

    const readableChild = child as unknown as ReadableSpan;
    const readableParent = parent as unknown as ReadableSpan;
    expect(gotChild.startTimeUnixNano).toBe(nanos(readableChild.startTime));
    expect(gotChild.endTimeUnixNano).toBe(nanos(readableChild.endTime));
    expect(gotParent.startTimeUnixNano).toBe(nanos(readableParent.startTime));
    expect(gotParent.endTimeUnixNano).toBe(nanos(readableParent.endTime));
    expect(gotChild.endTimeUnixNano).toBeGreaterThanOrEqual(gotChild.startTimeUnixNano);
    // A plausible wall-clock time (after 2020), not a small relative number.
    expect(gotChild.startTimeUnixNano).toBeGreaterThan(1_577_836_800n * 1_000_000_000n);

    expect(gotChild.attributes).toEqual({
      "attr.string": "héllo wörld",
      "attr.empty": "",
      "attr.true": true,
      "attr.false": false,
      "attr.int": 42,
      "attr.zero": 0,
      "attr.negative": -17,
      "attr.big": 2n ** 60n,
      "attr.negative.big": -(2n ** 62n),
      "attr.double": 3.25,
      "attr.negative.double": -0.001,
      "attr.strings": ["a", "", "ünïcode"],
      "attr.ints": [1, -2, 3],
      "attr.bools": [true, false],
    });
    expect(gotParent.attributes).toEqual({ "http.route": "/v1/chat/completions" });

    expect(gotChild.status).toEqual({ code: 2, message: "upstream exploded" });
    expect(gotParent.status).toEqual({ code: 1 });

    for (const s of spans) {
      expect(s.resource).toMatchObject({ "service.name": "switchboard-test", "deployment.environment": "ci", "host.cpus": 8 });
      expect(s.scope).toEqual({ name: "otlp-receiver-test", version: "1.2.3" });
    }

    const last = receiver.requests.at(-1);
    expect(last?.path).toBe("/v1/traces");
    expect(last?.method).toBe("POST");
    expect(last?.contentType).toBe("application/x-protobuf");
    expect(last?.headers.get("user-agent")).toContain("OTel");
    expect(receiver.errors).toEqual([]);
    await provider.shutdown();
  });

  test("'fail' mode: 503s are retried then reported as a failed export, without throwing; nothing is recorded", async () => {
    const spansBefore = receiver.spans.length;
    const requestsBefore = receiver.requests.length;
    receiver.setMode("fail");
    const { exporter, provider, tracer } = makeProvider({ timeoutMillis: 1500 });

    // The processor path: ending a span must not throw. (SDK 2.x's forceFlush rejects with the
    // export errors of pending exports — an array of them from the provider — so a flush reports it.)
    const viaProcessor = tracer.startSpan("lost via processor");
    expect(() => viaProcessor.end()).not.toThrow();
    const flushError = await provider.forceFlush().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect([flushError].flat().map((e) => (e as Error | undefined)?.message)).toEqual(["Export failed with retryable status"]);

    // The exporter reports the failure through its callback.
    const direct = tracer.startSpan("lost via export");
    const requestsBeforeDirect = receiver.requests.length;
    const result = await new Promise<{ code: number; error?: Error }>((resolve) => exporter.export([direct as unknown as ReadableSpan], resolve));
    expect(result.code).toBe(EXPORT_FAILED);

    expect(receiver.requests.length).toBeGreaterThan(requestsBefore);
    // 503 is retryable: the first backoff (about 1 s) fits in the 1.5 s export timeout.
    expect(receiver.requests.length - requestsBeforeDirect).toBeGreaterThanOrEqual(2);
    expect(receiver.spans.length).toBe(spansBefore);

    // The collector comes back: the next export goes through.
    receiver.setMode("ok");
    const ok = await new Promise<{ code: number }>((resolve) => exporter.export([direct as unknown as ReadableSpan], resolve));
    expect(ok.code).toBe(EXPORT_SUCCESS);
    const spans = await receiver.waitForSpans(spansBefore + 1);
    expect(spans.slice(spansBefore).map((s) => s.name)).toEqual(["lost via export"]);
    await provider.shutdown();
  }, 15_000);

  test("'hang' mode: the exporter times out and reports failure; nothing is recorded", async () => {
    const spansBefore = receiver.spans.length;
    receiver.setMode("hang");
    const { exporter, provider, tracer } = makeProvider({ timeoutMillis: 300 });
    const span = tracer.startSpan("never acknowledged");
    const result = await new Promise<{ code: number }>((resolve) => exporter.export([span as unknown as ReadableSpan], resolve));
    expect(result.code).toBe(EXPORT_FAILED);
    expect(receiver.spans.length).toBe(spansBefore);
    await provider.shutdown();
  }, 15_000);
});

describe("OTLP receiver HTTP behaviour", () => {
  test("rejects other paths, methods, content types and undecodable bodies; waitForSpans reports them", async () => {
    const receiver = startOtlpReceiver();
    try {
      const post = (path: string, contentType: string, body: Uint8Array | string) => fetch(`${receiver.url}${path}`, { method: "POST", headers: { "content-type": contentType }, body });
      expect((await fetch(`${receiver.url}/v1/traces`)).status).toBe(404);
      expect((await post("/v1/metrics", "application/x-protobuf", new Uint8Array())).status).toBe(404);
      expect((await post("/v1/traces", "application/json", "{}")).status).toBe(415);
      expect(receiver.requests.map((r) => [r.method, r.path, r.contentType])).toEqual([
        ["GET", "/v1/traces", null],
        ["POST", "/v1/metrics", "application/x-protobuf"],
        ["POST", "/v1/traces", "application/json"],
      ]);

      const empty = await post("/v1/traces", "application/x-protobuf", new Uint8Array());
      expect(empty.status).toBe(200);
      expect(await empty.text()).toBe("");

      await expect(receiver.waitForSpans(1, 100)).rejects.toThrow(/expected 1 span\(s\) within 100 ms, got 0 from 4 request\(s\)/);

      const bad = await post("/v1/traces", "application/x-protobuf", new Uint8Array([0x0a, 0x05, 0x01]));
      expect(bad.status).toBe(400);
      expect(receiver.errors).toHaveLength(1);
      await expect(receiver.waitForSpans(1, 2000)).rejects.toThrow(/could not decode a request: OTLP decode error/);
    } finally {
      await receiver.stop();
    }
  });

  test("accepts gzip-encoded bodies", async () => {
    const receiver = startOtlpReceiver();
    try {
      const span = [...len(1, Array(16).fill(0xab)), ...len(2, Array(8).fill(0xcd)), ...str(5, "zipped")];
      const body = Bun.gzipSync(new Uint8Array(len(1, len(2, len(2, span)))));
      const res = await fetch(`${receiver.url}/v1/traces`, { method: "POST", headers: { "content-type": "application/x-protobuf", "content-encoding": "gzip" }, body });
      expect(res.status).toBe(200);
      const [got] = await receiver.waitForSpans(1);
      expect(got).toMatchObject({ name: "zipped", traceId: "ab".repeat(16), spanId: "cd".repeat(8) });
    } finally {
      await receiver.stop();
    }
  });

  test("stop() closes the socket, also with a request held open in 'hang' mode, and is idempotent", async () => {
    const receiver = startOtlpReceiver();
    receiver.setMode("hang");
    const held = fetch(`${receiver.url}/v1/traces`, { method: "POST", headers: { "content-type": "application/x-protobuf" }, body: new Uint8Array() }).then(
      (r) => r.status,
      () => "error",
    );
    const deadline = Date.now() + 5000;
    while (receiver.requests.length === 0 && Date.now() < deadline) await Bun.sleep(10);
    expect(receiver.requests).toHaveLength(1);

    await receiver.stop();
    await receiver.stop();
    expect(["error", 503]).toContain(await held);
    expect(await fetch(`${receiver.url}/v1/traces`).then(() => "connected", () => "refused")).toBe("refused");
  });
});
