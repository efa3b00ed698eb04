/**
 * RS256 JSON Web Tokens with WebCrypto only (RFC 7515/7519): just what a Google service-account
 * assertion (RFC 7523) needs. No verification here; the gateway only signs.
 */

/** Bytes as unpadded base64url. */
export function base64UrlEncode(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i] as number);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Unpadded (or padded) base64url as bytes. */
export function base64UrlDecode(text: string): Uint8Array<ArrayBuffer> {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * The DER bytes inside a PEM block. Tolerates CRLF and a key pasted with literal `\n` escapes
 * (a JSON document stored in an environment variable once too often).
 */
export function pemToDer(pem: string): Uint8Array<ArrayBuffer> {
  const body = pem
    .replace(/\\n/g, "\n")
    .replace(/-----(BEGIN|END)[^-]*-----/g, "")
    .replace(/[^A-Za-z0-9+/=]/g, "");
  const binary = atob(body);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

const RS256 = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as const;

/** Imports a PKCS#8 PEM RSA private key for RS256 signing (not extractable). */
export function importRs256PrivateKey(pem: string): Promise<CryptoKey> {
  return crypto.subtle.importKey("pkcs8", pemToDer(pem), RS256, false, ["sign"]);
}

const encoder = new TextEncoder();

/** Signs `header.claims` with RS256 and returns the compact JWT. */
export async function signRs256Jwt(key: CryptoKey, header: Record<string, unknown>, claims: Record<string, unknown>): Promise<string> {
  const input = `${base64UrlEncode(encoder.encode(JSON.stringify(header)))}.${base64UrlEncode(encoder.encode(JSON.stringify(claims)))}`;
  const signature = await crypto.subtle.sign(RS256, key, encoder.encode(input));
  return `${input}.${base64UrlEncode(new Uint8Array(signature))}`;
}
