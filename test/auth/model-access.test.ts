import { describe, expect, test } from "bun:test";
import { listedModelAllowed, modelAllowed } from "../../src/auth/model-access.ts";

describe("model allow-lists", () => {
  test("exact names, patterns that stop at a separator, and empty = everything", () => {
    expect(modelAllowed([], "anything")).toBe(true);
    expect(modelAllowed(["gpt-4o"], "gpt-4o")).toBe(true);
    expect(modelAllowed(["gpt-4o"], "gpt-4o-mini")).toBe(false);
    expect(modelAllowed(["openai/*"], "openai/gpt-4o")).toBe(true);
    expect(modelAllowed(["openai/*"], "openaiz/x")).toBe(false);
    expect(modelAllowed(["openai/*"], "openai/")).toBe(false);
    // A bare prefix is read as `name/`: it cannot stretch into another provider's name.
    expect(modelAllowed(["openai*"], "openai/gpt-4o")).toBe(true);
    expect(modelAllowed(["openai*"], "openaiz/x")).toBe(false);
    expect(modelAllowed(["gpt-*"], "gpt-4o")).toBe(true);
    expect(modelAllowed(["*"], "x")).toBe(true);
  });

  test("a listed pattern is shown only when an allowed entry covers it", () => {
    expect(listedModelAllowed(["openai/*"], "openai/*")).toBe(true);
    expect(listedModelAllowed(["openai/gpt-4o"], "openai/*")).toBe(false);
    expect(listedModelAllowed(["mock/echo"], "mock/echo")).toBe(true);
  });
});
