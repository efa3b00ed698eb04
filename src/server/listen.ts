import { toGatewayError } from "../canonical/errors.ts";
import { toOpenAIErrorResponse } from "../dialects/openai/errors.ts";

export interface ListenSettings {
  hostname: string;
  port: number;
  idleTimeout: number;
  /** Where an error that escaped every handler is reported (a message, never a stack). */
  logError: (message: string, error: unknown) => void;
}

/**
 * The options main (and the tests, to serve the same way) pass to `app.listen`. Elysia's defaults
 * would let a second instance share the port silently and serve Bun's development error pages; a
 * gateway wants EADDRINUSE and JSON errors. Bun's own `error` fallback would print a stack trace
 * per request and answer in text, so the last-resort handler is ours. Bun's body limit is set out
 * of reach: past it Bun answers a bare 413 itself, so the gateway enforces
 * `server.max_request_body_mb` instead (by declared length before reading, and while reading a
 * chunked body), with its JSON 413. A body nobody reads is discarded by Bun, not buffered.
 */
export function listenOptions(settings: ListenSettings) {
  return {
    hostname: settings.hostname,
    port: settings.port,
    idleTimeout: settings.idleTimeout,
    reusePort: false,
    development: false,
    maxRequestBodySize: Number.MAX_SAFE_INTEGER,
    error(error: unknown): Response {
      settings.logError("internal error", error);
      return toOpenAIErrorResponse(toGatewayError(error));
    },
  };
}
