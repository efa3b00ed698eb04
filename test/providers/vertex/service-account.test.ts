import { beforeAll, describe, expect, test } from "bun:test";
import { pemToDer } from "../../../src/providers/vertex/jwt.ts";
import { GOOGLE_TOKEN_URI, parseServiceAccount } from "../../../src/providers/vertex/service-account.ts";
import { GatewayError } from "../../../src/canonical/errors.ts";
import { makeAccount, type TestAccount } from "../../fixtures/vertex/google-mock.ts";

let account: TestAccount;
let fields: Record<string, unknown>;
beforeAll(async () => {
  account = await makeAccount();
  fields = JSON.parse(account.json) as Record<string, unknown>;
});

/** Why parsing failed (failing the test if it did not). */
function failure(text: string): GatewayError {
  try {
    parseServiceAccount(text);
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error("expected a GatewayError");
}

const keyLine = () => account.privateKeyPem.split("\n")[3] ?? "";

describe("parseServiceAccount", () => {
  test("reads the fields the gateway uses from a Google key file", () => {
    expect(parseServiceAccount(account.json)).toEqual({
      type: "service_account",
      project_id: "test-project",
      private_key_id: account.keyId,
      private_key: account.privateKeyPem,
      client_email: account.email,
      token_uri: "https://oauth2.googleapis.com/token",
    });
  });

  test("token_uri defaults to Google's; project_id is optional", () => {
    const { token_uri: _uri, project_id: _project, ...rest } = fields;
    const parsed = parseServiceAccount(JSON.stringify(rest));
    expect(parsed.token_uri).toBe(GOOGLE_TOKEN_URI);
    expect("project_id" in parsed).toBe(false);
  });

  for (const field of ["type", "private_key_id", "private_key", "client_email"]) {
    test(`a missing ${field} is named, and the key is never echoed`, () => {
      const { [field]: _dropped, ...rest } = fields;
      const error = failure(JSON.stringify(rest));
      expect(error.code).toBe("provider.unauthenticated");
      expect(error.message).toContain(`"${field}"`);
      expect(error.message).not.toContain(keyLine());
    });
  }

  test("wrong types and kinds of credentials are explained", () => {
    expect(failure(JSON.stringify({ ...fields, type: "authorized_user" })).message).toContain('"authorized_user", not "service_account"');
    expect(failure(JSON.stringify({ ...fields, client_email: 42 })).message).toContain('"client_email" that is not a string');
    expect(failure(JSON.stringify({ ...fields, private_key: "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----" })).message).toContain("PKCS#8");
    expect(failure(JSON.stringify({ ...fields, private_key: "not a key" })).message).toContain("not a PEM private key");
    expect(failure(JSON.stringify({ ...fields, token_uri: "file:///etc/passwd" })).message).toContain('"token_uri"');
    expect(failure("[1,2]").message).toContain("not a JSON object");
  });

  test("a JSON syntax error never quotes the document (it would quote the key)", () => {
    const broken = account.json.replace('"client_email"', "client_email");
    const error = failure(broken);
    expect(error.message).toContain("not valid JSON");
    expect(error.message).not.toContain(keyLine());
    expect(String(error.cause ?? "")).not.toContain(keyLine());
  });
});

describe("pemToDer", () => {
  test("reads PEM with LF, CRLF, or literal \\n escapes identically", () => {
    const der = pemToDer(account.privateKeyPem);
    expect(der.length).toBeGreaterThan(1000);
    expect(pemToDer(account.privateKeyPem.replace(/\n/g, "\r\n"))).toEqual(der);
    expect(pemToDer(account.privateKeyPem.replace(/\n/g, "\\n"))).toEqual(der);
  });
});
