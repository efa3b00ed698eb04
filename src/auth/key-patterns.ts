/**
 * The guessable shapes the key-strength estimate looks for, as lookup tables built once at start:
 * keyboard neighbours on a US QWERTY layout and a trie of ranked words (with common l33t digits).
 */
import { ENGLISH_WORDS, PLACEHOLDER_WORDS } from "./guessable-words.ts";

/** Keyboard rows, unshifted and shifted, with each row's horizontal offset in key widths. */
const ROWS: readonly [string, string, number][] = [
  ["`1234567890-=", "~!@#$%^&*()_+", 0],
  ["qwertyuiop[]\\", "QWERTYUIOP{}|", 1.5],
  ["asdfghjkl;'", 'ASDFGHJKL:"', 1.75],
  ["zxcvbnm,./", "ZXCVBNM<>?", 2.25],
];

/** Distinct keys on the layout: what a walk's first character is chosen from. */
export const KEYBOARD_KEYS = ROWS.reduce((sum, [row]) => sum + row.length, 0);

/**
 * `KEYBOARD_STEP[a * 128 + b]`: the direction (1-6) of the step from key `a` to neighbouring key `b`,
 * 0 when they are not neighbours. Shift is ignored, so `!@#$` walks like `1234`.
 */
export const KEYBOARD_STEP = new Uint8Array(128 * 128);

{
  const where = new Map<number, [number, number]>();
  ROWS.forEach(([plain, shifted, offset], row) => {
    for (let i = 0; i < plain.length; i++) {
      where.set(plain.charCodeAt(i), [row, offset + i]);
      where.set(shifted.charCodeAt(i), [row, offset + i]);
    }
  });
  for (const [a, [rowA, xA]] of where) {
    for (const [b, [rowB, xB]] of where) {
      const dx = xB - xA;
      const drow = rowB - rowA;
      let direction = 0;
      if (drow === 0 && Math.abs(dx) === 1) direction = dx > 0 ? 1 : 2;
      else if (Math.abs(drow) === 1 && Math.abs(dx) <= 0.75) direction = (drow > 0 ? 3 : 5) + (dx > 0 ? 0 : 1);
      KEYBOARD_STEP[a * 128 + b] = direction;
    }
  }
}

/** Letter index (0-25) of a character as a word letter: `a`/`A` is 0; l33t digits and signs stand for letters; -1 otherwise. */
export const WORD_LETTER = new Int8Array(128).fill(-1);
/** 1 where WORD_LETTER comes from a l33t substitution (`4` for `a`), which costs a bit. */
export const WORD_LEET = new Uint8Array(128);

for (let i = 0; i < 26; i++) {
  WORD_LETTER[97 + i] = i;
  WORD_LETTER[65 + i] = i;
}
for (const [sign, letter] of [["4", "a"], ["@", "a"], ["3", "e"], ["0", "o"], ["1", "i"], ["!", "i"], ["$", "s"], ["5", "s"], ["7", "t"]] as const) {
  WORD_LETTER[sign.charCodeAt(0)] = letter.charCodeAt(0) - 97;
  WORD_LEET[sign.charCodeAt(0)] = 1;
}

/** Trie of the word lists: `WORD_CHILD[node * 26 + letter]` is the next node (0: none; node 0 is the root). */
export let WORD_CHILD = new Int32Array(26 * 1024);
/** `WORD_BITS[node]`: bits to name the word ending at `node` (log2 of its rank, plus one bit for which list), or 0 when no word ends there. */
export let WORD_BITS = new Float64Array(1024);

{
  let nodes = 1;
  const insert = (word: string, bits: number) => {
    let node = 0;
    for (let i = 0; i < word.length; i++) {
      const slot = node * 26 + (word.charCodeAt(i) - 97);
      if (WORD_CHILD[slot] === 0) {
        if (nodes === WORD_BITS.length) {
          const child = new Int32Array(WORD_CHILD.length * 2);
          child.set(WORD_CHILD);
          WORD_CHILD = child;
          const wordBits = new Float64Array(WORD_BITS.length * 2);
          wordBits.set(WORD_BITS);
          WORD_BITS = wordBits;
        }
        WORD_CHILD[slot] = nodes++;
      }
      node = WORD_CHILD[slot] as number;
    }
    if (WORD_BITS[node] === 0 || bits < (WORD_BITS[node] as number)) WORD_BITS[node] = bits;
  };
  for (const list of [PLACEHOLDER_WORDS, ENGLISH_WORDS]) list.forEach((word, rank) => insert(word, Math.log2(rank + 1) + 1));
}

/** `WORD_START[a * 128 + b]` is 1 when characters a, b (any case, l33t read as letters) begin a word: the cheap test before walking the trie. */
export const WORD_START = new Uint8Array(128 * 128);

for (let a = 0; a < 128; a++) {
  const first = WORD_LETTER[a] as number;
  if (first < 0) continue;
  const node = WORD_CHILD[first] as number;
  if (node === 0) continue;
  for (let b = 0; b < 128; b++) {
    const second = WORD_LETTER[b] as number;
    if (second >= 0 && WORD_CHILD[node * 26 + second] !== 0) WORD_START[a * 128 + b] = 1;
  }
}
