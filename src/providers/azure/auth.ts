import type { Target } from "../types.ts";

/** A compact JWT: what a Microsoft Entra access token is, and what an Azure resource key never is. */
const JWT = /^eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const BEARER = /^bearer\s+/i;

/**
 * The credential header for an Azure call. Convention, first match wins:
 * 1. the deployment's own `headers` carry `authorization` or `api-key` -> nothing is added (they are sent as configured);
 * 2. `apiKey` starts with `Bearer ` -> `Authorization: Bearer <token>` (a Microsoft Entra ID token);
 * 3. `apiKey` is JWT-shaped (`eyJ...x.y.z`) -> `Authorization: Bearer <apiKey>` (an Entra token pasted bare);
 * 4. any other `apiKey` -> `api-key: <apiKey>` (a resource key from "Keys and Endpoint");
 * 5. no `apiKey` -> nothing.
 */
export function azureAuthHeaders(target: Target): Record<string, string> {
  const configured = Object.keys(target.headers ?? {}).map((name) => name.toLowerCase());
  if (configured.includes("authorization") || configured.includes("api-key")) return {};
  const key = target.apiKey?.trim();
  if (!key) return {};
  const bearer = BEARER.exec(key);
  if (bearer) return { authorization: `Bearer ${key.slice(bearer[0].length)}` };
  if (JWT.test(key)) return { authorization: `Bearer ${key}` };
  return { "api-key": key };
}

/** Every request header for an Azure call: JSON in, JSON or SSE out, the credential, then the deployment's headers (lower-cased). */
export function azureHeaders(target: Target, stream: boolean): Record<string, string> {
  const headers: Record<string, string> = {
    "content-type": "application/json",
    accept: stream ? "text/event-stream" : "application/json",
    ...azureAuthHeaders(target),
  };
  for (const [name, value] of Object.entries(target.headers ?? {})) headers[name.toLowerCase()] = value;
  return headers;
}
