import { timingSafeEqual } from "node:crypto";
import { GatewayError } from "../spec/errors.ts";

const digest = (value: string): Buffer => Buffer.from(new Bun.CryptoHasher("sha256").update(value).digest());

/** The key a client presented: `Authorization: Bearer <key>` (OpenAI SDK) or `x-api-key` (Anthropic SDK). */
export function presentedKey(headers: Headers): string | undefined {
  const authorization = headers.get("authorization");
  if (authorization) {
    const match = /^Bearer\s+(.+)$/i.exec(authorization.trim());
    return match ? (match[1] as string).trim() : undefined;
  }
  return headers.get("x-api-key")?.trim() || undefined;
}

/**
 * Checks callers against the master key. Both sides are hashed first so the comparison is
 * constant-time and length-independent.
 */
export function masterKeyGuard(masterKey: string | undefined): ((headers: Headers) => void) | undefined {
  if (!masterKey) return undefined;
  const expected = digest(masterKey);
  return (headers) => {
    const key = presentedKey(headers);
    if (!key) throw new GatewayError("policy.unauthenticated", "Missing API key. Send it as 'Authorization: Bearer <key>'.");
    if (!timingSafeEqual(digest(key), expected)) throw new GatewayError("policy.unauthenticated", "Invalid API key.");
  };
}
