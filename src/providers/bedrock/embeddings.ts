import { embeddingTexts, vectorAsBase64, wantsBase64 } from "../embedding-input.ts";
import { GatewayError } from "../../canonical/errors.ts";
import { echo } from "../../canonical/echo.ts";
import type { PassthroughOptions, Target, UpstreamRequest } from "../types.ts";
import { refuseBedrockParam } from "./params.ts";
import { bedrockHeaders, bedrockModelUrl } from "./request.ts";

/**
 * OpenAI `/v1/embeddings` over Bedrock's InvokeModel (`/model/<id>/invoke`), whose bodies are the
 * model vendor's own:
 * - Titan text (`amazon.titan-embed-text-v2:0`, `-v1`, `amazon.titan-embed-g1-text-02`): one text
 *   per call, `{inputText}` (+ `dimensions` 256/512/1024 and `normalize` on v2), answering
 *   `{embedding, inputTextTokenCount}`.
 * - Cohere (`cohere.embed-english-v3`, `cohere.embed-multilingual-v3`, `cohere.embed-v4:0`): up to
 *   96 texts per call, `{texts, input_type}`, answering `{embeddings: [[...]]}` (v4:
 *   `{embeddings: {float: [[...]]}}`) and no token count (InvokeModel's
 *   `x-amzn-bedrock-input-token-count` header has it).
 */

type Family = "titan-v2" | "titan-v1" | "cohere-v3" | "cohere-v4";

/** What reading the answers needs to know about the request. */
export interface BedrockEmbeddingsState {
  encodingFormat: "float" | "base64";
}

const COHERE_BATCH = 96;
const TITAN_V2_DIMENSIONS = new Set([256, 512, 1024]);
const COHERE_V4_DIMENSIONS = new Set([256, 512, 1024, 1536]);
/** Request fields handled here; anything else is refused by name (or dropped with drop_params). */
const KNOWN = new Set(["model", "input", "encoding_format", "dimensions", "user", "input_type", "truncate"]);

function familyOf(model: string): Family {
  if (/amazon\.titan-embed-text-v2/.test(model)) return "titan-v2";
  if (/amazon\.titan-embed-(text-v1|g1-text)/.test(model)) return "titan-v1";
  if (/cohere\.embed-v4/.test(model)) return "cohere-v4";
  if (/cohere\.embed-/.test(model)) return "cohere-v3";
  throw new GatewayError("caller.invalid_request", `The gateway embeds text on Bedrock with Titan text or Cohere embed models, not '${echo(model)}'.`, { param: "model" });
}

/** `dimensions` if the family takes that value; otherwise refused (or dropped with drop_params). */
function dimensionsFor(family: Family, value: unknown, options: PassthroughOptions): number | undefined {
  if (value === undefined || value === null) return undefined;
  const allowed = family === "titan-v2" ? TITAN_V2_DIMENSIONS : family === "cohere-v4" ? COHERE_V4_DIMENSIONS : undefined;
  if (allowed && typeof value === "number" && allowed.has(value)) return value;
  refuseBedrockParam(options, "dimensions", allowed ? `takes dimensions ${[...allowed].join(", ")} for this model, not ${JSON.stringify(value)}` : "cannot change this model's dimensions");
  return undefined;
}

/** Builds the InvokeModel calls for an OpenAI embeddings request: one per text (Titan) or per 96 texts (Cohere). */
export function buildBedrockEmbeddings(body: Record<string, unknown>, target: Target, options: PassthroughOptions = { dropParams: false }): { upstreams: UpstreamRequest[]; state: BedrockEmbeddingsState } {
  const url = bedrockModelUrl(target, "invoke");
  const family = familyOf(target.model);
  const texts = embeddingTexts(body.input, "Amazon Bedrock");
  for (const name of Object.keys(body)) if (!KNOWN.has(name) && body[name] !== undefined) refuseBedrockParam(options, name, `does not support the embeddings parameter '${name}'`);
  const base64 = wantsBase64(body.encoding_format);
  const dimensions = dimensionsFor(family, body.dimensions, options);
  const call = (payload: Record<string, unknown>): UpstreamRequest => ({ url, headers: bedrockHeaders(target, "application/json"), body: JSON.stringify(payload) });
  let upstreams: UpstreamRequest[];
  if (family === "titan-v2") upstreams = texts.map((inputText) => call({ inputText, ...(dimensions !== undefined ? { dimensions } : {}), normalize: true }));
  else if (family === "titan-v1") upstreams = texts.map((inputText) => call({ inputText }));
  else {
    const inputType = typeof body.input_type === "string" ? body.input_type : "search_document";
    const extra: Record<string, unknown> = {};
    if (typeof body.truncate === "string") extra.truncate = body.truncate;
    if (family === "cohere-v4") {
      extra.embedding_types = ["float"];
      if (dimensions !== undefined) extra.output_dimension = dimensions;
    }
    upstreams = [];
    for (let i = 0; i < texts.length; i += COHERE_BATCH) upstreams.push(call({ texts: texts.slice(i, i + COHERE_BATCH), input_type: inputType, ...extra }));
  }
  return { upstreams, state: { encodingFormat: base64 ? "base64" : "float" } };
}

function vectorsOf(body: string): { vectors: number[][]; tokens?: number } {
  let parsed: Record<string, unknown>;
  try {
    parsed = JSON.parse(body) as Record<string, unknown>;
  } catch {
    throw new GatewayError("provider.bad_response", "Amazon Bedrock returned an embeddings body that is not JSON.");
  }
  if (Array.isArray(parsed?.embedding)) {
    const tokens = parsed.inputTextTokenCount;
    return typeof tokens === "number" ? { vectors: [parsed.embedding as number[]], tokens } : { vectors: [parsed.embedding as number[]] };
  }
  const embeddings = parsed?.embeddings;
  if (Array.isArray(embeddings)) return { vectors: embeddings as number[][] };
  if (embeddings && typeof embeddings === "object" && Array.isArray((embeddings as Record<string, unknown>).float)) return { vectors: (embeddings as { float: number[][] }).float };
  throw new GatewayError("provider.bad_response", "Amazon Bedrock returned an embeddings body without embedding vectors.");
}

/** InvokeModel's `x-amzn-bedrock-input-token-count` header (Cohere's only token count), for `parseBedrockEmbeddings`. */
export function inputTokenCount(headers: Headers): number | undefined {
  const raw = headers.get("x-amzn-bedrock-input-token-count");
  const value = raw ? Number(raw) : Number.NaN;
  return Number.isInteger(value) && value >= 0 ? value : undefined;
}


/**
 * The InvokeModel answers (in call order) as one OpenAI embeddings list. Usage is Titan's
 * `inputTextTokenCount` summed, or the `x-amzn-bedrock-input-token-count` header of each call when
 * the caller passes them in `headerTokens`; left out when neither gives every call's count.
 */
export function parseBedrockEmbeddings(bodies: string[], model: string, state: BedrockEmbeddingsState = { encodingFormat: "float" }, headerTokens: readonly (number | undefined)[] = []): Record<string, unknown> {
  const data: Record<string, unknown>[] = [];
  let tokens: number | undefined = 0;
  bodies.forEach((body, call) => {
    const read = vectorsOf(body);
    for (const vector of read.vectors) data.push({ object: "embedding", index: data.length, embedding: state.encodingFormat === "base64" ? vectorAsBase64(vector) : vector });
    const counted = read.tokens ?? headerTokens[call];
    tokens = tokens === undefined || counted === undefined ? undefined : tokens + counted;
  });
  const out: Record<string, unknown> = { object: "list", data, model };
  if (tokens !== undefined) out.usage = { prompt_tokens: tokens, total_tokens: tokens };
  return out;
}
