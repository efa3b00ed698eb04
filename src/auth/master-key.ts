/** Shortest master key accepted: 32 characters (a `sk-` + 32 random bytes key is 46). */
const MIN_LENGTH = 32;
/** Fewest distinct characters: random text of 32+ characters has far more; "aaaa…" or "1234…1234" has fewer. */
const MIN_DISTINCT = 12;

/**
 * Why a master key is too weak to protect the gateway, or undefined when it is acceptable. The
 * master key can mint keys and read every spend log, so it must be long and random:
 * `openssl rand -base64 32` or `switchboard keys` output qualify; "sk-1234" does not.
 */
export function weakMasterKeyReason(key: string): string | undefined {
  if (key.length < MIN_LENGTH) return `it is ${key.length} characters long; use at least ${MIN_LENGTH}`;
  const distinct = new Set(key).size;
  if (distinct < MIN_DISTINCT) return `it uses only ${distinct} distinct characters; it does not look random`;
  if (/(.{1,4})\1{5,}/.test(key)) return "it repeats a short pattern; it does not look random";
  if (/^(sk-)?(1234|abcd|test|change|secret|password|master)/i.test(key) && distinct < 20) return "it looks like a placeholder";
  return undefined;
}
