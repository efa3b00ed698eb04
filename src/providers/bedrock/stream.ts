import type { FinishReason, StreamPart } from "../../canonical/chat.ts";
import { GatewayError } from "../../canonical/errors.ts";
import { AWS_EXCEPTION_EVENT } from "../../streams/aws-eventstream.ts";
import type { SseEvent } from "../../streams/sse-parser.ts";
import type { StreamReader, TranslationState } from "../types.ts";
import { mapBedrockStreamException } from "./errors.ts";
import { bedrockMetadata, fromBedrockUsage, mapBedrockStopReason } from "./response.ts";
import { clientToolName, readBedrockState } from "./state.ts";
import type { ConverseUsage } from "./wire.ts";

type ToolBlock = { kind: "tool" | "json"; sentArguments: boolean };
type Block = { kind: "text" | "reasoning" } | ToolBlock;

interface StreamEventData {
  contentBlockIndex?: number;
  start?: { toolUse?: { toolUseId?: string; name?: string } };
  delta?: { text?: string; toolUse?: { input?: string }; reasoningContent?: { text?: string; signature?: string; redactedContent?: string } };
  stopReason?: string;
  additionalModelResponseFields?: unknown;
  usage?: ConverseUsage;
  metrics?: { latencyMs?: number };
  trace?: unknown;
  performanceConfig?: unknown;
  serviceTier?: unknown;
}

/** The error an event carries, if it is an event-stream exception (checked on a stream's first event, while the router can still retry). */
export function bedrockStreamError(label: string, event: SseEvent): GatewayError | undefined {
  return event.event === AWS_EXCEPTION_EVENT ? mapBedrockStreamException(label, event.data) : undefined;
}

/**
 * Reads ConverseStream (events from streams/aws-eventstream.ts) into canonical parts. Only tool blocks
 * have a `contentBlockStart`; text and reasoning blocks begin with their first delta. Tool calls
 * are announced with `index` = their content-block index; the forced `response_format` tool
 * streams as text. `messageStop` (the stop reason) comes before `metadata` (usage, metrics,
 * guardrail trace): usage and finish are sent once both have arrived, or at the end. An
 * `exception` event throws a GatewayError.
 */
export function bedrockStreamReader(translation: TranslationState, label = "Amazon Bedrock"): StreamReader {
  const state = readBedrockState(translation);
  const blocks = new Map<number, Block>();
  let toolCalls = 0;
  let stop: StreamEventData | undefined;
  let metadata: StreamEventData | undefined;
  let finished = false;

  const parse = (event: SseEvent): StreamEventData => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(event.data);
    } catch {
      throw new GatewayError("provider.bad_response", `${label} sent a stream event that is not JSON (${event.event ?? "unnamed"}).`, { provider: label });
    }
    if (!parsed || typeof parsed !== "object") return {};
    // Tolerates the SDKs' wrapped form, `{"contentBlockDelta": {...}}`, as well as the wire's bare payload.
    const wrapped = event.event !== undefined ? (parsed as Record<string, unknown>)[event.event] : undefined;
    return (wrapped && typeof wrapped === "object" ? wrapped : parsed) as StreamEventData;
  };

  const argumentsDelta = (index: number, block: ToolBlock, text: string): StreamPart[] => {
    if (text === "") return [];
    block.sentArguments = true;
    return block.kind === "json" ? [{ type: "text-delta", text }] : [{ type: "tool-call-delta", index, argumentsDelta: text }];
  };

  const start = (index: number, data: StreamEventData): StreamPart[] => {
    const tool = data.start?.toolUse;
    if (!tool) return [];
    const name = tool.name ?? "";
    const open: ToolBlock = { kind: name === state.jsonTool ? "json" : "tool", sentArguments: false };
    blocks.set(index, open);
    if (open.kind === "json") return [];
    toolCalls++;
    return [{ type: "tool-call-start", index, id: tool.toolUseId ?? "", name: clientToolName(state, name) }];
  };

  const delta = (index: number, data: StreamEventData): StreamPart[] => {
    const { text, toolUse, reasoningContent } = data.delta ?? {};
    const block = blocks.get(index);
    if (typeof text === "string") {
      if (!block) blocks.set(index, { kind: "text" });
      return text === "" ? [] : [{ type: "text-delta", text }];
    }
    if (typeof toolUse?.input === "string") return block && (block.kind === "tool" || block.kind === "json") ? argumentsDelta(index, block, toolUse.input) : [];
    if (reasoningContent) {
      if (!block) blocks.set(index, { kind: "reasoning" });
      if (reasoningContent.text) return [{ type: "reasoning-delta", text: reasoningContent.text }];
      if (reasoningContent.signature) return [{ type: "reasoning-signature", signature: reasoningContent.signature }];
      if (reasoningContent.redactedContent) return [{ type: "redacted-reasoning", data: reasoningContent.redactedContent }];
    }
    return [];
  };

  const stopBlock = (index: number): StreamPart[] => {
    const block = blocks.get(index);
    blocks.delete(index);
    // A call without arguments streams none; clients parse `arguments`, so it is completed as `{}`.
    return block && (block.kind === "tool" || block.kind === "json") && !block.sentArguments ? argumentsDelta(index, block, "{}") : [];
  };

  const finish = (incomplete: boolean): StreamPart[] => {
    finished = true;
    const parts: StreamPart[] = [];
    const usage = fromBedrockUsage(metadata?.usage);
    if (usage) parts.push({ type: "usage", usage });
    let finishReason: FinishReason = incomplete ? "error" : mapBedrockStopReason(stop?.stopReason);
    if (finishReason === "tool-calls" && toolCalls === 0 && state.jsonTool !== undefined) finishReason = "stop";
    const facts = bedrockMetadata({
      stopReason: stop?.stopReason,
      latencyMs: metadata?.metrics?.latencyMs,
      trace: metadata?.trace,
      additionalModelResponseFields: stop?.additionalModelResponseFields,
      performanceConfig: metadata?.performanceConfig,
      serviceTier: metadata?.serviceTier,
    });
    if (incomplete) facts.incomplete = true;
    parts.push({ type: "finish", finishReason, providerMetadata: { bedrock: facts } });
    return parts;
  };

  return {
    event(event) {
      if (event.event === AWS_EXCEPTION_EVENT) throw mapBedrockStreamException(label, event.data);
      if (finished) return [];
      const data = parse(event);
      const index = typeof data.contentBlockIndex === "number" ? data.contentBlockIndex : -1;
      switch (event.event) {
        case "messageStart":
          return [{ type: "start", id: "", model: state.model }];
        case "contentBlockStart":
          return start(index, data);
        case "contentBlockDelta":
          return delta(index, data);
        case "contentBlockStop":
          return stopBlock(index);
        case "messageStop":
          stop = data;
          return metadata ? finish(false) : [];
        case "metadata":
          metadata = data;
          return stop ? finish(false) : [];
        default:
          // Event types newer than this reader.
          return [];
      }
    },
    end() {
      if (finished) return [];
      // Without messageStop the answer was cut short, and says so; without metadata only usage is missing.
      return finish(stop === undefined);
    },
  };
}
