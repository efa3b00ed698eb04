import { describe, expect, test } from "bun:test";
import { loadConfigFile, loadConfigValue } from "../../src/config/load.ts";
import { jsonErrorPosition } from "../../src/config/syntax.ts";
import { configError } from "../support/config-error.ts";
import { useTempDir } from "../support/temp-dir.ts";

const { file: fileWith } = useTempDir("switchboard-messages-");

const problemsOf = async (fn: () => unknown) => [...(await configError(fn)).problems];

describe("paths in messages are the user's own", () => {
  test("Switchboard format: dotted keys and [index], not JSON pointers", async () => {
    const problems = await problemsOf(() =>
      loadConfigValue({ server: { port: "eighty" }, models: [{ model_name: "a", model: "openai/a" }, { model_name: "b", model: "openai/b", api_base: "ftp://x" }] }, "c.yaml", {}),
    );
    expect(problems).toEqual(['server.port: expected an integer, got "eighty"', 'models[1].api_base: expected a URL starting with http:// or https://, got "ftp://x"']);
  });

  test("a header name that is not an identifier is quoted", async () => {
    const problems = await problemsOf(() => loadConfigValue({ models: [{ model_name: "a", model: "openai/a", headers: { "X-Team": 7 } }] }, "c.yaml", {}));
    expect(problems).toEqual(['models[0].headers["X-Team"]: expected a string, got 7']);
  });

  test("LiteLLM format: a schema error found after translation names the LiteLLM path", async () => {
    const raw = {
      model_list: [
        { model_name: "a", litellm_params: { model: "openai/a" } },
        { model_name: "b", litellm_params: { model: "openai/b" } },
        { model_name: "c", litellm_params: { model: "openai/c", timeout: "slow" } },
        { model_name: "d", litellm_params: { model: "openai/d", api_base: "localhost:8000" } },
      ],
      router_settings: { num_retries: -1, cooldown_time: "long" },
      litellm_settings: { drop_params: "yes" },
    };
    const problems = await problemsOf(() => loadConfigValue(raw, "litellm.yaml", {}));
    expect([...problems].sort()).toEqual([
      'litellm_settings.drop_params: expected true or false, got "yes"',
      'model_list[2].litellm_params.timeout: expected a number, got "slow"',
      'model_list[3].litellm_params.api_base: expected a URL starting with http:// or https://, got "localhost:8000"',
      'router_settings.cooldown_time: expected a number, got "long"',
      "router_settings.num_retries: expected at least 0, got -1",
    ]);
  });

  test("LiteLLM format: a bad model string names litellm_params.model", async () => {
    const problems = await problemsOf(() => loadConfigValue({ model_list: [{ model_name: "bare", litellm_params: { model: "gpt-4o" } }] }, "l.yaml", {}));
    expect(problems).toEqual(['model_list[0].litellm_params.model: expected <provider>/<upstream model>, e.g. openai/gpt-4o, got "gpt-4o"']);
  });
});

describe("misspelt keys", () => {
  test("Switchboard format: an unknown key suggests the nearest allowed key", async () => {
    const problems = await problemsOf(() =>
      loadConfigValue({ server: { hots: "0.0.0.0" }, models: [{ model_name: "a", modle: "openai/a" }], routr: {} }, "c.yaml", {}),
    );
    expect(problems).toContain("server.hots: unknown key; did you mean `host`?");
    expect(problems).toContain("models[0].modle: unknown key; did you mean `model`?");
    expect(problems).toContain("routr: unknown key; did you mean `router`?");
    // The misspelt key is the fault; `model` missing is not reported twice.
    expect(problems).toHaveLength(3);
  });

  test("Switchboard format: a key with no near match lists the allowed keys", async () => {
    const problems = await problemsOf(() => loadConfigValue({ budgets: { limit: 3 } }, "c.yaml", {}));
    expect(problems).toEqual(["budgets.limit: unknown key (allowed: mode)"]);
  });

  test("Switchboard format: a LiteLLM name for a Switchboard key is pointed to it", async () => {
    const problems = await problemsOf(() => loadConfigValue({ models: [{ model_name: "a", model: "openai/a", timeout: 30 }] }, "c.yaml", {}));
    expect(problems).toEqual(["models[0].timeout: unknown key; did you mean `timeout_seconds`?"]);
  });

  test("LiteLLM format: an entry without model_name or litellm_params.model is an error, not a skipped entry", async () => {
    const problems = await problemsOf(() =>
      loadConfigValue(
        { model_list: [{ model_name: "ok", litellm_params: { model: "openai/a" } }, { litellm_params: { model: "openai/b" } }, { model_name: "c", litellm_params: { api_key: "k" } }, { model_name: "d" }] },
        "l.yaml",
        {},
      ),
    );
    expect(problems).toEqual([
      "model_list[1].model_name: missing (required)",
      "model_list[2].litellm_params.model: missing (required)",
      "model_list[3].litellm_params: missing (required)",
    ]);
  });

  test("LiteLLM format: a key that is no LiteLLM key but near one is an error with a suggestion", async () => {
    const problems = await problemsOf(() =>
      loadConfigValue(
        {
          model_list: [
            { model_name: "a", litellm_params: { modle: "openai/a" } },
            { model_name: "b", litellm_param: { model: "openai/b" } },
            { model_nme: "c", litellm_params: { model: "openai/c", api_bse: "http://x", rpmm: 5 } },
            { model_name: "d", litellm_params: { model: "openai/d" }, model_info: { input_cost_per_tokn: 1e-6 } },
          ],
          router_settings: { num_retrys: 3 },
          litellm_settings: { drop_param: true },
          general_settings: { master_kye: "x" },
          router_setting: {},
        },
        "l.yaml",
        {},
      ),
    );
    expect([...problems].sort()).toEqual(
      [
        "model_list[0].litellm_params.modle: unknown key; did you mean `model`?",
        "model_list[1].litellm_param: unknown key; did you mean `litellm_params`?",
        "model_list[2].model_nme: unknown key; did you mean `model_name`?",
        "model_list[2].litellm_params.api_bse: unknown key; did you mean `api_base`?",
        "model_list[2].litellm_params.rpmm: unknown key; did you mean `rpm`?",
        "model_list[3].model_info.input_cost_per_tokn: unknown key; did you mean `input_cost_per_token`?",
        "router_settings.num_retrys: unknown key; did you mean `num_retries`?",
        "litellm_settings.drop_param: unknown key; did you mean `drop_params`?",
        "general_settings.master_kye: unknown key; did you mean `master_key`?",
        "router_setting: unknown key; did you mean `router_settings`?",
      ].sort(),
    );
  });

  test("LiteLLM format: LiteLLM keys Switchboard does not support yet, and far-off keys, stay warnings naming them and saying what changes", () => {
    const { warnings } = loadConfigValue(
      {
        model_list: [{ model_name: "a", litellm_params: { model: "openai/a", custom_llm_provider: "openai", temperature: 0.2, my_vendor_flag: true }, model_info: { mode: "chat" } }],
        router_settings: { redis_host: "localhost", enable_pre_call_checks: true },
        litellm_settings: { success_callback: ["langfuse"], cache: true },
        general_settings: { database_url: "postgres://x", alerting: ["slack"] },
      },
      "l.yaml",
      {},
    );
    expect(warnings).toEqual([
      "model_list[0] (a): ignoring model_info mode",
      "model_list[0] (a): ignoring litellm_params temperature, my_vendor_flag",
      "general_settings.database_url: Switchboard keeps keys, teams, users and spend in SQLite in its data directory (--data-dir, or general_settings.switchboard.store.data_dir); PostgreSQL is not supported yet; ignored",
      "general_settings.alerting: alerting is not supported: watch GET /metrics (Prometheus) or the access log instead; ignored",
      "litellm_settings.success_callback: langfuse not supported; Switchboard exports OpenInference traces over OTLP instead (general_settings.switchboard.tracing, or OTEL_EXPORTER_OTLP_ENDPOINT)",
      "litellm_settings.cache: response caching is not supported yet: every call reaches the upstream; ignored",
      "router_settings.redis_host: there is no Redis yet: limits, cooldowns and load are counted in this process (one server per data directory); ignored",
      "router_settings.enable_pre_call_checks: deployments are not filtered by context window before the call: a prompt too long for a deployment fails there, then context_window_fallbacks apply; ignored",
    ]);
  });
});

describe("enum errors list the allowed values", () => {
  test("Switchboard format", async () => {
    const problems = await problemsOf(() =>
      loadConfigValue({ router: { strategy: "fastest", groups: { a: { strategy: "random" } } }, server: { access_log_level: "debug" } }, "c.yaml", {}),
    );
    expect([...problems].sort()).toEqual([
      'router.groups.a.strategy: expected one of "simple-shuffle", "least-busy", "latency-based", "usage-based", "cost-based", "priority", got "random"',
      'router.strategy: expected one of "simple-shuffle", "least-busy", "latency-based", "usage-based", "cost-based", "priority", got "fastest"',
      'server.access_log_level: expected one of "info", "warn", "error", got "debug"',
    ]);
  });

  test("LiteLLM format: routing_strategy lists LiteLLM's names", async () => {
    const problems = await problemsOf(() => loadConfigValue({ router_settings: { routing_strategy: "latency-based" } }, "l.yaml", {}));
    expect(problems).toEqual([
      'router_settings.routing_strategy: expected one of "simple-shuffle", "least-busy", "latency-based-routing", "usage-based-routing", "usage-based-routing-v2", "cost-based-routing", "lar1", got "latency-based"',
    ]);
  });

  test("LiteLLM format: a LiteLLM strategy Switchboard does not have yet is a warning", () => {
    const { warnings, config } = loadConfigValue({ router_settings: { routing_strategy: "lar1" } }, "l.yaml", {});
    expect(warnings).toEqual(["router_settings.routing_strategy: lar1 is not supported yet; using simple-shuffle"]);
    expect(config.router).toBeUndefined();
  });
});

describe("syntax errors give line and column", () => {
  test("YAML: an unclosed bracket", async () => {
    const path = await fileWith("unclosed.yaml", "models:\n  - model_name: [unclosed\n    model: openai/x\n");
    const error = await configError(() => loadConfigFile(path, {}));
    expect(error.message).toStartWith(`${path}:2:17: YAML syntax error`);
  });

  test("YAML: a key indented under a scalar", async () => {
    const path = await fileWith("indent.yaml", "server:\n  host: 0.0.0.0\n   port: 8080\n");
    const error = await configError(() => loadConfigFile(path, {}));
    expect(error.message).toStartWith(`${path}:3:8: YAML syntax error`);
  });

  test("YAML: a tab used for indentation", async () => {
    const path = await fileWith("tab.yaml", "server:\n\thost: 0.0.0.0\n");
    const error = await configError(() => loadConfigFile(path, {}));
    expect(error.message).toStartWith(`${path}:2:1: YAML syntax error: Tab characters cannot be used as indentation`);
  });

  test("YAML: an error far down a file with a valid multi-line flow list above it", async () => {
    const text = ["models:", "  - model_name: a", "    model: openai/a", "    aliases: [x,", "      y]", "  - model_name: b", "    model: openai/b", "  model: oops: here", ""].join("\n");
    const error = await configError(async () => loadConfigFile(await fileWith("late.yaml", text), {}));
    expect(error.message).toMatch(/late\.yaml:8:\d+: YAML syntax error/);
  });

  test("YAML: an unclosed quote does not echo what follows it (it may be a secret)", async () => {
    const path = await fileWith("quote.yaml", 'models:\n  - model_name: a\n    model: openai/a\n    api_key: "sk-live-secret-8842\n');
    const error = await configError(() => loadConfigFile(path, {}));
    expect(error.message).toStartWith(`${path}:4:14: YAML syntax error`);
    expect(error.message).not.toContain("sk-live-secret-8842");
  });

  test("JSON: position of the first bad token, without echoing it", async () => {
    const path = await fileWith("bad.json", '{\n  "models": [\n    {"model_name": "a", "api_key": sk-live-secret-1}\n  ]\n}\n');
    const error = await configError(() => loadConfigFile(path, {}));
    expect(error.message).toStartWith(`${path}:3:36: JSON syntax error`);
    expect(error.message).not.toContain("sk-live");
  });

  test("JSON: a trailing comma and an unclosed object", async () => {
    const comma = await configError(async () => loadConfigFile(await fileWith("comma.json", '{"server": {"port": 1,}}'), {}));
    expect(comma.message).toMatch(/comma\.json:1:23: JSON syntax error/);
    const open = await configError(async () => loadConfigFile(await fileWith("open.json", '{"server": {"port": 1}\n'), {}));
    expect(open.message).toMatch(/open\.json:2:1: JSON syntax error/);
  });
});

describe("the JSON scanner agrees with JSON.parse", () => {
  const valid = ['{"a": [1, -2.5e3, true, false, null, "x\\u00e9\\n\\"q\\""], "b": {}}', "[]", ' "text" ', "0", '{"nested": [[[{"k": []}]]]}'];
  const invalid = ["{", '{"a" 1}', "[1 2]", '{"a": 01}', '"\\x"', "tru", '{"a": 1} x', '["\u0001"]', ""];

  for (const text of valid) {
    test(`valid: ${text}`, () => {
      expect(() => JSON.parse(text)).not.toThrow();
      expect(jsonErrorPosition(text)).toBeUndefined();
    });
  }
  for (const text of invalid) {
    test(`invalid: ${JSON.stringify(text)}`, () => {
      expect(() => JSON.parse(text)).toThrow();
      expect(jsonErrorPosition(text)?.message).toStartWith("JSON syntax error: ");
    });
  }
});
