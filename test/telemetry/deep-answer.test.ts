/**
 * The trace thread parses the answer a client got (same-format answers are not checked on the
 * request path) and serialises parts of it again (tool inputs, metadata), recursively: an answer
 * nested deeper than MAX_JSON_DEPTH is not parsed, so nothing deep reaches JSON.stringify.
 */
import { describe, expect, test } from "bun:test";
import type { ExportResult } from "@opentelemetry/core";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace-base";
import { MAX_JSON_DEPTH } from "../../src/json/depth.ts";
import { TraceExport } from "../../src/telemetry/trace-export.ts";
import type { TraceItem } from "../../src/telemetry/trace-protocol.ts";

const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);

/** The deepest value JSON.stringify was handed while `run` ran (measured without recursion). */
function deepestStringified(run: () => Promise<unknown>): Promise<number> {
  const original = JSON.stringify;
  let deepest = 0;
  JSON.stringify = ((value: unknown, ...rest: unknown[]) => {
    let depth = 0;
    const stack: [unknown, number][] = [[value, 1]];
    while (stack.length > 0 && depth <= 10 * MAX_JSON_DEPTH) {
      const [node, level] = stack.pop() as [unknown, number];
      if (node && typeof node === "object") {
        depth = Math.max(depth, level);
        for (const child of Object.values(node)) stack.push([child, level + 1]);
      }
    }
    deepest = Math.max(deepest, depth);
    return (original as (...args: unknown[]) => string)(value, ...rest);
  }) as typeof JSON.stringify;
  return run().then(
    () => ((JSON.stringify = original), deepest),
    (error: unknown) => {
      JSON.stringify = original;
      throw error;
    },
  );
}

const ITEM: TraceItem = {
  traceId: "0af7651916cd43dd8448eb211c80319c",
  spanId: "b7ad6b7169203331",
  startMs: 1,
  endMs: 2,
  operation: "chat",
  dialect: "anthropic",
  stream: false,
  model: "claude",
  status: 200,
  outcome: "ok",
  gateway: { callId: "c1" },
  redact: false,
  attempts: [],
};
const REQUEST = JSON.stringify({ model: "claude", max_tokens: 5, messages: [{ role: "user", content: "hi" }] });

/** A TraceExport whose spans land in `spans`. */
function collecting(): { tracer: TraceExport; spans: ReadableSpan[] } {
  const spans: ReadableSpan[] = [];
  const exporter: SpanExporter = {
    export: (batch, done: (result: ExportResult) => void) => (spans.push(...batch), done({ code: 0 })),
    shutdown: async () => {},
  };
  return { tracer: new TraceExport({ endpoint: "http://127.0.0.1:9/v1/traces", headers: {}, serviceName: "test", redact: false }, exporter), spans };
}

describe("traces of answers nested too deep", () => {
  test("an Anthropic answer whose tool input nests 10,000 levels: the span is built, nothing deep is serialised", async () => {
    const { tracer, spans } = collecting();
    const answer = `{"id":"msg_1","type":"message","role":"assistant","model":"claude","content":[{"type":"tool_use","id":"t1","name":"f","input":{"a":${nested(10_000)}}}],"stop_reason":"tool_use","usage":{"input_tokens":1,"output_tokens":1}}`;
    const deepest = await deepestStringified(() => tracer.exportBatch([JSON.stringify(ITEM), REQUEST, answer]));
    expect(spans).toHaveLength(1);
    expect(spans[0]?.attributes["llm.model_name"]).toBe("claude");
    expect(deepest).toBeLessThanOrEqual(MAX_JSON_DEPTH);
  });

  test("a streamed answer whose tool block starts with such an input: the text block still makes the output message", async () => {
    const { tracer, spans } = collecting();
    const item = { ...ITEM, spanId: "b7ad6b7169203332", stream: true };
    const event = (type: string, data: string) => `event: ${type}\ndata: ${data}\n\n`;
    const stream =
      event("message_start", `{"type":"message_start","message":{"id":"m","type":"message","role":"assistant","content":[],"model":"claude","usage":{"input_tokens":1,"output_tokens":0}}}`) +
      event("content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`) +
      event("content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}`) +
      event("content_block_stop", `{"type":"content_block_stop","index":0}`) +
      event("content_block_start", `{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"t1","name":"f","input":{"a":${nested(10_000)}}}}`) +
      event("content_block_stop", `{"type":"content_block_stop","index":1}`) +
      event("message_stop", `{"type":"message_stop"}`);
    const deepest = await deepestStringified(() => tracer.exportBatch([JSON.stringify(item), REQUEST, stream]));
    expect(spans[0]?.attributes["llm.output_messages.0.message.content"]).toBe("Hello");
    expect(deepest).toBeLessThanOrEqual(MAX_JSON_DEPTH);
  });
});
