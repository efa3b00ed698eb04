/**
 * The most input tokens a request can be billed for, per model family, for strict budget
 * reservations. It must never be below what any provider counts (the budget guarantee rests on it)
 * and should be close to it (a loose bound refuses calls the budget can pay for).
 *
 * - Text, tool schemas and tool inputs: UTF-8 bytes (input-scan.ts), plus structural OVERHEAD.
 *   For OpenAI models the bytes are replaced by the real tokenizer's count when the cheap bound does
 *   not fit a budget (refinement); other families keep the byte bound.
 * - Images: a fixed maximum per image for the family (below), never the base64 length.
 * - Audio: from the encoded size. Documents, files and server-side fetches: the model's context window.
 */
import type { ModelPrice } from "../pricing/types.ts";
import { scanInput, type InputScan } from "./input-scan.ts";
import { loadTokenizer, tokenizerOf, type Encoding } from "./tokenizer.ts";

/** What a model family adds to the text, and the tokenizer that counts its text exactly, if any. */
export interface Family {
  /** The most tokens one image can cost. */
  imageTokens: number;
  /** The system prompt a provider adds when a request has tools. */
  toolPreamble: number;
  encoding?: Encoding;
}

/**
 * Images: OpenAI high detail is 85 + 170 per 512-px tile of at most 8 tiles (1,445); its patch-based
 * models (4.1-mini/nano, o4-mini, 5-mini/nano) at most 1,536 patches x 2.46 (3,779): 6,000 covers
 * both. GPT-4o mini bills 2,833 + 5,667 per tile (48,169). Claude: ~1,600 up to Claude 4.6 (1.15 MP),
 * ~4,800 for Opus 4.7's 2,576-px images: 5,000. Gemini: 258 per 768-px tile; 32 tiles (8,256).
 * Others (Llama, Qwen-VL up to 16,384 visual tokens, Pixtral): 16,384.
 * Tool preambles: Anthropic's tool-use system prompt is at most 530 tokens (Claude 3 Opus): 600;
 * OpenAI's function namespace wrapper is a few dozen: 64.
 */
const OPENAI: Family = { imageTokens: 6_000, toolPreamble: 64 };
const FAMILIES = {
  o200k: { ...OPENAI, encoding: "o200k_base" },
  o200kMini: { ...OPENAI, imageTokens: 48_169, encoding: "o200k_base" },
  cl100k: { ...OPENAI, encoding: "cl100k_base" },
  anthropic: { imageTokens: 5_000, toolPreamble: 600 },
  gemini: { imageTokens: 8_256, toolPreamble: 600 },
  other: { imageTokens: 16_384, toolPreamble: 600 },
} satisfies Record<string, Family>;

/** Input the body does not show, for a model with no known context window, or one with a long-context tier beyond it. */
const LARGEST_CONTEXT = 2_000_000;

const O200K = /^(?:gpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|gpt-oss|o[1-9](?:-|$)|chatgpt-|codex-|computer-use)/;
const CL100K = /^(?:gpt-4(?:-|$)|gpt-3\.5|text-embedding-3|text-embedding-ada-002)/;

const familyCache = new Map<string, Family>();

/** The family of an upstream model name (`gpt-4o-2024-08-06`, `anthropic.claude-3-5-sonnet…`, `gemini-2.5-pro`); unknown names get the widest bounds. */
export function familyOf(model: string): Family {
  let family = familyCache.get(model);
  if (family) return family;
  family = classify(model.toLowerCase());
  // Wildcard deployments pass client-chosen names: keep the cache bounded.
  if (familyCache.size >= 1024) familyCache.clear();
  familyCache.set(model, family);
  return family;
}

function classify(model: string): Family {
  if (model.includes("claude")) return FAMILIES.anthropic;
  if (model.includes("gemini") || model.includes("gemma")) return FAMILIES.gemini;
  const name = model.slice(model.lastIndexOf("/") + 1).replace(/^ft:/, "");
  if (O200K.test(name)) return name.startsWith("gpt-4o-mini") ? FAMILIES.o200kMini : FAMILIES.o200k;
  if (CL100K.test(name)) return FAMILIES.cl100k;
  return FAMILIES.other;
}

/** Tokens a scan can cost under a family's rules (text already in tokens or in bytes, as measured). */
export function tokensOf(scan: InputScan, family: Family, price: ModelPrice): number {
  let tokens = scan.text + scan.overhead + scan.images * family.imageTokens + scan.audioTokens;
  if (scan.tools > 0) tokens += family.toolPreamble;
  if (scan.unbounded > 0) tokens = Math.max(tokens, price.tiers?.length ? LARGEST_CONTEXT : (price.contextWindow ?? LARGEST_CONTEXT));
  return tokens;
}

/**
 * One request's input bound: scanned once when first asked, refined per encoding on demand. The
 * last bound asked for is kept (`inputTokens`, `model`) for the refusal message.
 */
export class InputBound {
  private cheap: InputScan | undefined;
  private refined: Partial<Record<Encoding, InputScan>> | undefined;
  /** The bound of the deployment the reservation was made for, and its model. */
  inputTokens = 0;
  model = "";

  constructor(
    private readonly body: Record<string, unknown>,
    /** The output cap the request asked for, for the refusal message. */
    readonly maxTokens: number | undefined,
    /** How many answers it asked for (OpenAI's `n`), each reserved its own output. */
    readonly choices = 1,
  ) {}

  /** The bound for `model`; with `refine`, the real tokenizer's count where the family has one loaded. */
  tokens(model: string, price: ModelPrice, refine: boolean): number {
    const family = familyOf(model);
    const cheap = (this.cheap ??= scanInput(this.body));
    const measure = refine && family.encoding ? tokenizerOf(family.encoding) : undefined;
    if (!measure || !family.encoding) return tokensOf(cheap, family, price);
    this.refined ??= {};
    const exact = (this.refined[family.encoding] ??= scanInput(this.body, measure));
    // A token is at least a byte, so the refined count is never above the cheap one; min() keeps that true whatever a tokenizer does.
    return Math.min(tokensOf(exact, family, price), tokensOf(cheap, family, price));
  }

  /** Keeps the figures of the deployment a reservation is for. */
  note(model: string, tokens: number): void {
    this.model = model;
    this.inputTokens = tokens;
  }

  /** Whether any of `models` has a tokenizer that could tighten the bound. */
  refinable(models: Iterable<string>): boolean {
    for (const model of models) if (familyOf(model).encoding) return true;
    return false;
  }

  /** Loads the tokenizers `models` need; undefined when all are loaded already. */
  loadTokenizers(models: Iterable<string>): Promise<unknown> | undefined {
    const pending: Promise<unknown>[] = [];
    for (const model of models) {
      const encoding = familyOf(model).encoding;
      if (encoding && !tokenizerOf(encoding)) pending.push(loadTokenizer(encoding));
    }
    return pending.length > 0 ? Promise.all(pending) : undefined;
  }
}
