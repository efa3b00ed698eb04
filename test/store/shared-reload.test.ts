import { describe, expect, test } from "bun:test";
import { SharedReload } from "../../src/store/shared-reload.ts";

describe("SharedReload", () => {
  test("callers during a read share one follow-up read that starts after it; a burst costs two reads", async () => {
    const started: number[] = [];
    const gates: (() => void)[] = [];
    const reload = new SharedReload(() => {
      started.push(started.length);
      return new Promise<void>((resolve) => gates.push(resolve));
    });
    const first = reload.run();
    const during = [reload.run(), reload.run(), reload.run()];
    expect(started).toEqual([0]);
    expect(during[0]).toBe(during[1]);
    gates[0]?.();
    await first;
    // The follow-up began only after the first read finished: a writer's change is always seen.
    await Bun.sleep(0);
    expect(started).toEqual([0, 1]);
    gates[1]?.();
    await Promise.all(during);
    expect(started).toEqual([0, 1]);
    // Idle again: the next caller starts a fresh read.
    const later = reload.run();
    expect(started).toEqual([0, 1, 2]);
    gates[2]?.();
    await later;
  });

  test("a failed read is not handed to the callers waiting for the follow-up, nor to later ones", async () => {
    let reads = 0;
    let failNext = true;
    const gates: (() => void)[] = [];
    const reload = new SharedReload(() => {
      reads++;
      const fail = failNext;
      failNext = false;
      return new Promise<void>((resolve, reject) => gates.push(() => (fail ? reject(new Error("transient")) : resolve())));
    });
    const first = reload.run();
    const waiting = reload.run();
    gates[0]?.();
    await expect(first).rejects.toThrow("transient");
    await Bun.sleep(0);
    gates[1]?.();
    await waiting; // the follow-up's own (successful) read
    // Later: a caller during a healthy read gets a fresh follow-up, not a stale rejection.
    const running = reload.run();
    const later = reload.run();
    gates[2]?.();
    await running;
    await Bun.sleep(0);
    gates[3]?.();
    await later;
    expect(reads).toBe(4);
  });

  test("a failed read rejects its callers and does not wedge the next run", async () => {
    let fail = true;
    const reload = new SharedReload(async () => {
      if (fail) throw new Error("database gone");
    });
    await expect(reload.run()).rejects.toThrow("database gone");
    fail = false;
    await reload.run();
  });
});
