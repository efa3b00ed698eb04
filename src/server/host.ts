// A DNS name or IPv4 address, or a bracketed IPv6 literal, with an optional port of up to five digits.
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9\-_.]*[A-Za-z0-9])?|\[[0-9A-Fa-f:.]+\])(?::(\d{1,5}))?$/;

/**
 * Why a Host header cannot be used, or undefined when it can (or is absent: Bun refuses HTTP/1.1
 * requests without one, and the gate handles HTTP/1.0). A port past 65535 is refused here because
 * the request's URL cannot be parsed with it.
 */
export function hostProblem(host: string | null): string | undefined {
  if (host === null) return undefined;
  const match = host.length <= 255 ? HOST.exec(host) : null;
  if (!match) return "send host[:port]";
  if (match[1] !== undefined && Number(match[1]) > 65535) return "its port is above 65535";
  return undefined;
}

/** True for addresses that only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === "localhost" || host === "::1" || host === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}
