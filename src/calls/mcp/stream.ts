/**
 * A streamed tool loop: one client stream over every round. Each round streams from its provider;
 * text and reasoning reach the client as they arrive, while the round's tool calls are held until it
 * ends. Then either the loop runs them (through the MCP gateway) and the next round streams on into
 * the same answer, or the round is the last: its held tool calls, the loop's total usage and the
 * finish reason close the stream. A client that leaves cancels the round in flight and its tool calls.
 */
import type { ContentPart, StreamPart, ThinkingPart, ToolCallPart } from "../../canonical/chat.ts";
import { toGatewayError, type GatewayError } from "../../canonical/errors.ts";
import type { Usage } from "../../canonical/usage.ts";
import type { StreamEncoder } from "../../dialects/types.ts";
import type { ChunkSource } from "../../streams/peek.ts";
import { relaySse } from "../../streams/relay.ts";
import { answerId, onStreamEnd, SSE_HEADERS, timed, type StreamTiming } from "../chat.ts";
import { gatewayHeaders } from "../headers.ts";
import type { StreamOutcome } from "../outcome.ts";
import { costOfCall, overheadMs } from "../scope.ts";
import { translatedStage } from "../translated-stage.ts";
import { nextRound, runnableCalls, runTools, type Loop } from "./loop.ts";
import { startRound, type Round } from "./round.ts";
import { addUsage } from "./totals.ts";

const utf8 = new TextEncoder();

/** Streams the loop whose first round is `first` (its first event already in hand). */
export function streamLoop(loop: Loop, first: Round): Response {
  const client = loop.dialect.codec.streamEncoder(loop.chat, loop.model);
  let current: { cancel(): Promise<void> } | undefined;
  let relayed = false;
  const left = loop.abort.signal;
  /** Ends a round no one will read: its upstream is aborted and it is recorded as cancelled. */
  const drop = (round: Round) => relayRound(round, new RoundCapture(loop, client, round)).cancel().catch(() => undefined);

  async function* frames(): AsyncGenerator<Uint8Array> {
    relayed = true;
    let round = first;
    for (;;) {
      // The client left while this round started.
      if (left.aborted) return drop(round);
      const capture = new RoundCapture(loop, client, round);
      const reader = relayRound(round, capture).getReader();
      current = reader;
      for (;;) {
        const chunk = await reader.read();
        if (chunk.done) break;
        yield chunk.value;
      }
      current = undefined;
      if (capture.failed || !capture.calls) return;
      addUsage(loop.totals, capture.outcome?.usage, capture.costNano);
      try {
        loop.added.push({ role: "assistant", content: capture.content }, { role: "tool", content: await runTools(loop, capture.calls) });
        if (left.aborted) return;
        const next = nextRound(loop);
        round = await startRound(loop.deps, next.scope, next.chat, next.body, loop.model, loop.input.server);
      } catch (error) {
        // The client left (its tool calls were cancelled, or the round's start failed for it): no one reads a frame now.
        if (left.aborted) return;
        yield utf8.encode(client.fail(toGatewayError(error)));
        return;
      }
    }
  }

  const iterator = frames();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        const next = await iterator.next();
        // Cancelled while this pull waited: the stream is closed to further frames.
        if (left.aborted) return;
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      } catch (error) {
        if (left.aborted) return;
        // The gateway's own failure mid-stream: the client gets the dialect's error frame.
        loop.deps.logError?.("MCP tool loop", error);
        controller.enqueue(utf8.encode(client.fail(toGatewayError(error))));
        controller.close();
      }
    },
    cancel() {
      loop.abort.abort();
      // Before the first pull the first round is not relayed yet: it is ended here, as a round read is by its reader.
      if (!relayed) {
        relayed = true;
        void drop(first);
      } else void current?.cancel().catch(() => undefined);
    },
  });
  const { scope, resolved, answer } = first;
  if (loop.input.request.signal.aborted) void body.cancel().catch(() => undefined);
  const headers = gatewayHeaders(scope, resolved.deployment.id, overheadMs(scope, answer.call, answer.doneAt), answer.call.response.headers);
  return new Response(body, { headers: { ...SSE_HEADERS, ...headers } });
}

/** One round's upstream events as the client's frames, the round recorded when it ends. */
function relayRound(round: Round, capture: RoundCapture): ReadableStream<Uint8Array> {
  const { scope, resolved, answer } = round;
  const { provider } = resolved.deployment;
  const timing: StreamTiming = { overheadMs: overheadMs(scope, answer.call, answer.doneAt) };
  const record = onStreamEnd(scope, resolved, answer.call, timing);
  const onEnd = (outcome: StreamOutcome) => {
    record(outcome);
    capture.outcome = outcome;
    capture.costNano = costOfCall(resolved, outcome.usage, scope.startedAt);
    if (outcome.error || outcome.cancelled) capture.failed = true;
  };
  const stage = translatedStage(provider.chat.streamReader(answer.state), capture, answer.call.explain, onEnd, scope.raw.text.length, answerId(scope), provider.label);
  return relaySse(answer.body as ChunkSource, timed(stage, timing), answer.call.abort, undefined, provider.streamDecoder?.());
}

/**
 * The encoder a round's stage writes to: text and reasoning go on to the client's encoder at once;
 * the round's tool calls, usage and finish are held, and at the round's end it decides whether the
 * loop goes on (the calls are MCP tools to run) or this was the answer (held parts sent, stream closed).
 */
class RoundCapture implements StreamEncoder {
  /** The assistant turn as it arrived: text, reasoning and tool calls, for the next round's request. */
  readonly content: ContentPart[] = [];
  private readonly byIndex = new Map<number, ToolCallPart>();
  private usage: Usage | undefined;
  private finish: Extract<StreamPart, { type: "finish" }> | undefined;
  /** The MCP calls to run, once the round ended with some. */
  calls: ToolCallPart[] | undefined;
  outcome: StreamOutcome | undefined;
  costNano: number | undefined;
  failed = false;
  /** The round's whole answer as frames of the client's dialect, for its span (tracing on). */
  private readonly traced: { encoder: StreamEncoder; frames: string[] } | undefined;

  constructor(
    private readonly loop: Loop,
    private readonly client: StreamEncoder,
    round: Round,
  ) {
    const { trace } = round.scope;
    if (trace) this.traced = { encoder: loop.dialect.codec.streamEncoder(round.answer.chat, loop.model), frames: (trace.streamFrames = []) };
  }

  part(part: StreamPart): string {
    if (this.traced) this.traced.frames.push(this.traced.encoder.part(part));
    switch (part.type) {
      case "start":
        // One answer for the client: only the first round opens it.
        return this.client.answerId() === undefined ? this.client.part(part) : "";
      case "text-delta": {
        const last = this.content.at(-1);
        if (last?.type === "text") last.text += part.text;
        else this.content.push({ type: "text", text: part.text });
        return this.client.part(part);
      }
      case "reasoning-delta": {
        const last = this.content.at(-1);
        if (last?.type === "thinking") last.text += part.text;
        else this.content.push({ type: "thinking", text: part.text });
        return this.client.part(part);
      }
      case "reasoning-signature": {
        const thinking = this.content.findLast((p): p is ThinkingPart => p.type === "thinking");
        if (thinking) thinking.signature = part.signature;
        else this.content.push({ type: "thinking", text: "", signature: part.signature });
        return this.client.part(part);
      }
      case "redacted-reasoning":
        this.content.push({ type: "redacted-thinking", data: part.data });
        return this.client.part(part);
      case "tool-call-start": {
        const call: ToolCallPart = { type: "tool-call", id: part.id, name: part.name, arguments: "" };
        this.byIndex.set(part.index, call);
        this.content.push(call);
        return "";
      }
      case "tool-call-delta": {
        const call = this.byIndex.get(part.index);
        if (call) call.arguments += part.argumentsDelta;
        return "";
      }
      case "usage":
        this.usage = part.usage;
        return "";
      case "finish":
        this.finish = part;
        return "";
    }
  }

  end(): string {
    if (this.traced) this.traced.frames.push(this.traced.encoder.end());
    this.calls = runnableCalls(this.loop, { content: this.content });
    if (this.calls) return "";
    // The answer: its tool calls (the client's, or awaiting approval), the loop's usage, the finish.
    let out = "";
    const calls = this.content.filter((part): part is ToolCallPart => part.type === "tool-call");
    calls.forEach((call, index) => {
      out += this.client.part({ type: "tool-call-start", index, id: call.id, name: call.name });
      if (call.arguments) out += this.client.part({ type: "tool-call-delta", index, argumentsDelta: call.arguments });
    });
    const total = { ...this.loop.totals };
    addUsage(total, this.usage, 0);
    if (total.usage) out += this.client.part({ type: "usage", usage: total.usage });
    out += this.client.part(this.finish ?? { type: "finish", finishReason: calls.length > 0 ? "tool-calls" : "stop" });
    return out + this.client.end();
  }

  fail(error: GatewayError): string {
    if (this.traced) this.traced.frames.push(this.traced.encoder.fail(error));
    this.failed = true;
    return this.client.fail(error);
  }

  answerId(): string | undefined {
    return this.client.answerId();
  }
}
