import { describe, expect, test } from "bun:test";
import { decodePathParam, pathOf, queryOf } from "../../src/server/url.ts";

describe("pathOf and queryOf never throw", () => {
  test("absolute, relative and unparseable request URLs", () => {
    expect(pathOf("http://127.0.0.1:99999/v1/models?x=1")).toBe("/v1/models");
    expect(pathOf("/v1/models/a/b?x=1")).toBe("/v1/models/a/b");
    expect(pathOf("http://host")).toBe("/");
    expect(Object.fromEntries(queryOf("http://127.0.0.1:99999/key/list?page=2&size=3"))).toEqual({ page: "2", size: "3" });
    expect(Object.fromEntries(queryOf("/key/list"))).toEqual({});
    expect(Object.fromEntries(queryOf("http://h/p?a=%20b"))).toEqual({ a: " b" });
  });
});

describe("decodePathParam", () => {
  test("decodes escapes; malformed ones are kept as sent", () => {
    expect(decodePathParam("openai%2Fgpt-4o")).toBe("openai/gpt-4o");
    expect(decodePathParam("mock/echo")).toBe("mock/echo");
    expect(decodePathParam("%E0%A4%A")).toBe("%E0%A4%A");
  });
});
