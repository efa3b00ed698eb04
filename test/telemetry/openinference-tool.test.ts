import { describe, expect, test } from "bun:test";
import { REDACTED } from "../../src/telemetry/openinference.ts";
import { toolAttributes } from "../../src/telemetry/openinference-tool.ts";
import type { TraceItem } from "../../src/telemetry/trace-protocol.ts";

const item = (redact: boolean): TraceItem => ({
  traceId: "a".repeat(32),
  spanId: "b".repeat(16),
  startMs: 1,
  endMs: 2,
  operation: "tool",
  dialect: "openai",
  stream: false,
  model: "github-create_issue",
  provider: "mcp",
  status: 200,
  outcome: "ok",
  tool: { server: "github", name: "create_issue" },
  gateway: { callId: "call-1", keyAlias: "ci", teamId: "team-1" },
  redact,
  attempts: [],
});

const args = JSON.stringify({ title: "the title" });

describe("TOOL span attributes", () => {
  test("kind, tool.name, tool.parameters and input as JSON, a text result's text as output, the server and the tool's own name", () => {
    const attrs = toolAttributes(item(false), args, JSON.stringify({ content: [{ type: "text", text: "created #7" }, { type: "text", text: "ok" }] }));
    expect(attrs).toEqual({
      "openinference.span.kind": "TOOL",
      "tool.name": "github-create_issue",
      "tool.parameters": args,
      "input.value": args,
      "input.mime_type": "application/json",
      "output.value": "created #7\nok",
      "output.mime_type": "text/plain",
      "switchboard.mcp_server": "github",
      "switchboard.mcp_tool": "create_issue",
      "switchboard.call_id": "call-1",
      "switchboard.key_alias": "ci",
      "switchboard.team_id": "team-1",
    });
  });

  test("a result with structured content or non-text parts is output as its JSON; a failed call has no output", () => {
    const structured = JSON.stringify({ content: [{ type: "image", data: "AAAA", mimeType: "image/png" }] });
    expect(toolAttributes(item(false), args, structured)).toMatchObject({ "output.value": structured, "output.mime_type": "application/json" });
    expect(toolAttributes(item(false), args, "")["output.value"]).toBeUndefined();
  });

  test("redaction (redact_messages, or x-switchboard-redact) replaces the parameters and the output, and keeps the names", () => {
    const attrs = toolAttributes(item(true), args, JSON.stringify({ content: [{ type: "text", text: "secret output" }] }));
    expect(attrs["tool.parameters"]).toBe(REDACTED);
    expect(attrs["input.value"]).toBe(REDACTED);
    expect(attrs["output.value"]).toBe(REDACTED);
    expect(attrs["tool.name"]).toBe("github-create_issue");
    expect(JSON.stringify(attrs)).not.toContain("the title");
    expect(JSON.stringify(attrs)).not.toContain("secret output");
  });
});
