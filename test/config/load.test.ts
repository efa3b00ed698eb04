import { describe, expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { redactConfig, resolveEnvRefs } from "../../src/config/env-refs.ts";
import { ConfigError } from "../../src/config/errors.ts";
import { fromLiteLLM, isLiteLLMConfig } from "../../src/config/litellm.ts";
import { loadConfigFile, loadConfigValue, parseConfigText } from "../../src/config/load.ts";
import { ConfigSchema, ModelEntrySchema, PassThroughEndpointSchema } from "../../src/config/schema.ts";
import { buildModelTable } from "../../src/router/models.ts";
import { configError } from "../support/config-error.ts";
import { useTempDir } from "../support/temp-dir.ts";

const root = resolve(import.meta.dir, "../..");
const { file: fileWith } = useTempDir("switchboard-config-");

describe("native config", () => {
  test("a valid YAML file loads, validated and with references resolved", async () => {
    const path = await fileWith(
      "valid.yaml",
      `server:
  host: 0.0.0.0
  port: 8080
auth:
  master_key: os.environ/SB_KEY
settings:
  drop_params: true
models:
  - model_name: gpt-4o
    model: openai/gpt-4o
    api_key: os.environ/OPENAI_API_KEY
    timeout_seconds: 12.5
    aliases: [default]
`,
    );
    const loaded = await loadConfigFile(path, { SB_KEY: "master-secret", OPENAI_API_KEY: "sk-test" });
    expect(loaded.format).toBe("switchboard");
    expect(loaded.warnings).toEqual([]);
    expect(loaded.config).toEqual({
      server: { host: "0.0.0.0", port: 8080 },
      auth: { master_key: "master-secret" },
      settings: { drop_params: true },
      models: [{ model_name: "gpt-4o", model: "openai/gpt-4o", api_key: "sk-test", timeout_seconds: 12.5, aliases: ["default"] }],
    });
    // `written` keeps the references, so a dump never needs the secrets.
    expect(loaded.written.auth?.master_key).toBe("os.environ/SB_KEY");
    expect(loaded.written.models?.[0]?.api_key).toBe("os.environ/OPENAI_API_KEY");
  });

  test("an empty file is an empty config", async () => {
    const loaded = await loadConfigFile(await fileWith("empty.yaml", "# nothing here\n"), {});
    expect(loaded.config).toEqual({});
  });

  test("unknown keys and wrong types are all reported in one error, each with its path", async () => {
    const raw = parseConfigText(
      `server:
  hots: 0.0.0.0
  port: "eighty"
settings:
  drop_params: "yes"
models:
  - model_name: gpt-4o
    model: gpt-4o
    api_base: ftp://example.com
    timeout: 30
bogus: 1
`,
      "bad.yaml",
    );
    const error = await configError(() => loadConfigValue(raw, "bad.yaml", {}));
    expect(error.source).toBe("bad.yaml");
    expect([...error.problems].sort()).toEqual(
      [
        "server.hots: unknown key; did you mean `host`?",
        'server.port: expected an integer, got "eighty"',
        'settings.drop_params: expected true or false, got "yes"',
        "models[0].timeout: unknown key; did you mean `timeout_seconds`?",
        'models[0].model: expected <provider>/<upstream model>, e.g. openai/gpt-4o, got "gpt-4o"',
        'models[0].api_base: expected a URL starting with http:// or https://, got "ftp://example.com"',
        "bogus: unknown key (allowed: server, auth, settings, store, budgets, pricing, models, router, tracing, pass_through_endpoints, mcp_servers)",
      ].sort(),
    );
    expect(error.message).toStartWith("bad.yaml: 7 problems\n");
    expect(error.message).toContain("  - server.hots: unknown key; did you mean `host`?\n");
    expect(error.message).toContain('  - server.port: expected an integer, got "eighty"');
  });

  test("out-of-range numbers are rejected with their path", async () => {
    const error = await configError(() =>
      loadConfigValue({ server: { port: 70000, idle_timeout_seconds: 0 }, models: [{ model_name: "", model: "openai/x", timeout_seconds: 0 }] }, "r.yaml", {}),
    );
    expect(error.problems).toContain("server.port: expected at most 65535, got 70000");
    expect(error.problems).toContain("server.idle_timeout_seconds: expected at least 1, got 0");
    expect(error.problems).toContain('models[0].model_name: expected a non-empty string, got ""');
    expect(error.problems).toContain("models[0].timeout_seconds: expected more than 0, got 0");
    expect(error.problems).toHaveLength(4);
  });

  test("a top-level that is not a mapping is one problem at the top level", async () => {
    const error = await configError(() => loadConfigValue(["a", "b"], "list.yaml", {}));
    expect(error.problems).toEqual(["(top level): expected a mapping, got a list"]);
  });

  test("a message says '1 problem', not '1 problems'", () => {
    expect(new ConfigError("x.yaml", ["/a: b"]).message).toBe("x.yaml: 1 problem\n  - /a: b");
  });
});

describe("os.environ/ references", () => {
  test("resolve from the env passed in, not from process.env", () => {
    const name = "SWITCHBOARD_TEST_ONLY_VAR_NOT_IN_PROCESS_ENV";
    expect(process.env[name]).toBeUndefined();
    const loaded = loadConfigValue(
      { auth: { master_key: ` os.environ/${name} ` }, models: [{ model_name: "m", model: "openai/m", headers: { Authorization: `os.environ/${name}` } }] },
      "refs.yaml",
      { [name]: "from-fake-env" },
    );
    expect(loaded.config.auth?.master_key).toBe("from-fake-env");
    expect(loaded.config.models?.[0]?.headers).toEqual({ Authorization: "from-fake-env" });
  });

  test("only a whole-string reference is resolved", () => {
    const loaded = loadConfigValue({ models: [{ model_name: "os.environ/A and more", model: "openai/x", headers: { "X-Note": "see os.environ/A" } }] }, "r.yaml", { A: "a" });
    expect(loaded.config.models?.[0]?.model_name).toBe("os.environ/A and more");
    expect(loaded.config.models?.[0]?.headers?.["X-Note"]).toBe("see os.environ/A");
  });

  test("a missing or empty variable is an error naming the path and the variable", async () => {
    const error = await configError(() =>
      loadConfigValue(
        { auth: { master_key: "os.environ/SB_MASTER" }, models: [{ model_name: "m", model: "openai/m", api_key: "os.environ/OPENAI_API_KEY" }] },
        "env.yaml",
        { SB_MASTER: "" },
      ),
    );
    expect(error.problems).toEqual([
      "auth.master_key: environment variable SB_MASTER is not set",
      "models[0].api_key: environment variable OPENAI_API_KEY is not set",
    ]);
  });

  test("resolveEnvRefs reports a missing variable with its path and records which variable each path named", () => {
    const resolution = resolveEnvRefs({ auth: { master_key: "os.environ/NOPE" }, server: { port: "os.environ/PORT" } }, { PORT: "81" });
    expect(resolution.problems).toEqual([{ path: ["auth", "master_key"], message: "environment variable NOPE is not set" }]);
    expect(resolution.value).toEqual({ auth: { master_key: undefined }, server: { port: 81 } });
    expect([...resolution.refs]).toEqual([
      ["auth.master_key", "NOPE"],
      ["server.port", "PORT"],
    ]);
  });

  test("schema problems and missing variables are reported together (every problem, not the first kind)", async () => {
    const error = await configError(() =>
      loadConfigValue({ server: { hots: "x" }, auth: { master_key: "os.environ/SB_MISSING" } }, "mixed.yaml", {}),
    );
    expect(error.problems).toContain("server.hots: unknown key; did you mean `host`?");
    expect(error.problems).toContain("auth.master_key: environment variable SB_MISSING is not set");
  });
});

describe("redactConfig", () => {
  test("references stay as written, inline secrets become ***, everything else is untouched", () => {
    const written = {
      auth: { master_key: "sk-inline-master" },
      models: [
        { model_name: "a", model: "openai/a", api_key: "os.environ/OPENAI_API_KEY", headers: { Authorization: "Bearer sk-inline", "X-Api-Key": "k", "X-Title": "demo" } },
        { model_name: "b", model: "openai/b", api_key: "sk-proj-abcdef", api_base: "https://api.openai.com/v1" },
      ],
    };
    expect(redactConfig(written)).toEqual({
      auth: { master_key: "***" },
      models: [
        { model_name: "a", model: "openai/a", api_key: "os.environ/OPENAI_API_KEY", headers: { Authorization: "***", "X-Api-Key": "***", "X-Title": "demo" } },
        { model_name: "b", model: "openai/b", api_key: "***", api_base: "https://api.openai.com/v1" },
      ],
    });
    // A copy: the input is not modified.
    expect(written.auth.master_key).toBe("sk-inline-master");
  });

  test("a reference to a master key is shown, so --print tells where the secret comes from", () => {
    expect(redactConfig({ auth: { master_key: "os.environ/SWITCHBOARD_MASTER_KEY" } })).toEqual({ auth: { master_key: "os.environ/SWITCHBOARD_MASTER_KEY" } });
  });
});

describe("parsing", () => {
  test("invalid YAML is a ConfigError naming the file, line and column", async () => {
    const path = await fileWith("broken.yaml", "models:\n  - model_name: [unclosed\n    model: openai/x\n");
    const error = await configError(() => loadConfigFile(path, {}));
    expect(error.source).toBe(path);
    expect(error.problems).toHaveLength(1);
    expect(error.problems[0]).toStartWith("2:17: YAML syntax error: ");
    expect(error.message).toStartWith(`${path}:2:17: YAML syntax error: `);
  });

  test("a .json file is parsed as JSON and validated the same way", async () => {
    const path = await fileWith("config.json", JSON.stringify({ settings: { mock_models: false }, models: [{ model_name: "x", model: "openai/gpt-4o", api_key: "os.environ/K" }] }));
    const loaded = await loadConfigFile(path, { K: "key" });
    expect(loaded.config).toEqual({ settings: { mock_models: false }, models: [{ model_name: "x", model: "openai/gpt-4o", api_key: "key" }] });
  });

  test("invalid JSON in a .json file is a parse error", async () => {
    const error = await configError(async () => loadConfigFile(await fileWith("bad.json", '{"models": [}'), {}));
    expect(error.problems[0]).toStartWith("1:13: JSON syntax error: ");
  });

  test("a missing file is 'file not found'", async () => {
    const path = join(tmpdir(), `switchboard-missing-${process.pid}.yaml`);
    const error = await configError(() => loadConfigFile(path, {}));
    expect(error.problems).toEqual(["file not found"]);
  });
});

describe("LiteLLM import", () => {
  const small = {
    model_list: [
      {
        model_name: "gpt-4o",
        litellm_params: { model: "openai/gpt-4o", api_key: "os.environ/OPENAI_API_KEY", rpm: 100, timeout: 30, extra_headers: { "X-Team": "a", "X-Num": 7 } },
        model_info: { id: "gpt-4o-1" },
      },
      { model_name: "local", litellm_params: { model: "qwen", base_url: "http://10.0.0.1:8000/v1", custom_llm_provider: "openai_compatible" } },
    ],
    litellm_settings: { drop_params: true, request_timeout: 90, success_callback: ["langfuse"] },
    general_settings: { master_key: "os.environ/LITELLM_MASTER_KEY", database_url: "postgres://x" },
    router_settings: { routing_strategy: "latency-based-routing", num_retries: 3 },
    environment_variables: { LITELLM_MASTER_KEY: "sk-from-file", PORT_NUMBER: 8 },
    extra_section: {},
  };

  test("is recognised by any LiteLLM section", () => {
    expect(isLiteLLMConfig({ model_list: [] })).toBe(true);
    expect(isLiteLLMConfig({ router_settings: {} })).toBe(true);
    expect(isLiteLLMConfig({ models: [] })).toBe(false);
    expect(isLiteLLMConfig(null)).toBe(false);
  });

  test("maps model_list, litellm_params, custom_llm_provider, model_info.id, master_key, drop_params, request_timeout and environment_variables; budgets soft", () => {
    const { config, env } = fromLiteLLM(small);
    expect(config).toEqual({
      models: [
        { model_name: "gpt-4o", model: "openai/gpt-4o", api_key: "os.environ/OPENAI_API_KEY", rpm: 100, timeout_seconds: 30, headers: { "X-Team": "a", "X-Num": "7" }, id: "gpt-4o-1" },
        { model_name: "local", model: "openai_compatible/qwen", api_base: "http://10.0.0.1:8000/v1" },
      ],
      auth: { master_key: "os.environ/LITELLM_MASTER_KEY" },
      settings: { drop_params: true, request_timeout_seconds: 90, mock_models: false, env_provider_models: false },
      router: { strategy: "latency-based", num_retries: 3 },
      budgets: { mode: "soft" },
    });
    expect(env).toEqual({ LITELLM_MASTER_KEY: "sk-from-file", PORT_NUMBER: "8" });
  });

  test("emits exactly one warning per item it cannot honour", () => {
    expect(fromLiteLLM(small).warnings).toEqual([
      "general_settings.database_url: Switchboard keeps keys, teams, users and spend in SQLite in its data directory (--data-dir, or general_settings.switchboard.store.data_dir); PostgreSQL is not supported yet; ignored",
      "litellm_settings.success_callback: langfuse not supported; Switchboard exports OpenInference traces over OTLP instead (general_settings.switchboard.tracing, or OTEL_EXPORTER_OTLP_ENDPOINT)",
      "extra_section: not a LiteLLM config section; ignored",
    ]);
  });

  test("loads end to end: environment_variables resolve references without touching process.env", () => {
    const loaded = loadConfigValue(small, "litellm.yaml", { OPENAI_API_KEY: "sk-openai" });
    expect(loaded.format).toBe("litellm");
    expect(loaded.config.auth?.master_key).toBe("sk-from-file");
    expect(loaded.config.models?.[0]?.api_key).toBe("sk-openai");
    expect(loaded.written.auth?.master_key).toBe("os.environ/LITELLM_MASTER_KEY");
    expect(loaded.warnings).toHaveLength(3);
    expect(process.env.PORT_NUMBER).toBeUndefined();
  });

  test("the translated config is validated like a native one", async () => {
    const error = await configError(() => loadConfigValue({ model_list: [{ model_name: "bare", litellm_params: { model: "gpt-4o" } }] }, "l.yaml", {}));
    expect(error.problems).toEqual(['model_list[0].litellm_params.model: expected <provider>/<upstream model>, e.g. openai/gpt-4o, got "gpt-4o"']);
  });

  test("model_info keys other than id and prices/limits are named in a warning, not dropped silently", () => {
    const { warnings, config } = fromLiteLLM({
      model_list: [{ model_name: "gpt-4o", litellm_params: { model: "openai/gpt-4o" }, model_info: { id: "a", mode: "chat", input_cost_per_token: 0.0000025 } }],
    });
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("model_info");
    expect(warnings[0]).toContain("mode");
    expect(warnings[0]).not.toContain("input_cost_per_token");
    expect(config.models?.[0]?.price).toEqual({ input: 2.5 });
  });

  test("LiteLLM's per-token costs and token limits become an exact per-deployment price", () => {
    const { warnings, config } = fromLiteLLM({
      model_list: [
        {
          model_name: "internal",
          litellm_params: { model: "openai/my-model", input_cost_per_token: 1.5e-7, output_cost_per_token: 0.0000006, cache_read_input_token_cost: 7.5e-8, cache_creation_input_token_cost: 3.75e-7 },
          model_info: { max_input_tokens: 32000, max_output_tokens: 4096 },
        },
      ],
    });
    expect(warnings).toEqual([]);
    expect(config.models?.[0]?.price).toEqual({ input: 0.15, output: 0.6, cache_read: 0.075, cache_write: 0.375, context_window: 32000, max_output_tokens: 4096 });
    const { table, problems } = buildModelTable(config, { OPENAI_API_KEY: "sk-x" });
    expect(problems).toEqual([]);
    const resolved = table.resolve("internal");
    // Pico-dollars per token: $1.5e-7 a token is 150,000.
    expect(resolved?.deployment.priceOf(resolved.target.model)).toMatchObject({ input: 150_000, output: 600_000, cacheRead: 75_000, cacheWrite: 375_000, contextWindow: 32000, maxOutputTokens: 4096 });
  });

  test("LiteLLM's long-context (`_above_200k_tokens`) and 1-hour cache-write costs, in litellm_params or model_info, become tiers; no token limits needed", () => {
    const { warnings, config } = fromLiteLLM({
      model_list: [
        {
          model_name: "long",
          litellm_params: { model: "openai_compatible/long-1", api_base: "http://10.0.0.1/v1", input_cost_per_token: 3e-6, output_cost_per_token: 1.5e-5, input_cost_per_token_above_200k_tokens: 6e-6 },
          model_info: { output_cost_per_token_above_200k_tokens: 2.25e-5, cache_read_input_token_cost: 3e-7, cache_read_input_token_cost_above_200k_tokens: 6e-7, cache_creation_input_token_cost_above_1hr: 6e-6, input_cost_per_token_above_128k_tokens: 4e-6 },
        },
      ],
    });
    expect(warnings).toEqual([]);
    expect(config.models?.[0]?.price).toEqual({
      input: 3,
      output: 15,
      cache_read: 0.3,
      cache_write_1h: 6,
      tiers: [
        { above: 128_000, input: 4 },
        { above: 200_000, input: 6, output: 22.5, cache_read: 0.6 },
      ],
    });
    const { table, problems } = buildModelTable(config, {});
    expect(problems).toEqual([]);
    const resolved = table.resolve("long");
    const price = resolved?.deployment.priceOf(resolved.target.model);
    expect(price?.tiers).toEqual([
      { above: 128_000, input: 4_000_000, output: 15_000_000, cacheRead: 300_000, cacheWrite: 3_000_000, cacheWrite1h: 6_000_000 },
      { above: 200_000, input: 6_000_000, output: 22_500_000, cacheRead: 600_000, cacheWrite: 3_000_000, cacheWrite1h: 6_000_000 },
    ]);
  });
});

describe("the example configs in config/", () => {
  // A service account whose key is never used: loading only checks the document's fields.
  const serviceAccount = join(mkdtempSync(join(tmpdir(), "sb-sa-")), "sa.json");
  writeFileSync(serviceAccount, JSON.stringify({ type: "service_account", project_id: "p", private_key_id: "k1", private_key: "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", client_email: "sa@p.iam.gserviceaccount.com" }));
  const env = {
    OPENAI_API_KEY: "sk-fake-openai",
    ANTHROPIC_API_KEY: "sk-ant-fake",
    GROQ_API_KEY: "gsk-fake",
    GITHUB_TOKEN: "ghp-fake",
    GEMINI_API_KEY: "gm-fake",
    GOOGLE_APPLICATION_CREDENTIALS: serviceAccount,
    AWS_ACCESS_KEY_ID: "AKIAFAKE",
    AWS_SECRET_ACCESS_KEY: "fake-secret",
    AWS_SESSION_TOKEN: "fake-session",
    AZURE_API_KEY: "az-fake",
    COHERE_API_KEY: "co-fake",
    SWITCHBOARD_MASTER_KEY: "fake-master",
    LITELLM_MASTER_KEY: "sk-fake-litellm",
  };

  for (const name of ["minimal.yaml", "switchboard.yaml", "litellm.yaml"]) {
    test(`${name} loads and builds a model table without problems`, async () => {
      const loaded = await loadConfigFile(join(root, "config", name), env);
      const { table, problems } = buildModelTable(loaded.config, env);
      expect(problems).toEqual([]);
      // A LiteLLM file serves its model_list only, as LiteLLM does; the others keep the mock models.
      if (name === "litellm.yaml") {
        expect(table.resolve("gpt-4o")?.target.model).toBe("gpt-4o");
        expect(table.resolve("mock/echo")).toBeUndefined();
      } else {
        expect(table.resolve("mock/echo")?.target.model).toBe("mock/echo");
      }
    });
  }

  test("minimal.yaml serves one OpenAI model with the key from the environment", async () => {
    const loaded = await loadConfigFile(join(root, "config/minimal.yaml"), env);
    expect(loaded.config.models).toHaveLength(1);
    const { table } = buildModelTable(loaded.config, env);
    const model = loaded.config.models?.[0]?.model_name as string;
    const resolved = table.resolve(model);
    expect(resolved?.deployment.provider.id).toBe("openai");
    expect(resolved?.target.apiKey).toBe("sk-fake-openai");
  });

  test("minimal.yaml needs OPENAI_API_KEY", async () => {
    const error = await configError(() => loadConfigFile(join(root, "config/minimal.yaml"), {}));
    expect(error.problems).toEqual(["models[0].api_key: environment variable OPENAI_API_KEY is not set"]);
  });

  test("switchboard.yaml shows every key of the schema", async () => {
    const { written } = await loadConfigFile(join(root, "config/switchboard.yaml"), env);
    const sections = ConfigSchema.properties;
    expect(Object.keys(written).sort()).toEqual(Object.keys(sections).sort());
    for (const section of ["server", "auth", "settings"] as const) {
      const keys = Object.keys(sections[section].properties);
      expect(Object.keys(written[section] ?? {}).sort()).toEqual(keys.sort());
    }
    const modelKeys = new Set((written.models ?? []).flatMap((m) => Object.keys(m)));
    expect([...modelKeys].sort()).toEqual(Object.keys(ModelEntrySchema.properties).sort());
    const endpointKeys = new Set((written.pass_through_endpoints ?? []).flatMap((e) => Object.keys(e)));
    expect([...endpointKeys].sort()).toEqual(Object.keys(PassThroughEndpointSchema.properties).sort());
    expect(written.auth?.master_key).toBe("os.environ/SWITCHBOARD_MASTER_KEY");
    const providers = new Set((written.models ?? []).map((m) => m.model.split("/")[0]));
    expect(providers).toEqual(new Set(["openai", "anthropic", "groq", "openai_compatible", "ollama", "gemini", "vertex_ai", "bedrock", "azure"]));
  });

  test("switchboard.yaml: master key, aliases, wildcard and local models resolve as documented", async () => {
    const loaded = await loadConfigFile(join(root, "config/switchboard.yaml"), env);
    expect(loaded.config.auth?.master_key).toBe("fake-master");
    const { table } = buildModelTable(loaded.config, env);
    const llama = table.resolve("llama/llama-3.3-70b-versatile");
    expect(llama?.deployment.provider.id).toBe("groq");
    expect(llama?.target).toEqual({ model: "llama-3.3-70b-versatile", apiBase: "https://api.groq.com/openai/v1", apiKey: "gsk-fake" });
    expect(llama?.deployment.timeoutMs).toBe(60_000);
    expect(table.resolve("default")?.deployment.id).toBe("openai-gpt-4o-primary");
    expect(table.resolve("internal-qwen")?.target.model).toBe("Qwen/Qwen2.5-7B-Instruct");
    expect(table.resolve("local-llama")?.deployment.provider.id).toBe("ollama");
    expect(table.list().map((m) => m.id)).not.toContain("default");
  });

  test("switchboard.yaml fails without its variables, naming each", async () => {
    const error = await configError(() => loadConfigFile(join(root, "config/switchboard.yaml"), {}));
    expect([...error.problems].sort()).toEqual([
      "auth.master_key: environment variable SWITCHBOARD_MASTER_KEY is not set",
      "mcp_servers.github.auth_value: environment variable GITHUB_TOKEN is not set",
      "models[0].api_key: environment variable OPENAI_API_KEY is not set",
      "models[10].api_key: environment variable AZURE_API_KEY is not set",
      "models[1].api_key: environment variable OPENAI_API_KEY is not set",
      "models[3].api_key: environment variable ANTHROPIC_API_KEY is not set",
      "models[4].api_key: environment variable GROQ_API_KEY is not set",
      "models[7].api_key: environment variable GEMINI_API_KEY is not set",
      "models[8].vertex_credentials: environment variable GOOGLE_APPLICATION_CREDENTIALS is not set",
      "models[9].aws_access_key_id: environment variable AWS_ACCESS_KEY_ID is not set",
      "models[9].aws_secret_access_key: environment variable AWS_SECRET_ACCESS_KEY is not set",
      "models[9].aws_session_token: environment variable AWS_SESSION_TOKEN is not set",
      "pass_through_endpoints[0].headers.Authorization: environment variable COHERE_API_KEY is not set",
    ]);
  });

  test("litellm.yaml is imported with one warning per unsupported setting", async () => {
    const loaded = await loadConfigFile(join(root, "config/litellm.yaml"), env);
    expect(loaded.format).toBe("litellm");
    expect(loaded.config.auth?.master_key).toBe("sk-fake-litellm");
    expect(loaded.config.settings).toEqual({ drop_params: true, request_timeout_seconds: 600, mock_models: false, env_provider_models: false });
    expect(loaded.config.models?.map((m) => m.id ?? m.model_name)).toEqual(["gpt-4o-eu-1", "gpt-4o-mini-1", "llama-3.3-70b", "internal-qwen"]);
    expect(loaded.config.models?.[3]?.api_key).toBe("not-a-real-key");
    expect(loaded.warnings).toEqual([
      "general_settings.database_url: Switchboard keeps keys, teams, users and spend in SQLite in its data directory (--data-dir, or general_settings.switchboard.store.data_dir); PostgreSQL is not supported yet; ignored",
      "litellm_settings.success_callback: langfuse not supported; Switchboard exports OpenInference traces over OTLP instead (general_settings.switchboard.tracing, or OTEL_EXPORTER_OTLP_ENDPOINT)",
    ]);
  });
});

describe("LiteLLM cloud deployments", () => {
  test("Azure, Bedrock and Vertex AI settings in litellm_params are imported as written (a service account mapping as JSON)", () => {
    const account = { type: "service_account", project_id: "p" };
    const { config, warnings } = fromLiteLLM({
      model_list: [
        { model_name: "az", litellm_params: { model: "azure/my-deployment", api_base: "https://r.openai.azure.com", api_key: "k", api_version: "2024-10-21" } },
        { model_name: "br", litellm_params: { model: "bedrock/anthropic.claude-3-haiku-20240307-v1:0", aws_region_name: "us-west-2", aws_access_key_id: "AKIA", aws_secret_access_key: "s", aws_session_token: "t" } },
        { model_name: "vx", litellm_params: { model: "vertex_ai/gemini-2.5-pro", vertex_project: "p", vertex_location: "europe-west4", vertex_credentials: account } },
      ],
    });
    expect(warnings).toEqual([]);
    expect(config.models?.[0]).toEqual({ model_name: "az", model: "azure/my-deployment", api_base: "https://r.openai.azure.com", api_key: "k", api_version: "2024-10-21" });
    expect(config.models?.[1]).toMatchObject({ aws_region_name: "us-west-2", aws_access_key_id: "AKIA", aws_secret_access_key: "s", aws_session_token: "t" });
    expect(config.models?.[2]).toMatchObject({ vertex_project: "p", vertex_location: "europe-west4", vertex_credentials: JSON.stringify(account) });
  });
});

describe("LiteLLM routing import", () => {
  test("model_list entries sharing a model_name become one group, with their routing params and the router settings", () => {
    const { config, warnings } = fromLiteLLM({
      model_list: [
        { model_name: "gpt-4o", litellm_params: { model: "openai/gpt-4o", api_key: "sk-a", rpm: 600, tpm: 90000, weight: 3, order: 1, stream_timeout: 15, tags: ["paid"], region_name: "eu-west-1" } },
        { model_name: "gpt-4o", litellm_params: { model: "hosted_vllm/gpt-4o", api_key: "sk-b", api_base: "http://10.0.0.2:8000/v1", weight: 1, order: 2 } },
      ],
      router_settings: { routing_strategy: "usage-based-routing-v2", num_retries: 4, allowed_fails: 2, cooldown_time: 30, routing_strategy_args: { lowest_latency_buffer: 0.2 } },
      litellm_settings: { fallbacks: [{ "gpt-4o": ["claude"] }], context_window_fallbacks: [{ "gpt-4o": ["gpt-4o-long"] }], content_policy_fallbacks: [{ "gpt-4o": ["claude"] }] },
    });
    expect(warnings).toEqual([]);
    expect(config.models?.[0]).toMatchObject({ rpm: 600, tpm: 90000, weight: 3, order: 1, first_byte_timeout_seconds: 15, tags: ["paid"], region: "eu-west-1" });
    expect(config.router).toEqual({
      strategy: "usage-based",
      num_retries: 4,
      allowed_fails: 2,
      cooldown_seconds: 30,
      latency_buffer: 0.2,
      fallbacks: { "gpt-4o": ["claude"] },
      context_window_fallbacks: { "gpt-4o": ["gpt-4o-long"] },
      content_policy_fallbacks: { "gpt-4o": ["claude"] },
    });
    expect(config.models?.[1]).toMatchObject({ model: "vllm/gpt-4o", api_base: "http://10.0.0.2:8000/v1" });
    const { table } = buildModelTable(config, {});
    const group = table.group("gpt-4o") ?? [];
    expect(group.map((r) => [r.deployment.weight, r.deployment.order, r.deployment.rpm])).toEqual([
      [3, 1, 600],
      [1, 2, undefined],
    ]);
  });
});
