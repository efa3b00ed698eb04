/**
 * The 400 a body that fails its route's schema gets, as route-handler.ts builds it: the field at
 * fault and what it expected, also inside a union of entry shapes told apart by `type`.
 */
import { describe, expect, test } from "bun:test";
import { TypeCompiler } from "@sinclair/typebox/compiler";
import { ChatCompletionRequestSchema } from "../../src/dialects/openai/schema.ts";
import { validationError } from "../../src/server/validation.ts";

const chat = TypeCompiler.Compile(ChatCompletionRequestSchema);
const refusal = (tools: unknown[]) => {
  const body = { model: "m", messages: [{ role: "user", content: "x" }], tools };
  expect(chat.Check(body)).toBe(false);
  return validationError(chat.Errors(body));
};

describe("chat completions tools (function tools or MCP entries)", () => {
  test("a malformed function tool is named at its field, not as the whole entry", () => {
    const cases: [unknown, string][] = [
      [{ type: "function", function: { name: "" } }, "tools.0.function.name"],
      [{ type: "function", function: { name: "f", parameters: [] } }, "tools.0.function.parameters"],
      [{ type: "function", function: { description: "no name" } }, "tools.0.function.name"],
    ];
    for (const [tool, param] of cases) {
      const error = refusal([tool]);
      expect([param, error.details.param]).toEqual([param, param]);
      expect(error.message).not.toContain("union");
    }
  });
});
