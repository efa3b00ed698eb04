import { describe, expect, test } from "bun:test";
import { dirname, join } from "node:path";
import { AccountDirectory } from "../../src/auth/directory.ts";
import { openSqliteStore } from "../../src/store/sqlite/index.ts";
import { useTempDir } from "../support/temp-dir.ts";

const tmp = useTempDir("switchboard-directory-members-");

describe("the directory's view of team membership", () => {
  test("teamsOf and memberRole follow joins, role changes and leaves after a reload", async () => {
    const store = await openSqliteStore(join(dirname(await tmp.file("d.marker", "")), "d.db"), { writerThread: false });
    await store.teams.insert({ teamId: "red", members: [{ userId: "ann", role: "admin" }] });
    await store.teams.insert({ teamId: "blue", members: [{ userId: "ann", role: "user" }, { userId: "bob", role: "user" }] });
    const directory = new AccountDirectory(store);
    await directory.load();
    expect(directory.teamsOf("ann").map((t) => t.teamId)).toEqual(["red", "blue"]);
    expect(directory.teamsOf("bob").map((t) => t.teamId)).toEqual(["blue"]);
    expect(directory.teamsOf("nobody")).toEqual([]);
    expect(directory.teamsOf(undefined)).toEqual([]);
    expect(directory.memberRole("red", "ann")).toBe("admin");
    expect(directory.memberRole("red", "bob")).toBeUndefined();
    expect(directory.memberRole(undefined, "ann")).toBeUndefined();

    await store.teams.putMembers("red", [{ userId: "bob", role: "admin" }, { userId: "ann", role: "user" }]);
    await store.teams.removeMembers("blue", ["ann"]);
    await directory.reload();
    expect(directory.teamsOf("ann").map((t) => t.teamId)).toEqual(["red"]);
    expect(directory.memberRole("red", "ann")).toBe("user");
    expect(directory.memberRole("red", "bob")).toBe("admin");
    await store.close();
  });
});
