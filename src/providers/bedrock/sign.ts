import { AwsV4Signer } from "aws4fetch";
import type { AwsCredentials } from "../types.ts";

/** The SigV4 signing name of bedrock-runtime (its host says `bedrock-runtime`; it signs as `bedrock`). */
export const BEDROCK_SIGNING_SERVICE = "bedrock";

/**
 * Derived signing keys by secret, day, region and service (aws4fetch's cache): four HMACs saved per
 * call. Cleared when it grows, so days and rotated keys do not pile up.
 */
const signingKeys = new Map<string, ArrayBuffer>();
const MAX_CACHED_KEYS = 64;

/** `20150830T123600Z`: SigV4's timestamp form of a date. */
export function amzDate(now: Date): string {
  return now.toISOString().replace(/[:-]|\.\d{3}/g, "");
}

/** A request to sign: its method (POST when absent), URL, headers and exact body bytes. */
export interface SignableRequest {
  method?: string;
  url: string;
  headers: Record<string, string>;
  body: string | Uint8Array | undefined;
}

/** A request as signed: the same, with the signature's headers. */
export type Signed<T extends SignableRequest> = Omit<T, "headers"> & { headers: Record<string, string> };

/**
 * Signs a request with AWS Signature Version 4 (aws4fetch: Web Crypto HMAC-SHA256, the path's
 * percent-escapes encoded once more as SigV4 requires outside S3). Every header present is signed
 * except the ones SigV4 leaves out (content-type, content-length, user-agent, ...), so signing must
 * be the last change to the headers. Adds `authorization`, `x-amz-date` and, with temporary
 * credentials, `x-amz-security-token`; the payload hash is computed, not sent as a header.
 * Deterministic for a given `now`.
 */
export async function signAwsRequest<T extends SignableRequest>(upstream: T, credentials: AwsCredentials, region: string, service: string, now: Date = new Date()): Promise<Signed<T>> {
  if (signingKeys.size >= MAX_CACHED_KEYS) signingKeys.clear();
  // A bearer key (Bedrock API key) and SigV4 are alternatives; the signature's header replaces it.
  const { authorization: _bearer, ...unsigned } = upstream.headers;
  const signer = new AwsV4Signer({
    method: upstream.method ?? "POST",
    url: upstream.url,
    headers: unsigned,
    body: upstream.body,
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
    ...(credentials.sessionToken ? { sessionToken: credentials.sessionToken } : {}),
    service,
    region,
    cache: signingKeys,
    datetime: amzDate(now),
  });
  const signed = await signer.sign();
  const headers: Record<string, string> = {};
  signed.headers.forEach((value, name) => {
    headers[name] = value;
  });
  return { ...upstream, headers };
}

/** Signs a Bedrock runtime request (service `bedrock`) for `region` with the deployment's AWS credentials. */
export function signBedrockRequest<T extends SignableRequest>(upstream: T, credentials: AwsCredentials, region: string, now?: Date): Promise<Signed<T>> {
  return signAwsRequest(upstream, credentials, region, BEDROCK_SIGNING_SERVICE, now);
}
