/**
 * MCP's HTTP+SSE transport (spec 2024-11-05), the server's side, over Web streams. The SDK's own
 * SSEServerTransport writes to Node's ServerResponse; the gateway's routes answer with Web
 * Responses, so this one implements the SDK's Transport over a ReadableStream instead. One
 * transport is one session: `stream` is the body of the GET that opened it (its first event names
 * where to POST), the messages POSTed there arrive through `receive`, and what the SDK server
 * sends goes down the stream as `message` events.
 */
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { isJSONRPCErrorResponse, isJSONRPCRequest, isJSONRPCResultResponse, type JSONRPCMessage, type RequestId } from "@modelcontextprotocol/sdk/types.js";

/** A client that reads this far behind is dropped rather than buffered without end. */
const MAX_BUFFERED_BYTES = 32 * 1024 * 1024;

export interface SseTransportOptions {
  /** How often a comment goes down an otherwise quiet stream, so proxies do not cut it. */
  keepAliveMs: number;
  now?: () => number;
}

/**
 * The transport of one session. `C` is what each POST came with (its caller and request): the
 * handler of a request finds the context of the POST that carried it through `contextOf`.
 */
export class SseServerTransport<C> implements Transport {
  readonly stream: ReadableStream<Uint8Array>;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;
  /** Requests received and not yet answered, with the context of the POST that carried each. */
  private readonly pending = new Map<RequestId, C>();
  private readonly encoder = new TextEncoder();
  private readonly now: () => number;
  private controller!: ReadableStreamDefaultController<Uint8Array>;
  private readonly keepAlive: ReturnType<typeof setInterval>;
  private latest: C;
  private draining = false;
  closed = false;
  /** When a message last came in or an answer went out. */
  lastActive: number;

  constructor(
    readonly sessionId: string,
    endpoint: string,
    opening: C,
    options: SseTransportOptions,
  ) {
    this.latest = opening;
    this.now = options.now ?? Date.now;
    this.lastActive = this.now();
    this.stream = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.controller = controller;
          this.write(`event: endpoint\ndata: ${endpoint}\n\n`);
        },
        // The client went away.
        cancel: () => void this.close(),
      },
      { highWaterMark: MAX_BUFFERED_BYTES, size: (chunk) => chunk?.byteLength ?? 0 },
    );
    this.keepAlive = setInterval(() => this.write(": keep-alive\n\n"), options.keepAliveMs);
    this.keepAlive.unref?.();
  }

  /** The stream was opened by the GET; the SDK server connects later, on the first POST. */
  async start(): Promise<void> {}

  /** Hands one POSTed message to the SDK server; `context` is the POST's. */
  receive(message: JSONRPCMessage, context: C): void {
    this.lastActive = this.now();
    this.latest = context;
    if (isJSONRPCRequest(message)) this.pending.set(message.id, context);
    this.onmessage?.(message);
  }

  /** The context of the POST that carried request `id` (of the latest POST when it is not pending). */
  contextOf(id: RequestId | undefined): C {
    return (id !== undefined ? this.pending.get(id) : undefined) ?? this.latest;
  }

  /** Requests received and not yet answered. */
  get inProgress(): number {
    return this.pending.size;
  }

  async send(message: JSONRPCMessage): Promise<void> {
    if (this.closed) throw new Error("The SSE session is closed.");
    this.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
    if (isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) {
      this.lastActive = this.now();
      if (message.id !== undefined) this.pending.delete(message.id);
      if (this.draining && this.pending.size === 0) await this.close();
    }
  }

  /** Ends the session once every request in progress has been answered (now, when none is). */
  drain(): void {
    this.draining = true;
    if (this.pending.size === 0) void this.close();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.keepAlive);
    this.pending.clear();
    try {
      this.controller.close();
    } catch {
      // Already cancelled by the client.
    }
    this.onclose?.();
  }

  private write(text: string): void {
    if (this.closed) return;
    try {
      this.controller.enqueue(this.encoder.encode(text));
    } catch {
      // The stream was cancelled or errored under us: the client is gone.
      void this.close();
      return;
    }
    if ((this.controller.desiredSize ?? 0) < 0) {
      this.onerror?.(new Error(`The SSE client read nothing of its last ${MAX_BUFFERED_BYTES / 1024 / 1024} MB; the session is closed.`));
      void this.close();
    }
  }
}
