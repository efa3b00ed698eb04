import { describe, expect, test } from "bun:test";
import { redactConfig } from "../../src/config/env-refs.ts";
import { loadConfigValue } from "../../src/config/load.ts";
import { ConfigSchema } from "../../src/config/schema.ts";
import { secretFields } from "../../src/config/secrets.ts";
import { buildModelTable } from "../../src/router/models.ts";
import { configError } from "../support/config-error.ts";

/** Every field that holds a secret: removing a mark from the schema fails here. */
const EXPECTED_SECRET_FIELDS = [
  "auth.master_key",
  "models[].api_key",
  "models[].aws_access_key_id",
  "models[].aws_secret_access_key",
  "models[].aws_session_token",
  "models[].vertex_credentials",
  "models[].headers.*",
  "tracing.headers.*",
  "mcp_servers.*.auth_value",
  "mcp_servers.*.client_secret",
  "mcp_servers.*.static_headers.*",
  "mcp_servers.*.env.*",
  "pass_through_endpoints[].headers.*",
];

/** A config holding `value` at `path` (`models[]` is one model entry, `*` a header named `header`). */
function configWith(path: string, value: string, header: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  let node = root;
  const parts = path.split(".");
  parts.forEach((part, i) => {
    const last = i === parts.length - 1;
    const key = part === "*" ? header : part.replace("[]", "");
    if (last) {
      node[key] = value;
    } else if (part.endsWith("[]")) {
      const entry: Record<string, unknown> = key === "models" ? { model_name: "m", model: "openai/m" } : { path: "/p", target: "https://t.example" };
      node[key] = [entry];
      node = entry;
    } else {
      node[key] = (node[key] as Record<string, unknown> | undefined) ?? {};
      node = node[key] as Record<string, unknown>;
    }
  });
  return root;
}

describe("secrets are marked in the schema", () => {
  test("the schema's secret-marked fields are exactly the known secret fields", () => {
    expect(secretFields(ConfigSchema).map((field) => field.path).sort()).toEqual([...EXPECTED_SECRET_FIELDS].sort());
  });

  for (const path of EXPECTED_SECRET_FIELDS) {
    test(`${path}: an inline value is redacted, a reference is printed as written`, () => {
      const header = path === "models[].headers.*" ? "Authorization" : "X-Space-Key";
      const inline = redactConfig(configWith(path, "inline-secret-5f3a9c", header));
      expect(JSON.stringify(inline)).not.toContain("inline-secret-5f3a9c");
      expect(JSON.stringify(inline)).toContain('"***"');
      const reference = redactConfig(configWith(path, "os.environ/SECRET_VAR", header));
      expect(reference).toEqual(configWith(path, "os.environ/SECRET_VAR", header));
    });
  }

  test("model headers: values of credential headers are redacted, others are shown", () => {
    const headers = { Authorization: "Bearer a1", "x-api-key": "a2", "api-key": "a3", "X-Goog-Api-Key": "a4", "Proxy-Authorization": "a5", Cookie: "a6", "X-Auth-Token": "a7", "X-Title": "demo", "OpenAI-Organization": "org-1" };
    const redacted = redactConfig({ models: [{ model_name: "m", model: "openai/m", headers }] }) as { models: { headers: Record<string, string> }[] };
    expect(redacted.models[0]?.headers).toEqual({
      Authorization: "***",
      "x-api-key": "***",
      "api-key": "***",
      "X-Goog-Api-Key": "***",
      "Proxy-Authorization": "***",
      Cookie: "***",
      "X-Auth-Token": "***",
      "X-Title": "demo",
      "OpenAI-Organization": "org-1",
    });
  });

  test("tracing headers are all redacted (Arize space ids and API keys)", () => {
    expect(redactConfig({ tracing: { headers: { space_id: "U3BhY2U6MTIz", api_key: "ak-1" } } })).toEqual({ tracing: { headers: { space_id: "***", api_key: "***" } } });
  });

  test("a service account given as a mapping in a LiteLLM file is redacted in the translated dump", () => {
    const account = { type: "service_account", private_key: "-----BEGIN PRIVATE KEY-----\nMIIEvQ-secret\n-----END PRIVATE KEY-----\n" };
    const loaded = loadConfigValue({ model_list: [{ model_name: "vx", litellm_params: { model: "vertex_ai/gemini-2.5-pro", vertex_credentials: account } }] }, "l.yaml", {});
    expect(JSON.stringify(redactConfig(loaded.written))).not.toContain("MIIEvQ-secret");
  });
});

describe("no error message prints a secret", () => {
  const errorText = async (fn: () => unknown) => (await configError(fn)).message;

  test("a secret field of the wrong type is reported without its value", async () => {
    const text = await errorText(() =>
      loadConfigValue({ auth: { master_key: 918273645546372 }, models: [{ model_name: "m", model: "openai/m", api_key: 1234567890987, aws_secret_access_key: ["aws-secret-77"] }] }, "s.yaml", {}),
    );
    expect(text).toContain("auth.master_key: expected a string");
    expect(text).toContain("models[0].api_key: expected a string");
    expect(text).not.toContain("918273645546372");
    expect(text).not.toContain("1234567890987");
    expect(text).not.toContain("aws-secret-77");
  });

  test("the same in a LiteLLM file", async () => {
    const text = await errorText(() => loadConfigValue({ model_list: [{ model_name: "m", litellm_params: { model: "bedrock/x", aws_secret_access_key: 55443322110099, aws_session_token: { t: "tok-secret-31" } } }] }, "l.yaml", {}));
    expect(text).toContain("model_list[0].litellm_params.aws_secret_access_key: expected a string");
    expect(text).not.toContain("55443322110099");
    expect(text).not.toContain("tok-secret-31");
  });

  test("a header value of the wrong type under a credential header is not echoed", async () => {
    const text = await errorText(() => loadConfigValue({ models: [{ model_name: "m", model: "openai/m", headers: { "x-api-key": 987654321012 } }] }, "h.yaml", {}));
    expect(text).toContain('models[0].headers["x-api-key"]: expected a string');
    expect(text).not.toContain("987654321012");
  });

  test("inline Vertex credentials that are neither JSON nor a file are not echoed by the model table", () => {
    const secret = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASC-not-a-path";
    const { problems } = buildModelTable({ models: [{ model_name: "vx", model: "vertex_ai/gemini-2.5-pro", vertex_credentials: secret }] }, {});
    expect(problems).toHaveLength(1);
    expect(problems[0]).toStartWith("models[0]: vertex_credentials: ");
    expect(problems[0]).not.toContain(secret);
  });

  test("a file path in vertex_credentials is still named, so a typo in it can be found", () => {
    const { problems } = buildModelTable({ models: [{ model_name: "vx", model: "vertex_ai/gemini-2.5-pro", vertex_credentials: "/etc/nope/sa.json" }] }, {});
    expect(problems[0]).toContain("/etc/nope/sa.json");
  });
});
