/**
 * One pass over a parsed request body (OpenAI chat or embeddings, Anthropic messages) that finds
 * what becomes input tokens: text, tool schemas and tool inputs, images, audio and documents. JSON
 * syntax, roles, part types, ids of media and base64 payloads are not text the model reads, so
 * they are not counted as such; media are counted apart and bounded per model family
 * (input-bound.ts). Text is measured by a function: UTF-8 bytes for the cheap bound (a byte-level
 * BPE or byte-fallback SentencePiece token is at least one byte), a real tokenizer to refine it.
 *
 * Unknown fields are counted as text (an overcount is safe; an undercount would break the budget
 * guarantee), so the walk only skips what is known not to become tokens.
 */

/** Tokens the structure around text may add: wrappers, role markers, separators (see the README's budget section). */
export const OVERHEAD = {
  /** Every request: reply priming (OpenAI documents 3), system wrappers. */
  request: 32,
  /** Every message (OpenAI documents 3 per message and 1 per name; role markers elsewhere). */
  message: 8,
  /** Every content part, block or nested object of a message (block markers, tool call and result markup). */
  part: 6,
  /** Every string: a SentencePiece dummy prefix, or a merge lost at the string's edge. */
  string: 1,
  /** Every function tool: the wrapper its schema is rendered in (OpenAI's `type name = (_: {…}) => any;`). */
  tool: 32,
  /** Every key of JSON-rendered data (schemas, tool inputs): quotes, colon, comma, indentation, markup. */
  key: 8,
  /** Every value or container of JSON-rendered data: quotes, brackets, separators. */
  value: 2,
  /** A provider-defined tool (Anthropic's bash 245, text editor 700, computer use 735 + its 499-token system prompt). */
  serverTool: 2_000,
} as const;

/** What a request's input is made of; text in the measure's units, the rest in tokens or counts. */
export interface InputScan {
  /** Text, tool schemas and tool inputs, in the measure's units (bytes or tokens). */
  text: number;
  /** Structural tokens around the text (OVERHEAD). */
  overhead: number;
  /** Images (bounded per model family). */
  images: number;
  /** Function tools; a family's tool-use preamble applies when there is one. */
  tools: number;
  /** Audio tokens (bounded from the encoded size). */
  audioTokens: number;
  /**
   * Input the body does not show: binary documents (PDF pages, files by id or URL), server-side
   * tools that fetch content, earlier audio by id. Only the model's context window bounds it.
   */
  unbounded: number;
}

/** Measures a string of text: UTF-8 bytes, or tokens of a real tokenizer. */
export type Measure = (text: string) => number;

/** UTF-8 bytes of a string: a sound bound on its tokens under byte-level BPE and byte-fallback SentencePiece. */
export const utf8Bytes: Measure = (text) => Buffer.byteLength(text, "utf8");

/** Keys whose values never become prompt tokens (or are covered by OVERHEAD). */
const SKIP = new Set([
  "model",
  "role",
  "type",
  "signature",
  "cache_control",
  "media_type",
  "detail",
  "metadata",
  "user",
  "stream",
  "stream_options",
  "service_tier",
  "prompt_cache_key",
  "safety_identifier",
  "reasoning_effort",
  "encoding_format",
]);

/** Keys whose object values are rendered into the prompt as data: keys count as well as values. */
const DATA = new Set(["input", "input_schema", "parameters", "arguments", "response_format", "json_schema", "output_format", "schema"]);

/**
 * Top-level keys whose presence means input the body does not show: server-side tools, containers,
 * and the native bodies' stored context (the Responses API's earlier response and conversation,
 * Gemini's cached contents, Cohere's connectors).
 */
const UNBOUNDED_TOP = new Set(["mcp_servers", "web_search_options", "container", "previous_response_id", "conversation", "cachedContent", "cached_content", "connectors"]);

/** Tool types that bring content in during the call (search results, fetched pages and files, code output): Anthropic's, OpenAI's. */
const FETCHING_TOOL = /^(?:web_search|web_fetch|code_execution|tool_search|mcp|file_search|code_interpreter)/;

/** Gemini's tools that bring content in during the call, by the key that declares each. */
const GEMINI_FETCHING_TOOLS = ["googleSearch", "google_search", "googleSearchRetrieval", "google_search_retrieval", "urlContext", "url_context", "codeExecution", "code_execution", "fileSearch", "file_search", "googleMaps", "google_maps", "retrieval"];

/** Block types whose content was fetched server-side (encrypted or binary): bounded only by the context window. */
const FETCHED_RESULT = /^(?:web_search_tool_result|web_fetch_tool_result|code_execution_tool_result|bash_code_execution_tool_result|text_editor_code_execution_tool_result|container_upload)$/;

/** Base64 characters of audio per token bounded: 8 (an 8 kbit/s MP3 is ~1,333 characters a second, so ~167 tokens a second, over OpenAI's ~10 and Gemini's 32). */
const AUDIO_CHARS_PER_TOKEN = 8;

/**
 * Nesting deeper than this is not walked (no recursion on hostile input); what it holds is bounded
 * by the context window instead, which is sound whatever it is.
 */
const MAX_DEPTH = 64;

/** Walks a request body once; `measure` sizes its text. */
export function scanInput(body: Record<string, unknown>, measure: Measure = utf8Bytes): InputScan {
  const scan: InputScan = { text: 0, overhead: OVERHEAD.request, images: 0, tools: 0, audioTokens: 0, unbounded: 0 };
  const walker = new Walker(scan, measure);
  for (const key in body) {
    const value = body[key];
    if (SKIP.has(key) || value === null || value === undefined) continue;
    if (UNBOUNDED_TOP.has(key)) {
      scan.unbounded++;
      continue;
    }
    switch (key) {
      case "messages":
        if (Array.isArray(value)) {
          for (const message of value) {
            scan.overhead += OVERHEAD.message;
            walker.content(message, 1);
          }
        } else walker.content(value, 1);
        break;
      case "tools":
      case "functions":
        if (Array.isArray(value)) for (const tool of value) walker.tool(tool);
        else walker.data(value, 1);
        break;
      case "input":
        walker.embeddingInput(value, 1);
        break;
      case "prompt":
        // The Responses API's stored prompt (`{id, version}`) brings text the body does not show; a completion's prompt is text.
        if (typeof value === "object" && !Array.isArray(value)) scan.unbounded++;
        else walker.content(value, 1);
        break;
      default:
        if (DATA.has(key)) walker.data(value, 1);
        else walker.content(value, 1);
    }
  }
  return scan;
}

class Walker {
  constructor(
    private readonly scan: InputScan,
    private readonly measure: Measure,
  ) {}

  /** Message structure: strings are text, keys and numbers are syntax. */
  content(value: unknown, depth: number): void {
    if (typeof value === "string") {
      this.text(value);
      return;
    }
    if (typeof value !== "object" || value === null) return;
    if (depth > MAX_DEPTH) {
      this.scan.unbounded++;
      return;
    }
    if (Array.isArray(value)) {
      for (const item of value) this.content(item, depth + 1);
      return;
    }
    const block = value as Record<string, unknown>;
    if (this.media(block)) return;
    this.scan.overhead += OVERHEAD.part;
    for (const key in block) {
      if (SKIP.has(key)) continue;
      const field = block[key];
      if (DATA.has(key) && typeof field === "object" && field !== null) this.data(field, depth + 1);
      else this.content(field, depth + 1);
    }
  }

  /** JSON rendered into the prompt (schemas, tool inputs): keys and values are text, syntax is OVERHEAD. */
  data(value: unknown, depth: number): void {
    const scan = this.scan;
    if (depth > MAX_DEPTH && typeof value === "object" && value !== null) {
      scan.unbounded++;
      return;
    }
    if (typeof value === "string") {
      this.text(value);
      scan.overhead += OVERHEAD.value;
    } else if (typeof value === "number") {
      // At most one token per character of the number as JSON writes it.
      scan.overhead += numberChars(value) + OVERHEAD.value;
    } else if (typeof value !== "object" || value === null) {
      scan.overhead += 5 + OVERHEAD.value; // true, false, null
    } else if (Array.isArray(value)) {
      scan.overhead += OVERHEAD.value;
      for (const item of value) this.data(item, depth + 1);
    } else {
      scan.overhead += OVERHEAD.value;
      const object = value as Record<string, unknown>;
      for (const key in object) {
        this.text(key);
        scan.overhead += OVERHEAD.key;
        this.data(object[key], depth + 1);
      }
    }
  }

  /** One entry of `tools` (or legacy `functions`). */
  tool(tool: unknown): void {
    if (typeof tool !== "object" || tool === null || Array.isArray(tool)) {
      this.data(tool, 1);
      return;
    }
    const entry = tool as Record<string, unknown>;
    const type = entry.type;
    if (type === undefined && GEMINI_FETCHING_TOOLS.some((key) => entry[key] !== undefined)) {
      this.scan.overhead += OVERHEAD.serverTool;
      this.scan.unbounded++;
      return;
    }
    // A function tool carries its schema (OpenAI `function`, Anthropic `input_schema`, legacy `parameters`);
    // anything else with a type is a provider-defined tool the provider renders itself.
    if (entry.function !== undefined || entry.input_schema !== undefined || entry.parameters !== undefined || type === undefined || type === "function" || type === "custom") {
      this.scan.tools++;
      this.scan.overhead += OVERHEAD.tool;
      this.data(entry, 1);
      return;
    }
    this.scan.overhead += OVERHEAD.serverTool;
    if (typeof type === "string" && FETCHING_TOOL.test(type)) this.scan.unbounded++;
    this.data(entry, 1);
  }

  /** Embeddings `input`: a string, strings, or token ids (one token each). */
  embeddingInput(value: unknown, depth: number): void {
    if (typeof value === "number") {
      this.scan.text += 1;
      return;
    }
    if (Array.isArray(value)) {
      for (const item of value) {
        if (typeof item === "number") this.scan.text += 1;
        else if (depth < MAX_DEPTH) this.embeddingInput(item, depth + 1);
        else this.scan.unbounded++;
      }
      return;
    }
    if (typeof value === "string") this.text(value);
    else this.content(value, depth);
  }

  private text(text: string): void {
    this.scan.text += this.measure(text);
    this.scan.overhead += OVERHEAD.string;
  }

  /** Counts an image, audio or document block apart from text; false when `block` is none of those. */
  private media(block: Record<string, unknown>): boolean {
    const type = block.type;
    if (type === "image" || type === "image_url" || type === "input_image" || (type === undefined && block.image_url !== undefined)) {
      this.scan.images++;
      return true;
    }
    if (type === "input_audio" || (type === undefined && block.input_audio !== undefined)) {
      const audio = block.input_audio as { data?: unknown } | undefined;
      const data = typeof audio?.data === "string" ? audio.data : "";
      this.scan.audioTokens += Math.ceil(data.length / AUDIO_CHARS_PER_TOKEN) + OVERHEAD.part;
      return true;
    }
    // Gemini's file by URI (an upload, a video, a PDF): its tokens are not in the body.
    if (type === undefined && (block.fileData !== undefined || block.file_data !== undefined)) {
      this.scan.unbounded++;
      return true;
    }
    if (type === "file" || type === "input_file" || type === "document") {
      const source = block.source as Record<string, unknown> | undefined;
      // Anthropic's plain-text and custom-content documents are text; every other document is binary or remote.
      if (type === "document" && source && (source.type === "text" || source.type === "content")) return false;
      this.scan.unbounded++;
      return true;
    }
    if (typeof type === "string" && FETCHED_RESULT.test(type)) {
      this.scan.unbounded++;
      return true;
    }
    // An assistant message's earlier audio answer, referred to by id, is input audio of unknown length.
    if (block.role === "assistant" && typeof block.audio === "object" && block.audio !== null) this.scan.unbounded++;
    return false;
  }
}

/** Characters of a number as JSON writes it, without formatting it: exact for integers, the longest form otherwise. */
function numberChars(value: number): number {
  if (!Number.isSafeInteger(value)) return 24;
  let chars = value < 0 ? 2 : 1;
  for (let rest = Math.abs(value); rest >= 10; rest = Math.floor(rest / 10)) chars++;
  return chars;
}
