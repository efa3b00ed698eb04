import { describe, expect, test } from "bun:test";
import { loadConfigValue } from "../../src/config/load.ts";
import { configError } from "../support/config-error.ts";

const problemsOf = async (fn: () => unknown) => [...(await configError(fn)).problems];

describe("os.environ/ references in fields of every type (Switchboard format)", () => {
  test("a string field with a pattern takes a reference: the resolved value is what is checked", () => {
    const loaded = loadConfigValue(
      { models: [{ model_name: "az", model: "azure/gpt-4o", api_key: "os.environ/AZURE_API_KEY", api_base: "os.environ/AZURE_API_BASE" }] },
      "refs.yaml",
      { AZURE_API_KEY: "k", AZURE_API_BASE: "https://r.openai.azure.com" },
    );
    expect(loaded.config.models?.[0]?.api_base).toBe("https://r.openai.azure.com");
    expect(loaded.written.models?.[0]?.api_base).toBe("os.environ/AZURE_API_BASE");
  });

  test("integer, number and boolean fields take a reference and get the field's type", () => {
    const loaded = loadConfigValue(
      {
        server: { port: "os.environ/PORT", max_request_body_mb: "os.environ/BODY_MB", access_log: "os.environ/ACCESS_LOG" },
        settings: { drop_params: "os.environ/DROP" },
        router: { num_retries: "os.environ/RETRIES", cooldown_seconds: "os.environ/COOLDOWN" },
        tracing: { sample_rate: "os.environ/RATE", enabled: "os.environ/TRACING" },
        models: [{ model_name: "m", model: "openai/m", rpm: "os.environ/RPM", timeout_seconds: "os.environ/TIMEOUT" }],
      },
      "typed.yaml",
      { PORT: "8081", BODY_MB: "2.5", ACCESS_LOG: "true", DROP: "false", RETRIES: "4", COOLDOWN: "7.5", RATE: "0.25", TRACING: "FALSE", RPM: " 600 ", TIMEOUT: "30" },
    );
    expect(loaded.config.server).toEqual({ port: 8081, max_request_body_mb: 2.5, access_log: true });
    expect(loaded.config.settings).toEqual({ drop_params: false });
    expect(loaded.config.router).toEqual({ num_retries: 4, cooldown_seconds: 7.5 });
    expect(loaded.config.tracing).toEqual({ sample_rate: 0.25, enabled: false });
    expect(loaded.config.models?.[0]).toMatchObject({ rpm: 600, timeout_seconds: 30 });
    // What was written stays as written, for --print.
    expect(loaded.written.server?.port as unknown).toBe("os.environ/PORT");
  });

  test("a value of the wrong type names the path, the variable and what was expected", async () => {
    const problems = await problemsOf(() =>
      loadConfigValue(
        { server: { port: "os.environ/PORT", access_log: "os.environ/LOG" }, router: { num_retries: "os.environ/RETRIES" } },
        "bad.yaml",
        { PORT: "abc", LOG: "sometimes", RETRIES: "40" },
      ),
    );
    expect([...problems].sort()).toEqual([
      "router.num_retries: os.environ/RETRIES is 40, expected at most 10",
      'server.access_log: os.environ/LOG is "sometimes", expected true or false',
      'server.port: os.environ/PORT is "abc", expected an integer',
    ]);
  });

  test("a referenced enum value is checked against the allowed values", async () => {
    const problems = await problemsOf(() => loadConfigValue({ budgets: { mode: "os.environ/MODE" } }, "e.yaml", { MODE: "hard" }));
    expect(problems).toEqual(['budgets.mode: os.environ/MODE is "hard", expected one of "strict", "soft"']);
  });

  test("a missing variable is one problem, not also a type error", async () => {
    const problems = await problemsOf(() => loadConfigValue({ server: { port: "os.environ/PORT" }, models: [{ model_name: "m", model: "openai/m", api_base: "os.environ/BASE" }] }, "m.yaml", {}));
    expect(problems).toEqual(["server.port: environment variable PORT is not set", "models[0].api_base: environment variable BASE is not set"]);
  });
});

describe("os.environ/ references in fields of every type (LiteLLM format)", () => {
  test("numbers, booleans and URLs can be references, and errors name the user's own path", async () => {
    const raw = {
      model_list: [
        {
          model_name: "az",
          litellm_params: { model: "azure/gpt-4o", api_base: "os.environ/AZURE_API_BASE", api_key: "os.environ/AZURE_API_KEY", rpm: "os.environ/RPM", timeout: "os.environ/TIMEOUT" },
        },
      ],
      litellm_settings: { drop_params: "os.environ/DROP" },
      router_settings: { num_retries: "os.environ/RETRIES" },
    };
    const env = { AZURE_API_BASE: "https://r.openai.azure.com", AZURE_API_KEY: "k", RPM: "600", TIMEOUT: "45", DROP: "true", RETRIES: "3" };
    const loaded = loadConfigValue(raw, "litellm.yaml", env);
    expect(loaded.warnings).toEqual([]);
    expect(loaded.config.models?.[0]).toMatchObject({ api_base: "https://r.openai.azure.com", rpm: 600, timeout_seconds: 45 });
    expect(loaded.config.settings).toEqual({ drop_params: true, mock_models: false, env_provider_models: false });
    expect(loaded.config.router).toEqual({ num_retries: 3 });

    const problems = await problemsOf(() => loadConfigValue(raw, "litellm.yaml", { ...env, RPM: "lots", RETRIES: "many", AZURE_API_BASE: "r.openai.azure.com" }));
    expect([...problems].sort()).toEqual([
      'model_list[0].litellm_params.api_base: os.environ/AZURE_API_BASE is "r.openai.azure.com", expected a URL starting with http:// or https://',
      'model_list[0].litellm_params.rpm: os.environ/RPM is "lots", expected an integer',
      'router_settings.num_retries: os.environ/RETRIES is "many", expected an integer',
    ]);
  });

  test("a referenced routing_strategy is translated after it is resolved", () => {
    const loaded = loadConfigValue({ router_settings: { routing_strategy: "os.environ/STRATEGY" } }, "l.yaml", { STRATEGY: "latency-based-routing" });
    expect(loaded.config.router?.strategy).toBe("latency-based");
    expect(loaded.written.router?.strategy as unknown).toBe("os.environ/STRATEGY");
  });
});
