// A DNS name or IPv4 address, or a bracketed IPv6 literal, with an optional port.
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9\-_.]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

/** True unless a Host header is present and malformed (HTTP/1.1 parsing already rejects a missing one). */
export function isValidHost(host: string | null): boolean {
  return host === null || (host.length <= 255 && HOST.test(host));
}

/** True for addresses that only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
