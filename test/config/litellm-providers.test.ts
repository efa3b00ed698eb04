/**
 * A LiteLLM config's `api_base` reaches the URL LiteLLM itself would call: each provider's
 * deployment points at a recording upstream, one call goes through the gateway (the official
 * OpenAI SDK), and the test checks the path the upstream received. The upstream answers 400 (never
 * retried), so only the URL matters here; the providers' wire formats are the conformance suite's.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { loadConfigValue } from "../../src/config/load.ts";
import { fromLiteLLM } from "../../src/config/litellm.ts";
import { anthropicBase, azureAnthropicBase, foundryBase, ollamaBase, openAIRoot, vertexBase } from "../../src/config/litellm-providers.ts";
import { makeAccount } from "../fixtures/vertex/google-mock.ts";
import { startGateway } from "../support/build-test-app.ts";
import { configError } from "../support/config-error.ts";

interface Seen {
  method: string;
  path: string;
  headers: Record<string, string>;
}

/** Records every request; answers Google's token exchange, and 400 to everything else. */
function recordingUpstream() {
  const seen: Seen[] = [];
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      const url = new URL(request.url);
      await request.arrayBuffer();
      if (url.pathname === "/token") return Response.json({ access_token: "ya29.test", expires_in: 3600, token_type: "Bearer" });
      seen.push({ method: request.method, path: `${url.pathname}${url.search}`, headers: Object.fromEntries(request.headers) });
      return Response.json({ error: { message: "recorded", type: "invalid_request_error", code: "recorded" } }, { status: 400 });
    },
  });
  return { origin: `http://127.0.0.1:${server.port}`, seen, stop: () => server.stop(true) };
}

let upstream: ReturnType<typeof recordingUpstream>;
beforeAll(() => {
  upstream = recordingUpstream();
});
afterAll(() => upstream.stop());

/** Loads a one-deployment LiteLLM config, sends one chat call to it, and returns the path the upstream received. */
async function pathFor(params: Record<string, unknown>, env: Record<string, string> = {}): Promise<Seen> {
  const raw = { model_list: [{ model_name: "m", litellm_params: params }] };
  const loaded = loadConfigValue(raw, "litellm.yaml", env);
  const gateway = await startGateway({ ...loaded.config, settings: { ...loaded.config.settings, mock_models: false, env_provider_models: false } }, { env: loaded.env });
  try {
    const before = upstream.seen.length;
    const client = new OpenAI({ baseURL: gateway.baseURL, apiKey: "unused", maxRetries: 0 });
    await client.chat.completions.create({ model: "m", messages: [{ role: "user", content: "hi" }], max_tokens: 5 }).catch(() => undefined);
    expect(upstream.seen.length).toBe(before + 1);
    return upstream.seen[upstream.seen.length - 1] as Seen;
  } finally {
    await gateway.stop();
  }
}

describe("api_base as LiteLLM reads it, per provider", () => {
  test("anthropic: api_base is the origin; LiteLLM appends /v1/messages", async () => {
    expect((await pathFor({ model: "anthropic/claude-sonnet-4-5", api_base: upstream.origin, api_key: "k" })).path).toBe("/v1/messages");
  });

  test("anthropic: an api_base already ending in /v1/messages is used as it is", async () => {
    expect((await pathFor({ model: "anthropic/claude-sonnet-4-5", api_base: `${upstream.origin}/proxy/v1/messages`, api_key: "k" })).path).toBe("/proxy/v1/messages");
  });

  test("anthropic: LiteLLM's ANTHROPIC_API_BASE is an origin too, and a reference in api_base is converted once resolved", async () => {
    expect((await pathFor({ model: "anthropic/claude-sonnet-4-5", api_key: "k" }, { ANTHROPIC_API_BASE: `${upstream.origin}/gw` })).path).toBe("/gw/v1/messages");
    expect((await pathFor({ model: "anthropic/claude-sonnet-4-5", api_base: "os.environ/MY_BASE", api_key: "k" }, { MY_BASE: `${upstream.origin}/` })).path).toBe("/v1/messages");
  });

  test("openai (and custom_openai, openai-compatible vendors): the OpenAI SDK's base_url + /chat/completions", async () => {
    expect((await pathFor({ model: "openai/gpt-4o", api_base: upstream.origin, api_key: "k" })).path).toBe("/chat/completions");
    expect((await pathFor({ model: "custom_openai/my-model", api_base: `${upstream.origin}/v1`, api_key: "k" })).path).toBe("/v1/chat/completions");
    expect((await pathFor({ model: "groq/llama-3.3-70b", api_base: `${upstream.origin}/openai/v1`, api_key: "k" })).path).toBe("/openai/v1/chat/completions");
    expect((await pathFor({ model: "deepseek/deepseek-chat", api_base: `${upstream.origin}/v1`, api_key: "k" })).path).toBe("/v1/chat/completions");
    expect((await pathFor({ model: "mistral/mistral-small", api_base: `${upstream.origin}/v1`, api_key: "k" })).path).toBe("/v1/chat/completions");
  });

  test("text-completion-openai: served through the chat API at api_base", async () => {
    const seen = await pathFor({ model: "text-completion-openai/gpt-3.5-turbo-instruct", api_base: upstream.origin, api_key: "k" });
    expect(seen.path).toBe("/chat/completions");
  });

  test("hosted_vllm, lm_studio, together_ai, fireworks_ai: Switchboard's presets at the same base", async () => {
    expect((await pathFor({ model: "hosted_vllm/qwen", api_base: `${upstream.origin}/v1` })).path).toBe("/v1/chat/completions");
    expect((await pathFor({ model: "lm_studio/qwen", api_base: `${upstream.origin}/v1` })).path).toBe("/v1/chat/completions");
    expect((await pathFor({ model: "together_ai/meta-llama/Llama-3-8b", api_base: `${upstream.origin}/v1`, api_key: "k" })).path).toBe("/v1/chat/completions");
    expect((await pathFor({ model: "fireworks_ai/llama-v3", api_base: `${upstream.origin}/inference/v1`, api_key: "k" })).path).toBe("/inference/v1/chat/completions");
  });

  test("LiteLLM's other OpenAI-compatible providers, with an api_base: openai_compatible there", async () => {
    const seen = await pathFor({ model: "nvidia_nim/meta/llama3-8b", api_base: `${upstream.origin}/v1`, api_key: "k" });
    expect(seen.path).toBe("/v1/chat/completions");
    expect(seen.headers.authorization).toBe("Bearer k");
  });

  test("ollama and ollama_chat: api_base is the server's origin; Switchboard calls its OpenAI-compatible /v1", async () => {
    expect((await pathFor({ model: "ollama/llama3", api_base: upstream.origin })).path).toBe("/v1/chat/completions");
    expect((await pathFor({ model: "ollama_chat/llama3" }, { OLLAMA_API_BASE: upstream.origin })).path).toBe("/v1/chat/completions");
  });

  test("gemini: {api_base}/models/{model}:generateContent, as LiteLLM builds it", async () => {
    expect((await pathFor({ model: "gemini/gemini-2.5-flash", api_base: `${upstream.origin}/v1beta`, api_key: "k" })).path).toBe("/v1beta/models/gemini-2.5-flash:generateContent");
  });

  test("vertex_ai: LiteLLM's api_base is the model's URL (it appends :generateContent); its project and location are used", async () => {
    const account = await makeAccount("litellm", `${upstream.origin}/token`);
    const modelUrl = `${upstream.origin}/v1/projects/proj-a/locations/europe-west4/publishers/google/models/gemini-2.5-pro`;
    const seen = await pathFor({ model: "vertex_ai/gemini-2.5-pro", api_base: modelUrl, vertex_credentials: account.json, vertex_location: "us-central1" });
    expect(seen.path).toBe("/v1/projects/proj-a/locations/europe-west4/publishers/google/models/gemini-2.5-pro:generateContent");
    expect(seen.headers.authorization).toBe("Bearer ya29.test");
  });

  test("bedrock: api_base, or aws_bedrock_runtime_endpoint, + /model/{id}/converse; bedrock/converse/ and bedrock/invoke/ are route prefixes", async () => {
    const aws = { aws_access_key_id: "AKIATEST", aws_secret_access_key: "secret", aws_region_name: "us-east-1" };
    expect((await pathFor({ model: "bedrock/amazon.nova-pro-v1:0", api_base: upstream.origin, ...aws })).path).toBe("/model/amazon.nova-pro-v1%3A0/converse");
    expect((await pathFor({ model: "bedrock/converse/amazon.nova-pro-v1:0", aws_bedrock_runtime_endpoint: `${upstream.origin}/vpce`, ...aws })).path).toBe("/vpce/model/amazon.nova-pro-v1%3A0/converse");
    expect((await pathFor({ model: "bedrock/invoke/amazon.nova-pro-v1:0", api_base: upstream.origin, ...aws })).path).toBe("/model/amazon.nova-pro-v1%3A0/converse");
  });

  test("azure: api_base is the resource endpoint; /openai/deployments/{deployment}/chat/completions", async () => {
    const seen = await pathFor({ model: "azure/my-gpt4o", api_base: upstream.origin, api_key: "k", api_version: "2024-10-21" });
    expect(seen.path).toBe("/openai/deployments/my-gpt4o/chat/completions?api-version=2024-10-21");
    expect(seen.headers["api-key"]).toBe("k");
  });

  test("azure_ai: a serverless endpoint is an OpenAI-compatible server (bearer key); Claude goes to /anthropic/v1/messages with the key in api-key too", async () => {
    const serverless = await pathFor({ model: "azure_ai/mistral-large", api_base: `${upstream.origin}/`, api_key: "k" });
    expect(serverless.path).toBe("/chat/completions");
    expect(serverless.headers.authorization).toBe("Bearer k");
    const claude = await pathFor({ model: "azure_ai/claude-sonnet-4-5", api_base: upstream.origin, api_key: "k" });
    expect(claude.path).toBe("/anthropic/v1/messages");
    expect(claude.headers["api-key"]).toBe("k");
    expect(claude.headers["x-api-key"]).toBe("k");
  });
});

describe("api_base conversions", () => {
  test("anthropic: origin -> origin/v1; .../v1/messages -> .../v1", () => {
    expect(anthropicBase("https://api.anthropic.com").value).toBe("https://api.anthropic.com/v1");
    expect(anthropicBase("https://gw.example/anthropic/").value).toBe("https://gw.example/anthropic/v1");
    expect(anthropicBase("https://gw.example/v1/messages").value).toBe("https://gw.example/v1");
  });

  test("Azure AI Foundry: any api_base of a services.ai.azure.com resource ends in /models, its query kept", () => {
    expect(foundryBase("https://r.services.ai.azure.com").value).toBe("https://r.services.ai.azure.com/models");
    expect(foundryBase("https://r.services.ai.azure.com/models/").value).toBe("https://r.services.ai.azure.com/models");
    expect(foundryBase("https://r.services.ai.azure.com/models/chat/completions?api-version=2024-05-01-preview").value).toBe("https://r.services.ai.azure.com/models?api-version=2024-05-01-preview");
  });

  test("Claude on Azure AI: up to /anthropic, then /anthropic/v1", () => {
    expect(azureAnthropicBase("https://r.services.ai.azure.com").value).toBe("https://r.services.ai.azure.com/anthropic/v1");
    expect(azureAnthropicBase("https://r.services.ai.azure.com/anthropic/").value).toBe("https://r.services.ai.azure.com/anthropic/v1");
    expect(azureAnthropicBase("https://r.services.ai.azure.com/anthropic/v1/messages").value).toBe("https://r.services.ai.azure.com/anthropic/v1");
  });

  test("ollama: origin -> origin/v1; an OpenAI-wire base loses a trailing /chat/completions", () => {
    expect(ollamaBase("http://10.0.0.5:11434/").value).toBe("http://10.0.0.5:11434/v1");
    expect(ollamaBase("http://10.0.0.5:11434/v1").value).toBe("http://10.0.0.5:11434/v1");
    expect(openAIRoot("https://x.inference.ai.azure.com/chat/completions").value).toBe("https://x.inference.ai.azure.com");
  });

  test("vertex_ai: a model URL whose model, wildcard or publisher does not fit is a problem saying why", () => {
    const url = "https://gw.example/v1/projects/p/locations/l/publishers/google/models/gemini-2.5-pro";
    expect(vertexBase("gemini-2.5-pro")(url)).toEqual({ value: "https://gw.example/v1", siblings: { vertex_project: "p", vertex_location: "l" } });
    expect(vertexBase("gemini-2.5-flash")(url).problem).toContain("names model gemini-2.5-pro but litellm_params.model is vertex_ai/gemini-2.5-flash");
    expect(vertexBase("*")(url).problem).toContain("wildcard");
    expect(vertexBase("claude-sonnet-4-5")(url.replace("gemini-2.5-pro", "claude-sonnet-4-5")).problem).toContain("publisher anthropic");
    expect(vertexBase("gemini-2.5-pro")("https://us-central1-aiplatform.googleapis.com").problem).toContain("expected a model's URL");
  });

  test("the translated config shows the provider and base Switchboard uses; a wrong vertex api_base stops start-up at the user's path", async () => {
    const { config } = fromLiteLLM({
      model_list: [
        { model_name: "a", litellm_params: { model: "azure_ai/phi-4", api_base: "https://r.services.ai.azure.com", api_key: "k" } },
        { model_name: "b", litellm_params: { model: "azure_ai/gpt-4o", api_base: "https://r.openai.azure.com/", api_key: "k" } },
        { model_name: "c", litellm_params: { model: "vertex_ai/gemini-2.5-pro", api_base: "https://gw.example/v1beta1/projects/p/locations/global/publishers/google/models/gemini-2.5-pro" } },
      ],
    });
    expect(config.models?.map((m) => [m.model, m.api_base])).toEqual([
      ["azure/phi-4", "https://r.services.ai.azure.com/models"],
      ["azure/gpt-4o", "https://r.openai.azure.com"],
      ["vertex_ai/gemini-2.5-pro", "https://gw.example/v1beta1"],
    ]);
    expect(config.models?.[2]).toMatchObject({ vertex_project: "p", vertex_location: "global" });
    const error = await configError(() => loadConfigValue({ model_list: [{ model_name: "v", litellm_params: { model: "vertex_ai/gemini-2.5-pro", api_base: "https://proxy.example" } }] }, "l.yaml", {}));
    expect(error.problems).toEqual([expect.stringMatching(/^model_list\[0\]\.litellm_params\.api_base: expected a model's URL/)]);
  });
});
