/**
 * Edit distance with adjacent transpositions (optimal string alignment): `modle` is one edit
 * from `model`, as a typist would count it.
 */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[] = new Array(rows * cols).fill(0);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((d[(i - 1) * cols + j] as number) + 1, (d[i * cols + j - 1] as number) + 1, (d[(i - 1) * cols + j - 1] as number) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, (d[(i - 2) * cols + j - 2] as number) + 1);
      d[i * cols + j] = best;
    }
  }
  return d[rows * cols - 1] as number;
}

/** How many edits still read as a slip of the keyboard for a word this long (a short word may only have lost a letter: `lst`). */
function tolerance(word: string, candidate: string): number {
  if (word.length <= 3) return word.length >= 2 && candidate.length === word.length + 1 ? 1 : 0;
  return word.length <= 6 ? 1 : 2;
}

/** Two names that differ only in their digits (`..._above_272k_...` and `..._above_200k_...`) are variants, not a typo of each other. */
const digitVariants = (a: string, b: string) => a !== b && a.replace(/\d/g, "") === b.replace(/\d/g, "");

/**
 * The candidate `word` was most likely meant to be: within a few edits (case ignored), or a
 * candidate that extends it (`timeout` -> `timeout_seconds`, `key` -> `keys`). Undefined when
 * none is close.
 */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  const lower = word.toLowerCase();
  const list = [...candidates];
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of list) {
    if (digitVariants(lower, candidate.toLowerCase())) continue;
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best !== undefined && bestDistance <= tolerance(word, best)) return best;
  const extended = list.filter((candidate) => candidate.startsWith(word) && (/^[-_]/.test(candidate.slice(word.length)) || candidate.length - word.length <= 1));
  return extended.length === 1 ? extended[0] : undefined;
}
