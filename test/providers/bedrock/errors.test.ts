import { describe, expect, test } from "bun:test";
import { mapBedrockError, mapBedrockStreamException, normaliseExceptionType } from "../../../src/providers/bedrock/errors.ts";

const CORAL = ":http://internal.amazon.com/coral/com.amazon.bedrock/";
const headersFor = (type?: string, extra: Record<string, string> = {}) => new Headers({ "content-type": "application/json", "x-amzn-requestid": "5c1b7a4e-0f7e-4c5e-9a3f-2b8d6e1f0a11", ...(type ? { "x-amzn-errortype": type } : {}), ...extra });
const body = (message: string) => JSON.stringify({ message });

describe("mapBedrockError", () => {
  // status, x-amzn-errortype, message, code, client status, retry advice
  const table: [number, string | undefined, string, string, number, string][] = [
    [400, `ValidationException${CORAL}`, "The text field in the ContentBlock object at messages.0.content.0 is blank. Add text to the text field, and try again.", "provider.bad_request", 400, "stop"],
    [400, `ValidationException${CORAL}`, "Input is too long for requested model.", "provider.context_length_exceeded", 400, "try-next"],
    [400, `ValidationException${CORAL}`, "prompt is too long: 208310 tokens > 200000 maximum", "provider.context_length_exceeded", 400, "try-next"],
    [403, `AccessDeniedException${CORAL}`, "You don't have access to the model with the specified model ID.", "provider.forbidden", 403, "try-next"],
    [403, "UnrecognizedClientException", "The security token included in the request is invalid.", "provider.unauthenticated", 401, "try-next"],
    [403, "InvalidSignatureException", "The request signature we calculated does not match the signature you provided.", "provider.unauthenticated", 401, "try-next"],
    [404, `ResourceNotFoundException${CORAL}`, "Model not found.", "provider.not_found", 404, "try-next"],
    [429, `ThrottlingException${CORAL}`, "Too many requests, please wait before trying again.", "provider.rate_limited", 429, "try-next"],
    [400, `ServiceQuotaExceededException${CORAL}`, "Too many tokens per day.", "provider.rate_limited", 400, "try-next"],
    [503, `ServiceUnavailableException${CORAL}`, "Bedrock is unable to process your request.", "provider.overloaded", 503, "try-next"],
    [429, `ModelNotReadyException${CORAL}`, "Model is not ready for inference.", "provider.overloaded", 429, "try-next"],
    [408, `ModelTimeoutException${CORAL}`, "Model has timed out in processing the request.", "provider.timeout", 408, "try-next"],
    [500, `InternalServerException${CORAL}`, "Internal server error", "provider.server_error", 500, "try-next"],
    [424, `ModelErrorException${CORAL}`, "The model returned an error.", "provider.server_error", 502, "try-next"],
    [502, undefined, "<html>Bad Gateway</html>", "provider.server_error", 502, "try-next"],
  ];
  for (const [status, type, message, code, clientStatus, retry] of table) {
    test(`${status} ${type?.split(":")[0] ?? "(no type)"}: ${message.slice(0, 40)} -> ${code}`, () => {
      const error = mapBedrockError("Amazon Bedrock", status, message.startsWith("<") ? message : body(message), headersFor(type));
      expect([error.code, error.status, error.retry]).toEqual([code as never, clientStatus, retry as never]);
      expect(error.details.provider).toBe("Amazon Bedrock");
    });
  }

  test("the message names the provider, the status and the exception (without its coral URL)", () => {
    const error = mapBedrockError("Amazon Bedrock", 400, body("Malformed input request"), headersFor(`ValidationException${CORAL}`));
    expect(error.message).toBe("Amazon Bedrock returned 400 (ValidationException): Malformed input request");
  });

  test("the exception may come from the body instead (`__type`), and `Message` is read too", () => {
    const error = mapBedrockError("Amazon Bedrock", 400, JSON.stringify({ __type: "com.amazon.coral.service#ThrottlingException", Message: "Rate exceeded" }), new Headers());
    expect([error.code, error.message]).toEqual(["provider.rate_limited", "Amazon Bedrock returned 400 (ThrottlingException): Rate exceeded"]);
  });

  test("the AWS request id and retry hints are passed on; other headers are not", () => {
    const error = mapBedrockError("Amazon Bedrock", 429, body("slow down"), headersFor("ThrottlingException", { "retry-after": "3", "set-cookie": "a=b" }));
    expect(error.details.retryAfter).toBe(3);
    expect(error.details.headers).toEqual({ "retry-after": "3", "x-amzn-requestid": "5c1b7a4e-0f7e-4c5e-9a3f-2b8d6e1f0a11" });
  });

  test("credentials echoed by the upstream are redacted and long messages truncated", () => {
    const error = mapBedrockError("Amazon Bedrock", 403, body(`The security token for AKIAIOSFODNN7EXAMPLE is invalid. ${"x".repeat(2000)}`), headersFor("UnrecognizedClientException"));
    expect(error.message).not.toContain("AKIAIOSFODNN7EXAMPLE");
    expect(error.message).toContain("[redacted]");
    expect(error.message).toContain("(truncated)");
  });
});

describe("mapBedrockStreamException", () => {
  test("maps by the camelCase exception type, with the documented status", () => {
    const exception = (type: string, message: string, extra: Record<string, unknown> = {}) => JSON.stringify({ ...extra, type, message });
    const limited = mapBedrockStreamException("Amazon Bedrock", exception("throttlingException", "Too many tokens"));
    expect([limited.code, limited.status, limited.message]).toEqual(["provider.rate_limited", 429, "Amazon Bedrock sent an error mid-stream (throttlingException): Too many tokens"]);
    const model = mapBedrockStreamException("Amazon Bedrock", exception("modelStreamErrorException", "Model Stream Error", { originalStatusCode: 500 }));
    expect([model.code, model.status]).toEqual(["provider.server_error", 500]);
    expect(mapBedrockStreamException("Amazon Bedrock", exception("validationException", "Input is too long for requested model.")).code).toBe("provider.context_length_exceeded");
    expect(mapBedrockStreamException("Amazon Bedrock", exception("serviceUnavailableException", "busy")).status).toBe(503);
    expect(mapBedrockStreamException("Amazon Bedrock", "garbage").code).toBe("provider.server_error");
  });

  test("exception names normalise across their spellings", () => {
    expect(["ValidationException:http://internal", "com.amazon.coral#ValidationException", "validationException", "Validation"].map(normaliseExceptionType)).toEqual(["validation", "validation", "validation", "validation"]);
    expect(normaliseExceptionType(undefined)).toBeUndefined();
  });
});
