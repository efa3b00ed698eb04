/**
 * A run-time model's secrets are found by the same schema marks the config loader uses: literal
 * ones are split off for sealing, references stay in clear, answers carry neither; problems read
 * at the path the caller wrote.
 */
import { describe, expect, test } from "bun:test";
import { mergeSecrets, modelProblem, readModel, splitSecrets, withoutSecrets } from "../../src/models/litellm-model.ts";

describe("splitSecrets / mergeSecrets / withoutSecrets", () => {
  const params = {
    model: "bedrock/anthropic.claude-3",
    api_key: "sk-literal",
    aws_access_key_id: "os.environ/AWS_KEY_ID",
    aws_secret_access_key: "literal-aws-secret",
    vertex_credentials: { type: "service_account", private_key: "-----BEGIN" },
    extra_headers: { Authorization: "Bearer literal", "x-team": "blue", "x-api-key": "os.environ/TEAM_KEY" },
    rpm: 10,
  };

  test("literal secrets are split off in the same shape; references and everything else stay", () => {
    const { open, secrets, found } = splitSecrets(params);
    expect(open).toEqual({
      model: "bedrock/anthropic.claude-3",
      aws_access_key_id: "os.environ/AWS_KEY_ID",
      extra_headers: { "x-team": "blue", "x-api-key": "os.environ/TEAM_KEY" },
      rpm: 10,
    });
    expect(secrets).toEqual({
      api_key: "sk-literal",
      aws_secret_access_key: "literal-aws-secret",
      vertex_credentials: { type: "service_account", private_key: "-----BEGIN" },
      extra_headers: { Authorization: "Bearer literal" },
    });
    expect(found.map((f) => f.path)).toEqual(["litellm_params.api_key", "litellm_params.aws_secret_access_key", "litellm_params.vertex_credentials", "litellm_params.extra_headers.Authorization"]);
    expect(mergeSecrets(open, secrets)).toEqual(params);
  });

  test("nothing to seal: no secrets part", () => {
    expect(splitSecrets({ model: "openai/x", api_key: "os.environ/K" })).toEqual({ open: { model: "openai/x", api_key: "os.environ/K" }, secrets: undefined, found: [] });
  });

  test("an answer carries no secret field at all, references included", () => {
    expect(withoutSecrets(params)).toEqual({ model: "bedrock/anthropic.claude-3", extra_headers: { "x-team": "blue" }, rpm: 10 });
  });
});

describe("readModel", () => {
  test("reads as the config loader does, references resolved", () => {
    const read = readModel({ model_name: "m", litellm_params: { model: "openai/gpt-4o", api_key: "os.environ/K", rpm: "5", input_cost_per_token: 0.000001 }, model_info: { id: "x" } }, { K: "sk-env" });
    if ("problems" in read) throw new Error(JSON.stringify(read.problems));
    expect(read.entry).toMatchObject({ model_name: "m", model: "openai/gpt-4o", api_key: "sk-env", rpm: 5, id: "x", price: { input: 1 } });
  });

  test("problems name the caller's path, never the one-model config's", () => {
    const read = readModel({ model_name: "m", litellm_params: { model: "openai/gpt-4o", timeout: "soon", api_key: "sk-do-not-echo-me" }, model_info: {} }, {});
    expect(read).toEqual({ problems: [{ param: "litellm_params.timeout", message: 'expected a number, got "soon"' }] });
    expect(JSON.stringify(read)).not.toContain("sk-do-not-echo-me");
  });

  test("modelProblem strips the prefix, keeps whole-model messages whole", () => {
    expect(modelProblem("model_list[0].litellm_params.api_base: bad")).toEqual({ param: "litellm_params.api_base", message: "bad" });
    expect(modelProblem("model_list[0]: needs an API key")).toEqual({ message: "needs an API key" });
  });
});
