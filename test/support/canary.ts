/**
 * A canary upstream: a raw TCP listener on 127.0.0.1 that only counts connections (and answers
 * nothing useful). A test points escapes at it (traversal, redirects); it must see none.
 */
import { createServer, type Socket } from "node:net";

export interface Canary {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  host: string;
  port: number;
  /** Connections made to it so far. */
  connections(): number;
  stop(): Promise<void>;
}

export async function startCanary(): Promise<Canary> {
  let count = 0;
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    count++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.end("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 18\r\nconnection: close\r\n\r\n{\"canary\":\"hit!\"}\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    host: "127.0.0.1",
    port,
    connections: () => count,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
