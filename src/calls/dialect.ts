import type { ChatDialect } from "../dialects/types.ts";
import type { WireFormat } from "../providers/types.ts";
import type { GatewayError } from "../canonical/errors.ts";
import type { EventStage } from "../streams/relay.ts";
import type { SseEvent } from "../streams/sse-parser.ts";
import type { CallRecord } from "../telemetry/calls.ts";
import type { StreamOutcome } from "./outcome.ts";
import type { Message, ToolDefinition } from "../canonical/chat.ts";

/** Options for a same-format stream stage. */
export interface PassthroughStageOptions {
  clientWantsUsage: boolean;
  explain: (error: unknown) => GatewayError;
  /** The provider's reading of an error event (undefined when the event is none); stages ask only about events that can be errors. */
  streamError: (event: SseEvent) => GatewayError | undefined;
  onEnd: (outcome: StreamOutcome) => void;
  /** Upstream tool name -> the client's, for names the gateway had to rewrite. */
  reverseNames?: ReadonlyMap<string, string>;
  /** The request body's length in characters: the input estimate when a stream ends before the provider reports usage. */
  promptChars?: number;
}

/** Everything the shared call handlers need to know about one client dialect. */
export interface DialectRuntime {
  wire: WireFormat;
  codec: ChatDialect;
  isStream(body: Record<string, unknown>): boolean;
  /** Whether the client asked for usage on a stream (Anthropic always gets it). */
  wantsStreamUsage(body: Record<string, unknown>): boolean;
  /** Same-format: usage, finish reason and id of a buffered answer (parsed once, when it was checked). */
  observeAnswer(answer: Record<string, unknown>): Pick<CallRecord, "usage" | "finishReason" | "responseId">;
  /** Same-format: rewrites a buffered answer only where the gateway must (reverse tool names). */
  rewriteBody?(text: string, reverseNames: ReadonlyMap<string, string>): string;
  /** Same-format: the stage that relays upstream events as received while observing them. */
  passthroughStage(options: PassthroughStageOptions): EventStage;
  /** Canonical turns as this dialect's wire messages: a tool loop's next request, written as a client would have sent it. */
  wireMessages(messages: readonly Message[]): unknown[];
  /** Function tools in this dialect's wire shape. */
  wireTools(tools: readonly ToolDefinition[]): unknown[];
}

// Ids are short; a longer value is not an id a client would look a row up by, and is not stored.
const MAX_ANSWER_ID = 256;

/** An answer's top-level `id` (OpenAI's and Anthropic's answers both have one), when it is a usable one. */
export function answerIdOf(answer: { id?: unknown }): string | undefined {
  const id = answer.id;
  return typeof id === "string" && id !== "" && id.length <= MAX_ANSWER_ID ? id : undefined;
}
