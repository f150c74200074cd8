import { once } from 'node:events';
import { createServer, type Socket } from 'node:net';

/** A TCP server on loopback that accepts connections and never answers. */
export interface SilentServer {
  readonly port: number;
  /** Connections the server holds now (a client that gave up should have closed its socket). */
  readonly openSockets: number;
  /** Destroys every held socket and stops listening. */
  close(): Promise<void>;
}

/**
 * Starts a server that accepts TCP and reads (and drops) what arrives without ever answering: the
 * peer that hangs a client in its handshake (a PostgreSQL startup, a Redis HELLO) until its timeout.
 */
export async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    // Reading lets the client's close be seen, so openSockets drops when the client gives up.
    socket.resume();
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return {
    port,
    get openSockets() {
      return sockets.size;
    },
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
