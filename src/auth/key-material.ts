/** Random bytes in a virtual key (the brief asks for at least 32). */
const KEY_BYTES = 32;

/** Virtual keys look like OpenAI's: `sk-` then base64url of 32 random bytes (43 characters). */
const KEY_SHAPE = /^sk-[A-Za-z0-9_-]{43}$/;

/** A token (stored key id) is the hex SHA-256 of the key. */
const TOKEN_SHAPE = /^[0-9a-f]{64}$/;

/** The SHA-256 digest of a key, hex: what the store keeps and looks keys up by. */
export function tokenOf(key: string): string {
  const bytes = Bun.SHA256.hash(key) as Uint8Array;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("hex");
}

/** A new virtual key, its token and its masked display name. */
export function newVirtualKey(): { key: string; token: string; keyName: string } {
  const key = `sk-${Buffer.from(crypto.getRandomValues(new Uint8Array(KEY_BYTES))).toString("base64url")}`;
  return { key, token: tokenOf(key), keyName: maskKey(key) };
}

/** `sk-...abcd`: enough to recognise a key in a list, useless to an attacker. */
export function maskKey(key: string): string {
  return `sk-...${key.slice(-4)}`;
}

/** Whether a presented string could be a virtual key at all (cheap filter before any lookup). */
export function looksLikeVirtualKey(value: string): boolean {
  return KEY_SHAPE.test(value);
}

/** Whether a string is a token (digest) rather than a key. */
export function isToken(value: string): boolean {
  return TOKEN_SHAPE.test(value);
}

/** A key or a token, as management calls accept either: always the token. */
export function tokenFromKeyOrToken(value: string): string {
  return isToken(value) ? value : tokenOf(value);
}
