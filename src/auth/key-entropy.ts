/**
 * How many bits of entropy a key carries, estimated as the shortest description of it under a few
 * guessable shapes (as zxcvbn, much simplified): each stretch of the key is either random characters
 * (log2 of the alphabet the key draws from, per character) or a pattern that costs far fewer bits:
 * a run or sequence (`aaaa`, `abcd`, `9876`), a keyboard walk (`qwerty`, `1qaz`), a copy of an
 * earlier stretch (`Xk9$Xk9$`), a repeated separator, or a ranked word (`password`, `changeme`,
 * `this is the`), capitalised or in l33t for a bit each. Dynamic programming picks the cheapest
 * split, in O(n · small) for random keys: a random 64-character key costs about a microsecond.
 */
import { KEYBOARD_KEYS, KEYBOARD_STEP, WORD_BITS, WORD_CHILD, WORD_LEET, WORD_LETTER, WORD_START } from "./key-patterns.ts";

/** What covered a stretch of the key in the cheapest description. */
export type KeyPattern = "random" | "repeat" | "sequence" | "keyboard" | "copy" | "separator" | "words";

const PATTERNS: readonly KeyPattern[] = ["random", "repeat", "sequence", "keyboard", "copy", "separator", "words"];
const [RANDOM, REPEAT, SEQUENCE, KEYBOARD, COPY, SEPARATOR, WORDS] = [0, 1, 2, 3, 4, 5, 6] as const;

/** Longest prefix analysed; what follows can only add to the estimate, and the bound keeps the worst case (a long run of one character) cheap. */
const MAX_ANALYSED = 512;
/** Earlier occurrences of a character pair examined as the start of a copy (the most recent ones). */
const COPY_CANDIDATES = 16;
/** Bits to say which of run / ascending / descending a sequence is. */
const SEQUENCE_KIND_BITS = Math.log2(3);
/** Bits for a keyboard walk's direction (six neighbours) at its start and at each turn. */
const TURN_BITS = Math.log2(6);
const KEY_BITS = Math.log2(KEYBOARD_KEYS);

// Scratch space reused by every call (the estimate runs a million times in its test).
const cost = new Float64Array(MAX_ANALYSED + 1);
const from = new Int32Array(MAX_ANALYSED + 1);
const via = new Int8Array(MAX_ANALYSED + 1);
const codes = new Int32Array(MAX_ANALYSED);
/** `previousPair[i]`: the last j < i where the key has the same two characters as at i (a copy of 3+ starts with one). */
const previousPair = new Int32Array(MAX_ANALYSED);
/** Last position of each ASCII character pair, valid when its stamp is this call's. */
const pairAt = new Int32Array(128 * 128);
const pairStamp = new Uint32Array(128 * 128);
let stamp = 0;
/** log2 of 0..MAX_ANALYSED, looked up rather than computed in the inner loops. */
const LOG2 = Float64Array.from({ length: MAX_ANALYSED + 1 }, (_, i) => Math.log2(i));

/** Alphabet size behind a key: the character classes it uses (all hex digits of one case count as 16). */
function alphabetSize(length: number): number {
  let lower = false, upper = false, digit = false, space = false, symbol = false, other = false;
  let hexLower = true, hexUpper = true;
  for (let i = 0; i < length; i++) {
    const c = codes[i] as number;
    if (c >= 97 && c <= 122) {
      lower = true;
      if (c > 102) hexLower = false;
      hexUpper = false;
    } else if (c >= 65 && c <= 90) {
      upper = true;
      if (c > 70) hexUpper = false;
      hexLower = false;
    } else if (c >= 48 && c <= 57) digit = true;
    else {
      hexLower = hexUpper = false;
      if (c === 32) space = true;
      else if (c > 32 && c < 127) symbol = true;
      else other = true;
    }
  }
  if (hexLower || hexUpper) return 16;
  return (lower ? 26 : 0) + (upper ? 26 : 0) + (digit ? 10 : 0) + (space ? 1 : 0) + (symbol ? 32 : 0) + (other ? 100 : 0);
}

function relax(to: number, bits: number, start: number, pattern: number): void {
  if (bits < (cost[to] as number)) {
    cost[to] = bits;
    from[to] = start;
    via[to] = pattern;
  }
}

/** Fills `cost` for a key already copied into `codes`; returns the estimate in bits. */
function describe(n: number): number {
  const literal = Math.log2(alphabetSize(n));
  if (++stamp === 0xffffffff) {
    pairStamp.fill(0);
    stamp = 1;
  }
  let lastSymbol = -1;
  for (let i = 0; i < n; i++) {
    const a = codes[i] as number, b = i + 1 < n ? (codes[i + 1] as number) : 128;
    if (a < 128 && b < 128) {
      const pair = a * 128 + b;
      previousPair[i] = pairStamp[pair] === stamp ? (pairAt[pair] as number) : -1;
      pairAt[pair] = i;
      pairStamp[pair] = stamp;
    } else previousPair[i] = -1;
    cost[i + 1] = Infinity;
  }
  cost[0] = 0;
  for (let i = 0; i < n; i++) {
    const base = cost[i] as number;
    const c = codes[i] as number;
    // One random character; a separator the key already used costs a bit.
    const isSymbol = !((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122));
    relax(i + 1, base + (isSymbol && c === lastSymbol ? 1 : literal), i, isSymbol && c === lastSymbol ? SEPARATOR : RANDOM);
    if (isSymbol) lastSymbol = c;
    if (i + 2 < n) {
      // A run (d = 0) or a sequence (d = ±1) of three or more.
      const d = (codes[i + 1] as number) - c;
      if (d >= -1 && d <= 1 && (codes[i + 2] as number) - (codes[i + 1] as number) === d) {
        let end = i + 3;
        while (end < n && (codes[end] as number) - (codes[end - 1] as number) === d) end++;
        const start = base + literal + SEQUENCE_KIND_BITS;
        for (let k = i + 3; k <= end; k++) relax(k, start + (LOG2[k - i] as number), i, d === 0 ? REPEAT : SEQUENCE);
      }
      // A keyboard walk of three or more keys.
      if (c < 128 && KEYBOARD_STEP[c * 128 + (codes[i + 1] as number)]) {
        let direction = 0;
        let bits = base + Math.min(literal, KEY_BITS);
        for (let k = i + 1; k < n; k++) {
          const a = codes[k - 1] as number, b = codes[k] as number;
          const step = a < 128 && b < 128 ? (KEYBOARD_STEP[a * 128 + b] as number) : 0;
          if (step === 0) break;
          if (step !== direction) bits += TURN_BITS;
          direction = step;
          if (k - i >= 2) relax(k + 1, bits + (LOG2[k + 1 - i] as number), i, KEYBOARD);
        }
      }
    }
    // A copy of an earlier stretch (overlapping allowed, so `abcabcabc` is `abc` and one copy).
    let j = previousPair[i] as number;
    for (let tries = 0; j >= 0 && tries < COPY_CANDIDATES; tries++, j = previousPair[j] as number) {
      let m = 2;
      while (i + m < n && codes[j + m] === codes[i + m]) m++;
      const pointer = base + (LOG2[i] as number);
      for (let len = 3; len <= m; len++) relax(i + len, pointer + (LOG2[len] as number), i, COPY);
    }
    // A word, capitalised or in l33t for a bit each.
    const next = i + 1 < n ? (codes[i + 1] as number) : 128;
    const wordStarts = c < 128 && next < 128 && WORD_START[c * 128 + next] === 1;
    let node = 0, upper = 0, leet = 0;
    for (let k = i; wordStarts && k < n; k++) {
      const ch = codes[k] as number;
      const letter = ch < 128 ? (WORD_LETTER[ch] as number) : -1;
      if (letter < 0) break;
      node = WORD_CHILD[node * 26 + letter] as number;
      if (node === 0) break;
      if (ch >= 65 && ch <= 90) upper++;
      leet += WORD_LEET[ch] as number;
      const word = WORD_BITS[node] as number;
      // l33t counts only in words that are mostly letters: `p@ssw0rd` is a word, `70` is not `to`.
      if (word > 0 && leet * 3 <= k + 1 - i) {
        const len = k + 1 - i;
        const caseBits = upper === 0 ? 0 : upper === len || (upper === 1 && codes[i]! >= 65 && codes[i]! <= 90) ? 1 : upper;
        relax(k + 1, base + word + caseBits + leet, i, WORDS);
      }
    }
  }
  return cost[n] as number;
}

function load(key: string): number {
  const n = Math.min(key.length, MAX_ANALYSED);
  for (let i = 0; i < n; i++) codes[i] = key.charCodeAt(i);
  return n;
}

/** Estimated entropy of a key in bits (the first 512 characters are analysed). */
export function keyEntropyBits(key: string): number {
  return describe(load(key));
}

/** The patterns that explain most of a low-entropy key, most characters first (for the refusal message). */
export function keyPatterns(key: string): KeyPattern[] {
  const n = load(key);
  describe(n);
  const covered = new Array<number>(PATTERNS.length).fill(0);
  for (let at = n; at > 0; at = from[at] as number) covered[via[at] as number]! += at - (from[at] as number);
  return PATTERNS.map((pattern, index) => [pattern, covered[index] as number] as const)
    .filter(([pattern, chars]) => pattern !== "random" && chars > 0)
    .sort((a, b) => b[1] - a[1])
    .map(([pattern]) => pattern);
}
