/**
 * Literal secrets of run-time models are sealed with AES-GCM under a key from the environment:
 * they open only with the same key and for the same model, never appear in the sealed text, and a
 * weak key is refused for sealing with a message that says what to set.
 */
import { describe, expect, test } from "bun:test";
import { SecretBox, SecretBoxError } from "../../src/models/secret-box.ts";

const STRONG = "q7Vb2Lx9Tz4Rk8Wm1Ny6Pc3Hs5Jd0Fg-strong-enough-key";
const OTHER = "Zp3Kq8Rt1Wv6Yx9Bn2Mc5Lf7Hg4Jd0Sa-another-random";

describe("SecretBox", () => {
  test("seals and opens; the sealed text never holds the secret; each seal differs", async () => {
    const box = (await SecretBox.fromEnv({ SWITCHBOARD_ENCRYPTION_KEY: STRONG })) as SecretBox;
    const plain = JSON.stringify({ api_key: "sk-live-upstream-secret-123" });
    const a = await box.seal(plain, "model-1");
    const b = await box.seal(plain, "model-1");
    expect(a).not.toBe(b);
    expect(a).toMatch(/^v1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(a).not.toContain("sk-live");
    expect(await box.open(a, "model-1")).toBe(plain);
  });

  test("another key, another model id or a damaged value do not open", async () => {
    const box = (await SecretBox.fromEnv({ SWITCHBOARD_ENCRYPTION_KEY: STRONG })) as SecretBox;
    const other = (await SecretBox.fromEnv({ LITELLM_SALT_KEY: OTHER })) as SecretBox;
    const sealed = await box.seal("secret", "model-1");
    await expect(other.open(sealed, "model-1")).rejects.toThrow("LITELLM_SALT_KEY");
    await expect(box.open(sealed, "model-2")).rejects.toBeInstanceOf(SecretBoxError);
    await expect(box.open(`${sealed.slice(0, -4)}AAAA`, "model-1")).rejects.toBeInstanceOf(SecretBoxError);
    await expect(box.open("v0.x.y", "model-1")).rejects.toThrow("format");
  });

  test("SWITCHBOARD_ENCRYPTION_KEY wins over LITELLM_SALT_KEY; none set: no box", async () => {
    expect(await SecretBox.fromEnv({})).toBeUndefined();
    const both = (await SecretBox.fromEnv({ SWITCHBOARD_ENCRYPTION_KEY: STRONG, LITELLM_SALT_KEY: OTHER })) as SecretBox;
    expect(both.source).toBe("SWITCHBOARD_ENCRYPTION_KEY");
    const sealed = await both.seal("x", "m");
    const strongOnly = (await SecretBox.fromEnv({ SWITCHBOARD_ENCRYPTION_KEY: STRONG })) as SecretBox;
    expect(await strongOnly.open(sealed, "m")).toBe("x");
  });

  test("a weak key is refused for sealing, naming the variable and what to set", async () => {
    const weak = (await SecretBox.fromEnv({ LITELLM_SALT_KEY: "sk-1234" })) as SecretBox;
    expect(weak.weakness).toContain("characters long");
    const refused = weak.seal("x", "m");
    await expect(refused).rejects.toBeInstanceOf(SecretBoxError);
    await expect(refused).rejects.toThrow(/LITELLM_SALT_KEY is too weak.*SWITCHBOARD_ENCRYPTION_KEY/);
  });
});
