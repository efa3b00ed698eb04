import { describe, expect, test } from "bun:test";
import { randomFillSync } from "node:crypto";
import { weakMasterKeyReason } from "../../src/auth/master-key.ts";

/**
 * The ways operators make random master keys, and how many of each must all be accepted: a million
 * of each 32-byte format (the bar). 128-bit keys estimate lower (about 1 in 10^9 falls under
 * the threshold, see MIN_MASTER_KEY_BITS), so a sample of 100,000 keeps this test from ever flaking.
 */
const RANDOM_FORMATS: [string, number, (bytes: Buffer) => string][] = [
  ["openssl rand -hex 32", 1_000_000, (bytes) => bytes.toString("hex")],
  ["openssl rand -base64 32", 1_000_000, (bytes) => bytes.toString("base64")],
  ["base64url of 32 bytes", 1_000_000, (bytes) => bytes.toString("base64url")],
  ["sk- + base64url of 32 bytes", 1_000_000, (bytes) => `sk-${bytes.toString("base64url")}`],
  ["openssl rand -hex 16 (128 bits)", 100_000, (bytes) => bytes.subarray(0, 16).toString("hex")],
];

describe("master key strength: random keys", () => {
  for (const [format, RANDOM_KEYS, encode] of RANDOM_FORMATS) {
    test(`all of ${RANDOM_KEYS.toLocaleString("en")} random keys from ${format} are accepted`, () => {
      // One large random draw sliced per key: the time goes into the check, not into the generator.
      const pool = Buffer.allocUnsafe(32 * 4096);
      const rejected: string[] = [];
      for (let done = 0; done < RANDOM_KEYS; done += 4096) {
        randomFillSync(pool);
        for (let k = 0; k < 4096 && done + k < RANDOM_KEYS; k++) {
          const key = encode(pool.subarray(k * 32, k * 32 + 32));
          if (weakMasterKeyReason(key) !== undefined) rejected.push(key);
        }
      }
      expect(rejected).toEqual([]);
    }, 60_000);
  }
});

describe("master key strength: guessable keys", () => {
  const refused: [string, string][] = [
    ["short", "sk-1234"],
    ["short, random", "Vq3xT9pL2mZ8rW4k"],
    ["one character", "a".repeat(40)],
    ["placeholder", "sk-1234567890abcdef1234567890abcdef"],
    ["placeholder", "sk-12341234123412341234123412341234"],
    ["placeholder", "changeme-changeme-changeme-changeme"],
    ["placeholder", "changemechangemechangemechangeme2024"],
    ["placeholder", "password1234567890password1234567890"],
    ["placeholder", "P@ssw0rd!P@ssw0rd!P@ssw0rd!P@ssw0rd!"],
    ["placeholder", "your-master-key-here-please-change-it"],
    ["placeholder", "sk-switchboard-master-5555555555"],
    ["repeated pattern", `${"xyzw".repeat(6)}0123456789ab`],
    ["repeated pattern", "Xk9$Xk9$Xk9$Xk9$Xk9$Xk9$Xk9$Xk9$"],
    ["repeated pattern", "abcdefghijklmn".repeat(3)],
    ["sequence", "abcdefghijklmnopqrstuvwxyz0123456789"],
    ["keyboard walk", "qwertyuiopasdfghjklzxcvbnm1234567890"],
    ["keyboard walk", "zxcvbnm,./asdfghjkl;'qwertyuiop[]"],
    ["keyboard walk", "!@#$%^&*()qwertyuiop!@#$%^&*()qwertyuiop"],
    ["English phrase", "thisismysupersecretmasterkeyforswitchboard"],
    ["English phrase", "this is the master key for our company gateway"],
    ["English phrase", "ThisIsTheKeyThatWeUseForTheProductionServer"],
  ];
  for (const [kind, key] of refused) {
    test(`refused: ${kind} (${key.slice(0, 24)}…)`, () => {
      expect(weakMasterKeyReason(key)).toBeString();
    });
  }

  test("the reason says what is wrong and never repeats the key", () => {
    expect(weakMasterKeyReason("sk-1234")).toContain("7 characters long; use at least 32");
    const reason = weakMasterKeyReason("thisismysupersecretmasterkeyforswitchboard") ?? "";
    expect(reason).toMatch(/about \d+ bits/);
    expect(reason).toContain("words");
    expect(reason).not.toContain("supersecret");
    expect(weakMasterKeyReason("a".repeat(40))).toContain("repeat");
    expect(weakMasterKeyReason("qwertyuiopasdfghjklzxcvbnm1234567890")).toContain("keyboard");
  });

  test("hand-made keys with enough randomness in them pass", () => {
    expect(weakMasterKeyReason("sk-master-Vq3xT9pL2mZ8rW4kN7bH5cJ1dF6gY0aE")).toBeUndefined();
    expect(weakMasterKeyReason("sk-Qm9vYmFyLWJhei1xdXV4LTAxMjM0NTY3ODk")).toBeUndefined();
    expect(weakMasterKeyReason("550e8400-e29b-41d4-a716-446655440000-9f1c2b7e")).toBeUndefined();
  });
});
