import type { Provider } from "./types.ts";
import { GatewayError } from "../spec/errors.ts";

/** A provider's same-format request builder; callers reach it only for providers that have one, so its absence is the gateway's fault. */
export function passthroughOf(provider: Provider): NonNullable<Provider["buildPassthrough"]> {
  const build = provider.buildPassthrough;
  if (!build) throw new GatewayError("gateway.internal", `${provider.label} takes no request as sent; the gateway should have translated it.`);
  return build.bind(provider);
}
