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

/** Removes anything key-shaped and bounds the length, so upstream text is safe to show a client. */
export function redactUpstreamText(text: string, secrets: readonly (string | undefined)[] = []): string {
  let out = removeSecrets(text, secrets);
  for (const pattern of SECRET_PATTERNS) out = out.replace(pattern, "[redacted]");
  return out.length > MAX_MESSAGE ? `${out.slice(0, MAX_MESSAGE)}… (truncated)` : out;
}
