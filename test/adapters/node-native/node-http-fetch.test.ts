/**
 * The Node transport against small node:http servers on 127.0.0.1: what it
 * sends, what the Response holds, streaming and cancelling bodies, aborts,
 * connection failures named like fetch names them, and keep-alive sockets
 * that the server closes.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createNodeHttpFetch,
  type NodeHttpFetch,
} from '../../../src/adapters/node-native/node-http-fetch.js';
import { errorCode } from '../../../src/adapters/upstream/error-code.js';
import { readAtMost } from '../../../src/adapters/upstream/read-body.js';
import { caught } from '../../support/failure.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  socket: Socket;
}

interface TestServer {
  url: string;
  seen: Seen[];
  /** Sockets the server accepted, and how many of them are closed. */
  sockets: Socket[];
  closedSockets(): number;
  server: Server;
}

type Handler = (req: IncomingMessage, res: ServerResponse, seen: Seen) => void;

const servers: Server[] = [];
const transports: NodeHttpFetch[] = [];

async function serve(handler: Handler): Promise<TestServer> {
  const seen: Seen[] = [];
  const sockets: Socket[] = [];
  let closed = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
        socket: req.socket,
      };
      seen.push(entry);
      handler(req, res, entry);
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.push(socket);
    socket.on('close', () => closed++);
  });
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address() as { port: number };
  return { url: `http://127.0.0.1:${address.port}`, seen, sockets, closedSockets: () => closed, server };
}

function transport(options?: Parameters<typeof createNodeHttpFetch>[0]): NodeHttpFetch {
  const made = createNodeHttpFetch(options);
  transports.push(made);
  return made;
}

const never = new AbortController().signal;
const tooLarge = () => new Error('too large');
const until = async (condition: () => boolean) => {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
};

afterEach(async () => {
  for (const t of transports.splice(0)) t.close();
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    s.close();
  }
});

describe('createNodeHttpFetch', () => {
  it('sends the method, headers and body, and answers status, headers and body', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(201, 'Made', [
        ['X-One', 'a'],
        ['X-Many', 'b'],
        ['X-Many', 'c'],
        ['Content-Type', 'application/json'],
      ]);
      res.end('{"ok":true}');
    });
    const fetch = transport();
    const response = await fetch(`${server.url}/a/b?q=1%202`, {
      method: 'POST',
      headers: new Headers({ Authorization: 'token', 'X-Request-Id': 'r1' }),
      body: 'héllo',
    });
    expect(response.status).toBe(201);
    expect(response.statusText).toBe('Made');
    expect(response.ok).toBe(true);
    expect(response.headers.get('x-one')).toBe('a');
    expect(response.headers.get('x-many')).toBe('b, c');
    expect(await response.json()).toEqual({ ok: true });
    const [request] = server.seen;
    expect(request).toMatchObject({ method: 'POST', url: '/a/b?q=1%202', body: 'héllo' });
    expect(request?.headers).toMatchObject({
      authorization: 'token',
      'x-request-id': 'r1',
      'content-type': 'text/plain;charset=UTF-8',
      'content-length': String(Buffer.byteLength('héllo')),
      accept: '*/*',
    });
  });

  it('takes headers as a record or pairs, bytes as a body, and sends POST without one as empty', async () => {
    const server = await serve((_req, res) => res.end());
    const fetch = transport();
    await (
      await fetch(server.url, {
        method: 'put',
        headers: { 'Content-Type': 'application/octet-stream' },
        body: new Uint8Array([104, 105]),
      })
    ).arrayBuffer();
    await (await fetch(server.url, { method: 'DELETE', headers: [['X-A', '1']] })).arrayBuffer();
    await (await fetch(server.url, { method: 'POST' })).arrayBuffer();
    expect(
      server.seen.map((s) => [s.method, s.body, s.headers['content-type'], s.headers['content-length']]),
    ).toEqual([
      ['PUT', 'hi', 'application/octet-stream', '2'],
      ['DELETE', '', undefined, undefined],
      ['POST', '', undefined, '0'],
    ]);
    expect(server.seen[1]?.headers['x-a']).toBe('1');
  });

  it('keeps the connection alive between calls, HEAD and 204 answers included', async () => {
    const server = await serve((req, res) => {
      // With its length, so that Node's server keeps the connection after a HEAD.
      if (req.url === '/empty') res.writeHead(204).end();
      else res.writeHead(200, { 'Content-Length': '4' }).end('body');
    });
    const fetch = transport();
    for (let i = 0; i < 3; i++) expect(await (await fetch(server.url, {})).text()).toBe('body');
    const head = await fetch(server.url, { method: 'HEAD' });
    expect(head.body).toBeNull();
    const empty = await fetch(`${server.url}/empty`, {});
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
    expect(await (await fetch(server.url, {})).text()).toBe('body');
    expect(server.sockets).toHaveLength(1);
  });

  it('reads a chunked answer whole', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      let n = 0;
      const next = () => {
        if (n === 5) return void res.end();
        res.write(`part${n++};`);
        setTimeout(next, 5);
      };
      next();
    });
    const response = await transport()(server.url, {});
    expect(response.headers.get('transfer-encoding')).toBe('chunked');
    expect(new TextDecoder().decode(await readAtMost(response.body, 1000, never, tooLarge))).toBe(
      'part0;part1;part2;part3;part4;',
    );
  });

  it('streams a large answer: a bounded read stops early and the socket is closed, not left busy', async () => {
    let written = 0;
    let finished = false;
    const total = 64 * 1024 * 1024;
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Length': String(total) });
      const chunk = Buffer.alloc(64 * 1024, 120);
      const pump = () => {
        while (written < total) {
          written += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
        finished = true;
      };
      pump();
    });
    const fetch = transport();
    const response = await fetch(server.url, {});
    await expect(readAtMost(response.body, 256 * 1024, never, tooLarge)).rejects.toThrow('too large');
    await until(() => server.closedSockets() === 1);
    expect(finished).toBe(false);
    expect(written).toBeLessThan(total / 2);
    // The next call gets a fresh connection.
    const small = await serve((_req, res) => res.end('ok'));
    expect(await (await fetch(small.url, {})).text()).toBe('ok');
  });

  it('reads a large answer whole, byte for byte', async () => {
    const data = Buffer.from(Array.from({ length: 3 * 1024 * 1024 + 7 }, (_, i) => (i * 7) & 0xff));
    const server = await serve((_req, res) => res.end(data));
    const bytes = await readAtMost((await transport()(server.url, {})).body, data.length, never, tooLarge);
    expect(Buffer.from(bytes).equals(data)).toBe(true);
  });

  it('an abort before the answer rejects with its reason and closes the connection', async () => {
    const server = await serve(() => {});
    const controller = new AbortController();
    const answer = transport()(server.url, { signal: controller.signal });
    await until(() => server.seen.length === 1);
    const reason = new Error('deadline');
    controller.abort(reason);
    expect(await caught(answer)).toBe(reason);
    await until(() => server.closedSockets() === 1);
  });

  it('an aborted signal rejects at once, nothing sent; an abort without reason is an AbortError', async () => {
    const server = await serve((_req, res) => res.end());
    const fetch = transport();
    const reason = new Error('already');
    expect(await caught(fetch(server.url, { signal: AbortSignal.abort(reason) }))).toBe(reason);
    const controller = new AbortController();
    const pending = fetch(`${server.url}/x`, { signal: controller.signal });
    controller.abort();
    expect(await caught<Error>(pending)).toMatchObject({ name: 'AbortError' });
    expect(server.seen.filter((s) => s.url === '/')).toHaveLength(0);
  });

  it('an abort while reading the body errors the read with its reason and closes the connection', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Length': '1000' });
      res.write('start');
    });
    const controller = new AbortController();
    const response = await transport()(server.url, { signal: controller.signal });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('start');
    const reason = new Error('deadline');
    const next = reader.read();
    controller.abort(reason);
    expect(await caught(next)).toBe(reason);
    await until(() => server.closedSockets() === 1);
  });

  it('connection refused: a TypeError "fetch failed" whose cause has the code', async () => {
    const server = await serve(() => {});
    const url = server.url;
    server.server.close();
    await once(server.server, 'close');
    const error = await caught<TypeError>(transport()(url, {}));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('fetch failed');
    expect((error.cause as { code?: string }).code).toBe('ECONNREFUSED');
    expect(errorCode(error)).toBe(' (ECONNREFUSED)');
  });

  it('https: a server that does not speak TLS is a connection failure with a code', async () => {
    const server = await serve((_req, res) => res.end('plain'));
    const error = await caught<TypeError>(transport()(server.url.replace('http:', 'https:'), {}));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('fetch failed');
    expect(errorCode(error)).toMatch(/^ \([A-Z_]+\)$/);
    expect(server.seen).toHaveLength(0);
  });

  it('a connection closed mid-answer: the read fails with a TypeError "terminated" that has a code', async () => {
    const server = await serve((_req, res) => {
      res.writeHead(200, { 'Content-Length': '100' });
      res.write('abc', () => res.destroy());
    });
    const response = await transport()(server.url, {});
    const error = await caught<TypeError>(readAtMost(response.body, 1000, never, tooLarge));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toBe('terminated');
    expect(errorCode(error)).toMatch(/^ \([A-Z_]+\)$/);
  });

  it('a socket the server closed while idle is not used again', async () => {
    const server = await serve((_req, res) => res.end('ok'));
    server.server.keepAliveTimeout = 50;
    const fetch = transport();
    expect(await (await fetch(server.url, {})).text()).toBe('ok');
    await until(() => server.closedSockets() === 1);
    expect(await (await fetch(server.url, {})).text()).toBe('ok');
    expect(server.sockets).toHaveLength(2);
  });

  describe('a reused socket the server drops without answering', () => {
    // The second request on each connection is met by a closed socket, as when the server's idle timer fires.
    const dropSecond: Handler = (req, res) => {
      const count = (requestsOn.get(req.socket) ?? 0) + 1;
      requestsOn.set(req.socket, count);
      if (count === 2) req.socket.destroy();
      else res.end(`ok ${req.method}`);
    };
    const requestsOn = new Map<Socket, number>();

    it('is sent once more on a fresh connection when idempotent', async () => {
      const server = await serve(dropSecond);
      const fetch = transport();
      expect(await (await fetch(server.url, {})).text()).toBe('ok GET');
      expect(await (await fetch(server.url, { method: 'PUT', body: 'x' })).text()).toBe('ok PUT');
      expect(server.seen.map((s) => s.method)).toEqual(['GET', 'PUT', 'PUT']);
      expect(server.sockets).toHaveLength(2);
    });

    it('fails as a connection failure, sent once, when it is a POST', async () => {
      const server = await serve(dropSecond);
      const fetch = transport();
      expect(await (await fetch(server.url, {})).text()).toBe('ok GET');
      const error = await caught<TypeError>(fetch(server.url, { method: 'POST', body: 'x' }));
      expect(error).toBeInstanceOf(TypeError);
      expect(errorCode(error)).toBe(' (ECONNRESET)');
      expect(server.seen.map((s) => s.method)).toEqual(['GET', 'POST']);
    });
  });

  it('refuses what it does not serve as fetch would: a TypeError, nothing sent', async () => {
    const fetch = transport();
    expect(await caught(fetch('ftp://127.0.0.1/x', {}))).toBeInstanceOf(TypeError);
    const server = await serve((_req, res) => res.end());
    const bad = await caught<TypeError>(fetch(server.url, { headers: { 'X-A': 'a\nb' } }));
    expect(bad).toBeInstanceOf(TypeError);
    expect(bad.message).not.toContain('a\nb');
    expect(server.seen).toHaveLength(0);
  });
});
