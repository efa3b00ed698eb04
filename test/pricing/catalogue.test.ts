/**
 * The price database: genai-prices' embedded data, matched per provider family the way the
 * package matches it, converted into exact pico-dollar rates. Every sample is cross-checked
 * against the package's own `calcPrice`, so a conversion or matching mistake shows as a mismatch.
 */
import { calcPrice } from "@pydantic/genai-prices";
import { describe, expect, test } from "bun:test";
import type { Config } from "../../src/config/schema.ts";
import { costOf } from "../../src/pricing/cost.ts";
import { embeddedPrices } from "../../src/pricing/load.ts";
import type { ModelPrice } from "../../src/pricing/types.ts";
import { buildModelTable } from "../../src/router/models.ts";

/** A service account whose key is never used: building the table only checks the document's fields. */
const SERVICE_ACCOUNT = JSON.stringify({ type: "service_account", project_id: "p", private_key_id: "k1", private_key: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", client_email: "sa@p.iam.gserviceaccount.com" });

/** The price a deployment of `model` (`<provider>/<upstream model>`) gets, through the model table as the gateway builds it. */
function priceOf(model: string): ModelPrice | undefined {
  const entry = model.startsWith("vertex_ai/") ? { vertex_credentials: SERVICE_ACCOUNT } : { api_key: "k", api_base: "https://example.invalid/v1" };
  const config: Config = { models: [{ model_name: "m", model, ...entry }], settings: { env_provider_models: false, mock_models: false } };
  const env = { AWS_ACCESS_KEY_ID: "a", AWS_SECRET_ACCESS_KEY: "s", AWS_REGION: "us-east-1" };
  const built = buildModelTable(config, env);
  const resolved = built.table.resolve("m");
  if (!resolved) throw new Error(`${model}: ${built.problems.join("; ")}`);
  return resolved.deployment.priceOf(resolved.target.model);
}

/** Switchboard's provider id -> genai-prices' provider id, for the cross-check. */
const GENAI_ID: Record<string, string> = {
  openai: "openai",
  anthropic: "anthropic",
  gemini: "google",
  bedrock: "aws",
  azure: "azure",
  groq: "groq",
  together: "together",
  fireworks: "fireworks",
  deepseek: "deepseek",
  mistral: "mistral",
  xai: "x-ai",
  openrouter: "openrouter",
  perplexity: "perplexity",
  cerebras: "cerebras",
};

/** A usage with every kind of token, below and above the 200k tier. */
const USAGES = [
  { input: 10_000, cacheRead: 3_000, cacheWrite: 1_000, output: 2_000 },
  { input: 250_000, cacheRead: 50_000, cacheWrite: 0, output: 1_000 },
];

describe("the embedded price data, per provider family", () => {
  // [Switchboard model, the genai-prices row it must match]
  const SAMPLES: [string, string][] = [
    ["openai/gpt-4o", "openai/gpt-4o"],
    ["openai/gpt-4o-2024-08-06", "openai/gpt-4o"],
    ["openai/gpt-4o-mini", "openai/gpt-4o-mini"],
    ["openai/gpt-4.1-nano", "openai/gpt-4.1-nano"],
    ["openai/gpt-5-mini-2025-08-07", "openai/gpt-5-mini"],
    ["openai/o4-mini", "openai/o4-mini"],
    ["openai/text-embedding-3-small", "openai/text-embedding-3-small"],
    ["anthropic/claude-sonnet-4-5-20250929", "anthropic/claude-sonnet-4-5"],
    ["anthropic/claude-haiku-4-5", "anthropic/claude-haiku-4-5"],
    ["anthropic/claude-opus-4-1-20250805", "anthropic/claude-opus-4-1"],
    ["gemini/gemini-2.5-pro", "google/gemini-2.5-pro"],
    ["gemini/gemini-2.5-flash", "google/gemini-2.5-flash"],
    ["gemini/gemini-2.0-flash-001", "google/gemini-2.0-flash"],
    ["bedrock/us.anthropic.claude-sonnet-4-5-20250929-v1:0", "aws/regional.anthropic.claude-sonnet-4-5-20250929-v1:0"],
    ["bedrock/global.anthropic.claude-haiku-4-5-20251001-v1:0", "aws/global.anthropic.claude-haiku-4-5-20251001-v1:0"],
    ["bedrock/amazon.nova-pro-v1:0", "aws/amazon.nova-pro-v1:0"],
    // Azure's rows fall back to OpenAI's in the data itself.
    ["azure/gpt-4o", "openai/gpt-4o"],
    ["azure/o3-mini", "azure/o3-mini"],
    ["groq/llama-3.3-70b-versatile", "groq/llama-3.3-70b-versatile"],
    ["groq/openai/gpt-oss-120b", "groq/openai/gpt-oss-120b"],
    ["together/meta-llama/Llama-3.3-70B-Instruct-Turbo", "together/meta-llama/Llama-3.3-70B-Instruct-Turbo"],
    ["fireworks/accounts/fireworks/models/llama-v3p1-8b-instruct", "fireworks/llama-v3p1-8b-instruct"],
    ["mistral/mistral-large-2411", "mistral/mistral-large"],
    ["mistral/codestral-2508", "mistral/codestral-2508"],
    ["xai/grok-3-mini", "x-ai/grok-3-mini"],
    ["openrouter/anthropic/claude-sonnet-4.5", "openrouter/anthropic/claude-sonnet-4.5"],
    ["perplexity/sonar-pro", "perplexity/sonar-pro"],
    ["cerebras/gpt-oss-120b", "cerebras/gpt-oss-120b"],
  ];

  test.each(SAMPLES)("%s is priced from genai-prices' %s row, to the nano-dollar of the package's own calcPrice", (model, row) => {
    const price = priceOf(model);
    expect(price?.source).toBe(`genai-prices ${row}`);
    const provider = model.slice(0, model.indexOf("/"));
    const upstream = model.slice(model.indexOf("/") + 1);
    for (const usage of USAGES) {
      const ours = costOf(usage, price as ModelPrice).total;
      const theirs = calcPrice({ input_tokens: usage.input, cache_read_tokens: usage.cacheRead, cache_write_tokens: usage.cacheWrite, output_tokens: usage.output }, upstream, { providerId: GENAI_ID[provider] as string });
      expect(theirs).not.toBeNull();
      // The package sums float dollars; ours is exact and rounded up once, so they agree to within a nano-dollar.
      expect(Math.abs(ours - (theirs?.total_price ?? 0) * 1e9)).toBeLessThan(1);
    }
  });

  test("a sibling is never priced as its family head, and a snapshot with its own price keeps it", () => {
    expect(priceOf("openai/gpt-4o-mini")?.input).toBe(150_000);
    expect(priceOf("openai/gpt-4o")?.input).toBe(2_500_000);
    expect(priceOf("openai/gpt-4o-2024-05-13")?.input).toBe(5_000_000);
    expect(priceOf("openai/gpt-4.1-mini")?.input).toBe(400_000);
  });

  test("Claude: cache reads, 5-minute and 1-hour writes; long-context tiers past 200k input tokens", () => {
    const price = priceOf("anthropic/claude-sonnet-4-5") as ModelPrice;
    expect(price).toMatchObject({ input: 3_000_000, output: 15_000_000, cacheRead: 300_000, cacheWrite: 3_750_000, cacheWrite1h: 6_000_000 });
    expect(price.tiers).toEqual([{ above: 200_000, input: 6_000_000, output: 22_500_000, cacheRead: 600_000, cacheWrite: 7_500_000, cacheWrite1h: 12_000_000 }]);
    expect(costOf({ input: 200_000, output: 1000 }, price).total).toBe(200_000 * 3000 + 1000 * 15_000);
    expect(costOf({ input: 200_001, output: 1000 }, price).total).toBe(200_001 * 6000 + 1000 * 22_500);
  });

  test("hosts of another vendor's models: Vertex prices Claude and Gemini, Bedrock falls back to Anthropic's list", () => {
    expect(priceOf("vertex_ai/claude-sonnet-4-5@20250929")?.source).toBe("genai-prices google/claude-sonnet-4-5");
    expect(priceOf("vertex_ai/gemini-2.5-pro")?.source).toBe("genai-prices google/gemini-2.5-pro");
    // Bedrock's own rows price regional and global endpoints apart; an id they do not list is priced from Anthropic's.
    expect(priceOf("bedrock/eu.anthropic.claude-opus-4-1-20250805-v1:0")?.source).toBe("genai-prices aws/regional.anthropic.claude-opus-4-1-20250805-v1:0");
    expect(priceOf("bedrock/global.anthropic.claude-opus-4-1-20250805-v1:0")?.source).toBe("genai-prices anthropic/claude-opus-4-1");
    expect(priceOf("bedrock/us.anthropic.claude-made-up-9-20990101-v1:0")).toBeUndefined();
  });

  test("Perplexity's per-request fee is part of a call's cost", () => {
    const price = priceOf("perplexity/sonar") as ModelPrice;
    // $12 per 1,000 requests: 1.2 cents a call.
    expect(price.request).toBe(12_000_000_000);
    expect(costOf({ input: 0, output: 0 }, price).total).toBe(12_000_000);
  });

  test("unknown models and providers without price data are unpriced", () => {
    expect(priceOf("openai/gpt-99")).toBeUndefined();
    expect(priceOf("anthropic/gpt-4o")).toBeUndefined();
    expect(priceOf("azure/my-gpt-4o-deployment")).toBeUndefined();
    expect(priceOf("deepinfra/meta-llama/Meta-Llama-3.1-8B-Instruct")).toBeUndefined();
    expect(priceOf("openai_compatible/gpt-4o")).toBeUndefined();
    expect(priceOf("ollama/llama3.2")).toBeUndefined();
  });

  test("the data is compiled lazily and once: the same row object is shared", () => {
    const catalogue = embeddedPrices();
    const first = catalogue.lookup("openai", "gpt-4o");
    expect(first?.row).toBe("openai/gpt-4o");
    expect(catalogue.lookup("openai", "GPT-4o-2024-08-06")?.schedule).toBe(first?.schedule as never);
  });
});
