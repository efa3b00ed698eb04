import { GatewayError } from "../canonical/errors.ts";
import { isValidHost } from "./host.ts";
import type { Lifecycle } from "./lifecycle.ts";

/** Checks every request passes before any route runs: a well-formed Host, and not draining. */
export function requestGate(lifecycle: Lifecycle): (request: Request) => GatewayError | undefined {
  return (request) => {
    if (!isValidHost(request.headers.get("host"))) return new GatewayError("caller.invalid_host", "The Host header is malformed; send host[:port].");
    if (lifecycle.draining) return new GatewayError("gateway.draining", "The gateway is shutting down; retry on another instance.");
    return undefined;
  };
}
