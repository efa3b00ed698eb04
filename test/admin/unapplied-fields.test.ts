import { describe, expect, test } from "bun:test";
import { Type } from "@sinclair/typebox";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { unappliedFields, unappliedWarnings, withoutUnapplied, withWarnings } from "../../src/admin/unapplied-fields.ts";

describe("LiteLLM fields accepted but not applied", () => {
  const names = ["soft_budget", "guardrails"] as const;
  const schema = TypeCompiler.Compile(Type.Object({ models: Type.Optional(Type.Array(Type.String())), ...unappliedFields(names) }, { additionalProperties: false }));

  test("the named fields pass a strict schema; any other unknown field still fails", () => {
    expect(schema.Check({ models: [], soft_budget: 5, guardrails: ["x"] })).toBe(true);
    expect(schema.Check({ soft_budgett: 5 })).toBe(false);
  });

  test("each field set is named once; null and absent are not", () => {
    expect(unappliedWarnings({ soft_budget: 5, guardrails: null }, names)).toEqual(["'soft_budget' is accepted for LiteLLM compatibility but not applied by Switchboard."]);
    expect(unappliedWarnings({}, names)).toEqual([]);
  });

  test("the fields are removed before the body reaches the store, and warnings appear only when present", () => {
    const body: { models: string[]; soft_budget?: number } = { models: ["a"], soft_budget: 5 };
    expect(withoutUnapplied(body, names)).toEqual({ models: ["a"] });
    expect(withWarnings({ a: 1 }, [])).toEqual({ a: 1 });
    expect(withWarnings({ a: 1 }, ["w"])).toEqual({ a: 1, warnings: ["w"] });
  });
});
