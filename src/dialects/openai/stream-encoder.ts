import type { ChatRequest, StreamPart } from "../../canonical/chat.ts";
import { GatewayError } from "../../canonical/errors.ts";
import { toOpenAIUsage, type Usage } from "../../canonical/usage.ts";
import type { StreamEncoder } from "../types.ts";
import { toOpenAIFinishReason } from "./encode.ts";
import { toOpenAIErrorBody } from "./errors.ts";

const DONE = "data: [DONE]\n\n";

const frame = (body: unknown): string => `data: ${JSON.stringify(body)}\n\n`;

/**
 * Encodes canonical stream parts as OpenAI `chat.completion.chunk` frames: a role chunk first, then
 * content / `reasoning_content` / tool-call deltas, the finish chunk, and at the end a usage chunk
 * (`choices: []`, only when the client asked with `stream_options.include_usage`) and `[DONE]`.
 * `created` (Unix seconds) is passed in so the encoder stays pure.
 */
export function openAIStreamEncoder(request: ChatRequest, model: string, created: number): StreamEncoder {
  let id = "";
  let began = false;
  let finished = false;
  let closed = false;
  let usage: Usage | undefined;
  // Reasoning text since the last signature, for the block the signature closes.
  let thinking = "";
  // OpenAI clients index tool calls 0..n-1 in arrival order; canonical indexes may be sparse (Anthropic block indexes).
  const toolIndex = new Map<number, number>();
  // With include_usage OpenAI sends `usage: null` on every chunk but the last.
  const usageField = request.streamUsage ? { usage: null } : {};
  const chunk = (delta: Record<string, unknown>, finishReason: string | null = null): string =>
    frame({ id, object: "chat.completion.chunk", created, model, choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }], ...usageField });
  const begin = (): string => {
    if (began) return "";
    began = true;
    return chunk({ role: "assistant", content: "", refusal: null });
  };

  const encode = (part: StreamPart): string => {
    switch (part.type) {
      case "start":
        if (!began) id = part.id;
        return begin();
      case "text-delta":
        return part.text === "" ? "" : begin() + chunk({ content: part.text });
      case "reasoning-delta":
        thinking += part.text;
        return part.text === "" ? "" : begin() + chunk({ reasoning_content: part.text });
      // A signed block is complete: sent whole as `thinking_blocks` so the client can send it back.
      case "reasoning-signature": {
        const block = { type: "thinking", thinking, signature: part.signature };
        thinking = "";
        return begin() + chunk({ thinking_blocks: [block] });
      }
      case "redacted-reasoning":
        return begin() + chunk({ thinking_blocks: [{ type: "redacted_thinking", data: part.data }] });
      case "tool-call-start": {
        const index = toolIndex.size;
        toolIndex.set(part.index, index);
        return begin() + chunk({ tool_calls: [{ index, id: part.id, type: "function", function: { name: part.name, arguments: "" } }] });
      }
      case "tool-call-delta": {
        const index = toolIndex.get(part.index);
        if (index === undefined) throw new GatewayError("gateway.internal", `Arguments arrived for tool call ${part.index} before the call itself.`);
        return part.argumentsDelta === "" ? "" : chunk({ tool_calls: [{ index, function: { arguments: part.argumentsDelta } }] });
      }
      case "usage":
        usage = part.usage;
        return "";
      case "finish":
        if (finished) return "";
        finished = true;
        return begin() + chunk({}, toOpenAIFinishReason(part.finishReason));
    }
  };

  return {
    part: (part) => (closed ? "" : encode(part)),
    end() {
      if (closed) return "";
      closed = true;
      // A stream that never said why it ended still gets a finish chunk: OpenAI clients wait for one.
      let out = begin() + (finished ? "" : chunk({}, "stop"));
      if (request.streamUsage && usage) out += frame({ id, object: "chat.completion.chunk", created, model, choices: [], usage: toOpenAIUsage(usage) });
      return out + DONE;
    },
    fail(error) {
      if (closed) return "";
      closed = true;
      return frame(toOpenAIErrorBody(error)) + DONE;
    },
    answerId: () => (began && id !== "" ? id : undefined),
  };
}
