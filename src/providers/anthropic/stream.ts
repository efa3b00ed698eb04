import type { StreamPart } from "../../canonical/chat.ts";
import { GatewayError } from "../../canonical/errors.ts";
import type { SseEvent } from "../../streams/sse-parser.ts";
import type { StreamReader, TranslationState } from "../types.ts";
import { mapAnthropicStreamError } from "./errors.ts";
import { anthropicMetadata, fromAnthropicUsage, mapAnthropicStopReason } from "./response.ts";
import { clientToolName, readState } from "./state.ts";
import type { AnthropicUsage } from "./wire.ts";

/** What the reader knows about each open content block, by its index. */
type ToolBlock = { kind: "tool" | "json"; sentArguments: boolean };
type Block = { kind: "text" | "thinking" | "other" } | ToolBlock;

interface StreamEventData {
  type?: string;
  index?: number;
  message?: { id?: string; model?: string; usage?: AnthropicUsage };
  content_block?: { type?: string; id?: string; name?: string; text?: string; thinking?: string; signature?: string; data?: string; input?: unknown };
  delta?: { type?: string; text?: string; thinking?: string; signature?: string; partial_json?: string; stop_reason?: string | null; stop_sequence?: string | null };
  usage?: AnthropicUsage;
}

/** Usage fields `message_delta` may restate (cumulative, newer API versions); a null or absent one keeps message_start's. */
const USAGE_FIELDS = ["input_tokens", "output_tokens", "cache_creation_input_tokens", "cache_read_input_tokens", "output_tokens_details"] as const;

/**
 * Reads Anthropic's Messages stream (whole SSE events; framing is the parser's job) into canonical parts.
 * Tool calls are announced with `index` = their content-block index; the forced `response_format`
 * tool streams as text. Usage is message_start's input and cache counts combined with
 * message_delta's output. An `error` event throws a GatewayError.
 */
export function anthropicStreamReader(translation: TranslationState, label = "Anthropic"): StreamReader {
  const state = readState(translation);
  const blocks = new Map<number, Block>();
  let usage: AnthropicUsage = {};
  let toolCalls = 0;
  let finished = false;

  const parse = (event: SseEvent): StreamEventData => {
    try {
      return JSON.parse(event.data) as StreamEventData;
    } catch {
      throw new GatewayError("provider.bad_response", `${label} sent a stream event that is not JSON (${event.event ?? "unnamed"}).`, { provider: label });
    }
  };

  const argumentsDelta = (index: number, block: ToolBlock, text: string): StreamPart[] => {
    if (text === "") return [];
    block.sentArguments = true;
    return block.kind === "json" ? [{ type: "text-delta", text }] : [{ type: "tool-call-delta", index, argumentsDelta: text }];
  };

  const start = (index: number, data: NonNullable<StreamEventData["content_block"]>): StreamPart[] => {
    switch (data.type) {
      case "text":
        blocks.set(index, { kind: "text" });
        return data.text ? [{ type: "text-delta", text: data.text }] : [];
      case "thinking":
        blocks.set(index, { kind: "thinking" });
        // Anthropic starts thinking empty; a complete block up front (a replay, a proxy) keeps its text and signature.
        return [
          ...(data.thinking ? [{ type: "reasoning-delta", text: data.thinking } as const] : []),
          ...(data.signature ? [{ type: "reasoning-signature", signature: data.signature } as const] : []),
        ];
      case "redacted_thinking":
        blocks.set(index, { kind: "other" });
        return typeof data.data === "string" ? [{ type: "redacted-reasoning", data: data.data }] : [];
      case "tool_use": {
        const name = data.name ?? "";
        const open: ToolBlock = { kind: name === state.jsonTool ? "json" : "tool", sentArguments: false };
        blocks.set(index, open);
        const parts: StreamPart[] = [];
        if (open.kind === "tool") {
          toolCalls++;
          parts.push({ type: "tool-call-start", index, id: data.id ?? "", name: clientToolName(state, name) });
        }
        // Anthropic starts with `input: {}` and streams the arguments; a complete input up front is sent as one fragment.
        const input = data.input;
        if (input && typeof input === "object" && Object.keys(input).length > 0) parts.push(...argumentsDelta(index, open, JSON.stringify(input)));
        return parts;
      }
      default:
        // Server-tool blocks (server_tool_use, web_search_tool_result, ...) have no canonical part.
        blocks.set(index, { kind: "other" });
        return [];
    }
  };

  const delta = (index: number, data: NonNullable<StreamEventData["delta"]>): StreamPart[] => {
    const block = blocks.get(index);
    if (!block) return [];
    switch (data.type) {
      case "text_delta":
        return block.kind === "text" && data.text ? [{ type: "text-delta", text: data.text }] : [];
      case "thinking_delta":
        return block.kind === "thinking" && data.thinking ? [{ type: "reasoning-delta", text: data.thinking }] : [];
      case "signature_delta":
        return block.kind === "thinking" && data.signature ? [{ type: "reasoning-signature", signature: data.signature }] : [];
      case "input_json_delta":
        return (block.kind === "tool" || block.kind === "json") && typeof data.partial_json === "string" ? argumentsDelta(index, block, data.partial_json) : [];
      default:
        return [];
    }
  };

  const stop = (index: number): StreamPart[] => {
    const block = blocks.get(index);
    blocks.delete(index);
    // A call without arguments streams none; clients parse `arguments`, so it is completed as `{}`.
    if (block && (block.kind === "tool" || block.kind === "json") && !block.sentArguments) return argumentsDelta(index, block, "{}");
    return [];
  };

  const finish = (stopReason: string | null | undefined, stopSequence: string | null | undefined): StreamPart[] => {
    finished = true;
    let finishReason = mapAnthropicStopReason(stopReason);
    if (finishReason === "tool-calls" && toolCalls === 0 && state.jsonTool !== undefined) finishReason = "stop";
    return [
      { type: "usage", usage: fromAnthropicUsage(usage) },
      { type: "finish", finishReason, providerMetadata: { anthropic: anthropicMetadata(stopReason, stopSequence) } },
    ];
  };

  return {
    event(event) {
      if (event.event === "ping") return [];
      if (event.event === "error") throw mapAnthropicStreamError(label, event.data);
      const data = parse(event);
      const index = typeof data.index === "number" ? data.index : -1;
      switch (data.type) {
        case "message_start":
          usage = { ...data.message?.usage };
          return [{ type: "start", id: data.message?.id ?? "", model: data.message?.model ?? "" }];
        case "content_block_start":
          return data.content_block ? start(index, data.content_block) : [];
        case "content_block_delta":
          return data.delta ? delta(index, data.delta) : [];
        case "content_block_stop":
          return stop(index);
        case "message_delta": {
          if (finished) return [];
          const update = data.usage ?? {};
          for (const field of USAGE_FIELDS) if (update[field] !== undefined && update[field] !== null) usage = { ...usage, [field]: update[field] };
          return finish(data.delta?.stop_reason, data.delta?.stop_sequence);
        }
        case "error":
          throw mapAnthropicStreamError(label, event.data);
        default:
          // message_stop, ping, and event types newer than this reader.
          return [];
      }
    },
    end() {
      // The upstream ended without message_delta: the answer is cut short, and says so.
      return finished ? [] : [{ type: "finish", finishReason: "error", providerMetadata: { anthropic: anthropicMetadata(null, null, { incomplete: true }) } }];
    },
  };
}
