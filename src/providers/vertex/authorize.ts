import { GatewayError } from "../../canonical/errors.ts";
import type { Target, UpstreamRequest } from "../types.ts";
import { tokenSourceFor } from "./credentials.ts";

/** Adds the deployment's OAuth token to a request, a translated call's or a pass-through's (cached until shortly before it expires, refreshed by one caller at a time). */
export async function authorizeVertex<R extends Pick<UpstreamRequest, "headers">>(upstream: R, target: Target): Promise<R> {
  if (!target.googleCredentials) throw new GatewayError("provider.unauthenticated", "The Vertex AI deployment has no service account; set vertex_credentials.", { provider: "vertex_ai" });
  const token = await tokenSourceFor(target.googleCredentials).token();
  return { ...upstream, headers: { ...upstream.headers, authorization: `Bearer ${token}` } };
}

/** Vertex AI answered 401 to a request `authorizeVertex` authorized: its token is forgotten, so the next call gets a fresh one. */
export function forgetVertexToken(sent: Pick<UpstreamRequest, "headers">, target: Target): void {
  const refused = /^Bearer (\S+)$/.exec(sent.headers.authorization ?? "")?.[1];
  if (target.googleCredentials && refused) tokenSourceFor(target.googleCredentials).invalidate(refused);
}

/** The project and location a configured Vertex target always has. */
export function placeOf(target: Target): { project: string; location: string } {
  return { project: target.project ?? "", location: target.region ?? "us-central1" };
}
