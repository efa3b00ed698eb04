/**
 * The SSRF rule for MCP servers an admin names through the management API: the gateway connects
 * to no loopback, private, link-local, metadata or otherwise internal address unless the server's
 * `allow_private_hosts` names the host. Names are resolved and every address is checked, so a public
 * name pointing inwards is refused too. (The OpenAPI servers' guard applies the same rule; the two
 * are to be one module.)
 */
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";

/** IPv4 ranges refused: this network, private, CGNAT, loopback, link-local (cloud metadata), IETF, benchmarking, multicast, reserved. */
const BLOCKED_V4: readonly [number, number][] = (
  [
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
  ] as const
).map(([base, bits]) => [v4(base), bits]);

function v4(address: string): number {
  return address.split(".").reduce((acc, part) => acc * 256 + Number(part), 0);
}

const blockedV4 = (value: number) => BLOCKED_V4.some(([base, bits]) => Math.floor(value / 2 ** (32 - bits)) === Math.floor(base / 2 ** (32 - bits)));

/** An IPv6 address as eight 16-bit groups (`::` expanded, a dotted IPv4 tail converted). */
function groups(address: string): number[] {
  let text = address.toLowerCase().replace(/%.*$/, "");
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (dotted) text = `${text.slice(0, -dotted.length)}${(v4(dotted) >>> 16).toString(16)}:${(v4(dotted) & 0xffff).toString(16)}`;
  const [head = "", tail] = text.split("::");
  const parse = (part: string) => (part === "" ? [] : part.split(":").map((group) => Number.parseInt(group, 16)));
  const front = parse(head);
  const back = tail === undefined ? [] : parse(tail);
  return [...front, ...new Array<number>(tail === undefined ? 0 : 8 - front.length - back.length).fill(0), ...back];
}

function blockedV6(address: string): boolean {
  const g = groups(address);
  const first = g[0] ?? 0;
  const tailV4 = ((g[6] ?? 0) * 0x10000 + (g[7] ?? 0)) >>> 0;
  const zeros = (n: number) => g.slice(0, n).every((group) => group === 0);
  if (zeros(8) || (zeros(7) && g[7] === 1)) return true; // :: and ::1
  if (zeros(5) && g[5] === 0xffff) return blockedV4(tailV4); // IPv4-mapped
  if (zeros(6)) return blockedV4(tailV4); // IPv4-compatible
  if (first === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((group) => group === 0)) return blockedV4(tailV4); // NAT64
  if (first === 0x2002) return blockedV4((((g[1] ?? 0) * 0x10000 + (g[2] ?? 0)) >>> 0)); // 6to4
  if ((first & 0xfe00) === 0xfc00) return true; // unique local (AWS metadata fd00:ec2::254 too)
  if ((first & 0xffc0) === 0xfe80 || (first & 0xffc0) === 0xfec0) return true; // link-local, site-local
  return (first & 0xff00) === 0xff00; // multicast
}

/** Whether an IP address is loopback, private, link-local, metadata or otherwise internal (anything not an IP counts as internal). */
export function isInternalAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blockedV4(v4(address));
  if (family === 6) return blockedV6(address);
  return true;
}

/** A URL's host as allow-lists name it: lower case, an IPv6 literal without brackets. */
const hostOf = (url: URL) => url.hostname.toLowerCase().replace(/^\[(.*)\]$/, "$1");

/**
 * Why the gateway may not connect to `url` for an admin (host and reason, safe to show), or
 * undefined when it may: http(s) only, and every address of the host public unless `allowed` names it.
 */
export async function ssrfRefusal(url: string, allowed: readonly string[] = []): Promise<string | undefined> {
  const parsed = new URL(url);
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") return `only http and https URLs are reached, not ${parsed.protocol}`;
  const host = hostOf(parsed);
  if (allowed.some((entry) => entry.toLowerCase().replace(/^\[(.*)\]$/, "$1") === host)) return undefined;
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);
    } catch {
      return `host ${host} could not be resolved`;
    }
  }
  if (addresses.length === 0 || addresses.some(isInternalAddress)) {
    return `host ${host} is a loopback, private, link-local or metadata address; an administrator may allow it by naming it in the server's allow_private_hosts`;
  }
  return undefined;
}
