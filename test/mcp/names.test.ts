import { describe, expect, test } from "bun:test";
import { prefixedName, TOOL_NAME, toolNames } from "../../src/mcp/names.ts";

describe("gateway tool names: <server>-<tool>, valid for strict providers", () => {
  test("characters outside a-z A-Z 0-9 _ - become _, and the name is capped at 128", () => {
    expect(prefixedName("github", "create_issue")).toBe("github-create_issue");
    expect(prefixedName("fs", "files.read/all 2")).toBe("fs-files_read_all_2");
    const long = prefixedName("srv", "x".repeat(300));
    expect(long.length).toBe(128);
    expect(TOOL_NAME.test(long)).toBe(true);
  });

  test("names colliding after sanitising get _2, _3 in the server's order, each mapping back to one tool", () => {
    const names = toolNames("fs", ["list.files", "list/files", "list_files", "ok"]);
    expect([...names]).toEqual([
      ["fs-list_files", "list.files"],
      ["fs-list_files_2", "list/files"],
      ["fs-list_files_3", "list_files"],
      ["fs-ok", "ok"],
    ]);
    const capped = toolNames("s", ["a".repeat(200), `${"a".repeat(199)}.`]);
    for (const name of capped.keys()) expect(TOOL_NAME.test(name)).toBe(true);
    expect(capped.size).toBe(2);
  });
});
