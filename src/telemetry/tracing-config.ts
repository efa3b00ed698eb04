import type { Config } from "../config/schema.ts";
import type { TracingTarget } from "./trace-protocol.ts";

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
