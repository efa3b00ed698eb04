/**
 * `pass_through_endpoints`, as a config file gives it: Switchboard's format and LiteLLM's
 * `general_settings.pass_through_endpoints`, references in header values (alone or after a scheme
 * word), what is refused and what is only a warning, and every problem at the path the user wrote.
 */
import { describe, expect, test } from "bun:test";
import { redactConfig } from "../../src/config/env-refs.ts";
import { loadConfigValue } from "../../src/config/load.ts";
import { configError } from "../support/config-error.ts";

const gpt = { model_name: "gpt", litellm_params: { model: "openai/gpt-4o", api_key: "sk-x" } };
const litellm = (endpoints: unknown, extra: Record<string, unknown> = {}) => ({ model_list: [gpt], general_settings: { pass_through_endpoints: endpoints, ...extra } });

describe("Switchboard's format", () => {
  test("an endpoint loads with its header references resolved, a scheme word kept; the file as written keeps them", () => {
    const raw = {
      pass_through_endpoints: [
        {
          path: "/v1/rerank",
          target: "https://api.cohere.com/v1/rerank",
          headers: { Authorization: "Bearer os.environ/COHERE_KEY", "X-Tenant": "os.environ/TENANT", accept: "application/json" },
          forward_headers: true,
          include_subpath: false,
          auth: true,
          cost_per_request: 0.002,
          methods: ["POST"],
          default_query_params: { region: "eu" },
          timeout_seconds: 30,
        },
      ],
    };
    const loaded = loadConfigValue(raw, "c.yaml", { COHERE_KEY: "co-secret-1", TENANT: "t-9" });
    expect(loaded.config.pass_through_endpoints?.[0]?.headers).toEqual({ Authorization: "Bearer co-secret-1", "X-Tenant": "t-9", accept: "application/json" });
    expect(loaded.written.pass_through_endpoints?.[0]?.headers?.Authorization).toBe("Bearer os.environ/COHERE_KEY");
    expect(loaded.warnings).toEqual([]);
  });

  test("header values are all secrets: a dump shows references as written and nothing inline", () => {
    const printed = JSON.stringify(redactConfig({ pass_through_endpoints: [{ path: "/x", target: "https://x.example", headers: { api_token: "inline-7c1e", "X-Anything": "inline-9d2f", Authorization: "Bearer os.environ/K" } }] }));
    expect(printed).not.toContain("inline-7c1e");
    expect(printed).not.toContain("inline-9d2f");
    expect(printed).toContain("Bearer os.environ/K");
  });

  test("every problem at its path: paths, targets, headers, references, and two endpoints on one path and method", async () => {
    const error = await configError(() =>
      loadConfigValue(
        {
          pass_through_endpoints: [
            { path: "/ok", target: "https://ok.example", headers: { Authorization: "Bearer os.environ/MISSING" } },
            { path: "/trailing/", target: "https://t.example" },
            { path: "/a/../b", target: "https://t.example" },
            { path: "/py", target: "custom_callbacks.anthropic_adapter" },
            { path: "/userinfo", target: "https://user:pass@t.example/api" },
            { path: "/headers", target: "https://t.example", headers: { Host: "evil.example", "bad name": "x", "X-Split": "a\r\nInjected: 1", "X-Ref": "os.environ/A extra" } },
            { path: "/ok", target: "https://other.example", methods: ["GET"] },
            { path: "/tree", target: "https://t.example", include_subpath: true },
            { path: "/tree/leaf", target: "https://t.example", method: ["GET"] },
          ],
        },
        "c.yaml",
        {},
      ),
    );
    expect([...error.problems].sort()).toEqual(
      [
        "pass_through_endpoints[0].headers.Authorization: environment variable MISSING is not set",
        'pass_through_endpoints[1].path: expected a path like /bria or /v1/rerank (segments of letters, digits, - . _ ~; no trailing /), got "/trailing/"',
        'pass_through_endpoints[2].path: expected a path like /bria or /v1/rerank (segments of letters, digits, - . _ ~; no trailing /), got "/a/../b"',
        'pass_through_endpoints[3].target: expected an http:// or https:// URL (LiteLLM\'s Python adapters are not supported), got "custom_callbacks.anthropic_adapter"',
        "pass_through_endpoints[4].target: must not hold a user or password (user:pass@host): send the credential in headers (Authorization: Basic …)",
        "pass_through_endpoints[5].headers.Host: is set by the transport for each request and cannot be configured",
        'pass_through_endpoints[5].headers["bad name"]: is not a valid header name',
        'pass_through_endpoints[5].headers["X-Split"]: holds a line break or NUL, which no header value may',
        'pass_through_endpoints[5].headers["X-Ref"]: a reference is written os.environ/NAME, alone or after one scheme word (Bearer os.environ/NAME)',
        "pass_through_endpoints[6].path: '/ok' overlaps an earlier endpoint, '/ok', for GET; give them different paths, or different methods",
        "pass_through_endpoints[8].method: unknown key; did you mean `methods`?",
        "pass_through_endpoints[8].path: '/tree/leaf' overlaps an earlier endpoint, '/tree' with its subpaths, for GET, POST, PUT, PATCH, DELETE; give them different paths, or different methods",
      ].sort(),
    );
    // The values of headers are secrets: none is echoed.
    expect(error.message).not.toContain("Injected");
    expect(error.message).not.toContain("evil.example");
  });

  test("two endpoints may share a path with different methods", () => {
    const loaded = loadConfigValue(
      {
        pass_through_endpoints: [
          { path: "/items", target: "https://read.example", methods: ["GET"] },
          { path: "/items", target: "https://write.example", methods: ["POST", "PUT"] },
        ],
      },
      "c.yaml",
      {},
    );
    expect(loaded.config.pass_through_endpoints?.map((e) => e.target)).toEqual(["https://read.example", "https://write.example"]);
  });
});

describe("LiteLLM's general_settings.pass_through_endpoints", () => {
  test("LiteLLM's example loads: the header reference after `bearer`, auth as a string, timeout, lower-case methods; id and merge_query_params change nothing", () => {
    const loaded = loadConfigValue(
      litellm([
        {
          id: "3f1c",
          path: "/v1/rerank",
          target: "https://api.cohere.com/v1/rerank",
          headers: { Authorization: "bearer os.environ/COHERE_API_KEY", "content-type": "application/json", "X-Num": 7 },
          forward_headers: true,
          auth: "true",
          cost_per_request: "0.5",
          timeout: 45,
          methods: ["post"],
          merge_query_params: true,
          include_subpath: true,
        },
      ]),
      "litellm.yaml",
      { COHERE_API_KEY: "co-live-2" },
    );
    expect(loaded.format).toBe("litellm");
    expect(loaded.config.pass_through_endpoints).toEqual([
      {
        path: "/v1/rerank",
        target: "https://api.cohere.com/v1/rerank",
        headers: { Authorization: "bearer co-live-2", "content-type": "application/json", "X-Num": "7" },
        forward_headers: true,
        auth: true,
        cost_per_request: 0.5,
        timeout_seconds: 45,
        methods: ["POST"],
        include_subpath: true,
      },
    ]);
    expect(loaded.warnings).toEqual([]);
  });

  test("an entry without auth needs a key, and says so; guardrails and custom_auth_parser are named, not applied", () => {
    const loaded = loadConfigValue(
      litellm([
        { path: "/langfuse", target: "https://cloud.langfuse.com", include_subpath: true, custom_auth_parser: "langfuse", guardrails: { "pii-guard": { request_fields: ["query"] } } },
        { path: "/hook", target: "http://10.0.0.5/hook", auth: false },
      ]),
      "litellm.yaml",
      {},
    );
    expect(loaded.config.pass_through_endpoints?.map((e) => e.auth)).toEqual([undefined, false]);
    expect(loaded.warnings).toEqual([
      "general_settings.pass_through_endpoints[0].custom_auth_parser: \"langfuse\" is not supported: the key is read where every route reads it (Authorization: Bearer, x-api-key, api-key, x-litellm-api-key); ignored",
      "general_settings.pass_through_endpoints[0].guardrails: guardrails are not supported yet: 'pii-guard' will NOT run on this endpoint, so its requests and answers pass unchecked",
      "general_settings.pass_through_endpoints[0]: sets no auth: Switchboard requires a virtual key on it, as current LiteLLM does (older LiteLLM served such an endpoint to anyone); write auth: true to say so, or auth: false for a public endpoint",
    ]);
  });

  test("problems are reported at LiteLLM's paths: a misspelt key, Langfuse's header pair, a wrong type, an overlap, a reference form, a list that is not one", async () => {
    const error = await configError(() =>
      loadConfigValue(
        litellm([
          { path: "/a", target: "https://a.example", auth: true, include_subpaths: true },
          { path: "/lf", target: "https://cloud.langfuse.com", auth: true, headers: { LANGFUSE_PUBLIC_KEY: "os.environ/LF_PUB", LANGFUSE_SECRET_KEY: "os.environ/LF_SECRET" } },
          { path: "/b", target: "https://b.example", auth: "yes" },
          { path: "/a", target: "https://c.example", auth: true, headers: { Authorization: "Token os.environ/X trailing" } },
          "not an endpoint",
        ]),
        "litellm.yaml",
        {},
      ),
    );
    expect([...error.problems].sort()).toEqual(
      [
        "general_settings.pass_through_endpoints[0].include_subpaths: unknown key; did you mean `include_subpath`?",
        "general_settings.pass_through_endpoints[1].headers: LANGFUSE_PUBLIC_KEY / LANGFUSE_SECRET_KEY (which LiteLLM turns into Basic auth) are not supported: set `Authorization: Basic os.environ/NAME`, NAME holding base64 of public_key:secret_key",
        'general_settings.pass_through_endpoints[2].auth: expected true or false, got "yes"',
        "general_settings.pass_through_endpoints[3].headers.Authorization: a reference is written os.environ/NAME, alone or after one scheme word (Bearer os.environ/NAME)",
        "general_settings.pass_through_endpoints[3].path: '/a' overlaps an earlier endpoint, '/a', for GET, POST, PUT, PATCH, DELETE; give them different paths, or different methods",
        "general_settings.pass_through_endpoints[4]: expected a mapping, got \"not an endpoint\"",
      ].sort(),
    );
    const notList = await configError(() => loadConfigValue(litellm({ path: "/x" }), "litellm.yaml", {}));
    expect(notList.problems).toEqual(["general_settings.pass_through_endpoints: expected a list of endpoints ({path, target, headers, ...}), got a mapping"]);
  });

  test("general_settings.switchboard does not take them: they have LiteLLM's place", async () => {
    const error = await configError(() => loadConfigValue({ model_list: [gpt], general_settings: { switchboard: { pass_through_endpoints: [] } } }, "litellm.yaml", {}));
    expect(error.problems).toEqual(["general_settings.switchboard.pass_through_endpoints: not taken here: write them in general_settings.pass_through_endpoints"]);
  });
});
