interface EmbeddingBody {
  model: string;
  input: unknown;
  dimensions?: number;
  encoding_format?: string;
}

import { countTokens } from "./text.ts";

const DEFAULT_DIMENSIONS = 16;

/** A unit vector derived from the text's hash: same text, same vector, every time. */
function vectorFor(text: string, dimensions: number): Float32Array {
  const vector = new Float32Array(dimensions);
  let norm = 0;
  for (let i = 0; i < dimensions; i++) {
    const h = Number(Bun.hash.wyhash(`${i}:${text}`) & 0xffffn);
    const value = h / 0x7fff - 1;
    vector[i] = value;
    norm += value * value;
  }
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let i = 0; i < dimensions; i++) vector[i] = (vector[i] as number) * scale;
  return vector;
}

function inputs(input: unknown): string[] {
  if (typeof input === "string") return [input];
  if (Array.isArray(input)) {
    if (input.every((item) => typeof item === "number")) return [input.join(" ")];
    return input.map((item) => (typeof item === "string" ? item : Array.isArray(item) ? item.join(" ") : String(item)));
  }
  return [];
}

/** Answers one embeddings request the way OpenAI would, including `encoding_format: base64`. */
export function mockEmbeddings(body: EmbeddingBody): Response {
  const dimensions = body.dimensions && body.dimensions > 0 ? Math.min(body.dimensions, 4096) : DEFAULT_DIMENSIONS;
  const texts = inputs(body.input);
  const data = texts.map((text, index) => {
    const vector = vectorFor(text, dimensions);
    const embedding = body.encoding_format === "base64" ? Buffer.from(vector.buffer).toString("base64") : Array.from(vector);
    return { object: "embedding", index, embedding };
  });
  const tokens = texts.reduce((sum, text) => sum + countTokens(text), 0);
  return Response.json({ object: "list", data, model: body.model, usage: { prompt_tokens: tokens, total_tokens: tokens } });
}
