import { isRecord } from "../../json/is-record.ts";
import { editTopLevel } from "../../json/top-level.ts";
import { planToolNames } from "../tool-names.ts";
import { OPENAI_TOOL_NAMES } from "./tool-names.ts";

type Json = Record<string, unknown>;

/** The `function` of a function tool, a named tool_choice or a tool call, when it has a string name. */
const namedFunction = (item: unknown): (Json & { name: string }) | undefined =>
  isRecord(item) && (item.type === "function" || item.type === undefined) && isRecord(item.function) && typeof item.function.name === "string" ? (item.function as Json & { name: string }) : undefined;

/** `item` with its function renamed, or `item` itself when the name stays. */
function renamed<T>(item: T, forward: ReadonlyMap<string, string>): T {
  const fn = namedFunction(item);
  const name = fn && forward.get(fn.name);
  return fn && name !== undefined && name !== fn.name ? ({ ...item, function: { ...fn, name } } as T) : item;
}

/** No edits and no reverse map: every name was valid. */
const NOTHING_RENAMED: { set: Record<string, string>; reverse: ReadonlyMap<string, string> } = Object.freeze({ set: Object.freeze({}), reverse: new Map() });

/** Whether an assistant message carries tool calls. */
const callsOf = (message: unknown): unknown[] | undefined => (isRecord(message) && message.role === "assistant" && Array.isArray(message.tool_calls) ? message.tool_calls : undefined);

/**
 * Same-format OpenAI body: when a function name in `tools`, a named `tool_choice` or an earlier
 * assistant's `tool_calls` is outside OpenAI's rule, plans new names for all of them and returns the
 * members to re-serialise (only those that change) and the reverse map. Valid names cost one walk
 * of the parsed body and no edit.
 */
export function sanitiseOpenAIToolNames(parsed: Json): { set: Record<string, string>; reverse: ReadonlyMap<string, string> } {
  const tools = Array.isArray(parsed.tools) ? parsed.tools : [];
  const messages = Array.isArray(parsed.messages) ? parsed.messages : [];
  const names: string[] = [];
  let invalid = false;
  const note = (item: unknown): Json | undefined => {
    const fn = namedFunction(item);
    if (fn) {
      names.push(fn.name);
      if (!invalid && !OPENAI_TOOL_NAMES.pattern.test(fn.name)) invalid = true;
    }
    return fn;
  };
  for (const tool of tools) note(tool);
  const choice = note(parsed.tool_choice) as (Json & { name: string }) | undefined;
  for (const message of messages) {
    const calls = callsOf(message);
    if (calls) for (const call of calls) note(call);
  }
  if (!invalid) return NOTHING_RENAMED;
  const { forward, reverse } = planToolNames(names, OPENAI_TOOL_NAMES);
  const set: Record<string, string> = {};
  const renamedTools = tools.map((tool) => renamed(tool, forward));
  if (renamedTools.some((tool, i) => tool !== tools[i])) set.tools = JSON.stringify(renamedTools);
  if (choice && forward.get(choice.name) !== choice.name) set.tool_choice = JSON.stringify(renamed(parsed.tool_choice, forward));
  let historyChanged = false;
  const history = messages.map((message) => {
    const calls = callsOf(message);
    if (!calls) return message;
    const renamedCalls = calls.map((call) => renamed(call, forward));
    if (renamedCalls.every((call, i) => call === calls[i])) return message;
    historyChanged = true;
    return { ...(message as Json), tool_calls: renamedCalls };
  });
  if (historyChanged) set.messages = JSON.stringify(history);
  return { set, reverse };
}

/** `calls` with the client's names back; the same array when no name was rewritten. */
function restoreCalls(calls: unknown[], reverse: ReadonlyMap<string, string>): unknown[] {
  let changed = false;
  const out = calls.map((call) => {
    const fn = namedFunction(call);
    const original = fn && reverse.get(fn.name);
    if (!fn || original === undefined) return call;
    changed = true;
    return { ...(call as Json), function: { ...fn, name: original } };
  });
  return changed ? out : calls;
}

/** `choices` with the client's tool names back in `message` (buffered) or `delta` (streamed); undefined when nothing changes. */
function restoreChoices(choices: unknown, member: "message" | "delta", reverse: ReadonlyMap<string, string>): unknown[] | undefined {
  if (!Array.isArray(choices)) return undefined;
  let changed = false;
  const out = choices.map((choice) => {
    const holder = isRecord(choice) ? choice[member] : undefined;
    if (!isRecord(holder) || !Array.isArray(holder.tool_calls)) return choice;
    const calls = restoreCalls(holder.tool_calls, reverse);
    if (calls === holder.tool_calls) return choice;
    changed = true;
    return { ...(choice as Json), [member]: { ...holder, tool_calls: calls } };
  });
  return changed ? out : undefined;
}

/** Re-serialises only `choices`, and only when a rewritten name is in it; anything unreadable is returned as it came. */
function restoreIn(text: string, member: "message" | "delta", reverse: ReadonlyMap<string, string>): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return text;
  }
  const choices = isRecord(parsed) ? restoreChoices(parsed.choices, member, reverse) : undefined;
  return choices ? editTopLevel(text, { set: { choices: JSON.stringify(choices) } }) : text;
}

/** Puts the client's tool names back into a buffered chat completion. */
export function reverseToolNamesInCompletion(text: string, reverse: ReadonlyMap<string, string>): string {
  return reverse.size === 0 ? text : restoreIn(text, "message", reverse);
}

/** Puts the client's tool names back into one stream chunk; a chunk without tool calls is returned untouched without parsing. */
export function reverseToolNamesInChunk(data: string, reverse: ReadonlyMap<string, string>): string {
  return reverse.size === 0 || !data.includes('"tool_calls"') ? data : restoreIn(data, "delta", reverse);
}
