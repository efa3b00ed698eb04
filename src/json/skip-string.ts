/**
 * Skips a JSON string starting at `i` (its opening quote); returns the index after its closing
 * quote (the text's length when it has none). indexOf finds each quote, so long strings cost little.
 */
export function skipString(text: string, i: number): number {
  let j = i + 1;
  for (;;) {
    const quote = text.indexOf('"', j);
    if (quote === -1) return text.length;
    let backslashes = 0;
    for (let k = quote - 1; text.charCodeAt(k) === 92; k--) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    j = quote + 1;
  }
}
