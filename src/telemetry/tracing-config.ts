import type { Config } from "../config/schema.ts";
import type { Sampling, TracingTarget } from "./trace-protocol.ts";

/** The OTLP/HTTP default when tracing is on without an endpoint. */
const DEFAULT_ENDPOINT = "http://localhost:4318/v1/traces";

/** `k=v,k2=v2` (values URL-encoded), the format of OTEL_EXPORTER_OTLP_HEADERS. */
export function parseOtlpHeaders(text: string | undefined): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const pair of (text ?? "").split(",")) {
    const eq = pair.indexOf("=");
    if (eq <= 0) continue;
    try {
      headers[decodeURIComponent(pair.slice(0, eq).trim())] = decodeURIComponent(pair.slice(eq + 1).trim());
    } catch {
      // A malformed escape: the pair is skipped rather than sent half-decoded.
    }
  }
  return headers;
}

/**
 * Which calls are traced: `tracing.sample_rate` (parent-based ratio), else the standard
 * OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG; the default is OpenTelemetry's, parentbased_always_on.
 * An unknown sampler name is a problem, not a silent default.
 */
export function tracingSampling(config: Config, env: Record<string, string | undefined>): Sampling | string {
  const rate = config.tracing?.sample_rate;
  if (rate !== undefined) return { ratio: rate, parentBased: true };
  const name = (env.OTEL_TRACES_SAMPLER ?? "parentbased_always_on").trim().toLowerCase();
  const arg = env.OTEL_TRACES_SAMPLER_ARG;
  const ratio = arg === undefined || arg.trim() === "" ? 1 : Number(arg);
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) return `OTEL_TRACES_SAMPLER_ARG must be a number from 0 to 1, got '${arg}'`;
  switch (name) {
    case "always_on":
      return { ratio: 1, parentBased: false };
    case "always_off":
      return { ratio: 0, parentBased: false };
    case "traceidratio":
      return { ratio, parentBased: false };
    case "parentbased_always_on":
      return { ratio: 1, parentBased: true };
    case "parentbased_always_off":
      return { ratio: 0, parentBased: true };
    case "parentbased_traceidratio":
      return { ratio, parentBased: true };
    default:
      return `OTEL_TRACES_SAMPLER '${name}' is not one of always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio`;
  }
}

/**
 * Where spans go, from the config file's `tracing` section and the standard OTEL_* variables (the
 * file wins for the endpoint and for headers of the same name; OTEL_SERVICE_NAME wins for the name).
 * Undefined when tracing is off: not enabled and no endpoint anywhere.
 */
export function tracingTarget(config: Config, env: Record<string, string | undefined>): (TracingTarget & { maxQueue?: number }) | undefined {
  const section = config.tracing ?? {};
  const envEndpoint = env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || (env.OTEL_EXPORTER_OTLP_ENDPOINT ? `${env.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, "")}/v1/traces` : undefined);
  const endpoint = section.endpoint ?? envEndpoint;
  const enabled = section.enabled ?? endpoint !== undefined;
  if (!enabled) return undefined;
  return {
    endpoint: endpoint ?? DEFAULT_ENDPOINT,
    headers: { ...parseOtlpHeaders(env.OTEL_EXPORTER_OTLP_HEADERS), ...parseOtlpHeaders(env.OTEL_EXPORTER_OTLP_TRACES_HEADERS), ...(section.headers ?? {}) },
    serviceName: env.OTEL_SERVICE_NAME || section.service_name || "switchboard",
    redact: section.redact_messages === true,
    ...(section.max_queue !== undefined ? { maxQueue: section.max_queue } : {}),
  };
}
