import { lookup } from "node:dns/promises";
import { isIP } from "node:net";

/** Why a URL may not be fetched: its message is safe to show (host and reason, no credential). */
export class SsrfRefusal extends Error {}

/** IPv4 ranges never fetched unless allowed: this network, private, CGNAT, loopback, link-local (cloud metadata), IETF, benchmarking, multicast, reserved. */
const BLOCKED_V4: readonly [string, number][] = [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 4],
  ["240.0.0.0", 4],
];

function v4ToInt(address: string): number {
  return address.split(".").reduce((acc, part) => acc * 256 + Number(part), 0);
}

function blockedV4(value: number): boolean {
  return BLOCKED_V4.some(([base, bits]) => Math.floor(value / 2 ** (32 - bits)) === Math.floor(v4ToInt(base) / 2 ** (32 - bits)));
}

/** An IPv6 address as eight 16-bit groups (with `::` expanded and a dotted IPv4 tail converted). */
function v6Groups(address: string): number[] {
  let text = address.toLowerCase().replace(/%.*$/, "");
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const v4 = v4ToInt(dotted[1] as string);
    text = `${text.slice(0, -(dotted[1] as string).length)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const parse = (part: string) => (part === "" ? [] : part.split(":").map((group) => Number.parseInt(group, 16)));
  const front = parse(head);
  const back = tail === undefined ? [] : parse(tail);
  const fill = tail === undefined ? [] : new Array<number>(8 - front.length - back.length).fill(0);
  return [...front, ...fill, ...back];
}

function blockedV6(address: string): boolean {
  const g = v6Groups(address);
  const first = g[0] as number;
  const embedded = ((g[6] as number) * 0x10000 + (g[7] as number)) >>> 0;
  const zeroUntil = (n: number) => g.slice(0, n).every((group) => group === 0);
  if (zeroUntil(8)) return true; // ::
  if (zeroUntil(7) && g[7] === 1) return true; // ::1
  if (zeroUntil(5) && g[5] === 0xffff) return blockedV4(embedded); // ::ffff:a.b.c.d, IPv4-mapped
  if (zeroUntil(6)) return blockedV4(embedded); // ::a.b.c.d, IPv4-compatible
  if (first === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((group) => group === 0)) return blockedV4(embedded); // NAT64
  if (first === 0x2002) return blockedV4(((g[1] as number) * 0x10000 + (g[2] as number)) >>> 0); // 6to4
  if ((first & 0xfe00) === 0xfc00) return true; // unique local fc00::/7 (AWS's metadata fd00:ec2::254 too)
  if ((first & 0xffc0) === 0xfe80) return true; // link-local
  if ((first & 0xffc0) === 0xfec0) return true; // site-local (deprecated)
  return (first & 0xff00) === 0xff00; // multicast
}

/** Whether an IP address (v4 or v6, any textual form Node resolves to) is loopback, private, link-local, metadata or otherwise internal. */
export function isInternalAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blockedV4(v4ToInt(address));
  if (family === 6) return blockedV6(address);
  return true;
}

/** A URL's host as written in allow-lists: lower case, without an IPv6 literal's brackets. */
export function hostOf(url: URL): string {
  return url.hostname.toLowerCase().replace(/^\[(.*)\]$/, "$1");
}

/**
 * Refuses a URL the gateway must not fetch on an admin's behalf: not http(s), or a host that is
 * (or resolves, at any of its addresses, to) an internal address, unless `allowed` names the
 * host. The check resolves the name itself, so a public name pointing inwards is refused too.
 */
export async function assertFetchable(url: URL, allowed: readonly string[] = []): Promise<void> {
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new SsrfRefusal(`only http and https URLs are fetched, not ${url.protocol}`);
  const host = hostOf(url);
  if (allowed.some((entry) => entry.toLowerCase().replace(/^\[(.*)\]$/, "$1") === host)) return;
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);
    } catch {
      throw new SsrfRefusal(`host ${host} could not be resolved`);
    }
  }
  if (addresses.length === 0 || addresses.some(isInternalAddress)) {
    throw new SsrfRefusal(`host ${host} is a loopback, private, link-local or metadata address; an administrator may allow it with the server's allow_private_hosts`);
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

/**
 * fetch() under the SSRF rules: every URL is checked before it is requested, redirects are
 * followed by hand, only to the same host (so a credential never leaves for another one), and
 * each hop is checked again. 303, and 301/302 of anything but GET/HEAD, become a GET without body, as browsers do.
 */
export async function guardedFetch(url: URL, init: RequestInit, allowed: readonly string[] = []): Promise<Response> {
  let current = url;
  let request: RequestInit = { ...init, redirect: "manual" };
  for (let hop = 0; ; hop++) {
    await assertFetchable(current, allowed);
    const response = await fetch(current, request);
    const location = response.headers.get("location");
    if (!REDIRECTS.has(response.status) || location === null) return response;
    await response.body?.cancel();
    if (hop >= MAX_REDIRECTS) throw new SsrfRefusal(`more than ${MAX_REDIRECTS} redirects from ${hostOf(url)}`);
    const next = new URL(location, current);
    if (hostOf(next) !== hostOf(current)) throw new SsrfRefusal(`${hostOf(current)} redirected to another host (${hostOf(next)}); redirects are followed only within one host`);
    const method = (request.method ?? "GET").toUpperCase();
    if (response.status === 303 || ((response.status === 301 || response.status === 302) && method !== "GET" && method !== "HEAD")) {
      const { body: _body, ...rest } = request;
      request = { ...rest, method: "GET" };
    }
    current = next;
  }
}

/** Why the gateway may not connect to `url` for an admin (safe to show), or undefined when it may: `assertFetchable` as an answer. */
export async function ssrfRefusal(url: string, allowed: readonly string[] = []): Promise<string | undefined> {
  try {
    await assertFetchable(new URL(url), allowed);
    return undefined;
  } catch (error) {
    if (error instanceof SsrfRefusal) return error.message;
    throw error;
  }
}
