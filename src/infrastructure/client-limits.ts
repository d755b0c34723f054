/**
 * What a client may hold of the Node server, so that slow, idle and vanished
 * clients cost little and never delay the others (README "Security and limits"):
 *
 * - Headers within `client_headers_timeout`, the whole request within
 *   `client_request_timeout`: Node's own timers answer 408 and close. Node
 *   checks them every 30 s by default; here every second (or a quarter of the
 *   headers timeout, if shorter), so a limit means what it says.
 * - A request line without an HTTP version (`GET /`, HTTP/0.9), which Node's
 *   parser would hold open until the headers timeout, is answered 400 and
 *   closed as soon as the line ends. Only a connection's first line is read
 *   this way, by a 'data' listener; it makes Node's parser read the socket
 *   through JS streams instead of straight from the handle, which cost
 *   0–5 µs per request (20,000 keep-alive POSTs of 3 KB, 8 at a time, two
 *   runs each way: 52.5–53.3 against 53.6–57.3 µs of client and server CPU).
 * - At most `max_connections` open connections per process. At the cap, a new
 *   connection takes the place of the oldest one that has sent nothing for a
 *   second; when there is none, it is answered 503 OMPSServiceBusy with
 *   `Retry-After` and `Connection: close` before its request is read, and
 *   closed: a clean refusal, never a wait.
 */
import {
  createServer,
  type IncomingMessage,
  type Server,
  type ServerOptions,
  type ServerResponse,
} from 'node:http';
import type { Socket } from 'node:net';
import { errorBody } from '../adapters/http/error-table.js';
import type { Logger } from '../application/ports.js';
import { ServiceBusyError } from '../domain/errors.js';
import type { ClientLimits } from './config.js';

/** Seconds a refused client is told to wait. */
const RETRY_AFTER_SECONDS = 2;
/** A refused connection is closed this long after its answer, whatever its client does. */
const REFUSED_LINGER_MS = 1_000;
/** At the cap, a connection silent this long gives its place to a new one. */
const SILENT_MS = 1_000;
/** A first line longer than this is left to Node's parser (and its header size limit). */
const MAX_REQUEST_LINE = 8 * 1024;
const HTTP_VERSION = / HTTP\/\d+\.\d+\r?$/;

const BAD_REQUEST = 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n';

/** The options Node's http.Server takes at creation for these limits. */
function clientServerOptions(limits: ClientLimits): ServerOptions {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(limits.headersTimeoutMs / 4))),
  };
}

function busyAnswer(limit: number): string {
  const body = JSON.stringify(
    errorBody(
      new ServiceBusyError(
        RETRY_AFTER_SECONDS,
        `The service is busy: it holds its limit of ${limit} open connections (max_connections). Retry in ${RETRY_AFTER_SECONDS} s.`,
      ),
    ),
  );
  return [
    'HTTP/1.1 503 Service Unavailable',
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    `Retry-After: ${RETRY_AFTER_SECONDS}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

/**
 * A `createServer` for @hono/node-server's serve() that applies the limits:
 * the options above, the connection cap and the first-line check.
 */
export function limitedServerFactory(limits: ClientLimits, logger: Logger): typeof createServer {
  const factory = (options: ServerOptions, listener: (req: IncomingMessage, res: ServerResponse) => void) => {
    const refused = new WeakSet<Socket>();
    const server = createServer({ ...options, ...clientServerOptions(limits) }, (req, res) => {
      // The parser may still deliver a request on a refused connection: it has had its answer.
      if (refused.has(req.socket)) req.socket.destroy();
      else listener(req, res);
    });
    const counted = capConnections(server, limits.maxConnections, refused, logger);
    server.on('connection', (socket: Socket) => {
      if (!refused.has(socket)) checkRequestLine(socket, () => counted.silent.delete(socket));
    });
    return server;
  };
  return factory as unknown as typeof createServer;
}

/** What the cap keeps of each connection it counts. */
interface Counted {
  /** Connections counted against the cap. */
  open: Set<Socket>;
  /** Of those, the ones that have not sent a byte yet, with when they came (oldest first). */
  silent: Map<Socket, number>;
}

function capConnections(server: Server, limit: number, refused: WeakSet<Socket>, logger: Logger): Counted {
  const answer = busyAnswer(limit);
  const counted: Counted = { open: new Set(), silent: new Map() };
  let full = false;
  // Before Node's own listener, so that a refused socket is marked before its parser exists.
  server.prependListener('connection', (socket: Socket) => {
    if (counted.open.size >= limit && !evictSilent(counted)) {
      if (!full) logger.warn('max_connections reached: refusing new connections', { max_connections: limit });
      full = true;
      refused.add(socket);
      socket.on('error', () => {});
      socket.end(answer);
      setTimeout(() => socket.destroy(), REFUSED_LINGER_MS).unref();
      return;
    }
    counted.open.add(socket);
    counted.silent.set(socket, Date.now());
    socket.once('close', () => {
      counted.open.delete(socket);
      counted.silent.delete(socket);
      if (full && counted.open.size < limit) {
        full = false;
        logger.info('below max_connections again', { max_connections: limit });
      }
    });
  });
  return counted;
}

/**
 * Makes room by closing the oldest connection that has sent nothing for
 * SILENT_MS (an idle or pre-opened connection; a client that means to ask
 * sends its request at once), as nginx reuses idle connections when it runs
 * short. False when there is none: the newcomer is refused instead.
 */
function evictSilent(counted: Counted): boolean {
  const oldest = counted.silent.entries().next().value;
  if (!oldest || Date.now() - oldest[1] < SILENT_MS) return false;
  const [socket] = oldest;
  counted.silent.delete(socket);
  counted.open.delete(socket);
  socket.destroy();
  return true;
}

/**
 * Answers 400 and closes a connection whose first request line has no HTTP
 * version. Empty lines before it are skipped, as HTTP allows (RFC 9112 §2.2).
 */
function checkRequestLine(socket: Socket, spoke: () => void): void {
  let text = '';
  const onData = (chunk: Buffer) => {
    if (text === '') spoke();
    text = (text + chunk.toString('latin1', 0, Math.min(chunk.length, MAX_REQUEST_LINE))).replace(
      /^[\r\n]+/,
      '',
    );
    const end = text.indexOf('\n');
    if (end === -1 && text.length <= MAX_REQUEST_LINE) return;
    socket.removeListener('data', onData);
    if (end === -1 || socket.destroyed || HTTP_VERSION.test(text.slice(0, end))) return;
    // Node's parser reads `GET /` as HTTP/0.9 and waits for headers that never come.
    socket.end(BAD_REQUEST);
    setTimeout(() => socket.destroy(), REFUSED_LINGER_MS).unref();
  };
  socket.on('data', onData);
}
