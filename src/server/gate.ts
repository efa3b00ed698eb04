import { GatewayError } from "../canonical/errors.ts";
import { echo } from "../canonical/echo.ts";
import { hostProblem } from "./host.ts";
import type { Lifecycle } from "./lifecycle.ts";
import { bodyTooLarge, declaresTooLarge } from "./body.ts";

/**
 * Checks every request passes before any route runs: a usable Host, a declared body within
 * `maxBodyBytes`, and not draining. Refused requests are answered at once, whatever the route,
 * and nothing about them is logged.
 */
export function requestGate(lifecycle: Lifecycle, maxBodyBytes: number): (request: Request) => GatewayError | undefined {
  return (request) => {
    const host = request.headers.get("host");
    const problem = hostProblem(host);
    if (problem) return new GatewayError("caller.invalid_host", `The Host header '${echo(host ?? "")}' cannot be used: ${problem}.`);
    // Only an HTTP/1.0 request can arrive without Host; its URL is then relative (app.handle()'s are absolute).
    if (host === null && !request.url.startsWith("http")) {
      return new GatewayError("caller.invalid_host", "The request has no Host header; send one (Host: host[:port]), as HTTP/1.1 requires.");
    }
    // Every route, so every 413 is this JSON one (Bun's own limit is set out of reach; see listen.ts).
    if (declaresTooLarge(request, maxBodyBytes)) return bodyTooLarge(maxBodyBytes);
    if (lifecycle.draining) return new GatewayError("gateway.draining", "The gateway is shutting down; retry on another instance.");
    return undefined;
  };
}

/**
 * Headers a refusal carries: a draining gateway closes the connection so clients reconnect
 * elsewhere. A 413 keeps it open: Bun discards the unread rest of the body (nothing is held in
 * memory), and closing with body bytes unread resets the connection, so Node clients got EPIPE
 * instead of the 413.
 */
export function refusalHeaders(error: GatewayError): Record<string, string> {
  return error.code === "gateway.draining" ? CLOSE : NONE;
}

const CLOSE: Record<string, string> = { connection: "close" };
const NONE: Record<string, string> = {};
