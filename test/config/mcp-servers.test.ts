import { describe, expect, test } from "bun:test";
import { redactConfig } from "../../src/config/env-refs.ts";
import { loadConfigValue } from "../../src/config/load.ts";
import { configError } from "../support/config-error.ts";

const gpt = { model_name: "gpt", litellm_params: { model: "openai/gpt-4o", api_key: "sk-x" } };

describe("mcp_servers in Switchboard's format", () => {
  test("a server with a bearer from the environment loads resolved; the file as written keeps the reference", () => {
    const raw = {
      mcp_servers: {
        github: { url: "https://api.githubcopilot.com/mcp", transport: "http", auth_type: "bearer_token", auth_value: "os.environ/GITHUB_TOKEN", allowed_tools: ["create_issue"], description: "GitHub" },
        "legacy-sse": { url: "http://127.0.0.1:9000/sse", transport: "sse", disallowed_tools: ["delete_repo"] },
      },
    };
    const loaded = loadConfigValue(raw, "c.yaml", { GITHUB_TOKEN: "ghp_secret" });
    expect(loaded.config.mcp_servers?.github?.auth_value).toBe("ghp_secret");
    expect(loaded.written.mcp_servers?.github?.auth_value).toBe("os.environ/GITHUB_TOKEN");
    expect(loaded.config.mcp_servers?.["legacy-sse"]?.transport).toBe("sse");
  });

  test("auth_value and credential static_headers are secrets: redacted when inline, never echoed in errors", async () => {
    const printed = JSON.stringify(redactConfig({ mcp_servers: { a: { url: "https://a/mcp", auth_value: "inline-token-77", static_headers: { "X-API-Key": "inline-key-88", "X-Team": "blue" } } } }));
    expect(printed).not.toContain("inline-token-77");
    expect(printed).not.toContain("inline-key-88");
    expect(printed).toContain("blue");
    const error = await configError(() => loadConfigValue({ mcp_servers: { a: { url: "https://a/mcp", auth_value: 12345678 } } }, "c.yaml", {}));
    expect(error.problems).toEqual(["mcp_servers.a.auth_value: expected a string"]);
  });

  test("an OAuth2 server (LiteLLM's keys) loads with its client secret from the environment; the file as written keeps the reference; the authorization code flow's keys are warnings", () => {
    const loaded = loadConfigValue(
      {
        model_list: [gpt],
        mcp_servers: {
          secure: {
            url: "https://s.example/mcp",
            auth_type: "oauth2",
            client_id: "sb-client",
            client_secret: "os.environ/MCP_CLIENT_SECRET",
            token_url: "https://auth.example/oauth/token",
            scopes: ["tools"],
            authorization_url: "https://auth.example/authorize",
          },
        },
      },
      "config.yaml",
      { MCP_CLIENT_SECRET: "cs-secret-1" },
    );
    expect(loaded.config.mcp_servers?.secure).toEqual({ url: "https://s.example/mcp", auth_type: "oauth2", client_id: "sb-client", client_secret: "cs-secret-1", token_url: "https://auth.example/oauth/token", scopes: ["tools"] });
    expect(loaded.written.mcp_servers?.secure?.client_secret).toBe("os.environ/MCP_CLIENT_SECRET");
    expect(loaded.warnings).toContain("mcp_servers.secure.authorization_url: only OAuth2's client credentials grant (token_url) is supported, not the authorization code flow; ignored");
    expect(JSON.stringify(redactConfig({ mcp_servers: { a: { url: "https://a/mcp", auth_type: "oauth2", client_secret: "inline-cs-99" } } }))).not.toContain("inline-cs-99");
  });

  test("a stdio server loads: command, args, and env whose references resolve; the file as written keeps them; a dump hides inline env values", () => {
    const raw = {
      mcp_servers: {
        local: { transport: "stdio" as const, command: "npx", args: ["-y", "@circleci/mcp-server-circleci"], env: { CIRCLECI_TOKEN: "os.environ/CIRCLECI_TOKEN", LOG_LEVEL: "debug" }, allowed_tools: ["get_build"] },
        bare: { transport: "stdio", command: "uvx", auth_type: "none" },
      },
    };
    const loaded = loadConfigValue(raw, "c.yaml", { CIRCLECI_TOKEN: "cci-secret-1" });
    expect(loaded.config.mcp_servers?.local).toEqual({ ...raw.mcp_servers.local, env: { CIRCLECI_TOKEN: "cci-secret-1", LOG_LEVEL: "debug" } });
    expect(loaded.written.mcp_servers?.local?.env?.CIRCLECI_TOKEN).toBe("os.environ/CIRCLECI_TOKEN");
    expect(loaded.config.mcp_servers?.bare).toEqual({ transport: "stdio", command: "uvx", auth_type: "none" });
    const printed = JSON.stringify(redactConfig({ mcp_servers: { a: { transport: "stdio", command: "npx", env: { API_TOKEN: "inline-env-secret-42", REF: "os.environ/X" } } } }));
    expect(printed).not.toContain("inline-env-secret-42");
    expect(printed).toContain("os.environ/X");
  });

  test("stdio problems are named for what they are: no command, stdio keys without transport stdio, HTTP-only keys on a stdio server, bad env names and values", async () => {
    const error = await configError(() =>
      loadConfigValue(
        {
          mcp_servers: {
            nocommand: { transport: "stdio", args: ["x"] },
            implicit: { command: "npx", args: ["-y", "thing"] },
            mixed: {
              transport: "stdio",
              command: "npx",
              url: "https://a/mcp",
              auth_type: "bearer_token",
              auth_value: "tok-12345",
              static_headers: { "X-Team": "blue" },
              extra_headers: ["x-user-token"],
              allow_private_hosts: ["localhost"],
              spec_path: "https://a/openapi.json",
            },
            badenv: { transport: "stdio", command: "node", env: { "NOT-A-NAME": "x", PORT: 8080, GITHUB_TOKEN: "${X-GITHUB_TOKEN}" } },
          },
        },
        "c.yaml",
        {},
      ),
    );
    const secret = "tok-12345";
    expect(error.problems.join("\n")).not.toContain(secret);
    expect(error.problems).toEqual([
      "mcp_servers.nocommand.transport: a stdio server needs command: the program the gateway runs (e.g. npx), with its args",
      "mcp_servers.implicit.command: is for stdio servers: add transport: stdio for a server the gateway runs as a command, or leave it out for a server reached at its url",
      "mcp_servers.implicit.args: is for stdio servers: add transport: stdio for a server the gateway runs as a command, or leave it out for a server reached at its url",
      "mcp_servers.mixed.url: does not apply to a stdio server: the gateway runs command, there is no url to reach; leave out url, or transport stdio for a server reached over HTTP",
      "mcp_servers.mixed.spec_path: does not apply to a stdio server: OpenAPI servers are HTTP APIs, a stdio server is an MCP server the gateway runs",
      "mcp_servers.mixed.auth_type: does not apply to a stdio server: a stdio server is sent no HTTP credential; give the process its credential in env (e.g. API_TOKEN: os.environ/NAME)",
      "mcp_servers.mixed.auth_value: does not apply to a stdio server: a stdio server is sent no HTTP credential; give the process its credential in env (e.g. API_TOKEN: os.environ/NAME)",
      "mcp_servers.mixed.static_headers: does not apply to a stdio server: a stdio server is sent no HTTP credential; give the process its credential in env (e.g. API_TOKEN: os.environ/NAME)",
      "mcp_servers.mixed.extra_headers: does not apply to a stdio server: a stdio server is one process shared by every caller, with no HTTP request to carry a caller's headers",
      "mcp_servers.mixed.allow_private_hosts: does not apply to a stdio server: the gateway makes no network connection to a stdio server",
      "mcp_servers.badenv.env: 'NOT-A-NAME' is not an environment variable name (letters, digits and _, not starting with a digit)",
      "mcp_servers.badenv.env.GITHUB_TOKEN: a caller's request header (LiteLLM's ${X-HEADER}) cannot reach a stdio server, whose one process serves every caller; give the value as os.environ/NAME",
      "mcp_servers.badenv.env.PORT: expected a string",
    ]);
  });

  test("a stdio server's env reference that is not set is named, never with a value", async () => {
    const error = await configError(() => loadConfigValue({ mcp_servers: { local: { transport: "stdio", command: "npx", env: { TOKEN: "os.environ/LOCAL_MCP_TOKEN" } } } }, "c.yaml", {}));
    expect(error.problems).toEqual(["mcp_servers.local.env.TOKEN: environment variable LOCAL_MCP_TOKEN is not set"]);
  });

  test("bad values are named at their path: transport, auth_type, url, server name", async () => {
    const error = await configError(() =>
      loadConfigValue({ mcp_servers: { a: { url: "ftp://a", transport: "websocket", auth_type: "magic" }, "b c": { url: "https://b/mcp" } } }, "c.yaml", {}),
    );
    expect(error.problems.join("\n")).toContain("mcp_servers.a.url: expected a URL starting with http:// or https://");
    expect(error.problems.join("\n")).toContain('mcp_servers.a.transport: expected one of "http", "sse"');
    expect(error.problems.join("\n")).toContain("mcp_servers.a.auth_type: expected one of");
    expect(error.problems).toContain(`mcp_servers["b c"]: a server name is 1 to 64 letters, digits, _ or - (it prefixes the server's tool names)`);
  });

  test("an OpenAPI server needs spec_path or spec (not both) and may leave out url; any other server needs its url", async () => {
    const loaded = loadConfigValue({ mcp_servers: { pets: { spec_path: "https://pets.example/openapi.json" }, inline: { spec: { openapi: "3.0.0", paths: {} }, url: "https://api.example" } } }, "c.yaml", {});
    expect(loaded.config.mcp_servers?.pets?.spec_path).toBe("https://pets.example/openapi.json");
    const error = await configError(() => loadConfigValue({ mcp_servers: { bare: { auth_type: "none" }, both: { spec_path: "a.json", spec: { openapi: "3.0.0" } } } }, "c.yaml", {}));
    expect(error.problems).toEqual([
      "mcp_servers.bare: give the server's url (an MCP endpoint), or spec_path (an OpenAPI document) for an HTTP API",
      "mcp_servers.both.spec: give spec_path or spec, not both",
    ]);
  });

  test("two server names whose tools could share a name (github and github-enterprise) are a problem", async () => {
    const error = await configError(() => loadConfigValue({ mcp_servers: { github: { url: "https://a/mcp" }, "github-enterprise": { url: "https://b/mcp" } } }, "c.yaml", {}));
    expect(error.problems).toEqual([
      "mcp_servers.github: tool names of 'github' and 'github-enterprise' could be the same (<server>-<tool>); rename one so neither name starts with the other and a -",
    ]);
    expect(loadConfigValue({ mcp_servers: { github: { url: "https://a/mcp" }, github_enterprise: { url: "https://b/mcp" } } }, "c.yaml", {}).config.mcp_servers).toBeDefined();
  });
});

describe("prices of MCP tool calls", () => {
  test("price_per_call and tool_prices load as dollars; negative prices are problems at their path", async () => {
    const loaded = loadConfigValue({ mcp_servers: { a: { url: "https://a/mcp", price_per_call: 0.01, tool_prices: { search: 0.25 } } } }, "c.yaml", {});
    expect(loaded.config.mcp_servers?.a).toMatchObject({ price_per_call: 0.01, tool_prices: { search: 0.25 } });
    const error = await configError(() => loadConfigValue({ mcp_servers: { a: { url: "https://a/mcp", price_per_call: -1, tool_prices: { search: "free" } } } }, "c.yaml", {}));
    expect(error.problems.join("\n")).toContain("mcp_servers.a.price_per_call: expected at least 0, got -1");
    expect(error.problems.join("\n")).toContain("mcp_servers.a.tool_prices.search: expected a number");
  });

  test("LiteLLM's mcp_info.mcp_server_cost_info becomes price_per_call and tool_prices; its errors name the LiteLLM path", async () => {
    const cost = { default_cost_per_query: 0.01, tool_name_to_cost_per_query: { send_email: 0.05 } };
    const loaded = loadConfigValue({ model_list: [gpt], mcp_servers: { zapier: { url: "https://z/mcp", mcp_info: { mcp_server_cost_info: cost, description: "Zapier" } } } }, "config.yaml", {});
    expect(loaded.config.mcp_servers?.zapier).toEqual({ url: "https://z/mcp", price_per_call: 0.01, tool_prices: { send_email: 0.05 } });
    expect(loaded.warnings.filter((w) => w.includes("mcp"))).toEqual(["mcp_servers.zapier.mcp_info.description: not supported yet; ignored"]);
    const error = await configError(() =>
      loadConfigValue({ model_list: [gpt], mcp_servers: { z: { url: "https://z/mcp", mcp_info: { mcp_server_cost_info: { default_cost_per_query: -2, tool_name_to_cost_per_query: { a: "x" } } } } } }, "config.yaml", {}),
    );
    expect(error.problems.join("\n")).toContain("mcp_servers.z.mcp_info.mcp_server_cost_info.default_cost_per_query: expected at least 0, got -2");
    expect(error.problems.join("\n")).toContain("mcp_servers.z.mcp_info.mcp_server_cost_info.tool_name_to_cost_per_query.a: expected a number");
  });
});

describe("mcp_servers in a LiteLLM config", () => {
  test("translated as written, with no 'not supported' warning; LiteLLM-only keys are one warning each", () => {
    const loaded = loadConfigValue(
      {
        model_list: [gpt],
        mcp_servers: {
          zapier: { url: "https://actions.zapier.com/mcp/sse", transport: "sse", auth_type: "api_key", auth_value: "os.environ/ZAPIER_KEY", alias: "zap", disallowed_tools: ["send_email"] },
          deepwiki: { url: "https://mcp.deepwiki.com/mcp", transport: "http", static_headers: { "X-Num": 7 }, access_groups: ["dev_group"] },
        },
      },
      "config.yaml",
      { ZAPIER_KEY: "zk-1" },
    );
    expect(loaded.format).toBe("litellm");
    expect(loaded.config.mcp_servers).toEqual({
      zapier: { url: "https://actions.zapier.com/mcp/sse", transport: "sse", auth_type: "api_key", auth_value: "zk-1", disallowed_tools: ["send_email"] },
      deepwiki: { url: "https://mcp.deepwiki.com/mcp", transport: "http", static_headers: { "X-Num": "7" }, access_groups: ["dev_group"] },
    });
    expect(loaded.warnings.filter((w) => w.includes("mcp"))).toEqual(["mcp_servers.zapier.alias: the server's name in mcp_servers is its only name; ignored"]);
  });

  test("an OpenAPI server (spec_path, url as the API's base) is translated as written, with allow_private_hosts", () => {
    const loaded = loadConfigValue(
      { model_list: [gpt], mcp_servers: { petstore: { url: "https://petstore.example/api", spec_path: "/specs/petstore.json", auth_type: "api_key", auth_value: "k-1", allowed_tools: ["getPet"], allow_private_hosts: ["petstore.internal"] } } },
      "config.yaml",
      {},
    );
    expect(loaded.config.mcp_servers?.petstore).toEqual({ url: "https://petstore.example/api", spec_path: "/specs/petstore.json", auth_type: "api_key", auth_value: "k-1", allowed_tools: ["getPet"], allow_private_hosts: ["petstore.internal"] });
  });

  test("LiteLLM's stdio example loads as written (env values as text); its problems are named at the LiteLLM paths in the same words; an OAuth2 server lacking its client credentials is named; a misspelt key gets a suggestion", async () => {
    const loaded = loadConfigValue(
      {
        model_list: [gpt],
        mcp_servers: {
          circleci_mcp: { transport: "stdio", command: "npx", args: ["-y", "@circleci/mcp-server-circleci"], env: { CIRCLECI_TOKEN: "os.environ/CIRCLECI_TOKEN", CIRCLECI_BASE_URL: "https://circleci.com", PORT: 8080 } },
        },
      },
      "config.yaml",
      { CIRCLECI_TOKEN: "cci-1" },
    );
    expect(loaded.config.mcp_servers?.circleci_mcp).toEqual({
      transport: "stdio",
      command: "npx",
      args: ["-y", "@circleci/mcp-server-circleci"],
      env: { CIRCLECI_TOKEN: "cci-1", CIRCLECI_BASE_URL: "https://circleci.com", PORT: "8080" },
    });
    expect(loaded.warnings.filter((w) => w.includes("mcp"))).toEqual([]);
    const error = await configError(() =>
      loadConfigValue(
        {
          model_list: [gpt],
          mcp_servers: {
            local: { transport: "stdio", command: "uvx", args: ["mcp-server-time"], auth_type: "bearer_token", auth_value: "os.environ/TIME_TOKEN" },
            secure: { url: "https://s.example/mcp", auth_type: "oauth2", client_id: "c" },
            typo: { url: "https://t.example/mcp", alowed_tools: ["a"] },
            wrong: { url: "https://w.example/mcp", transport: "websocket" },
          },
        },
        "config.yaml",
        { TIME_TOKEN: "time-secret-1" },
      ),
    );
    expect(error.problems.join("\n")).not.toContain("time-secret-1");
    expect(error.problems).toEqual([
      "mcp_servers.typo.alowed_tools: unknown key; did you mean `allowed_tools`?",
      "mcp_servers.local.auth_type: does not apply to a stdio server: a stdio server is sent no HTTP credential; give the process its credential in env (e.g. API_TOKEN: os.environ/NAME)",
      "mcp_servers.local.auth_value: does not apply to a stdio server: a stdio server is sent no HTTP credential; give the process its credential in env (e.g. API_TOKEN: os.environ/NAME)",
      "mcp_servers.secure.auth_type: auth_type oauth2 needs client_secret, token_url (the client credentials grant; the authorization code flow is not supported)",
      'mcp_servers.wrong.transport: expected one of "http", "sse", "stdio", got "websocket"',
    ]);
  });
});
