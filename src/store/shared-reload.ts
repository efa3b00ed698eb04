/**
 * A reload of in-memory state from the store that concurrent callers share. A caller arriving while
 * one runs gets the single follow-up that starts after it, so a caller that just wrote always gets a
 * read that began after its write, and a burst of writes costs at most two reads.
 */
export class SharedReload {
  private running: Promise<void> | undefined;
  private followUp: Promise<void> | undefined;

  constructor(private readonly read: () => Promise<void>) {}

  run(): Promise<void> {
    if (this.running) {
      // Whether the running read succeeds or fails, the follow-up is a read of its own (its callers
      // get its outcome, not the earlier read's), and it is forgotten once it starts.
      this.followUp ??= this.running
        .catch(() => undefined)
        .then(() => {
          this.followUp = undefined;
          return this.run();
        });
      return this.followUp;
    }
    this.running = this.read().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }
}

/**
 * Polls a change marker every `intervalMs` and reloads when it moved (a change made by another
 * process on the same store). Unref'd: it never keeps the process alive. Returns the stop function.
 */
export function watchMarker(
  marker: () => Promise<number>,
  seen: () => number,
  reload: () => Promise<void>,
  intervalMs: number,
  onError: (error: unknown) => void,
): () => void {
  const timer = setInterval(() => {
    void marker()
      .then((value) => (value === seen() ? undefined : reload()))
      .catch(onError);
  }, intervalMs);
  timer.unref?.();
  return () => clearInterval(timer);
}
