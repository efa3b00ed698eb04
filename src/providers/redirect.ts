/**
 * Upstream redirects are never followed. A provider API does not redirect, and fetch's default
 * (`follow`) re-sends the request, credential headers included (Bun keeps `x-api-key`, `api-key` and
 * `x-goog-api-key` across origins), to wherever the answer points. Every outbound fetch the gateway
 * makes asks for `redirect: "manual"` and turns a 3xx into a provider error instead. Same-origin
 * redirects are refused too: no provider sends one, and re-sending a credential-bearing POST on
 * an upstream's say-so is exactly what this rule exists to prevent.
 */
import { GatewayError } from "../canonical/errors.ts";

/** The `redirect` mode of every upstream fetch. */
export const NO_REDIRECTS = "manual" as const;

/** Whether an answer is a redirect (which the gateway does not follow). */
export const isRedirect = (status: number): boolean => status >= 300 && status < 400;

/**
 * Whether a pass-through answer points somewhere else: a 3xx with a Location. Pass-through relays the
 * client's conditional headers, so a 304 Not Modified (never a redirect) and a 3xx naming no place to
 * go are answers for the client, relayed as sent.
 */
export const pointsElsewhere = (response: Response): boolean => isRedirect(response.status) && response.status !== 304 && response.headers.has("location");

/** Longest origin a message repeats (a host name is at most 253 characters). */
const MAX_ORIGIN = 300;

/**
 * Where a redirect points, as an origin only (scheme, host, port): its path and query can carry
 * anything and are never repeated. A relative location is resolved against the request's URL.
 */
export function redirectTarget(location: string | null, requestUrl: string): string {
  if (!location) return "no location";
  let origin: string;
  try {
    origin = new URL(location, requestUrl).origin;
  } catch {
    return "an unreadable location";
  }
  if (origin === "null") return "a location with no origin";
  return origin.length > MAX_ORIGIN ? `${origin.slice(0, MAX_ORIGIN)}…` : origin;
}

/**
 * The error for a redirected upstream call: `who` answered a 3xx pointing elsewhere; `fix` says what
 * to check. It is the upstream's failure (502, `provider.bad_response`), so the router retries or
 * falls back as after a 5xx. The answer's body is discarded unread.
 */
export function redirectError(who: string, response: Response, requestUrl: string, fix: string, provider: string): GatewayError {
  void response.body?.cancel().catch(() => {});
  const where = redirectTarget(response.headers.get("location"), requestUrl);
  return new GatewayError(
    "provider.bad_response",
    `${who} answered ${response.status}, redirecting the request to ${where}. The gateway does not follow upstream redirects, so nothing was sent there; ${fix}`,
    { provider },
  );
}
