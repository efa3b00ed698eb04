/**
 * The conformance Bedrock mock's SigV4 check: what AWS's front end does with a signed request,
 * done independently of the gateway's signer (aws4fetch) with AWS's own SDK signer
 * (@smithy/signature-v4). The Authorization header names the signed headers; the request as
 * received (method, raw path, query, those headers, body bytes) is signed again with the same
 * credentials, date, region and service, and the two signatures must agree.
 */
import { Hash } from "@smithy/hash-node";
import { SignatureV4 } from "@smithy/signature-v4";

/** Temporary AWS credentials (the mock's inline test values). */
export interface AwsTestCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

/** A request as the mock received it. */
export interface ReceivedRequest {
  method: string;
  url: URL;
  /** Lower-cased names. */
  headers: Record<string, string>;
  body: Uint8Array;
}

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/\s]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
/** AWS refuses a request signed more than 5 minutes from its clock (SignatureDoesNotMatch / "Signature expired"). */
const MAX_SKEW_MS = 5 * 60 * 1000;

function parseAmzDate(value: string): Date | undefined {
  const match = AMZ_DATE.exec(value);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s] = match.map(Number) as number[];
  return new Date(Date.UTC(y as number, (mo as number) - 1, d, h, mi, s));
}

/** What is wrong with the request's SigV4 signature (service `service` in `region`), or undefined when AWS would accept it. */
export async function checkSigV4(received: ReceivedRequest, credentials: AwsTestCredentials, region: string, service: string, now = Date.now()): Promise<string | undefined> {
  const { headers } = received;
  const authorization = headers.authorization;
  if (!authorization) return "no Authorization header: the request is not signed (SigV4)";
  const match = AUTHORIZATION.exec(authorization);
  if (!match) return `the Authorization header is not a SigV4 header: '${authorization.slice(0, 80)}'`;
  const [, keyId, day, scopeRegion, scopeService, signedList, signature] = match as unknown as string[];
  if (keyId !== credentials.accessKeyId) return `signed with access key '${keyId}', not the deployment's '${credentials.accessKeyId}'`;
  if (scopeRegion !== region) return `the credential scope names region '${scopeRegion}', not '${region}'`;
  if (scopeService !== service) return `the credential scope names service '${scopeService}'; bedrock-runtime signs as '${service}'`;

  const amzDate = headers["x-amz-date"];
  const date = amzDate === undefined ? undefined : parseAmzDate(amzDate);
  if (!amzDate || !date) return `x-amz-date is missing or not of the form YYYYMMDDTHHMMSSZ ('${amzDate ?? ""}')`;
  if (day !== amzDate.slice(0, 8)) return `the credential scope's date ${day} is not x-amz-date's day (${amzDate})`;
  if (Math.abs(now - date.getTime()) > MAX_SKEW_MS) return `x-amz-date ${amzDate} is more than 5 minutes from the server's clock`;
  if (headers["x-amz-security-token"] !== credentials.sessionToken) return "x-amz-security-token is missing or is not the deployment's session token";

  const signed = (signedList as string).split(";");
  if ([...signed].sort().join(";") !== signedList || new Set(signed).size !== signed.length) return `SignedHeaders must be sorted and unique: '${signedList}'`;
  for (const required of ["host", "x-amz-date", "x-amz-security-token"]) if (!signed.includes(required)) return `SignedHeaders must include '${required}': '${signedList}'`;
  for (const name of signed) if (headers[name] === undefined) return `signed header '${name}' is not in the request`;

  const signer = new SignatureV4({ credentials, region, service, sha256: Hash.bind(null, "sha256"), applyChecksum: false });
  const query: Record<string, string> = {};
  received.url.searchParams.forEach((value, name) => (query[name] = value));
  const resigned = await signer.sign(
    {
      method: received.method,
      protocol: received.url.protocol,
      hostname: received.url.hostname,
      path: received.url.pathname,
      query,
      headers: Object.fromEntries(signed.map((name) => [name, headers[name] as string])),
      body: received.body,
    },
    { signingDate: date, signableHeaders: new Set(signed) },
  );
  const expected = String(resigned.headers.authorization);
  if (expected !== authorization) return `the SigV4 signature does not match the request (expected Signature=${expected.slice(-64)}, got ${signature})`;
  return undefined;
}
