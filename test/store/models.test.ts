/**
 * The stored models (run-time `/model/new`): insert, read, replace, delete, a duplicate id refused,
 * and a change marker that another connection sees move on every change and only then.
 */
import { describe, expect, test } from "bun:test";
import { dirname, join } from "node:path";
import { openSqliteStore } from "../../src/store/sqlite/index.ts";
import { StoreConflict } from "../../src/store/types.ts";
import { useTempDir } from "../support/temp-dir.ts";

const tmp = useTempDir("switchboard-store-models-");
const freshPath = async (name: string) => join(dirname(await tmp.file(`${name}.marker`, "")), `${name}.db`);

describe("models store", () => {
  test("insert, read back, replace, delete; a taken id is a conflict", async () => {
    const store = await openSqliteStore(await freshPath("crud"), { writerThread: false });
    const params = { model: "openai/gpt-4o", api_key: "os.environ/OPENAI_API_KEY" };
    const inserted = await store.models.insert({ modelId: "m1", modelName: "gpt", litellmParams: params, modelInfo: { mode: "chat" }, sealedSecrets: "v1.a.b" });
    expect(inserted).toMatchObject({ modelId: "m1", modelName: "gpt", litellmParams: params, modelInfo: { mode: "chat" }, sealedSecrets: "v1.a.b" });
    expect(inserted.createdAt).toBe(inserted.updatedAt);
    expect(await store.models.byId("m1")).toEqual(inserted);
    await expect(store.models.insert({ modelId: "m1", modelName: "other", litellmParams: params, modelInfo: {} })).rejects.toBeInstanceOf(StoreConflict);

    const replaced = await store.models.replace("m1", { modelName: "gpt-renamed", litellmParams: { model: "openai/gpt-4o-mini" }, modelInfo: {} });
    expect(replaced).toMatchObject({ modelId: "m1", modelName: "gpt-renamed", litellmParams: { model: "openai/gpt-4o-mini" }, modelInfo: {}, createdAt: inserted.createdAt });
    expect(replaced?.sealedSecrets).toBeUndefined();
    expect(await store.models.replace("nope", { modelName: "x", litellmParams: {}, modelInfo: {} })).toBeUndefined();

    await store.models.insert({ modelId: "m2", modelName: "second", litellmParams: params, modelInfo: {} });
    expect((await store.models.all()).map((m) => m.modelId)).toEqual(["m1", "m2"]);
    expect(await store.models.delete("m1")).toBe(true);
    expect(await store.models.delete("m1")).toBe(false);
    expect((await store.models.all()).map((m) => m.modelId)).toEqual(["m2"]);
    await store.close();
  });

  test("the change marker moves on every model change seen from another connection, and not on account changes", async () => {
    const path = await freshPath("marker");
    const watcher = await openSqliteStore(path, { writerThread: false });
    const writer = await openSqliteStore(path, { writerThread: false });
    const seen: number[] = [await watcher.models.changeMarker()];
    const moved = async () => {
      const now = await watcher.models.changeMarker();
      expect(now).not.toBe(seen[seen.length - 1] as number);
      seen.push(now);
    };
    await writer.models.insert({ modelId: "m", modelName: "n", litellmParams: { model: "openai/x" }, modelInfo: {} });
    await moved();
    await writer.models.replace("m", { modelName: "n2", litellmParams: { model: "openai/x" }, modelInfo: {} });
    await moved();
    await writer.teams.insert({ teamId: "t" });
    expect(await watcher.models.changeMarker()).toBe(seen[seen.length - 1] as number);
    await writer.models.delete("m");
    await moved();
    await watcher.close();
    await writer.close();
  });
});
