/** Splits bytes at every position: all two-piece splits of the input. */
export function* splitsAtEveryByte(bytes: Uint8Array): Generator<Uint8Array[]> {
  for (let i = 0; i <= bytes.length; i++) yield [bytes.subarray(0, i), bytes.subarray(i)];
}

/** A seeded PRNG (mulberry32) so a failing random split can be replayed. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Splits bytes at random boundaries (pieces of 1..max bytes). */
export function splitRandomly(bytes: Uint8Array, random: () => number, max = 17): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  let i = 0;
  while (i < bytes.length) {
    const size = 1 + Math.floor(random() * max);
    pieces.push(bytes.subarray(i, i + size));
    i += size;
  }
  return pieces;
}

/** A ReadableStream that yields the given pieces. */
export function streamOf(pieces: Uint8Array[]): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      const piece = pieces[i++];
      if (piece === undefined) controller.close();
      else controller.enqueue(piece);
    },
  });
}
