/** One server-sent event: `event` is undefined when the stream did not name it. */
export interface SseEvent {
  event?: string;
  data: string;
  id?: string;
}

/** Turns an upstream stream's bytes into events: SSE (SseParser) or another framing (AWS event stream). */
export interface EventDecoder {
  push(chunk: Uint8Array): SseEvent[];
  /** The stream ended; returns what was still held, or throws when a frame was cut short. */
  end(): SseEvent[];
}

/**
 * Incremental SSE parser (WHATWG event-stream rules): push bytes as they arrive, get the complete
 * events back. Lines end in LF, CRLF or CR; a CR at a chunk's end waits for the next chunk in case
 * an LF follows. Comments (`:`) and `retry` are ignored; multi-line `data` is joined with LF.
 */
export class SseParser implements EventDecoder {
  private readonly decoder = new TextDecoder();
  private buffer = "";
  private data: string[] = [];
  private event: string | undefined;
  private id: string | undefined;
  private first = true;

  /** Feeds a chunk; returns the events it completed. */
  push(chunk: Uint8Array | string): SseEvent[] {
    let text = typeof chunk === "string" ? chunk : this.decoder.decode(chunk, { stream: true });
    if (this.first && text.length > 0) {
      this.first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    this.buffer += text;
    return this.drain(false);
  }

  /** Ends the stream: an event left without its blank line is still dispatched. */
  end(): SseEvent[] {
    this.buffer += this.decoder.decode();
    const events = this.drain(true);
    if (this.buffer.length > 0) {
      this.line(this.buffer, events);
      this.buffer = "";
    }
    this.dispatch(events);
    return events;
  }

  private drain(final: boolean): SseEvent[] {
    const events: SseEvent[] = [];
    const buffer = this.buffer;
    let start = 0;
    for (;;) {
      const lf = buffer.indexOf("\n", start);
      const cr = buffer.indexOf("\r", start);
      if (lf === -1 && cr === -1) break;
      let end: number;
      let next: number;
      if (cr !== -1 && (lf === -1 || cr < lf)) {
        // A trailing CR may be the first half of CRLF split across chunks.
        if (cr === buffer.length - 1 && !final) break;
        end = cr;
        next = buffer.charCodeAt(cr + 1) === 10 ? cr + 2 : cr + 1;
      } else {
        end = lf as number;
        next = end + 1;
      }
      this.line(buffer.slice(start, end), events);
      start = next;
    }
    this.buffer = start === 0 ? buffer : buffer.slice(start);
    return events;
  }

  private line(line: string, events: SseEvent[]): void {
    if (line.length === 0) {
      this.dispatch(events);
      return;
    }
    if (line.charCodeAt(0) === 58 /* : */) return;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === "data") this.data.push(value);
    else if (field === "event") this.event = value;
    else if (field === "id") this.id = value;
  }

  private dispatch(events: SseEvent[]): void {
    if (this.data.length === 0) {
      this.event = undefined;
      return;
    }
    const event: SseEvent = { data: this.data.length === 1 ? (this.data[0] as string) : this.data.join("\n") };
    if (this.event !== undefined) event.event = this.event;
    if (this.id !== undefined) event.id = this.id;
    events.push(event);
    this.data = [];
    this.event = undefined;
  }
}

/** Frames one event for the wire. `data` must not contain raw newlines unless meant as separate lines. */
export function encodeSse(event: SseEvent): string {
  const head = event.event === undefined ? "" : `event: ${event.event}\n`;
  const data = event.data.includes("\n") ? event.data.split("\n").join("\ndata: ") : event.data;
  return `${head}data: ${data}\n\n`;
}
