/**
 * OpenAI's tokenizers (`gpt-tokenizer`), loaded only when a strict budget's cheap bound does not fit
 * and a real count might: each encoding is ~2-3 MB of JavaScript and ~100 MB of memory once loaded,
 * so start-up and calls that never need one pay nothing.
 */
import type { Measure } from "./input-scan.ts";

/** The BPE encodings of OpenAI's models. */
export type Encoding = "o200k_base" | "cl100k_base";

const loaded: Partial<Record<Encoding, Measure>> = {};
const loading: Partial<Record<Encoding, Promise<Measure>>> = {};

/** The encoding's token counter, if it is loaded. */
export function tokenizerOf(encoding: Encoding): Measure | undefined {
  return loaded[encoding];
}

/** Loads an encoding once (later calls share the promise); rejects if the package cannot be loaded. */
export function loadTokenizer(encoding: Encoding): Promise<Measure> {
  const known = loaded[encoding];
  if (known) return Promise.resolve(known);
  let pending = loading[encoding];
  if (!pending) {
    // Static specifiers, so `bun build --compile` embeds both encodings.
    const module = encoding === "o200k_base" ? import("gpt-tokenizer/encoding/o200k_base") : import("gpt-tokenizer/encoding/cl100k_base");
    pending = module.then(({ countTokens }) => {
      // Special-token text in a prompt is plain text to the API: count it as text, never throw on it.
      const options = { disallowedSpecial: new Set<string>() };
      const measure: Measure = (text) => countTokens(text, options);
      loaded[encoding] = measure;
      return measure;
    });
    loading[encoding] = pending;
  }
  return pending;
}
