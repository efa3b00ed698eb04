import { describe, expect, test } from "bun:test";
import { priceFor } from "../../src/pricing/cost.ts";
import { normaliseModelId } from "../../src/pricing/lookup.ts";
import { ALIASES, PRICES } from "../../src/pricing/table.ts";

describe("price table", () => {
  test("every entry has positive integer rates and positive context and max output", () => {
    expect(PRICES.size).toBeGreaterThan(40);
    for (const [id, p] of PRICES) {
      for (const rate of [p.input, p.output, p.cacheRead, p.cacheWrite, p.cacheWrite1h ?? 1, p.reasoning ?? 1]) {
        expect(Number.isSafeInteger(rate) && rate > 0, `${id} rate ${rate}`).toBe(true);
      }
      expect(p.cacheRead <= p.input, `${id} cache read above input`).toBe(true);
      expect(Number.isSafeInteger(p.contextWindow) && p.contextWindow > 0, id).toBe(true);
      expect(Number.isSafeInteger(p.maxOutputTokens) && p.maxOutputTokens > 0, id).toBe(true);
      expect(p.maxOutputTokens <= p.contextWindow, `${id} max output above context`).toBe(true);
      if (p.longContext) expect(p.longContext.input > p.input, id).toBe(true);
    }
  });

  test("covers every provider the gateway prices", () => {
    const providers = new Set([...PRICES.keys()].map((id) => id.slice(0, id.indexOf("/"))));
    expect([...providers].sort()).toEqual(["anthropic", "bedrock", "deepseek", "gemini", "groq", "mistral", "openai"]);
  });

  test("every alias points at an existing entry", () => {
    for (const [alias, target] of ALIASES) expect(PRICES.has(target), `${alias} -> ${target}`).toBe(true);
  });
});

describe("model id lookup", () => {
  test("dated snapshots price as their model", () => {
    expect(priceFor("openai", "gpt-4o-2024-08-06")).toBe(PRICES.get("openai/gpt-4o"));
    expect(priceFor("openai", "gpt-4o-mini-2024-07-18")).toBe(PRICES.get("openai/gpt-4o-mini"));
    expect(priceFor("anthropic", "claude-sonnet-4-5-20250929")).toBe(PRICES.get("anthropic/claude-sonnet-4-5"));
    expect(priceFor("anthropic", "claude-3-7-sonnet-latest")).toBe(PRICES.get("anthropic/claude-3-7-sonnet"));
    expect(priceFor("mistral", "mistral-large-2411")).toBe(PRICES.get("mistral/mistral-large"));
    expect(priceFor("gemini", "gemini-2.0-flash-001")).toBe(PRICES.get("gemini/gemini-2.0-flash"));
  });

  test("a snapshot with its own price keeps it", () => {
    expect(priceFor("openai", "gpt-4o-2024-05-13")?.input).toBe(5000);
    expect(priceFor("openai", "gpt-4o-2024-08-06")?.input).toBe(2500);
  });

  test("gpt-4o-mini is never priced as gpt-4o, nor a sibling as its family head", () => {
    expect(priceFor("openai", "gpt-4o-mini")?.input).toBe(150);
    expect(priceFor("openai", "gpt-4o-mini")).not.toBe(PRICES.get("openai/gpt-4o"));
    expect(priceFor("openai", "gpt-4o-mini-tts")).toBeUndefined();
    expect(priceFor("openai", "gpt-4o-audio-preview")).toBeUndefined();
    expect(priceFor("openai", "gpt-4.1-mini")?.input).toBe(400);
  });

  test("Bedrock ids lose geo prefix, version and date", () => {
    expect(normaliseModelId("us.anthropic.claude-sonnet-4-5-20250929-v1:0")).toBe("anthropic.claude-sonnet-4-5");
    expect(priceFor("bedrock", "global.anthropic.claude-haiku-4-5-20251001-v1:0")).toBe(PRICES.get("bedrock/anthropic.claude-haiku-4-5"));
    expect(priceFor("bedrock", "anthropic.claude-3-5-haiku-20241022-v1:0")?.output).toBe(4000);
  });

  test("unknown models and providers are undefined", () => {
    expect(priceFor("openai", "gpt-99")).toBeUndefined();
    expect(priceFor("openai", "")).toBeUndefined();
    expect(priceFor("nope", "gpt-4o")).toBeUndefined();
    expect(priceFor("anthropic", "gpt-4o")).toBeUndefined();
    expect(priceFor("anthropic", "claude-3-5-sonnet-20240620")).toBeUndefined();
  });
});
