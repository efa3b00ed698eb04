import { describe, expect, test } from "bun:test";
import { dirname, join } from "node:path";
import { AccountDirectory } from "../../src/auth/directory.ts";
import { openSqliteStore } from "../../src/store/sqlite/index.ts";
import { useTempDir } from "../support/temp-dir.ts";

const tmp = useTempDir("switchboard-directory-organizations-");

describe("the directory's organisations", () => {
  test("are loaded with everything else and follow creates, updates and deletes after a reload", async () => {
    const store = await openSqliteStore(join(dirname(await tmp.file("d.marker", "")), "d.db"), { writerThread: false });
    await store.organizations.insert({ organizationId: "acme", models: ["a"] });
    await store.teams.insert({ teamId: "red", organizationId: "acme" });
    const directory = new AccountDirectory(store);
    await directory.load();
    expect(directory.organization(directory.team("red")?.organizationId)?.models).toEqual(["a"]);
    expect(directory.organization("nobody")).toBeUndefined();
    expect(directory.organization(undefined)).toBeUndefined();

    await store.organizations.update("acme", { models: ["b"], maxBudgetNano: 5 });
    await store.organizations.insert({ organizationId: "later" });
    await directory.reload();
    expect(directory.organization("acme")).toMatchObject({ models: ["b"], maxBudgetNano: 5 });
    expect(directory.organization("later")).toBeDefined();

    await store.organizations.delete(["acme"]);
    await directory.reload();
    expect(directory.organization("acme")).toBeUndefined();
    expect(directory.team("red")).toBeUndefined();
    await store.close();
  });
});
