import { isRecord } from "../../json/is-record.ts";
import type { StreamPart } from "../../canonical/chat.ts";
import { fromOpenAIUsage } from "../../canonical/usage.ts";
import type { SseEvent } from "../../streams/sse-parser.ts";
import type { StreamReader } from "../types.ts";
import { mapOpenAIInBandError } from "./in-band-error.ts";
import { argumentsOf, badOpenAIResponse, fromOpenAIFinishReason, reasoningOf } from "./translate-response.ts";

/** One tool call being streamed, keyed by the upstream's `index`. */
interface StreamedCall {
  index: number;
  id?: string;
  name?: string;
  started: boolean;
  /** Argument fragments that arrived before the call's name (announced once the name is known). */
  pending: string;
}

/** The choice the gateway reads: index 0 (it never asks for more than one). */
function firstChoice(choices: unknown): Record<string, unknown> | undefined {
  if (!Array.isArray(choices)) return undefined;
  const choice = choices.find((c) => isRecord(c) && (c.index === undefined || c.index === 0));
  return isRecord(choice) ? choice : undefined;
}

/**
 * Reads an OpenAI-wire stream of `chat.completion.chunk` events into canonical parts. Usage and finish
 * come out in the order the upstream sends them (the usage chunk usually follows the finish).
 * `reverseNames` turns tool names the gateway rewrote back into the client's.
 * If the upstream ends without a finish_reason, `end()` owes a finish of "other": the upstream never
 * said why it stopped, and "stop" would pass a cut-short answer off as complete.
 */
export function openAIStreamReader(label: string, reverseNames?: ReadonlyMap<string, string>): StreamReader {
  let started = false;
  let finished = false;
  let sawToolCall = false;
  const calls = new Map<number, StreamedCall>();
  const usedIndexes = new Set<number>();

  const newCall = (wireIndex: number): StreamedCall => {
    // Some servers send every parallel call at index 0, told apart only by a new id: give each its own index.
    let index = wireIndex;
    if (usedIndexes.has(index)) index = Math.max(...usedIndexes) + 1;
    usedIndexes.add(index);
    const call: StreamedCall = { index, started: false, pending: "" };
    calls.set(wireIndex, call);
    return call;
  };

  const readToolCalls = (list: unknown[], parts: StreamPart[]): void => {
    list.forEach((raw, position) => {
      if (!isRecord(raw)) return;
      const wireIndex = typeof raw.index === "number" ? raw.index : position;
      const fn = isRecord(raw.function) ? raw.function : {};
      const id = typeof raw.id === "string" && raw.id !== "" ? raw.id : undefined;
      let call = calls.get(wireIndex);
      if (!call || (id !== undefined && call.id !== undefined && id !== call.id)) call = newCall(wireIndex);
      if (id !== undefined && call.id === undefined) call.id = id;
      if (typeof fn.name === "string" && fn.name !== "" && call.name === undefined) call.name = reverseNames?.get(fn.name) ?? fn.name;
      const fragment = argumentsOf(fn.arguments);
      if (!call.started && call.name !== undefined) {
        call.started = true;
        sawToolCall = true;
        parts.push({ type: "tool-call-start", index: call.index, id: call.id ?? `call_${call.index}`, name: call.name });
        if (call.pending !== "") parts.push({ type: "tool-call-delta", index: call.index, argumentsDelta: call.pending });
        call.pending = "";
      }
      if (fragment === "") return;
      if (call.started) parts.push({ type: "tool-call-delta", index: call.index, argumentsDelta: fragment });
      else call.pending += fragment;
    });
  };

  return {
    event(event: SseEvent): StreamPart[] {
      if (event.data.trim() === "[DONE]") return [];
      let chunk: unknown;
      try {
        chunk = JSON.parse(event.data);
      } catch {
        throw badOpenAIResponse(label, "a stream event is not JSON");
      }
      if (!isRecord(chunk)) throw badOpenAIResponse(label, "a stream event is not a JSON object");
      if (chunk.error !== undefined && chunk.error !== null) throw mapOpenAIInBandError(label, chunk);
      if (event.event === "error") throw mapOpenAIInBandError(label, { error: chunk });
      const parts: StreamPart[] = [];
      // Azure opens with an annotation-only chunk (prompt filter results, empty id and no choices): the start waits for a real one.
      const annotationOnly = chunk.id === "" && Array.isArray(chunk.choices) && chunk.choices.length === 0 && chunk.usage == null;
      if (!started && !annotationOnly) {
        started = true;
        parts.push({ type: "start", id: typeof chunk.id === "string" ? chunk.id : "", model: typeof chunk.model === "string" ? chunk.model : "" });
      }
      const choice = firstChoice(chunk.choices);
      const delta = choice && isRecord(choice.delta) ? choice.delta : undefined;
      if (delta) {
        const reasoning = reasoningOf(delta);
        if (reasoning !== undefined) parts.push({ type: "reasoning-delta", text: reasoning });
        if (typeof delta.content === "string" && delta.content !== "") parts.push({ type: "text-delta", text: delta.content });
        if (typeof delta.refusal === "string" && delta.refusal !== "") parts.push({ type: "text-delta", text: delta.refusal });
        if (Array.isArray(delta.tool_calls)) readToolCalls(delta.tool_calls, parts);
      }
      if (choice && !finished && choice.finish_reason !== undefined && choice.finish_reason !== null) {
        finished = true;
        const reason = fromOpenAIFinishReason(choice.finish_reason);
        // Some compatible servers say "stop" after tool calls; the client must still run them.
        parts.push({ type: "finish", finishReason: reason === "stop" && sawToolCall ? "tool-calls" : reason });
      }
      const usage = fromOpenAIUsage(chunk.usage);
      if (usage) parts.push({ type: "usage", usage });
      return parts;
    },
    end(): StreamPart[] {
      if (finished) return [];
      finished = true;
      return [{ type: "finish", finishReason: "other" }];
    },
  };
}
