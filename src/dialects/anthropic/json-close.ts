const isSpace = (code: number) => code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;

/**
 * Follows streamed JSON text just far enough to tell when its top-level object or array has
 * closed (strings and escapes respected). Text that does not start with `{` or `[` never reads as
 * closed. Linear in the text pushed; nothing is parsed or kept.
 */
export class JsonCloseTracker {
  private state: "before" | "inside" | "closed" | "opaque" = "before";
  private depth = 0;
  private inString = false;
  private escaped = false;

  /** True once the top-level object or array has closed. */
  get closed(): boolean {
    return this.state === "closed";
  }

  /** Feeds the next fragment. */
  push(text: string): void {
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (this.state === "before") {
        if (code === 0x7b || code === 0x5b) {
          this.state = "inside";
          this.depth = 1;
        } else if (!isSpace(code)) this.state = "opaque";
        continue;
      }
      if (this.state !== "inside") return;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (code === 0x5c) this.escaped = true;
        else if (code === 0x22) this.inString = false;
      } else if (code === 0x22) this.inString = true;
      else if (code === 0x7b || code === 0x5b) this.depth++;
      else if ((code === 0x7d || code === 0x5d) && --this.depth === 0) this.state = "closed";
    }
  }
}
