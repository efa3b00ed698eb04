import { describe, expect, test } from "bun:test";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { openApiToolNames, type NamedOperation } from "../../../src/mcp/openapi/naming.ts";
import { parseSpec } from "../../../src/mcp/openapi/spec.ts";
import { TOOL_NAME } from "../../../src/mcp/names.ts";

const fixture = async (name: string) => parseSpec(await readFile(join(import.meta.dir, "fixtures", name), "utf8"));

/** Tool name -> "METHOD path" of its operation. */
async function named(file: string): Promise<Record<string, string>> {
  const spec = await fixture(file);
  const out: Record<string, string> = {};
  for (const [name, index] of openApiToolNames(spec.operations)) {
    const operation = spec.operations[index] as NamedOperation;
    out[name] = `${operation.method.toUpperCase()} ${operation.path}`;
  }
  return out;
}

describe("OpenAPI operations as tool names", () => {
  test("valid operationIds keep their names; rewritten ones are sanitised and numbered in document order; a repeated operationId is registered once", async () => {
    expect(await named("collisions.json")).toEqual({
      foo_list: "GET /beta",
      dup: "GET /gamma",
      foo_list_2: "GET /alpha",
      foo_list_3: "POST /gamma",
      delete__pets__petId_: "DELETE /pets/{petId}",
      ["x".repeat(128)]: "GET /long",
    });
  });

  test("swapping the document order of the colliding operations swaps only the numbered names; the valid name stays with its operation", async () => {
    expect(await named("collisions-swapped.json")).toEqual({
      foo_list: "GET /beta",
      dup: "GET /gamma",
      foo_list_2: "POST /gamma",
      foo_list_3: "GET /alpha",
      delete__pets__petId_: "DELETE /pets/{petId}",
      ["x".repeat(128)]: "GET /long",
    });
  });

  test("the same original twice is registered once (the first); without operationId a tool is <method>_<path>", () => {
    const same = openApiToolNames([
      { method: "get", path: "/x", operationId: "a.b" },
      { method: "post", path: "/x", operationId: "a.b" },
    ]);
    expect([...same]).toEqual([["a_b", 0]]);
    const noIds = (methods: NamedOperation["method"][]): NamedOperation[] => methods.map((method) => ({ method, path: "/x" }));
    expect([...openApiToolNames(noIds(["get", "post", "delete"])).keys()]).toEqual(["get__x", "post__x", "delete__x"]);
  });

  test("every name is valid for strict providers, also when numbering a capped name", () => {
    const long = "y".repeat(127);
    const names = openApiToolNames([
      { method: "get", path: "/a", operationId: `${long}.` },
      { method: "get", path: "/b", operationId: `${long}/` },
      { method: "get", path: "/c", operationId: `${long}!` },
    ]);
    expect([...names.keys()]).toEqual([`${long}_`, `${"y".repeat(126)}_2`, `${"y".repeat(126)}_3`]);
    for (const name of names.keys()) expect(name).toMatch(TOOL_NAME);
  });
});
