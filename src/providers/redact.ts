import { GatewayError } from "../canonical/errors.ts";

/** Patterns that look like credentials in upstream text (keys echoed back in error messages). */
const SECRET_PATTERNS: readonly RegExp[] = [
  /\b(sk|pk|rk|gsk|xai|sk-ant|sk-proj|sk-or)-[A-Za-z0-9_\-]{8,}/g,
  /\bBearer\s+[A-Za-z0-9._\-+/=]{8,}/gi,
  /\bAIza[0-9A-Za-z_\-]{20,}/g,
  /\b(AKIA|ASIA)[0-9A-Z]{12,}/g,
];

const MAX_MESSAGE = 1000;

/** Removes every occurrence of the given secrets (the call's own credentials) from text. */
export function removeSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) if (secret && secret.length >= 4) out = out.split(secret).join("[redacted]");
  return out;
}

/** Removes the given secrets and anything key-shaped, keeping the length. */
function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = removeSecrets(text, secrets);
  for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, "[redacted]");
  return out;
}

/** Removes anything key-shaped and bounds the length, so upstream text is safe to show a client. */
export function redactUpstreamText(text: string, secrets: readonly (string | undefined)[] = []): string {
  const out = redactSecrets(text, secrets);
  return out.length > MAX_MESSAGE ? `${out.slice(0, MAX_MESSAGE)}… (truncated)` : out;
}

/**
 * An upstream call's error with the call's credentials (and anything key-shaped) taken out of its
 * message: the one pass every upstream error takes before a client, a record or a span sees it,
 * whichever translator made it. The same error when there was nothing to take out.
 */
export function redactError(error: GatewayError, secrets: readonly (string | undefined)[]): GatewayError {
  const message = redactSecrets(error.message, secrets);
  return message === error.message ? error : new GatewayError(error.code, message, error.details);
}

/** Headers whose value is (or carries) a credential, lower-cased. */
const CREDENTIAL_HEADERS: ReadonlySet<string> = new Set(["authorization", "proxy-authorization", "x-api-key", "api-key", "x-goog-api-key", "x-amz-security-token"]);

/**
 * The credentials a built request carries in its headers (an OAuth or Entra token, a key), the
 * scheme word dropped: secrets a deployment's settings do not hold, for exact removal.
 */
export function headerCredentials(headers: Record<string, string>): string[] {
  const found: string[] = [];
  for (const [name, value] of Object.entries(headers)) {
    if (!value || !CREDENTIAL_HEADERS.has(name.toLowerCase())) continue;
    const space = value.indexOf(" ");
    found.push(space === -1 ? value : value.slice(space + 1));
  }
  return found;
}

/** Header names that say their value is a secret, whatever the API (`api_token`, `X-Bria-Key`, `LANGFUSE_SECRET_KEY`). */
const CREDENTIAL_NAME = /auth|key|token|secret|cookie|passw|signature|credential|session/i;

/** Headers whose configured value describes the request, never a secret (and is too common to scrub from answers). */
const DESCRIPTIVE_HEADERS: ReadonlySet<string> = new Set(["content-type", "content-encoding", "accept", "accept-language", "user-agent", "cache-control"]);

/**
 * The values of every configured header but the descriptive ones, the scheme word dropped too: a
 * config endpoint's header values are secrets whatever their names (`X-Tenant: os.environ/NAME`).
 */
export function configuredCredentials(headers: Record<string, string> | undefined): string[] {
  const found: string[] = [];
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!value || DESCRIPTIVE_HEADERS.has(name.toLowerCase())) continue;
    const space = value.indexOf(" ");
    found.push(value, ...(space === -1 ? [] : [value.slice(space + 1)]));
  }
  return found;
}

/**
 * The values of configured headers named like credentials (a deployment's or a config endpoint's
 * own header names, not only the standard ones), the scheme word dropped, for exact removal.
 */
export function namedCredentials(headers: Record<string, string> | undefined): string[] {
  const found: string[] = [];
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (!value || !CREDENTIAL_NAME.test(name)) continue;
    const space = value.indexOf(" ");
    found.push(value, ...(space === -1 ? [] : [value.slice(space + 1)]));
  }
  return found;
}
