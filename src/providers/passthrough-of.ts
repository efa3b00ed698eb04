import type { Operation, PassthroughInput, PassthroughOptions, Provider, Target, UpstreamRequest } from "./types.ts";
import { GatewayError } from "../canonical/errors.ts";

/** Builds a same-format request; callers reach it only for providers that have a builder, so its absence is the gateway's fault. */
export function passthroughOf(provider: Provider, operation: Operation, input: PassthroughInput, target: Target, options: PassthroughOptions): UpstreamRequest {
  if (!provider.buildPassthrough) throw new GatewayError("gateway.internal", `${provider.label} takes no request as sent; the gateway should have translated it.`);
  return provider.buildPassthrough(operation, input, target, options);
}
