/**
 * An upstream that never answers: it accepts every connection on 127.0.0.1,
 * reads whatever is sent and never writes a byte back — the Quay, Koji or
 * Greenwave that hangs. It counts the connections it saw and how many the
 * client has closed, so a test can tell that a caller gave up.
 */
import type { AddressInfo, Socket } from 'node:net';
import { createServer } from 'node:net';

export interface SilentServer {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Of those, the ones the client closed. */
  readonly closedByClient: number;
  close(): Promise<void>;
}

export async function startSilentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  let closedByClient = 0;
  let closing = false;
  const server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.resume(); // read and drop the request, answer nothing
    socket.on('error', () => {});
    socket.on('close', () => {
      sockets.delete(socket);
      if (!closing) closedByClient++;
    });
  });
  const port = await new Promise<number>((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    get accepted() {
      return accepted;
    },
    get closedByClient() {
      return closedByClient;
    },
    close: () =>
      new Promise<void>((resolve) => {
        closing = true;
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
