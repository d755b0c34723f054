/**
 * What every emulator does to be reachable: serve its Hono app with
 * @hono/node-server on 127.0.0.1 (a free port), and stop for good on close():
 * pending delays end at once, open connections are dropped and the port then
 * refuses connections.
 */
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';

type FetchHandler = Parameters<typeof serve>[0]['fetch'];

export class EmulatorServer {
  private readonly pending = new Set<() => void>();
  private closed = false;
  private closing: Promise<void> | undefined;
  private server: ReturnType<typeof serve> | undefined;

  /** Resolves after `ms`, or at once when the server closes (or has closed, or `ms` is not positive). */
  readonly wait = (ms: number): Promise<void> =>
    new Promise<void>((resolve) => {
      if (this.closed || ms <= 0) return resolve();
      const done = () => {
        clearTimeout(timer);
        this.pending.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.pending.add(done);
    });

  /** Starts serving; resolves with the port once it listens. */
  async listen(fetch: FetchHandler): Promise<number> {
    const info = await new Promise<AddressInfo>((resolve) => {
      this.server = serve({ fetch, hostname: '127.0.0.1', port: 0, overrideGlobalObjects: false }, resolve);
    });
    return info.port;
  }

  /** Stops the server (idempotent). */
  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      this.closed = true;
      for (const done of [...this.pending]) done();
      const server = this.server;
      if (!server) return resolve();
      server.close(() => resolve());
      if ('closeAllConnections' in server) server.closeAllConnections();
    });
    return this.closing;
  }
}
