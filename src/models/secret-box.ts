/**
 * Encryption at rest for the literal secrets of models added at run time (an `api_key` written
 * inline): AES-256-GCM with WebCrypto, the key derived (HKDF-SHA-256) from a secret the operator
 * sets in the environment. LiteLLM's `LITELLM_SALT_KEY` is read too, so a migrating deployment
 * keeps its variable. Each value is bound to its model id (additional data), so a sealed secret
 * copied onto another model does not open.
 */
import { weakMasterKeyReason } from "../auth/master-key.ts";

/** The variables the key is read from, first set wins. */
export const ENCRYPTION_KEY_VARS = ["SWITCHBOARD_ENCRYPTION_KEY", "LITELLM_SALT_KEY"] as const;

const FORMAT = "v1";
const IV_BYTES = 12;
const INFO = new TextEncoder().encode("switchboard model secrets v1");

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64url");
const unb64 = (text: string) => new Uint8Array(Buffer.from(text, "base64url"));

/** Why sealing or opening failed, worded for the operator (never holding a secret). */
export class SecretBoxError extends Error {
  override readonly name = "SecretBoxError";
}

/** Seals and opens secrets with one key. */
export class SecretBox {
  private constructor(
    private readonly key: CryptoKey,
    /** The variable the key came from, for messages. */
    readonly source: string,
    /** Why the key is too weak to seal new secrets (it still opens what it sealed before). */
    readonly weakness: string | undefined,
  ) {}

  /** The box over the first variable of ENCRYPTION_KEY_VARS that is set; undefined when none is. */
  static async fromEnv(env: Record<string, string | undefined>): Promise<SecretBox | undefined> {
    for (const name of ENCRYPTION_KEY_VARS) {
      const secret = env[name];
      if (secret) return SecretBox.fromSecret(secret, name);
    }
    return undefined;
  }

  static async fromSecret(secret: string, source: string): Promise<SecretBox> {
    const material = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), "HKDF", false, ["deriveKey"]);
    const key = await crypto.subtle.deriveKey({ name: "HKDF", hash: "SHA-256", salt: new Uint8Array(0), info: INFO }, material, { name: "AES-GCM", length: 256 }, false, [
      "encrypt",
      "decrypt",
    ]);
    return new SecretBox(key, source, weakMasterKeyReason(secret));
  }

  /** `v1.<iv>.<ciphertext and tag>`, bound to `context` (the model id). */
  async seal(plain: string, context: string): Promise<string> {
    if (this.weakness) {
      throw new SecretBoxError(`${this.source} is too weak to encrypt secrets with: ${this.weakness}. Set ${ENCRYPTION_KEY_VARS[0]} to a random value, e.g. the output of: openssl rand -base64 32`);
    }
    const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
    const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: new TextEncoder().encode(context) }, this.key, new TextEncoder().encode(plain));
    return `${FORMAT}.${b64(iv)}.${b64(new Uint8Array(sealed))}`;
  }

  /** The plain text, or a SecretBoxError when the value was sealed with another key (or for another context) or is damaged. */
  async open(sealed: string, context: string): Promise<string> {
    const [format, iv, body] = sealed.split(".");
    if (format !== FORMAT || !iv || !body) throw new SecretBoxError("the stored secrets are not in a format this build reads");
    try {
      const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: unb64(iv), additionalData: new TextEncoder().encode(context) }, this.key, unb64(body));
      return new TextDecoder().decode(plain);
    } catch {
      throw new SecretBoxError(`the stored secrets do not open with the key in ${this.source}: they were encrypted with another key`);
    }
  }
}
