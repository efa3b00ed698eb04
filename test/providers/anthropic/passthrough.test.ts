import { passthroughOf } from "../../../src/providers/passthrough-of.ts";
import { describe, expect, test } from "bun:test";
import { anthropic } from "../../../src/providers/anthropic/index.ts";
import { buildAnthropicPassthrough, reverseToolNamesInBody, reverseToolNamesInEvent } from "../../../src/providers/anthropic/passthrough.ts";
import type { PassthroughInput } from "../../../src/providers/types.ts";
import { GatewayError } from "../../../src/canonical/errors.ts";
import { STRICT, TARGET } from "./helpers.ts";

const input = (raw: string, headers?: Headers): PassthroughInput => ({ raw, parsed: JSON.parse(raw), stream: false, ...(headers ? { headers } : {}) });

/** A client body with everything that must survive: odd spacing, thinking + signature, cache_control, unknown fields, number spellings, escapes. */
const RAW = `{
  "model" : "claude-latest",
  "max_tokens": 1024.0,
  "system": [{"type": "text", "text": "Be \\u00e9l\\u00e9gant.", "cache_control": {"type": "ephemeral", "ttl": "1h"}}],
  "messages": [
    {"role": "user", "content": "Hi"},
    {"role": "assistant", "content": [{"type": "thinking", "thinking": "Hmm.", "signature": "EqQBCgIYAhIM1gbc=="}, {"type": "text", "text": "Hello"}]},
    {"role": "user", "content": [{"type": "text", "text": "Again", "cache_control": {"type": "ephemeral"}}]}
  ],
  "thinking": {"type": "enabled", "budget_tokens": 2048},
  "x_vendor_field": {"keep": [1e3, 2.50]},
  "api_key": "sk-smuggled",
  "base_url": "http://evil.example"
}`;

describe("buildAnthropicPassthrough", () => {
  test("the body goes out byte for byte except the model; gateway-only fields are removed", () => {
    const { upstream, reverseNames } = buildAnthropicPassthrough("chat", input(RAW), TARGET);
    const expected = RAW.replace('"claude-latest"', '"claude-sonnet-4-5-20250929"').replace(/,\n {2}"api_key": "sk-smuggled",\n {2}"base_url": "http:\/\/evil.example"/, "");
    expect(upstream.body).toBe(expected);
    expect(upstream.body).toContain('"max_tokens": 1024.0');
    expect(upstream.body).toContain('"signature": "EqQBCgIYAhIM1gbc=="');
    expect(upstream.body).not.toContain("sk-smuggled");
    expect(reverseNames.size).toBe(0);
    expect(upstream.url).toBe("https://api.anthropic.com/v1/messages");
  });

  test("nothing to change: the client's text itself is sent", () => {
    const raw = '{"model":"claude-sonnet-4-5-20250929","max_tokens":5,"messages":[{"role":"user","content":"x"}]}';
    expect(buildAnthropicPassthrough("chat", input(raw), TARGET).upstream.body).toBe(raw);
  });

  test("the client's anthropic-version and anthropic-beta are forwarded; the key is the deployment's", () => {
    const headers = new Headers({ "anthropic-version": "2023-01-01", "anthropic-beta": "prompt-caching-2024-07-31, interleaved-thinking-2025-05-14", "x-api-key": "client-key" });
    const { upstream } = buildAnthropicPassthrough("chat", input(RAW, headers), { ...TARGET, headers: { "anthropic-beta": "context-1m-2025-08-07" } });
    expect(upstream.headers).toEqual({
      "content-type": "application/json",
      accept: "application/json",
      "anthropic-version": "2023-01-01",
      "anthropic-beta": "prompt-caching-2024-07-31,interleaved-thinking-2025-05-14,context-1m-2025-08-07",
      "x-api-key": "sk-ant-api03-test-key",
    });
  });

  test("without client headers the version defaults to 2023-06-01 and no beta is sent", () => {
    const { upstream } = buildAnthropicPassthrough("chat", { ...input(RAW), stream: true }, TARGET);
    expect(upstream.headers["anthropic-version"]).toBe("2023-06-01");
    expect(upstream.headers.accept).toBe("text/event-stream");
    expect("anthropic-beta" in upstream.headers).toBe(false);
  });

  test("valid tool names: tools, tool_choice and history are forwarded untouched", () => {
    const raw =
      '{"model":"m","max_tokens":9,"tools":[{"name":"get_weather","input_schema":{"type":"object"},"cache_control":{"type":"ephemeral"}}],"tool_choice":{"type":"tool","name":"get_weather"},"messages":[{"role":"user","content":"x"}]}';
    const { upstream, reverseNames } = buildAnthropicPassthrough("chat", input(raw), { ...TARGET, model: "m" });
    expect(upstream.body).toBe(raw);
    expect(reverseNames.size).toBe(0);
  });

  test("an invalid tool name: tools, the named tool_choice and earlier tool_use names are rewritten; everything else stays raw", () => {
    const raw = `{"model":"m","max_tokens":9,
"tools":[{"name":"files.read","description":"Read","input_schema":{"type":"object","properties":{}},"cache_control":{"type":"ephemeral"}},{"name":"files_read","input_schema":{"type":"object"}},{"type":"web_search_20250305","name":"web_search","max_uses":2}],
"tool_choice":{"type":"tool","name":"files.read","disable_parallel_tool_use":true},
"messages":[{"role":"user","content":"read"},{"role":"assistant","content":[{"type":"thinking","thinking":"t","signature":"sig"},{"type":"tool_use","id":"toolu_1","name":"files.read","input":{"path":"/a"}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"toolu_1","content":"ok"}]}],
"x_unknown": 1.50}`;
    const { upstream, reverseNames } = buildAnthropicPassthrough("chat", input(raw), { ...TARGET, model: "m" });
    const sent = JSON.parse(upstream.body);
    expect(sent.tools).toEqual([
      { name: "files_read_2", description: "Read", input_schema: { type: "object", properties: {} }, cache_control: { type: "ephemeral" } },
      { name: "files_read", input_schema: { type: "object" } },
      { type: "web_search_20250305", name: "web_search", max_uses: 2 },
    ]);
    expect(sent.tool_choice).toEqual({ type: "tool", name: "files_read_2", disable_parallel_tool_use: true });
    expect(sent.messages[1].content).toEqual([
      { type: "thinking", thinking: "t", signature: "sig" },
      { type: "tool_use", id: "toolu_1", name: "files_read_2", input: { path: "/a" } },
    ]);
    expect(upstream.body).toContain('"x_unknown": 1.50');
    expect(upstream.body.startsWith('{"model":"m","max_tokens":9,\n"tools":')).toBe(true);
    expect([...reverseNames]).toEqual([["files_read_2", "files.read"]]);
  });

  test("only history names invalid: just messages is rewritten", () => {
    const raw = '{"model":"m","max_tokens":9,"tools":[{"name":"ok","input_schema":{"type":"object"}}],"messages":[{"role":"user","content":"x"},{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"old/tool","input":{}}]},{"role":"user","content":[{"type":"tool_result","tool_use_id":"t1","content":"y"}]}]}';
    const { upstream, reverseNames } = buildAnthropicPassthrough("chat", input(raw), { ...TARGET, model: "m" });
    expect(upstream.body).toContain('"tools":[{"name":"ok","input_schema":{"type":"object"}}]');
    expect(JSON.parse(upstream.body).messages[1].content[0].name).toBe("old_tool");
    expect([...reverseNames]).toEqual([["old_tool", "old/tool"]]);
  });

  test("the provider attaches reverseNames to the upstream request only when names were rewritten", () => {
    const plain = passthroughOf(anthropic, "chat", input(RAW), TARGET, STRICT);
    expect("reverseNames" in plain).toBe(false);
    const renamed = passthroughOf(anthropic, "chat", input('{"model":"m","max_tokens":1,"tools":[{"name":"a.b","input_schema":{"type":"object"}}],"messages":[{"role":"user","content":"x"}]}'), TARGET, STRICT);
    expect([...(renamed.reverseNames ?? [])]).toEqual([["a_b", "a.b"]]);
  });

  test("embeddings are not an Anthropic operation", () => {
    expect(() => buildAnthropicPassthrough("embeddings", input(RAW), TARGET)).toThrow(GatewayError);
  });
});

describe("reverse-mapping names in the answer", () => {
  const names = new Map([["files_read_2", "files.read"]]);

  test("a buffered answer: tool_use names restored, only content re-serialised", () => {
    const text = '{"id":"msg_01","type":"message","role":"assistant","model":"claude-x","content":[{"type":"text","text":"ok"},{"type":"tool_use","id":"toolu_1","name":"files_read_2","input":{"path":"/a"}},{"type":"tool_use","id":"toolu_2","name":"get_weather","input":{}}],"stop_reason":"tool_use","stop_sequence":null,"usage": {"input_tokens": 10, "output_tokens": 3}}';
    const out = reverseToolNamesInBody(text, names);
    expect(JSON.parse(out).content.map((block: { name?: string }) => block.name)).toEqual([undefined, "files.read", "get_weather"]);
    expect(out).toContain('"usage": {"input_tokens": 10, "output_tokens": 3}');
    expect(reverseToolNamesInBody(text, new Map())).toBe(text);
    const untouched = text.replace("files_read_2", "other");
    expect(reverseToolNamesInBody(untouched, names)).toBe(untouched);
  });

  test("stream events: only content_block_start of a renamed tool_use changes", () => {
    const startEvent = '{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"files_read_2","input":{}}}';
    expect(JSON.parse(reverseToolNamesInEvent(startEvent, names))).toEqual({ type: "content_block_start", index: 1, content_block: { type: "tool_use", id: "toolu_1", name: "files.read", input: {} } });
    const others = [
      '{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}',
      '{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"name\\": \\"files_read_2\\"}"}}',
      '{"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_2","name":"get_weather","input":{}}}',
      '{"type":"content_block_start","index":3,"content_block":{"type":"server_tool_use","id":"srvtoolu_1","name":"files_read_2","input":{}}}',
      '{"type": "ping"}',
    ];
    for (const data of others) expect(reverseToolNamesInEvent(data, names)).toBe(data);
  });
});
