/**
 * `npm install` (the README's command, and CI's) installs what the lock file pins. The repository
 * keeps ONE lock file, npm's package-lock.json: `bun install` migrates it on its own when it finds no
 * bun.lock (which is ignored), so the two can never disagree. After any change to package.json:
 *   npm install --package-lock-only --no-audit --no-fund
 * These checks fail when package.json and the lock drift apart.
 */
import { describe, expect, test } from "bun:test";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";

const root = resolve(import.meta.dir, "../..");

interface LockedPackage {
  version?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  engines?: { node?: string };
  optional?: boolean;
  dev?: boolean;
}

interface PackageJson {
  name: string;
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  engines?: { node?: string };
}

const pkg = JSON.parse(await readFile(join(root, "package.json"), "utf8")) as PackageJson;
const lockText = await readFile(join(root, "package-lock.json"), "utf8").catch(() => undefined);
const lock = lockText === undefined ? undefined : (JSON.parse(lockText) as { name: string; version: string; lockfileVersion: number; packages: Record<string, LockedPackage> });

/** Where npm's resolution finds `name` for the package at `from` (a node_modules path, "" for the root). */
function resolveFrom(packages: Record<string, LockedPackage>, from: string, name: string): string | undefined {
  for (let dir = from; ; ) {
    const candidate = `${dir ? `${dir}/` : ""}node_modules/${name}`;
    if (packages[candidate]) return candidate;
    if (dir === "") return undefined;
    const cut = dir.lastIndexOf("/node_modules/");
    dir = cut < 0 ? "" : dir.slice(0, cut);
  }
}

describe("the lock file", () => {
  test("package-lock.json is committed (lockfile v3) and bun.lock is not kept beside it", async () => {
    expect(lock).toBeDefined();
    expect(lock?.lockfileVersion).toBe(3);
    expect(lock?.name).toBe(pkg.name);
    const ignored = (await readFile(join(root, ".gitignore"), "utf8")).split("\n").map((line) => line.trim());
    expect(ignored).not.toContain("package-lock.json");
    expect(ignored).toContain("bun.lock");
  });

  test("its root lists exactly package.json's dependencies, each pinned exactly and locked at that version", () => {
    const rootEntry = lock?.packages[""];
    expect(rootEntry?.dependencies ?? {}).toEqual(pkg.dependencies);
    expect(rootEntry?.devDependencies ?? {}).toEqual(pkg.devDependencies);
    for (const [name, version] of Object.entries({ ...pkg.dependencies, ...pkg.devDependencies })) {
      expect({ name, version }).toEqual({ name, version: version.replace(/^[~^]/, "") });
      expect({ name, locked: lock?.packages[`node_modules/${name}`]?.version }).toEqual({ name, locked: version });
    }
  });

  test("every locked package's dependencies resolve inside the lock to versions in their ranges (npm install has nothing to add)", () => {
    const packages = lock?.packages ?? {};
    expect(Object.keys(packages).length).toBeGreaterThan(Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).length);
    const problems: string[] = [];
    for (const [path, entry] of Object.entries(packages)) {
      if (path === "") continue;
      for (const [name, range] of Object.entries(entry.dependencies ?? {})) {
        const found = resolveFrom(packages, path, name);
        const version = found ? packages[found]?.version : undefined;
        if (!version) problems.push(`${path} needs ${name}@${range}: not in the lock`);
        else if (!Bun.semver.satisfies(version, range)) problems.push(`${path} needs ${name}@${range}: the lock has ${version}`);
      }
    }
    expect(problems).toEqual([]);
  });

  test("package.json says which Node versions install it, and the README says the same", async () => {
    expect(pkg.engines?.node).toBe(">=20");
    const readme = await readFile(join(root, "README.md"), "utf8");
    expect(readme).toContain("Node.js 20 or newer");
  });
});
