import { GatewayError } from "../canonical/errors.ts";
import { echo } from "../canonical/echo.ts";
import { hostProblem } from "./host.ts";
import type { Lifecycle } from "./lifecycle.ts";

/**
 * Checks every request passes before any route runs: a usable Host, and not draining. Refused
 * requests are answered at once, whatever the route, and nothing about them is logged.
 */
export function requestGate(lifecycle: Lifecycle): (request: Request) => GatewayError | undefined {
  return (request) => {
    const host = request.headers.get("host");
    const problem = hostProblem(host);
    if (problem) return new GatewayError("caller.invalid_host", `The Host header '${echo(host ?? "")}' cannot be used: ${problem}.`);
    // Only an HTTP/1.0 request can arrive without Host; its URL is then relative (app.handle()'s are absolute).
    if (host === null && !request.url.startsWith("http")) {
      return new GatewayError("caller.invalid_host", "The request has no Host header; send one (Host: host[:port]), as HTTP/1.1 requires.");
    }
    if (lifecycle.draining) return new GatewayError("gateway.draining", "The gateway is shutting down; retry on another instance.");
    return undefined;
  };
}

/** Headers a refusal carries: a draining gateway closes the connection so clients reconnect elsewhere. */
export function refusalHeaders(error: GatewayError): Record<string, string> {
  return error.code === "gateway.draining" ? CLOSE : NONE;
}

const CLOSE: Record<string, string> = { connection: "close" };
const NONE: Record<string, string> = {};
