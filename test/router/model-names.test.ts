/**
 * Model names from requests as the model table resolves them: a wildcard's match goes into the
 * upstream model id verbatim, and a match no provider can have as a model id resolves to nothing
 * (the table says why, so the caller gets a 400 that names the problem instead of a 404).
 */
import { describe, expect, test } from "bun:test";
import type { ModelEntry } from "../../src/config/schema.ts";
import { buildModelTable } from "../../src/router/models.ts";
import { HOSTILE, LEGITIMATE } from "../support/model-names.ts";

const KEY = "sk-test";
const only = (models: ModelEntry[]) => buildModelTable({ settings: { mock_models: false, env_provider_models: false }, models }, {});

describe("wildcard substitution", () => {
  test("what the wildcard matched is put in verbatim: '$&', '$`' and \"$'\" are not replacement patterns", () => {
    const { table } = only([
      { model_name: "gemini/*", model: "gemini/*", api_key: KEY },
      { model_name: "hf-*", model: "together/meta-llama/*-Turbo", api_key: KEY },
    ]);
    expect(table.resolve("gemini/a$&b")?.target.model).toBe("a$&b");
    expect(table.resolve("gemini/$`x$'")?.target.model).toBe("$`x$'");
    expect(table.resolve("hf-$&$`")?.target.model).toBe("meta-llama/$&$`-Turbo");
  });

  const { table } = only([
    { model_name: "gemini/*", model: "gemini/*", api_key: KEY },
    { model_name: "bedrock/*", model: "bedrock/*", aws_region_name: "us-east-1", aws_access_key_id: "AKIDEXAMPLE", aws_secret_access_key: "secret" },
  ]);

  // "" is left out: `gemini/` matches no pattern at all (a pattern needs something after its prefix).
  for (const hostile of HOSTILE.filter((name) => name !== "")) {
    test(`gemini/${JSON.stringify(hostile).slice(1, -1)} resolves to nothing, and the table says why`, () => {
      const name = `gemini/${hostile}`;
      expect(table.group(name)).toBeUndefined();
      expect(table.resolve(name)).toBeUndefined();
      expect(table.refusal(name)).toBeString();
    });
  }

  test("legitimate odd ids resolve as sent", () => {
    for (const id of LEGITIMATE) {
      expect(table.resolve(`bedrock/${id}`)?.target.model).toBe(id);
      expect(table.refusal(`bedrock/${id}`)).toBeUndefined();
    }
  });

  test("no refusal for names that match no wildcard, or match an exact name", () => {
    expect(table.refusal("nosuch/a?b")).toBeUndefined();
    const exact = only([{ model_name: "team #1", model: "gemini/gemini-2.5-flash", api_key: KEY }]).table;
    expect(exact.resolve("team #1")?.target.model).toBe("gemini-2.5-flash");
    expect(exact.refusal("team #1")).toBeUndefined();
  });
});

describe("configured upstream model ids", () => {
  test("an id no provider can have in a URL is a problem at load, naming the field", () => {
    const { table, problems } = only([
      { model_name: "ok", model: "bedrock/arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0", aws_region_name: "us-east-1", aws_access_key_id: "AKIDEXAMPLE", aws_secret_access_key: "secret" },
      { model_name: "bad", model: "gemini/x/../../upload?x=", api_key: KEY },
      { model_name: "bad-*", model: "gemini/*#frag", api_key: KEY },
      { model_name: "fine-*", model: "gemini/models/*", api_key: KEY },
    ]);
    expect(problems).toEqual([
      "models[1].model: the upstream model id has a '..' path segment; no provider has such an id",
      "models[2].model: the upstream model id has a '#'; no provider has such an id",
    ]);
    expect(table.resolve("bad")).toBeUndefined();
    expect(table.resolve("ok")).toBeDefined();
    expect(table.resolve("fine-gemini-2.5-flash")?.target.model).toBe("models/gemini-2.5-flash");
  });
});
