import type { FinishReason, StreamPart } from "../../canonical/chat.ts";
import { GatewayError } from "../../canonical/errors.ts";
import type { Usage } from "../../canonical/usage.ts";
import { encodeSse } from "../../streams/sse-parser.ts";
import type { StreamEncoder } from "../types.ts";
import { toAnthropicMessageId } from "./encode.ts";
import { toAnthropicErrorBody } from "./errors.ts";
import { JsonCloseTracker } from "./json-close.ts";
import { toAnthropicStop } from "./stop-reason.ts";
import { toAnthropicUsage } from "./usage.ts";

interface BlockState {
  /** Wire index, assigned when the block opens (indexes rise in opening order). */
  index: number;
  state: "waiting" | "open" | "closed";
  /** Text or argument fragments that arrived while the block waited; sent as one delta when it opens. */
  pending: string;
}
type ThinkingBlock = BlockState & { kind: "thinking"; signature?: string };
type ToolBlock = BlockState & { kind: "tool"; id: string; name: string; json: JsonCloseTracker };
type Block = (BlockState & { kind: "text" }) | ThinkingBlock | (BlockState & { kind: "redacted"; data: string }) | ToolBlock;

const frame = (type: string, payload: Record<string, unknown>): string => encodeSse({ event: type, data: JSON.stringify({ type, ...payload }) });

const badStream = (message: string) => new GatewayError("provider.bad_response", `The provider's stream broke the tool-call protocol (${message}); the answer ended early. Retry, or use another model.`);

function startFrame(block: Block): string {
  let contentBlock: Record<string, unknown>;
  switch (block.kind) {
    case "text":
      contentBlock = { type: "text", text: "" };
      break;
    case "thinking":
      contentBlock = { type: "thinking", thinking: "", signature: "" };
      break;
    case "redacted":
      contentBlock = { type: "redacted_thinking", data: block.data };
      break;
    case "tool":
      contentBlock = { type: "tool_use", id: block.id, name: block.name, input: {} };
      break;
  }
  return frame("content_block_start", { index: block.index, content_block: contentBlock });
}

function deltaFrame(block: Block, text: string): string {
  const delta =
    block.kind === "tool" ? { type: "input_json_delta", partial_json: text } : block.kind === "thinking" ? { type: "thinking_delta", thinking: text } : { type: "text_delta", text };
  return frame("content_block_delta", { index: block.index, delta });
}

// Empty fragments open no block: an empty text block would come back in the client's history, and Anthropic rejects those.
const carriesNothing = (part: StreamPart): boolean =>
  (part.type === "text-delta" || part.type === "reasoning-delta" ? part.text : part.type === "tool-call-delta" ? part.argumentsDelta : part.type === "reasoning-signature" ? part.signature : undefined) === "";

const signatureFrame = (block: Block, signature: string) => frame("content_block_delta", { index: block.index, delta: { type: "signature_delta", signature } });

/**
 * Whether the open block can close now. Text and thinking end when anything follows them; a
 * thinking block also ends at its signature, a redacted one at once. A tool call ends only when
 * something follows *and* its arguments have closed their JSON object, because a parallel call's
 * fragments may still be on the way.
 */
function closable(block: Block, followed: boolean): boolean {
  switch (block.kind) {
    case "text":
      return followed;
    case "thinking":
      return followed || block.signature !== undefined;
    case "redacted":
      return true;
    case "tool":
      return followed && block.json.closed;
  }
}

/**
 * Canonical stream parts -> Anthropic SSE. Anthropic streams one content block at a time, but canonical
 * tool calls may interleave their argument fragments (`index` tells them apart). So blocks queue
 * in the order they began: the head is open on the wire and streams as it arrives; a later block
 * buffers its fragments until it reaches the head, then goes out as one delta and streams from
 * there. The head tool call gives way once its arguments close their JSON object. Sequential
 * upstreams (the common case) therefore stream every block live; interleaved ones delay the later
 * calls, never garble them. `message_start` waits for the first content (or the end) so usage an
 * upstream reports up front lands in it.
 */
export function anthropicStreamEncoder(model: string): StreamEncoder {
  let messageId: string | undefined;
  let started = false;
  let done = false;
  let usage: Usage | undefined;
  let finishReason: FinishReason | undefined;
  let providerMetadata: Record<string, Record<string, unknown>> | undefined;
  let nextIndex = 0;
  let sawToolCall = false;
  const queue: Block[] = [];
  const calls = new Map<number, ToolBlock>();

  const messageStart = (): string => {
    if (started) return "";
    started = true;
    messageId ??= `msg_${crypto.randomUUID().replaceAll("-", "")}`;
    const message = {
      id: messageId,
      type: "message",
      role: "assistant",
      model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: toAnthropicUsage(usage),
    };
    return frame("message_start", { message });
  };

  const open = (block: Block): string => {
    block.index = nextIndex++;
    block.state = "open";
    let out = startFrame(block);
    if (block.pending !== "") out += deltaFrame(block, block.pending);
    block.pending = "";
    if (block.kind === "thinking" && block.signature !== undefined) out += signatureFrame(block, block.signature);
    return out;
  };

  const close = (block: Block): string => {
    block.state = "closed";
    return frame("content_block_stop", { index: block.index });
  };

  const feed = (block: Block, text: string): string => {
    if (block.state === "open") return deltaFrame(block, text);
    block.pending += text;
    return "";
  };

  /** Opens the head if it waits, closes it if it may, and repeats. */
  const settle = (): string => {
    let out = "";
    for (let head = queue[0]; head; head = queue[0]) {
      if (head.state === "waiting") out += open(head);
      if (!closable(head, queue.length > 1)) break;
      out += close(head);
      queue.shift();
    }
    return out;
  };

  const enqueue = <T extends Block>(block: T): T => {
    queue.push(block);
    return block;
  };
  const fresh = (): BlockState => ({ index: -1, state: "waiting", pending: "" });

  const route = (part: StreamPart): string => {
    const last = queue.at(-1);
    switch (part.type) {
      case "text-delta":
        return feed(last?.kind === "text" ? last : enqueue({ ...fresh(), kind: "text" }), part.text);
      case "reasoning-delta":
        return feed(last?.kind === "thinking" && last.signature === undefined ? last : enqueue({ ...fresh(), kind: "thinking" }), part.text);
      case "reasoning-signature": {
        const block = last?.kind === "thinking" && last.signature === undefined ? last : enqueue<ThinkingBlock>({ ...fresh(), kind: "thinking" });
        block.signature = part.signature;
        return block.state === "open" ? signatureFrame(block, part.signature) : "";
      }
      case "redacted-reasoning":
        enqueue({ ...fresh(), kind: "redacted", data: part.data });
        return "";
      case "tool-call-start": {
        if (calls.has(part.index)) throw badStream(`tool call ${part.index} started twice`);
        sawToolCall = true;
        calls.set(part.index, enqueue({ ...fresh(), kind: "tool", id: part.id, name: part.name, json: new JsonCloseTracker() }));
        return "";
      }
      case "tool-call-delta": {
        const block = calls.get(part.index);
        if (!block) throw badStream(`arguments for tool call ${part.index} arrived before the call was announced`);
        if (block.state === "closed") {
          // Its JSON object had closed; only whitespace can validly follow.
          if (part.argumentsDelta.trim() === "") return "";
          throw badStream(`tool call ${part.index} continued its arguments after a complete JSON object`);
        }
        block.json.push(part.argumentsDelta);
        return feed(block, part.argumentsDelta);
      }
      default:
        return "";
    }
  };

  return {
    part(part) {
      if (done) return "";
      switch (part.type) {
        case "start":
          messageId = toAnthropicMessageId(part.id);
          return "";
        case "usage":
          usage = part.usage;
          return "";
        case "finish":
          finishReason = part.finishReason;
          providerMetadata = part.providerMetadata;
          return "";
      }
      if (carriesNothing(part)) return "";
      // Route first: a part the upstream should not have sent throws before any frame is owed.
      const routed = route(part);
      return messageStart() + routed + settle();
    },
    end() {
      if (done) return "";
      done = true;
      let out = messageStart();
      for (const block of queue) {
        if (block.state === "waiting") out += open(block);
        out += close(block);
      }
      queue.length = 0;
      const known = usage ? toAnthropicUsage(usage) : undefined;
      out += frame("message_delta", { delta: toAnthropicStop(finishReason, sawToolCall, providerMetadata), usage: known ?? { output_tokens: 0 } });
      return out + frame("message_stop", {});
    },
    fail(error) {
      if (done) return "";
      done = true;
      return frame("error", { error: toAnthropicErrorBody(error).error });
    },
    answerId: () => (started ? messageId : undefined),
  };
}
