/** Which credential a pass-through call takes, and under which names its model is allowed. */
import { describe, expect, test } from "bun:test";
import type { Caller } from "../../src/auth/caller.ts";
import { OPEN_CALLER } from "../../src/auth/caller.ts";
import { fromLiteLLM } from "../../src/config/litellm.ts";
import type { Config } from "../../src/config/schema.ts";
import { pathProblem } from "../../src/passthrough/path.ts";
import { chooseUpstream } from "../../src/passthrough/policy.ts";
import { anthropicPassthrough } from "../../src/passthrough/providers/anthropic.ts";
import { coherePassthrough } from "../../src/passthrough/providers/cohere.ts";
import { PASSTHROUGH_PROVIDERS } from "../../src/passthrough/registry.ts";
import { configuredPassthroughs } from "../../src/passthrough/configured.ts";
import type { CallShape, PassthroughProvider } from "../../src/passthrough/types.ts";
import { PassthroughUpstreams, passthroughSettings } from "../../src/passthrough/upstreams.ts";
import { embeddedPrices } from "../../src/pricing/load.ts";
import { buildModelTable } from "../../src/router/models.ts";
import type { KeyRecord } from "../../src/store/types.ts";

function upstreams(config: Config, env: Record<string, string> = {}) {
  const { table, problems } = buildModelTable(config, env);
  expect(problems).toEqual([]);
  return new PassthroughUpstreams(table, passthroughSettings(PASSTHROUGH_PROVIDERS, config, env, embeddedPrices()));
}

const GENERATE: CallShape = { kind: "generate", stream: false, wire: "anthropic" };
const OTHER: CallShape = { kind: "other", stream: false };
/** A key caller allowed `models` (the rest of its record does not matter here). */
const keyAllowed = (models: string[]): Caller => ({ kind: "key", key: { models, aliases: {}, keyName: "sk-...test", token: "t" } as unknown as KeyRecord });

const CONFIG: Config = {
  settings: { mock_models: false },
  models: [
    { model_name: "sonnet", model: "anthropic/claude-sonnet-4-5", api_key: "sk-ant-sonnet", price: { input: 1, output: 1 } },
    { model_name: "claude/*", model: "anthropic/claude-*", api_key: "sk-ant-family" },
    { model_name: "lent", model: "anthropic/claude-haiku-4-5", api_key: "sk-ant-lent", api_base: "https://proxy.example/anthropic/v1", use_in_pass_through: true, price: { input: 1, output: 1 } },
  ],
};

describe("the upstream of a call", () => {
  test("a model a deployment serves goes to it, under its name; a wildcard's name is filled in", () => {
    const all = upstreams(CONFIG);
    const sonnet = chooseUpstream(all, anthropicPassthrough, OPEN_CALLER, GENERATE, "claude-sonnet-4-5");
    expect(sonnet).toMatchObject({ name: "sonnet", model: "claude-sonnet-4-5", upstream: { id: "sonnet", root: "https://api.anthropic.com", target: { apiKey: "sk-ant-sonnet" } } });
    const opus = chooseUpstream(all, anthropicPassthrough, OPEN_CALLER, GENERATE, "claude-opus-4-1");
    expect(opus).toMatchObject({ name: "claude/opus-4-1", upstream: { id: "claude/*", target: { apiKey: "sk-ant-family", model: "claude-opus-4-1" } } });
  });

  test("the name the key is allowed picks the deployment; <provider>/<model> is always a name", () => {
    const all = upstreams(CONFIG);
    expect(chooseUpstream(all, anthropicPassthrough, keyAllowed(["claude/*"]), GENERATE, "claude-sonnet-4-5")).toMatchObject({ name: "claude/sonnet-4-5", upstream: { id: "claude/*" } });
    expect(chooseUpstream(all, anthropicPassthrough, keyAllowed(["anthropic/*"]), GENERATE, "claude-sonnet-4-5")).toMatchObject({ name: "anthropic/claude-sonnet-4-5", upstream: { id: "sonnet" } });
    expect(() => chooseUpstream(all, anthropicPassthrough, keyAllowed(["gpt-4o"]), GENERATE, "claude-sonnet-4-5")).toThrow(/not allowed to access model 'anthropic\/claude-sonnet-4-5'/);
  });

  test("calls of no model, and calls that are not the model's own, take the lent deployment's credential and root, priced from the price data", () => {
    const all = upstreams(CONFIG);
    const files = chooseUpstream(all, anthropicPassthrough, OPEN_CALLER, OTHER, undefined);
    expect(files.upstream).toMatchObject({ id: "lent", root: "https://proxy.example/anthropic", target: { apiKey: "sk-ant-lent" } });
    // A batch of sonnet is not sonnet's own call: its credential is not lent to it.
    expect(chooseUpstream(all, anthropicPassthrough, OPEN_CALLER, { ...OTHER, bodyModels: ["claude-sonnet-4-5"] }, "claude-sonnet-4-5").upstream.id).toBe("lent");
    // The lent deployment's price override is for its own model; another model is priced from the data.
    const overridden = all.serving(anthropicPassthrough, "claude-haiku-4-5").find((s) => s.name === "lent")?.deployment.priceOf("claude-haiku-4-5");
    const borrowed = all.fallback(anthropicPassthrough, "claude-opus-4-1")?.priceOf("claude-opus-4-1");
    expect(borrowed?.input).toBeGreaterThan(0);
    expect(borrowed?.input).not.toBe(overridden?.input);
  });

  test("without a lent deployment, the environment's key and base; without either, a 404 that says how to set one up", () => {
    const env = upstreams({ settings: { mock_models: false, env_provider_models: false } }, { ANTHROPIC_API_KEY: "sk-ant-env", ANTHROPIC_BASE_URL: "https://gw.example/v1", COHERE_API_KEY: "co-env" });
    expect(chooseUpstream(env, anthropicPassthrough, OPEN_CALLER, OTHER, undefined).upstream).toMatchObject({ id: "anthropic/environment", root: "https://gw.example", target: { apiKey: "sk-ant-env" } });
    expect(chooseUpstream(env, coherePassthrough, OPEN_CALLER, OTHER, undefined).upstream).toMatchObject({ id: "cohere/environment", root: "https://api.cohere.com", target: { apiKey: "co-env" } });
    const none = upstreams({ settings: { mock_models: false } });
    expect(() => chooseUpstream(none, anthropicPassthrough, OPEN_CALLER, OTHER, undefined)).toThrow(/mark a 'anthropic\/…' deployment use_in_pass_through: true, or set ANTHROPIC_API_KEY/);
  });

  test("a LiteLLM model_list entry's use_in_pass_through lends its credential", () => {
    const { config } = fromLiteLLM({ model_list: [{ model_name: "c", litellm_params: { model: "anthropic/claude-haiku-4-5", api_key: "sk-ant-litellm", use_in_pass_through: true } }] });
    expect(config.models?.[0]?.use_in_pass_through).toBe(true);
    const all = upstreams(config);
    expect(chooseUpstream(all, anthropicPassthrough, OPEN_CALLER, OTHER, undefined).upstream).toMatchObject({ id: "c", target: { apiKey: "sk-ant-litellm" } });
  });
});

describe("extension points", () => {
  test("a provider with a fixed upstream (a config endpoint) uses it, its headers carrying the credential", () => {
    const custom = { ...coherePassthrough, id: "reranker", credentials: { ...coherePassthrough.credentials, fixed: { base: "https://rerank.example/api", headers: { authorization: "Bearer fixed-key" } } } };
    const settings = passthroughSettings([custom], {}, { COHERE_API_KEY: "ignored" }, embeddedPrices());
    expect(settings.providers).toEqual([custom]);
    expect(settings.standing.get("reranker")).toMatchObject({ id: "reranker/config", root: "https://rerank.example/api", target: { headers: { authorization: "Bearer fixed-key" } } });
    expect(settings.standing.get("reranker")?.target.apiKey).toBeUndefined();
  });

  test("a config endpoint's module: its target split into base and query, its timeout and price per call; endpoints sharing a path are told apart by their methods", () => {
    const [reader, writer] = configuredPassthroughs([
      { path: "/items", target: "https://api.example/v2/items/?tenant=t1", methods: ["GET"], timeout_seconds: 12.5, cost_per_request: 0.000000001 },
      { path: "/items", target: "https://api.example/v2/items", methods: ["POST", "POST"], headers: { "X-Key": "k" } },
    ]) as [PassthroughProvider, PassthroughProvider];
    expect([reader.id, writer.id]).toEqual(["/items [GET]", "/items [POST]"]);
    expect(writer.mount).toEqual({ path: "/items", subpaths: false, methods: ["POST"], public: false, origin: "pass_through_endpoints[1]" });
    expect(reader.callPriceNano).toBe(1);
    expect(writer.callPriceNano).toBeUndefined();
    const settings = passthroughSettings([reader, writer], { settings: { request_timeout_seconds: 60 } }, {}, embeddedPrices());
    expect(settings.standing.get(reader.id)).toMatchObject({ id: "/items [GET]/config", root: "https://api.example/v2/items", target: { apiBase: "https://api.example/v2/items/" }, timeoutMs: 12_500 });
    expect(settings.standing.get(writer.id)).toMatchObject({ timeoutMs: 60_000, target: { headers: { "X-Key": "k" } } });
    const query = new URLSearchParams("tenant=client");
    reader.upstreamQuery?.(query, settings.standing.get(reader.id) as never, "");
    expect(query.toString()).toBe("tenant=client");
    expect(writer.upstreamQuery).toBeUndefined();
  });

  test("segmentEscapes lets a provider take escaped characters inside a segment (Bedrock's ARNs); nothing else loosens", () => {
    const arn = "model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123%3Ainference-profile%2Fus.anthropic.claude/converse";
    expect(pathProblem(arn)).toContain("escapes '/'");
    expect(pathProblem(arn, new Set(["/"]))).toBeUndefined();
    expect(pathProblem("model/%2e%2e/converse", new Set(["/"]))).toContain("escapes '.'");
    expect(pathProblem("model//converse", new Set(["/"]))).toContain("empty segment");
  });
});
