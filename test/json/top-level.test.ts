import { describe, expect, test } from "bun:test";
import { editTopLevel } from "../../src/json/top-level.ts";

describe("editTopLevel", () => {
  test("replaces only the top-level model, forwarding every other byte", () => {
    const body = '{"model":"alias","messages":[{"role":"user","content":"say \\"model\\": {x}"}],"vendor":{"model":"keep","n":1.50},"temperature":0.70}';
    const out = editTopLevel(body, { set: { model: '"gpt-4o"' } });
    expect(out).toBe(body.replace('"model":"alias"', '"model":"gpt-4o"'));
  });

  test("removes, renames and appends members and stays valid JSON", () => {
    const body = ' {\n  "api_base": "http://evil", "model" : "a",\n "max_completion_tokens": 12, "x": [1, {"y": "}"}] }\n';
    const out = editTopLevel(body, { set: { stream_options: '{"include_usage":true}' }, remove: ["api_base"], rename: { max_completion_tokens: "max_tokens" } });
    expect(JSON.parse(out)).toEqual({ model: "a", max_tokens: 12, x: [1, { y: "}" }], stream_options: { include_usage: true } });
    expect(out).not.toContain("evil");
  });

  test("escaped keys, escaped quotes before a closing quote, duplicate keys and an empty object", () => {
    expect(JSON.parse(editTopLevel('{"m\\u006fdel":"a","s":"\\\\"}', { set: { model: '"b"' } }))).toEqual({ model: "b", s: "\\" });
    expect(JSON.parse(editTopLevel('{"model":"a","model":"b"}', { set: { model: '"c"' } }))).toEqual({ model: "c" });
    expect(editTopLevel("{}", { set: { model: '"m"' } })).toBe('{"model":"m"}');
  });

  test("a large base64 image passes through untouched", () => {
    const image = "A".repeat(2_000_000);
    const body = JSON.stringify({ model: "a", messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: `data:image/png;base64,${image}` } }] }] });
    const out = editTopLevel(body, { set: { model: '"b"' } });
    expect(out.length).toBe(body.length);
    expect(JSON.parse(out).messages[0].content[0].image_url.url.length).toBe(image.length + 22);
  });
});

import { lastObjectMember } from "../../src/json/find-member.ts";

describe("lastObjectMember", () => {
  test("reads the real top-level usage, not look-alikes inside strings", () => {
    const text = JSON.stringify({
      choices: [{ message: { content: 'he wrote "usage": {"prompt_tokens": 999} and "finish_reason": "x"' }, finish_reason: "stop" }],
      usage: { prompt_tokens: 12, completion_tokens: 3, prompt_tokens_details: { cached_tokens: 4 } },
    });
    expect(lastObjectMember(text, "usage")).toEqual({ prompt_tokens: 12, completion_tokens: 3, prompt_tokens_details: { cached_tokens: 4 } });
  });

  test("spaces around the colon (Python servers), braces inside strings, and absence", () => {
    expect(lastObjectMember('{"usage" : {"a": "}{", "b": {"c": 1}}}', "usage")).toEqual({ a: "}{", b: { c: 1 } });
    expect(lastObjectMember('{"usage": null}', "usage")).toBeUndefined();
    expect(lastObjectMember('{"x": 1}', "usage")).toBeUndefined();
  });
});

import { insertTopLevel } from "../../src/json/top-level.ts";

describe("insertTopLevel", () => {
  test("adds members after the opening brace, keeping every other byte", () => {
    const body = '{ "model": "m", "stream": true }';
    expect(insertTopLevel(body, { stream_options: '{"include_usage":true}' })).toBe('{"stream_options":{"include_usage":true}, "model": "m", "stream": true }');
    expect(JSON.parse(insertTopLevel(" {} ", { a: "1", b: '"x"' }))).toEqual({ a: 1, b: "x" });
  });
});
