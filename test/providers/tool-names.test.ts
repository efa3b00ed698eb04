import { describe, expect, test } from "bun:test";
import { ANTHROPIC_TOOL_NAMES } from "../../src/providers/anthropic/tool-names.ts";
import { CONVERSE_TOOL_NAMES } from "../../src/providers/bedrock/tools.ts";
import { GEMINI_FUNCTION_NAMES } from "../../src/providers/gemini/tool-names.ts";
import { OPENAI_TOOL_NAMES } from "../../src/providers/openai/tool-names.ts";
import { planToolNames, sanitizeToolName, type ToolNameRule } from "../../src/providers/tool-names.ts";

/** A rule of the shape every provider's is, with a short length so the cuts are readable. */
const SHORT: ToolNameRule = { pattern: /^[a-zA-Z0-9_-]{1,8}$/, character: /^[a-zA-Z0-9_-]$/, maxLength: 8 };

describe("sanitizeToolName", () => {
  test("one underscore per character, Unicode-aware", () => {
    expect(sanitizeToolName("actions/download-job-logs", ANTHROPIC_TOOL_NAMES)).toBe("actions_download-job-logs");
    expect(sanitizeToolName("files.read", ANTHROPIC_TOOL_NAMES)).toBe("files_read");
    expect(sanitizeToolName("météo", ANTHROPIC_TOOL_NAMES)).toBe("m_t_o");
    // A surrogate pair (one emoji) and a letter + combining accent are one character each.
    expect(sanitizeToolName("👍ok", ANTHROPIC_TOOL_NAMES)).toBe("_ok");
    expect(sanitizeToolName("cafe\u0301", ANTHROPIC_TOOL_NAMES)).toBe("caf_");
    expect(sanitizeToolName("👨‍👩‍👧 family", ANTHROPIC_TOOL_NAMES)).toBe("__family");
    expect(sanitizeToolName("", ANTHROPIC_TOOL_NAMES)).toBe("tool");
  });

  test("a rule's own characters are kept, and a name that may not start as it does gets `_` in front (Gemini)", () => {
    expect(sanitizeToolName("files.read", GEMINI_FUNCTION_NAMES)).toBe("files.read");
    expect(sanitizeToolName("9lives", GEMINI_FUNCTION_NAMES)).toBe("_9lives");
    expect(sanitizeToolName(".hidden", GEMINI_FUNCTION_NAMES)).toBe("_.hidden");
    expect(sanitizeToolName("9lives", OPENAI_TOOL_NAMES)).toBe("9lives");
  });
});

describe("the providers' rules", () => {
  const cases: [string, ToolNameRule, string[], string[]][] = [
    ["Anthropic: 1-128 of [a-zA-Z0-9_-]", ANTHROPIC_TOOL_NAMES, ["get_weather-2", "x".repeat(128)], ["", "a.b", "x".repeat(129), "a b"]],
    ["OpenAI wire: 1-64 of [a-zA-Z0-9_-]", OPENAI_TOOL_NAMES, ["get_weather-2", "x".repeat(64), "9lives"], ["", "a.b", "x".repeat(65), "a/b"]],
    ["Bedrock Converse: 1-64 of [a-zA-Z0-9_-]", CONVERSE_TOOL_NAMES, ["get_weather-2", "x".repeat(64)], ["", "a.b", "x".repeat(65)]],
    ["Gemini: a letter or _ first, then [a-zA-Z0-9_.-], 64 at most", GEMINI_FUNCTION_NAMES, ["files.read", "_x", "x".repeat(64)], ["", "9lives", "-x", "x".repeat(65), "a/b"]],
  ];
  for (const [title, rule, valid, invalid] of cases) {
    test(title, () => {
      for (const name of valid) expect(rule.pattern.test(name)).toBe(true);
      for (const name of invalid) expect(rule.pattern.test(name)).toBe(false);
      // Whatever the name, the plan's upstream name passes the rule.
      const plan = planToolNames([...valid, ...invalid, "👨‍👩‍👧", "x".repeat(200)], rule);
      for (const name of plan.forward.values()) expect(rule.pattern.test(name)).toBe(true);
      expect(new Set(plan.forward.values()).size).toBe(plan.forward.size);
    });
  }
});

describe("planToolNames", () => {
  test("collisions: an already-valid name keeps its name in either order; the rewritten one gets _2", () => {
    for (const order of [["a.b", "a_b"], ["a_b", "a.b"]]) {
      const { forward, reverse } = planToolNames(order, ANTHROPIC_TOOL_NAMES);
      expect(forward.get("a_b")).toBe("a_b");
      expect(forward.get("a.b")).toBe("a_b_2");
      expect([...reverse]).toEqual([["a_b_2", "a.b"]]);
    }
  });

  test("several rewritten names clashing get _2, _3 in order; the same original twice maps to one name", () => {
    const { forward, reverse } = planToolNames(["a.b", "a/b", "a.b", "a b", "ok"], ANTHROPIC_TOOL_NAMES);
    expect([...forward]).toEqual([
      ["a.b", "a_b"],
      ["a/b", "a_b_2"],
      ["a b", "a_b_3"],
      ["ok", "ok"],
    ]);
    expect([...reverse]).toEqual([
      ["a_b", "a.b"],
      ["a_b_2", "a/b"],
      ["a_b_3", "a b"],
    ]);
  });

  test("names are cut to the rule's length, suffix included", () => {
    const long = `${"x".repeat(130)}.`;
    const other = `${"x".repeat(128)}/`;
    const { forward } = planToolNames([long, other], ANTHROPIC_TOOL_NAMES);
    expect(forward.get(long)).toBe("x".repeat(128));
    expect(forward.get(other)).toBe(`${"x".repeat(126)}_2`);
    expect(forward.get(other)?.length).toBe(128);
    expect([...planToolNames(["abcdefghij", "abcdefghik"], SHORT).forward.values()]).toEqual(["abcdefgh", "abcdef_2"]);
  });

  test("a name valid for Anthropic but too long for the OpenAI wire is cut to 64 and restored by the reverse map", () => {
    const name = `mcp__github__${"list_workflow_runs_for_repository_".repeat(3)}`;
    expect(name.length).toBeGreaterThan(64);
    expect(ANTHROPIC_TOOL_NAMES.pattern.test(name)).toBe(true);
    const { forward, reverse } = planToolNames([name, "files.read"], OPENAI_TOOL_NAMES);
    expect(forward.get(name)).toBe(name.slice(0, 64));
    expect(reverse.get(name.slice(0, 64))).toBe(name);
    expect(forward.get("files.read")).toBe("files_read");
  });

  test("reserved (hosted) names are never handed out", () => {
    expect(planToolNames(["web.search"], ANTHROPIC_TOOL_NAMES, ["web_search"]).forward.get("web.search")).toBe("web_search_2");
  });
});
