/** LiteLLM's routing, timeout and proxy settings become Switchboard's; what has no equivalent is one precise warning. */
import { describe, expect, test } from "bun:test";
import { fromLiteLLM } from "../../src/config/litellm.ts";
import { loadConfigValue } from "../../src/config/load.ts";
import { masterKeyNotes, masterKeyPath } from "../../src/config/runtime.ts";
import { buildModelTable } from "../../src/router/models.ts";
import { Router } from "../../src/router/router.ts";
import { configError } from "../support/config-error.ts";

const gpt = (name: string, extra: Record<string, unknown> = {}) => ({ model_name: name, litellm_params: { model: "openai/gpt-4o", api_key: "k", ...extra } });

describe("timeouts", () => {
  test("router_settings.timeout is the default call timeout, over litellm_settings.request_timeout; a deployment's own timeout wins", () => {
    const { config, warnings } = fromLiteLLM({
      model_list: [gpt("a"), gpt("b", { timeout: 30 })],
      litellm_settings: { request_timeout: 600 },
      router_settings: { timeout: 120 },
    });
    expect(warnings).toEqual([]);
    expect(config.settings).toEqual({ request_timeout_seconds: 120, mock_models: false, env_provider_models: false });
    const { table } = buildModelTable(config, {});
    expect(table.resolve("a")?.deployment.timeoutMs).toBe(120_000);
    expect(table.resolve("b")?.deployment.timeoutMs).toBe(30_000);
  });

  test("router_settings.stream_timeout is the time to first byte of every deployment without its own stream_timeout", () => {
    const { config, warnings } = fromLiteLLM({ model_list: [gpt("a"), gpt("b", { stream_timeout: 5 })], router_settings: { stream_timeout: 20 } });
    expect(warnings).toEqual([]);
    expect(config.models?.map((m) => m.first_byte_timeout_seconds)).toEqual([20, 5]);
  });

  test("a wrong timeout is reported at the LiteLLM path", async () => {
    const error = await configError(() => loadConfigValue({ model_list: [gpt("a")], router_settings: { timeout: -1, stream_timeout: "soon" } }, "l.yaml", {}));
    expect([...error.problems].sort()).toEqual([
      'router_settings.stream_timeout: expected a number, got "soon"',
      "router_settings.timeout: expected more than 0, got -1",
    ]);
  });
});

describe("retries and cooldowns", () => {
  test("retry_after, num_retries, allowed_fails and cooldown_time become the router's; max_retries only when num_retries is not set", () => {
    const both = fromLiteLLM({ model_list: [gpt("a")], router_settings: { retry_after: 3, num_retries: 4, max_retries: 1, allowed_fails: 2, cooldown_time: 10 } });
    expect(both.warnings).toEqual([]);
    expect(both.config.router).toEqual({ retry_after_seconds: 3, num_retries: 4, allowed_fails: 2, cooldown_seconds: 10 });
    expect(fromLiteLLM({ model_list: [gpt("a")], router_settings: { max_retries: 1 } }).config.router).toEqual({ num_retries: 1 });
    const router = new Router({ config: both.config.router ?? {} });
    expect(router.policy("a")).toMatchObject({ numRetries: 4, allowedFails: 2, cooldownMs: 10_000, retryFloorMs: 3_000 });
  });

  test("a deployment's max_retries and cooldown_time become its model group's; deployments that differ get the largest retry count and a warning", () => {
    const { config, warnings } = fromLiteLLM({
      model_list: [gpt("a", { max_retries: 1, cooldown_time: 7 }), gpt("a", { max_retries: 5 }), gpt("b", { num_retries: 0 })],
      router_settings: { num_retries: 2 },
    });
    expect(config.router?.groups).toEqual({ a: { num_retries: 5, cooldown_seconds: 7 }, b: { num_retries: 0 } });
    expect(warnings).toEqual(["model_list[1].litellm_params.max_retries: Switchboard retries per model group; a's deployments ask for 1 and 5, so the group retries up to 5 times"]);
    const router = new Router({ config: config.router ?? {} });
    expect([router.policy("a").numRetries, router.policy("b").numRetries, router.policy("other").numRetries]).toEqual([5, 0, 2]);
  });
});

describe("fallbacks and aliases", () => {
  test("default_fallbacks are the fallbacks of every model name without its own", () => {
    const { config } = fromLiteLLM({
      model_list: [gpt("a"), gpt("b"), gpt("c")],
      router_settings: { fallbacks: [{ a: ["b"] }], default_fallbacks: ["c"] },
    });
    const router = new Router({ config: config.router ?? {} });
    expect(router.fallbacks("a", "general")).toEqual(["b"]);
    expect(router.fallbacks("b", "general")).toEqual(["c"]);
  });

  test("max_fallbacks: 0 turns fallbacks off (one warning); any other depth is what Switchboard does (it never chains a fallback's fallbacks)", () => {
    const off = fromLiteLLM({ model_list: [gpt("a")], router_settings: { fallbacks: [{ a: ["b"] }], max_fallbacks: 0 } });
    expect(off.config.router?.fallbacks).toBeUndefined();
    expect(off.warnings).toEqual(["router_settings.max_fallbacks: 0 turns fallbacks off, so fallbacks are not used"]);
    const five = fromLiteLLM({ model_list: [gpt("a")], router_settings: { fallbacks: [{ a: ["b"] }], max_fallbacks: 5 } });
    expect(five.warnings).toEqual([]);
    expect(five.config.router?.fallbacks).toEqual({ a: ["b"] });
  });

  test("model_group_alias: each alias resolves to its group; an alias LiteLLM would list is named in one warning, one for a model name no entry has", () => {
    const { config, warnings } = fromLiteLLM({
      model_list: [gpt("gpt-4o"), gpt("gpt-4o"), gpt("mini")],
      router_settings: { model_group_alias: { "gpt-4": "gpt-4o", small: { model: "mini", hidden: true }, old: "nowhere" } },
    });
    expect(config.models?.map((m) => m.aliases)).toEqual([["gpt-4"], ["gpt-4"], ["small"]]);
    expect(warnings).toEqual([
      "router_settings.model_group_alias.old: no model_list entry is named nowhere (Switchboard adds an alias to entries); ignored",
      "router_settings.model_group_alias: gpt-4 resolves as in LiteLLM but is not listed by /v1/models (Switchboard lists no alias)",
    ]);
    const { table } = buildModelTable(config, {});
    expect(table.group("gpt-4")?.length).toBe(2);
    expect(table.resolve("small")?.deployment.modelName).toBe("mini");
  });
});

describe("proxy settings", () => {
  test("background health checks, the request size limit and the otel callback become Switchboard's", () => {
    const { config, warnings } = fromLiteLLM({
      model_list: [gpt("a")],
      general_settings: { background_health_checks: true, health_check_interval: 60, max_request_size_mb: 8 },
      litellm_settings: { callbacks: ["otel", "langfuse"] },
    });
    expect(config.router).toEqual({ health_check_interval_seconds: 60 });
    expect(config.server).toEqual({ max_request_body_mb: 8 });
    expect(config.tracing).toEqual({ enabled: true });
    expect(warnings).toEqual(["litellm_settings.callbacks: langfuse not supported; Switchboard exports OpenInference traces over OTLP instead (general_settings.switchboard.tracing, or OTEL_EXPORTER_OTLP_ENDPOINT)"]);
    expect(fromLiteLLM({ general_settings: { background_health_checks: true } }).config.router).toEqual({ health_check_interval_seconds: 300 });
    expect(fromLiteLLM({ general_settings: { health_check_interval: 60 } }).warnings).toEqual([
      "general_settings.health_check_interval: no effect without background_health_checks: true (as in LiteLLM); ignored",
    ]);
  });

  test("tag filtering turned off has no equivalent when deployments carry tags", () => {
    const { warnings } = fromLiteLLM({ model_list: [gpt("a", { tags: ["paid"] })], router_settings: { enable_tag_filtering: false, tag_filtering_match_any: true } });
    expect(warnings).toEqual(["router_settings.enable_tag_filtering: false has no equivalent: Switchboard routes by tags whenever deployments carry them, to a deployment sharing any of the request's tags; ignored"]);
  });

  test("guardrails, wherever written, say which guardrails will not run", () => {
    const { warnings } = fromLiteLLM({
      model_list: [gpt("a")],
      guardrails: [{ guardrail_name: "aporia-pre-guard", litellm_params: { guardrail: "aporia", mode: "during_call" } }, { guardrail_name: "pii-mask" }],
      litellm_settings: { guardrails: [{ prompt_injection: { callbacks: ["lakera_prompt_injection"] } }] },
    });
    expect(warnings).toEqual([
      "litellm_settings.guardrails: guardrails are not supported yet: guardrail 'prompt_injection' will NOT run, so requests and responses pass unchecked (guardrails are planned)",
      "guardrails: guardrails are not supported yet: 2 guardrails 'aporia-pre-guard', 'pii-mask' will NOT run, so requests and responses pass unchecked (guardrails are planned)",
    ]);
  });

  test("LiteLLM's other sections are named with what is missing", () => {
    const { warnings } = fromLiteLLM({ model_list: [gpt("a")], mcp_servers: { x: { url: "http://x" } }, credential_list: [], general_settings: { store_model_in_db: true } });
    expect(warnings).toEqual([
      "general_settings.store_model_in_db: models come from this file only (the store does not hold models yet); ignored",
      "credential_list: named credentials are not supported: write each deployment's keys in its litellm_params (os.environ/NAME); ignored",
    ]);
  });
});

describe("providers", () => {
  test("a LiteLLM provider Switchboard does not support is one warning and a skipped entry; the rest loads", () => {
    const loaded = loadConfigValue({ model_list: [{ model_name: "c", litellm_params: { model: "cohere/command-r", api_key: "k" } }, { model_name: "n", litellm_params: { model: "nvidia_nim/llama3" } }, gpt("a")] }, "l.yaml", {});
    expect(loaded.warnings).toEqual([
      "model_list[0] (c): LiteLLM's provider cohere/ is not supported yet; skipped (see README: Providers)",
      "model_list[1] (n): nvidia_nim/ is not supported yet; skipped (it speaks OpenAI's API: with its api_base set, the entry is served as openai_compatible)",
    ]);
    expect(loaded.config.models?.map((m) => m.model_name)).toEqual(["a"]);
  });

  test("a provider no one has is a problem, with a suggestion when it is a slip", async () => {
    const error = await configError(() => loadConfigValue({ model_list: [{ model_name: "x", litellm_params: { model: "opnai/gpt-4o" } }, { model_name: "y", litellm_params: { model: "nosuch/b" } }] }, "l.yaml", {}));
    expect(error.problems).toEqual([
      "model_list[0].litellm_params.model: unknown provider 'opnai'; did you mean `openai`?",
      "model_list[1].litellm_params.model: unknown provider 'nosuch' (neither LiteLLM nor Switchboard has it)",
    ]);
  });

  test("text-completion-openai loads with one warning saying it is served through the chat API", () => {
    const { config, warnings } = fromLiteLLM({ model_list: [{ model_name: "i", litellm_params: { model: "text-completion-openai/gpt-3.5-turbo-instruct", api_base: "http://127.0.0.1:9", api_key: "k" } }] });
    expect(config.models?.[0]?.model).toBe("openai/gpt-3.5-turbo-instruct");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain("served through the chat completions API");
  });
});

describe("Switchboard-only settings in a LiteLLM file", () => {
  test("budgets are soft (LiteLLM's rule) unless general_settings.switchboard asks for strict", () => {
    expect(fromLiteLLM({ model_list: [gpt("a")] }).config.budgets).toEqual({ mode: "soft" });
    const strict = fromLiteLLM({ model_list: [gpt("a")], general_settings: { switchboard: { budgets: { mode: "strict" } } } });
    expect(strict.config.budgets).toEqual({ mode: "strict" });
    expect(strict.warnings).toEqual([]);
  });

  test("general_settings.switchboard takes Switchboard's sections, merged over the translation with a warning where it overrides", () => {
    const loaded = loadConfigValue(
      {
        model_list: [gpt("a")],
        router_settings: { num_retries: 3 },
        general_settings: {
          switchboard: {
            server: { access_log: true, idle_timeout_seconds: 60 },
            store: { data_dir: "/var/lib/switchboard" },
            settings: { mock_models: false },
            pricing: { file: "os.environ/PRICES" },
            tracing: { endpoint: "http://127.0.0.1:6006/v1/traces" },
            router: { num_retries: 1, groups: { a: { strategy: "least-busy" } } },
          },
        },
      },
      "l.yaml",
      { PRICES: "/etc/prices.json" },
    );
    expect(loaded.config).toMatchObject({
      server: { access_log: true, idle_timeout_seconds: 60 },
      store: { data_dir: "/var/lib/switchboard" },
      settings: { mock_models: false },
      pricing: { file: "/etc/prices.json" },
      tracing: { endpoint: "http://127.0.0.1:6006/v1/traces" },
      router: { num_retries: 1, groups: { a: { strategy: "least-busy" } } },
      budgets: { mode: "soft" },
    });
    expect(loaded.warnings).toEqual(["general_settings.switchboard.router.num_retries overrides router_settings.num_retries"]);
  });

  test("errors inside it are reported there; models and auth have their LiteLLM places", async () => {
    const error = await configError(() =>
      loadConfigValue(
        { model_list: [gpt("a")], general_settings: { switchboard: { budgets: { mode: "lenient" }, servr: {}, models: [], auth: { master_key: "x" } } } },
        "l.yaml",
        {},
      ),
    );
    expect([...error.problems].sort()).toEqual([
      'general_settings.switchboard.budgets.mode: expected one of "strict", "soft", got "lenient"',
      "general_settings.switchboard.servr: unknown key; did you mean `server`?",
      "general_settings.switchboard.auth: not taken here: write the master key as general_settings.master_key",
      "general_settings.switchboard.models: not taken here: write deployments in model_list",
    ].sort());
  });

  test("a slip in its name is an error with a suggestion, not an ignored key", async () => {
    const error = await configError(() => loadConfigValue({ model_list: [gpt("a")], general_settings: { switchbord: { budgets: { mode: "strict" } } } }, "l.yaml", {}));
    expect(error.problems).toEqual(["general_settings.switchbord: unknown key; did you mean `switchboard`?"]);
  });

  test("model_info.switchboard takes a deployment's Switchboard-only fields", async () => {
    const loaded = loadConfigValue({ model_list: [{ ...gpt("a"), model_info: { id: "a-1", switchboard: { connect_timeout_seconds: 3, stream_idle_timeout_seconds: 30 } } }] }, "l.yaml", {});
    expect(loaded.warnings).toEqual([]);
    expect(loaded.config.models?.[0]).toMatchObject({ id: "a-1", connect_timeout_seconds: 3, stream_idle_timeout_seconds: 30 });
    const error = await configError(() => loadConfigValue({ model_list: [{ ...gpt("a"), model_info: { switchboard: { connect_timeout: 3 } } }] }, "l.yaml", {}));
    expect(error.problems).toEqual(["model_list[0].model_info.switchboard.connect_timeout: unknown key; did you mean `connect_timeout_seconds`?"]);
  });
});

describe("the master key", () => {
  const strong = "3f9c1e0b7a6d4c2e8b5f1a9d0c7e3b6a2d8f4c1e9b0a7d3c";

  test("a file key SWITCHBOARD_MASTER_KEY overrides is only a warning, weak or not; a weak key that would be used is refused", () => {
    const litellm = loadConfigValue({ model_list: [gpt("a")], general_settings: { master_key: "sk-1234" } }, "l.yaml", {});
    const where = masterKeyPath(litellm);
    expect(where).toBe("general_settings.master_key");
    const overridden = masterKeyNotes(litellm.config, { SWITCHBOARD_MASTER_KEY: strong }, where);
    expect(overridden).toEqual({ warnings: ["general_settings.master_key: not used: SWITCHBOARD_MASTER_KEY is set and wins (the file's key is weak: it is 7 characters long; use at least 32)"] });
    expect(masterKeyNotes(litellm.config, {}, where)).toEqual({ warnings: [], weak: "the master key is weak (it is 7 characters long; use at least 32; it comes from general_settings.master_key)" });
    expect(masterKeyNotes(litellm.config, { SWITCHBOARD_MASTER_KEY: "sk-1234-weak" }, where).weak).toEndWith("it comes from SWITCHBOARD_MASTER_KEY)");
    const native = loadConfigValue({ auth: { master_key: strong } }, "s.yaml", {});
    expect(masterKeyNotes(native.config, {}, masterKeyPath(native))).toEqual({ warnings: [] });
  });
});

describe("the README's LiteLLM example", () => {
  test("loads as the README says: strict budgets, the access log, the data directory and a connect timeout from the switchboard blocks", async () => {
    const readme = await Bun.file(new URL("../../README.md", import.meta.url)).text();
    const section = readme.slice(readme.indexOf("**Switchboard's own settings**"));
    const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1] ?? "";
    const loaded = loadConfigValue(Bun.YAML.parse(yaml), "README.md", { SWITCHBOARD_MASTER_KEY: "m".repeat(40), ANTHROPIC_API_KEY: "k" });
    expect(loaded.format).toBe("litellm");
    expect(loaded.warnings).toEqual([]);
    expect(loaded.config).toMatchObject({ budgets: { mode: "strict" }, server: { access_log: true }, store: { data_dir: "/var/lib/switchboard" } });
    expect(loaded.config.models?.[0]).toMatchObject({ model: "anthropic/claude-sonnet-4-5", connect_timeout_seconds: 5 });
  });
});

describe("what a LiteLLM file serves", () => {
  const env = { OPENAI_API_KEY: "sk-env", ANTHROPIC_API_KEY: "sk-ant-env" };

  test("its model_list only, as LiteLLM: a provider key in the environment opens no <provider>/* and there are no mock models", () => {
    const { config } = fromLiteLLM({ model_list: [gpt("a")] });
    const { table } = buildModelTable(config, env);
    expect(table.resolve("a")).toBeDefined();
    for (const name of ["openai/gpt-4o-mini", "anthropic/claude-sonnet-4-5", "mock/echo"]) expect(table.resolve(name)).toBeUndefined();
  });

  test("general_settings.switchboard.settings turns either back on", () => {
    const { config, warnings } = fromLiteLLM({
      model_list: [gpt("a")],
      general_settings: { switchboard: { settings: { env_provider_models: true, mock_models: true } } },
    });
    expect(warnings).toEqual([]);
    const { table } = buildModelTable(config, env);
    expect(table.resolve("openai/gpt-4o-mini")?.deployment.provider.id).toBe("openai");
    expect(table.resolve("mock/echo")).toBeDefined();
  });
});
