import { keyEntropyBits, keyPatterns, type KeyPattern } from "./key-entropy.ts";

/** Shortest master key accepted: 32 characters (`openssl rand -hex 16` is 32, a `sk-` + 32 random bytes key is 46). */
const MIN_LENGTH = 32;

/**
 * Least estimated entropy of a master key, in bits. 80 bits is out of reach of online guessing
 * (2^80 tries at a million a second take 38 billion years) and separates the two populations with
 * room to spare. Random keys, measured on a million each (test/auth/master-key.test.ts): 32 bytes in
 * hex, base64, base64url or `sk-` + base64url never estimated below 189 bits (medians 249-276), so
 * the false-positive rate is nil for them; 32 random alphanumerics never below 133. 16 bytes in hex
 * (128 bits) fell below 95 bits for 3 keys in 4 million, the tail shrinking over tenfold per 5 bits,
 * so below 80 for fewer than 1 in 10^9. Guessable keys of 32+ characters (placeholders, repeats,
 * sequences, keyboard rows, English phrases of common words) estimate 10-65 bits.
 */
export const MIN_MASTER_KEY_BITS = 80;

const DESCRIBED: Record<Exclude<KeyPattern, "random">, string> = {
  repeat: "repeated characters",
  sequence: "a sequence such as abcd or 1234",
  keyboard: "a keyboard walk such as qwerty",
  copy: "a repeated stretch",
  separator: "repeated separators",
  words: "common words or placeholders",
};

/**
 * Why a master key is too weak to protect the gateway, or undefined when it is acceptable. The
 * master key can mint keys and read every spend log, so it must be long and random:
 * `openssl rand -hex 32`, `openssl rand -base64 32` or `switchboard keys` output qualify; "sk-1234",
 * "changeme…" or a sentence do not. The message never repeats the key.
 */
export function weakMasterKeyReason(key: string): string | undefined {
  if (key.length < MIN_LENGTH) return `it is ${key.length} characters long; use at least ${MIN_LENGTH}`;
  const bits = keyEntropyBits(key);
  if (bits >= MIN_MASTER_KEY_BITS) return undefined;
  const patterns = keyPatterns(key).slice(0, 2).map((pattern) => DESCRIBED[pattern as Exclude<KeyPattern, "random">]);
  return `it is guessable: about ${Math.floor(bits)} bits of entropy (${MIN_MASTER_KEY_BITS} needed)${patterns.length > 0 ? `, mostly ${patterns.join(" and ")}` : ""}`;
}
