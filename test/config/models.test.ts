import { describe, expect, test } from "bun:test";
import type { Config, ModelEntry } from "../../src/config/schema.ts";
import { MOCK_MODELS } from "../../src/providers/mock/catalogue.ts";
import { PROVIDERS } from "../../src/providers/registry.ts";
import { buildModelTable } from "../../src/router/models.ts";
import { startGateway } from "../support/build-test-app.ts";

/** Only the models given: no mock catalogue, no environment providers. */
function only(models: ModelEntry[], env: Record<string, string | undefined> = {}) {
  return buildModelTable({ settings: { mock_models: false, env_provider_models: false }, models }, env);
}

const KEY = "sk-test";
const ids = (config: Config, env: Record<string, string | undefined> = {}) => buildModelTable(config, env).table.list().map((m) => m.id);
const mockIds = MOCK_MODELS.map((m) => m.id);

describe("name resolution", () => {
  test("an exact name wins over a wildcard, whatever the order in the config", () => {
    const { table, problems } = only([
      { model_name: "openai/*", model: "openai/*", api_key: KEY },
      { model_name: "openai/gpt-4o", model: "openai/gpt-4o-2024-08-06", api_key: KEY, id: "pinned" },
    ]);
    expect(problems).toEqual([]);
    const exact = table.resolve("openai/gpt-4o");
    expect(exact?.deployment.id).toBe("pinned");
    expect(exact?.target.model).toBe("gpt-4o-2024-08-06");
    const wild = table.resolve("openai/gpt-4o-mini");
    expect(wild?.deployment.id).toBe("openai/*");
    expect(wild?.target.model).toBe("gpt-4o-mini");
  });

  test("a wildcard matches only its prefix, and needs something after it", () => {
    const { table } = only([{ model_name: "openai/*", model: "openai/*", api_key: KEY }]);
    expect(table.resolve("openaiz/x")).toBeUndefined();
    expect(table.resolve("openai")).toBeUndefined();
    expect(table.resolve("openai/")).toBeUndefined();
    expect(table.resolve("xopenai/gpt-4o")).toBeUndefined();
    expect(table.resolve("openai/x")?.target.model).toBe("x");
  });

  for (const order of ["short first", "long first"]) {
    test(`the longest wildcard prefix wins (${order})`, () => {
      const short: ModelEntry = { model_name: "openai/*", model: "openai/*", api_key: KEY, id: "short" };
      const long: ModelEntry = { model_name: "openai/gpt-4*", model: "openai/gpt-4*", api_key: KEY, id: "long" };
      const { table } = only(order === "short first" ? [short, long] : [long, short]);
      expect(table.resolve("openai/gpt-4o")?.deployment.id).toBe("long");
      expect(table.resolve("openai/gpt-4o")?.target.model).toBe("gpt-4o");
      expect(table.resolve("openai/gpt-3.5-turbo")?.deployment.id).toBe("short");
    });
  }

  test("`*` in model is replaced by what the wildcard matched", () => {
    const { table, problems } = only([
      { model_name: "llama/*", model: "groq/*", api_key: KEY },
      { model_name: "hf-*", model: "together/meta-llama/*-Turbo", api_key: KEY },
    ]);
    expect(problems).toEqual([]);
    expect(table.resolve("llama/llama-3.3-70b-versatile")?.target).toEqual({ model: "llama-3.3-70b-versatile", apiBase: "https://api.groq.com/openai/v1", apiKey: KEY });
    expect(table.resolve("hf-Llama-3.3-70B-Instruct")?.target.model).toBe("meta-llama/Llama-3.3-70B-Instruct-Turbo");
    expect(table.resolve("hf-Llama-3.3-70B-Instruct")?.deployment.provider.id).toBe("together");
  });

  test("everything after the first '/' is the upstream model", () => {
    const { table } = only([{ model_name: "qwen", model: "openai_compatible/Qwen/Qwen2.5-7B-Instruct", api_base: "http://10.0.0.1:8000/v1" }]);
    expect(table.resolve("qwen")?.target).toEqual({ model: "Qwen/Qwen2.5-7B-Instruct", apiBase: "http://10.0.0.1:8000/v1" });
  });

  test("aliases resolve to the same deployment but are not listed", () => {
    const { table } = only([{ model_name: "gpt-4o", model: "openai/gpt-4o", api_key: KEY, aliases: ["default", "smart/*"] }]);
    expect(table.resolve("default")?.deployment).toBe(table.resolve("gpt-4o")?.deployment as never);
    expect(table.resolve("smart/anything")?.deployment.id).toBe("gpt-4o");
    expect(table.list()).toEqual([{ id: "gpt-4o", ownedBy: "openai" }]);
  });

  test("the list keeps configuration order, once per name", () => {
    const { table } = only([
      { model_name: "b", model: "openai/b", api_key: KEY },
      { model_name: "a", model: "openai/a", api_key: KEY },
      { model_name: "b", model: "groq/b", api_key: KEY },
    ]);
    expect(table.list().map((m) => m.id)).toEqual(["b", "a"]);
    // With several deployments under one name, the first one serves.
    expect(table.resolve("b")?.deployment.provider.id).toBe("openai");
  });

  test("deployment fields: key, base URL, headers, timeouts", () => {
    const { table } = buildModelTable(
      {
        settings: { mock_models: false, env_provider_models: false, request_timeout_seconds: 42 },
        models: [
          { model_name: "a", model: "openai/a", api_key: "sk-a", api_base: "https://proxy.example/v1", headers: { "X-T": "1" }, timeout_seconds: 1.5 },
          { model_name: "b", model: "openai/b" },
        ],
      },
      { OPENAI_API_KEY: "sk-env", OPENAI_API_BASE: "https://env.example/v1" },
    );
    const a = table.resolve("a");
    expect(a?.target).toEqual({ model: "a", apiBase: "https://proxy.example/v1", apiKey: "sk-a", headers: { "X-T": "1" } });
    expect(a?.deployment.timeoutMs).toBe(1500);
    const b = table.resolve("b");
    expect(b?.target).toEqual({ model: "b", apiBase: "https://env.example/v1", apiKey: "sk-env" });
    expect(b?.deployment.timeoutMs).toBe(42_000);
  });

  test("the default timeout is 600 s", () => {
    const { table } = only([{ model_name: "a", model: "openai/a", api_key: KEY }]);
    expect(table.resolve("a")?.deployment.timeoutMs).toBe(600_000);
  });
});

describe("models from the environment", () => {
  test("<provider>/* appears only when the provider's key is in the env passed in", () => {
    const withKey = buildModelTable({}, { GROQ_API_KEY: "gsk-k" }).table;
    expect(withKey.list().map((m) => m.id)).toContain("groq/*");
    expect(withKey.resolve("groq/llama-3.3-70b-versatile")?.target).toEqual({ model: "llama-3.3-70b-versatile", apiBase: "https://api.groq.com/openai/v1", apiKey: "gsk-k" });
    expect(withKey.resolve("openai/gpt-4o")).toBeUndefined();

    const without = buildModelTable({}, {}).table;
    expect(without.list().map((m) => m.id)).not.toContain("groq/*");
    expect(without.resolve("groq/llama-3.3-70b-versatile")).toBeUndefined();
    expect(buildModelTable({}, { GROQ_API_KEY: "" }).table.resolve("groq/x")).toBeUndefined();
  });

  test("every key variable a provider accepts enables it", () => {
    expect(buildModelTable({}, { TOGETHERAI_API_KEY: "t" }).table.resolve("together/x")?.target.apiKey).toBe("t");
    expect(buildModelTable({}, { PERPLEXITY_API_KEY: "p" }).table.resolve("perplexity/sonar")?.target.apiKey).toBe("p");
  });

  test("env_provider_models: false turns them off", () => {
    expect(ids({ settings: { env_provider_models: false } }, { OPENAI_API_KEY: KEY, GROQ_API_KEY: KEY })).toEqual(mockIds);
  });

  test("local servers appear only when their base URL variable is set", () => {
    expect(ids({})).not.toContain("ollama/*");
    const table = buildModelTable({}, { OLLAMA_API_BASE: "http://gpu-box:11434/v1" }).table;
    expect(table.list().map((m) => m.id)).toContain("ollama/*");
    expect(table.resolve("ollama/llama3.2")?.target).toEqual({ model: "llama3.2", apiBase: "http://gpu-box:11434/v1" });
    // A key alone does not enable a local server.
    expect(ids({}, { VLLM_API_KEY: "v" })).not.toContain("vllm/*");
    expect(buildModelTable({}, { VLLM_API_BASE: "http://v:8000/v1", VLLM_API_KEY: "v" }).table.resolve("vllm/m")?.target.apiKey).toBe("v");
  });

  test("with nothing in the environment, exactly the mock catalogue is served", () => {
    expect(ids({}, {})).toEqual(mockIds);
  });
});

describe("mock models", () => {
  test("are served by default, under their catalogue names", () => {
    const { table } = buildModelTable({}, {});
    for (const id of mockIds) {
      const resolved = table.resolve(id);
      expect(resolved?.deployment.provider.id).toBe("mock");
      expect(resolved?.target.model).toBe(id);
    }
    // Any mock/error-<status> works through the unlisted mock/* pattern.
    expect(table.resolve("mock/error-503")?.target.model).toBe("mock/error-503");
    expect(table.list().map((m) => m.id)).not.toContain("mock/*");
  });

  test("are absent with mock_models: false", () => {
    const { table } = buildModelTable({ settings: { mock_models: false } }, {});
    expect(table.list()).toEqual([]);
    expect(table.resolve("mock/echo")).toBeUndefined();
    expect(table.resolve("mock/error-503")).toBeUndefined();
  });

  test("a configured deployment of a mock model answers (the mock gets the name it knows)", async () => {
    const gateway = await startGateway({ settings: { mock_models: false }, models: [{ model_name: "my-echo", model: "mock/echo" }] });
    try {
      const response = await fetch(`${gateway.baseURL}/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "my-echo", messages: [{ role: "user", content: "hello there" }] }),
      });
      const body = (await response.json()) as { choices?: { message: { content: string } }[]; error?: { message: string } };
      expect(body.error?.message).toBeUndefined();
      expect(response.status).toBe(200);
      expect(body.choices?.[0]?.message.content).toBe("Echo: hello there");
    } finally {
      await gateway.stop();
    }
  });
});

describe("problems", () => {
  test("an unknown provider", () => {
    const { table, problems } = only([{ model_name: "x", model: "nosuch/gpt-4o" }]);
    expect(problems).toEqual([`models[0].model: unknown provider 'nosuch' (known: ${[...PROVIDERS.keys()].join(", ")})`]);
    expect(table.resolve("x")).toBeUndefined();
  });

  test("a missing key names the variable to set", () => {
    const { table, problems } = only([
      { model_name: "ok", model: "openai/gpt-4o", api_key: KEY },
      { model_name: "nokey", model: "groq/llama" },
    ]);
    expect(problems).toEqual(["models[1]: Groq needs an API key; set api_key: os.environ/GROQ_API_KEY (or export GROQ_API_KEY)"]);
    expect(table.resolve("ok")).toBeDefined();
    expect(table.resolve("nokey")).toBeUndefined();
    // The key variable in the environment is enough.
    expect(only([{ model_name: "nokey", model: "groq/llama" }], { GROQ_API_KEY: "g" }).problems).toEqual([]);
  });

  test("openai_compatible without api_base", () => {
    expect(only([{ model_name: "x", model: "openai_compatible/m" }]).problems).toEqual(["models[0]: OpenAI-compatible server has no default URL; set api_base"]);
    expect(only([{ model_name: "x", model: "openai_compatible/m" }], { OPENAI_COMPATIBLE_API_BASE: "http://h/v1" }).problems).toEqual([]);
    expect(only([{ model_name: "x", model: "openai_compatible/m", api_base: "http://h/v1" }]).problems).toEqual([]);
  });

  test("a local server needs no key", () => {
    expect(only([{ model_name: "x", model: "ollama/llama3.2" }]).problems).toEqual([]);
  });

  test("a duplicate explicit id; duplicate model names get distinct ids", () => {
    const { table, problems } = only([
      { model_name: "a", model: "openai/a", api_key: KEY, id: "dep" },
      { model_name: "b", model: "openai/b", api_key: KEY, id: "dep" },
      { model_name: "c", model: "openai/c", api_key: KEY },
      { model_name: "c", model: "groq/c", api_key: KEY },
    ]);
    expect(problems).toEqual(["models[1].id: 'dep' is used by another deployment"]);
    expect(table.resolve("c")?.deployment.id).toBe("c");
  });

  test("'*' in model needs a wildcard model_name", () => {
    expect(only([{ model_name: "llama", model: "groq/*", api_key: KEY }]).problems).toEqual(["models[0].model: '*' in model needs a model_name ending in '*'"]);
  });

  test("every problem is reported, not just the first", () => {
    const { problems } = only([
      { model_name: "a", model: "nosuch/x" },
      { model_name: "b", model: "openai/x" },
      { model_name: "c", model: "openai_compatible/x" },
    ]);
    expect(problems).toHaveLength(3);
    expect(problems.map((p) => p.split(":")[0])).toEqual(["models[0].model", "models[1]", "models[2]"]);
  });
});
