import { describe, expect, test } from "bun:test";
import { parseOtlpHeaders, tracingSampling, tracingTarget } from "../../src/telemetry/tracing-config.ts";
import { callTraceContext, parseTraceparent } from "../../src/telemetry/trace-context.ts";

describe("tracingTarget", () => {
  test("off without an endpoint anywhere; on with OTEL_EXPORTER_OTLP_ENDPOINT (+ /v1/traces)", () => {
    expect(tracingTarget({}, {})).toBeUndefined();
    expect(tracingTarget({}, { OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318/" })?.endpoint).toBe("http://collector:4318/v1/traces");
    expect(tracingTarget({}, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://c/traces", OTEL_EXPORTER_OTLP_ENDPOINT: "http://other" })?.endpoint).toBe("http://c/traces");
  });

  test("the config file wins for endpoint and same-named headers; OTEL_SERVICE_NAME wins for the name; enabled without endpoint uses the OTLP default", () => {
    const target = tracingTarget(
      { tracing: { endpoint: "http://phoenix:6006/v1/traces", headers: { api_key: "from-file" }, service_name: "file-name", redact_messages: true } },
      { OTEL_EXPORTER_OTLP_ENDPOINT: "http://env", OTEL_EXPORTER_OTLP_HEADERS: "api_key=from-env,space_id=s%201", OTEL_SERVICE_NAME: "env-name" },
    );
    expect(target).toEqual({ endpoint: "http://phoenix:6006/v1/traces", headers: { api_key: "from-file", space_id: "s 1" }, serviceName: "env-name", redact: true });
    expect(tracingTarget({ tracing: { enabled: true } }, {})?.endpoint).toBe("http://localhost:4318/v1/traces");
    expect(tracingTarget({ tracing: { enabled: false } }, { OTEL_EXPORTER_OTLP_ENDPOINT: "http://env" })).toBeUndefined();
  });

  test("OTLP header lists skip malformed pairs", () => {
    expect(parseOtlpHeaders("a=1, b = two ,broken,=x,c=%E0%A4%A")).toEqual({ a: "1", b: "two" });
  });
});

describe("tracingSampling", () => {
  test("OpenTelemetry's default (parentbased_always_on); sample_rate wins; the standard samplers and their argument", () => {
    expect(tracingSampling({}, {})).toEqual({ ratio: 1, parentBased: true });
    expect(tracingSampling({ tracing: { sample_rate: 0.25 } }, { OTEL_TRACES_SAMPLER: "always_off" })).toEqual({ ratio: 0.25, parentBased: true });
    expect(tracingSampling({}, { OTEL_TRACES_SAMPLER: "always_on" })).toEqual({ ratio: 1, parentBased: false });
    expect(tracingSampling({}, { OTEL_TRACES_SAMPLER: "always_off" })).toEqual({ ratio: 0, parentBased: false });
    expect(tracingSampling({}, { OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: "0.1" })).toEqual({ ratio: 0.1, parentBased: false });
    expect(tracingSampling({}, { OTEL_TRACES_SAMPLER: "ParentBased_TraceIdRatio", OTEL_TRACES_SAMPLER_ARG: "0.5" })).toEqual({ ratio: 0.5, parentBased: true });
    expect(tracingSampling({}, { OTEL_TRACES_SAMPLER: "parentbased_always_off" })).toEqual({ ratio: 0, parentBased: true });
  });

  test("an unknown sampler or an argument outside 0..1 is a problem naming it", () => {
    expect(tracingSampling({}, { OTEL_TRACES_SAMPLER: "jaeger_remote" })).toContain("'jaeger_remote' is not one of");
    expect(tracingSampling({}, { OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: "2" })).toContain("from 0 to 1");
    expect(tracingSampling({}, { OTEL_TRACES_SAMPLER_ARG: "half" })).toContain("'half'");
  });
});

describe("trace context", () => {
  test("a valid traceparent is joined; invalid ones (version ff, zero ids, bad shape) start a new trace", () => {
    const joined = callTraceContext("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00");
    expect(joined).toMatchObject({ traceId: "4bf92f3577b34da6a3ce929d0e0e4736", parentSpanId: "00f067aa0ba902b7", sampled: false });
    expect(joined.spanId).toMatch(/^[0-9a-f]{16}$/);
    for (const bad of ["ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", `00-${"0".repeat(32)}-00f067aa0ba902b7-01`, "00-xyz-00f067aa0ba902b7-01", ""]) {
      expect(parseTraceparent(bad)).toBeUndefined();
    }
    const fresh = callTraceContext(null);
    expect(fresh.parentSpanId).toBeUndefined();
    expect(fresh.traceId).toMatch(/^[0-9a-f]{32}$/);
    // A new trace takes the call's id, so spend rows and traces share one id.
    expect(callTraceContext(null, "0193a5b2-7c1d-7e3f-8a9b-0c1d2e3f4a5b").traceId).toBe("0193a5b27c1d7e3f8a9b0c1d2e3f4a5b");
    expect(callTraceContext("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "0193a5b2-7c1d-7e3f-8a9b-0c1d2e3f4a5b").traceId).toBe("4bf92f3577b34da6a3ce929d0e0e4736");
  });

  test("span ids are 16 hex digits, never repeated over many draws (the pool refills from the CSPRNG)", () => {
    const ids = new Set<string>();
    for (let i = 0; i < 5000; i++) ids.add(callTraceContext(null).spanId);
    expect(ids.size).toBe(5000);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{16}$/);
  });
});
