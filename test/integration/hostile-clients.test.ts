/**
 * The real Node entry (`node dist/src/infrastructure/main.js`) against
 * clients that are slow, idle, speak HTTP/0.9 or come in too many, with short
 * configured limits (client_headers_timeout, client_request_timeout,
 * max_connections), over raw sockets on 127.0.0.1; a bundle job that never
 * ends (bundle_job_timeout); and the start-up refusal of a Node.js without
 * zlib.crc32, for the service and the `omps` command line.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type IncomingHttpHeaders, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify as toYaml } from 'yaml';
import { SAMPLE_OPERATOR_FILES } from '../../src/infrastructure/demo/sample-operator.js';
import { type KojiEmulator, startKojiEmulator } from '../emulators/koji-emulator.js';
import { type QuayEmulator, startQuayEmulator } from '../emulators/quay-emulator.js';
import { multipart, zipOf } from '../support/bundles.js';
import { ensureBuilt, ROOT } from '../support/dist.js';
import { freePort } from '../support/free-port.js';

const MAIN = join(ROOT, 'dist', 'src', 'infrastructure', 'main.js');
const CLI = join(ROOT, 'bin', 'omps.js');
/** Every wait is bounded by this. */
const WAIT_MS = 15_000;

let dir: string;
let quay: QuayEmulator;
let koji: KojiEmulator;
const children: ChildProcess[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'omps-hostile-'));
  [quay, koji] = await Promise.all([startQuayEmulator(), startKojiEmulator(), ensureBuilt(MAIN)]);
}, 200_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await Promise.all([quay?.close(), koji?.close()]);
  rmSync(dir, { recursive: true, force: true });
});

/** Starts the entry with these configuration keys; resolves with its port once it answers. */
async function startOmps(config: Record<string, unknown>): Promise<number> {
  const port = await freePort();
  const file = join(dir, `omps-${port}.yaml`);
  writeFileSync(
    file,
    toYaml({
      quay_url: quay.url,
      kojihub_url: koji.hubUrl,
      kojiroot_url: koji.rootUrl,
      log_level: 'ERROR',
      ...config,
    }),
  );
  const child = spawn(process.execPath, [MAIN], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      OMPS_CONF_FILE: file,
      PORT: String(port),
      HOST: '127.0.0.1',
    },
    stdio: 'ignore',
  });
  children.push(child);
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    try {
      if ((await get(port, '/v2/about')).status === 200) return port;
    } catch {
      if (Date.now() > deadline) throw new Error('omps did not start');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

interface Exchange {
  /** Everything the server wrote before it closed. */
  answer: string;
  /** Milliseconds from connecting to the server's close. */
  closedAfterMs: number;
}

/** Connects, writes `bytes` (if any) and keeps the connection open until the server closes it. */
function exchange(port: number, bytes?: string): Promise<Exchange> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(port, '127.0.0.1', () => {
      if (bytes !== undefined) socket.write(bytes);
    });
    let answer = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      answer += chunk;
    });
    socket.on('error', () => {}); // a reset after the answer is still a close
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ answer, closedAfterMs: Date.now() - started });
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection for ${WAIT_MS} ms; it wrote: ${answer}`));
    }, WAIT_MS);
  });
}

/** One GET on a connection of its own (no pool), closed after the answer. */
function get(
  port: number,
  path: string,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, path, agent: false, timeout: WAIT_MS, headers: { Connection: 'close' } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`no answer to GET ${path} within ${WAIT_MS} ms`)));
    req.end();
  });
}

/** Opens a connection and leaves it silent; resolves once it is connected. */
function idle(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.on('error', reject);
  });
}

describe('slow clients, with client_headers_timeout 1 s and client_request_timeout 2 s', () => {
  let port: number;
  beforeAll(async () => {
    port = await startOmps({ client_headers_timeout: 1, client_request_timeout: 2 });
  }, 30_000);

  it('answers 408 and closes when the headers do not end within client_headers_timeout', async () => {
    const { answer, closedAfterMs } = await exchange(
      port,
      'GET /v2/about HTTP/1.1\r\nHost: x\r\nX-Slow: 1\r\n',
    );
    expect(answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(closedAfterMs).toBeGreaterThanOrEqual(900);
  });

  it('closes a connection that sends nothing', async () => {
    const { answer } = await exchange(port);
    expect(answer === '' || answer.startsWith('HTTP/1.1 408')).toBe(true);
  });

  it('answers 408 and closes when the body does not arrive within client_request_timeout', async () => {
    const head = [
      'POST /v2/acme/zipfile/1.0.0 HTTP/1.1',
      'Host: x',
      'Authorization: token',
      'Content-Type: multipart/form-data; boundary=b',
      'Content-Length: 100000',
      '',
      '--b\r\n',
    ].join('\r\n');
    const { answer, closedAfterMs } = await exchange(port, head);
    expect(answer).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(closedAfterMs).toBeGreaterThanOrEqual(1_900);
    // Nothing half-sent reached Quay.
    expect(quay.state.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  it('answers 400 at once to a request line without an HTTP version (HTTP/0.9)', async () => {
    const { answer, closedAfterMs } = await exchange(port, 'GET /\r\n');
    expect(answer).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    // Well inside the headers timeout: the line alone decides.
    expect(closedAfterMs).toBeLessThan(5_000);
  });

  it('still serves a request line after empty lines, and one sent a byte at a time', async () => {
    const { answer } = await exchange(
      port,
      '\r\nGET /v2/about HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    expect(answer).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    const socket = await idle(port);
    const closed = new Promise((r) => socket.once('close', r));
    let got = '';
    socket.setEncoding('latin1');
    socket.on('data', (c: string) => {
      got += c;
    });
    for (const ch of 'GET /v2/about HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n') {
      socket.write(ch);
      await new Promise((r) => setTimeout(r, 2));
    }
    await closed;
    expect(got).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
  });

  it('answers health while slow clients hold connections', async () => {
    const slow = await Promise.all(Array.from({ length: 20 }, () => idle(port)));
    for (const s of slow) s.write('GET /v2/health/ping HTTP/1.1\r\nHost: x\r\n');
    const health = await get(port, '/v2/health/ping');
    expect(health.status).toBe(200);
    for (const s of slow) s.destroy();
  });
});

/**
 * `count` connections the server accepted, each having sent `first` (nothing
 * when empty): one it refused (it may still count a connection that was just
 * closed) has had its answer, and is replaced.
 */
async function holdConnections(port: number, count: number, first = ''): Promise<Socket[]> {
  const held: Socket[] = [];
  for (const deadline = Date.now() + WAIT_MS; held.length < count; ) {
    if (Date.now() > deadline) throw new Error(`could not hold ${count} connections`);
    const socket = await idle(port);
    let answered = false;
    socket.on('data', () => {
      answered = true;
    });
    if (first) socket.write(first);
    await new Promise((r) => setTimeout(r, 200));
    if (answered || socket.destroyed) socket.destroy();
    else held.push(socket);
  }
  return held;
}

describe('max_connections 3', () => {
  let port: number;
  beforeAll(async () => {
    port = await startOmps({ max_connections: 3 });
  }, 30_000);

  it('answers one connection more with 503 OMPSServiceBusy and Retry-After, then serves again once one closes', async () => {
    // Slow clients that have begun their request: none of them gives its place.
    const held = await holdConnections(port, 3, 'GET /v2/about HTTP/1.1\r\n');
    const busy = await get(port, '/v2/about');
    expect(busy.status).toBe(503);
    expect(busy.headers['retry-after']).toBe('2');
    expect(busy.headers.connection).toBe('close');
    expect(JSON.parse(busy.body)).toEqual({
      status: 503,
      error: 'OMPSServiceBusy',
      message:
        'The service is busy: it holds its limit of 3 open connections (max_connections). Retry in 2 s.',
    });
    held[0]!.destroy();
    let again = await get(port, '/v2/health/ping');
    for (const deadline = Date.now() + WAIT_MS; again.status !== 200 && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 50));
      again = await get(port, '/v2/health/ping');
    }
    expect(again.status).toBe(200);
    for (const s of held) s.destroy();
  });

  it('closes the oldest connection that has sent nothing for a second to serve a new one', async () => {
    const held = await holdConnections(port, 3);
    const closed = held.map((s) => new Promise<boolean>((r) => s.once('close', () => r(true))));
    await new Promise((r) => setTimeout(r, 1_200));
    expect((await get(port, '/v2/health/ping')).status).toBe(200);
    // The oldest gave its place.
    expect(await Promise.race([closed[0], new Promise((r) => setTimeout(() => r(false), WAIT_MS))])).toBe(
      true,
    );
    for (const s of held) s.destroy();
  });
});

describe('bundle_job_timeout 1 s', () => {
  let port: number;
  beforeAll(async () => {
    port = await startOmps({
      bundle_job_timeout: 1,
      // An administrator's rule that backtracks without end over a line of 64 'a's.
      organizations: { stuck: { replace_registry: [{ old: '(a+)+b', new: 'x', regexp: true }] } },
    });
  }, 30_000);

  const publish = async (org: string, files: Record<string, string>) => {
    const res = await fetch(`http://127.0.0.1:${port}/v2/${org}/zipfile/1.0.0`, {
      method: 'POST',
      headers: { Authorization: 'good-token' },
      body: multipart(zipOf(files)),
      signal: AbortSignal.timeout(WAIT_MS),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('stops a job past the deadline with its thread, answers 500 OMPSBundleJobTimeout naming the limit, and serves the next publish', async () => {
    const stuck = await publish('stuck', {
      ...SAMPLE_OPERATOR_FILES,
      'notes.yaml': `notes: ${'a'.repeat(64)}\n`,
    });
    expect(stuck).toEqual({
      status: 500,
      body: {
        status: 500,
        error: 'OMPSBundleJobTimeout',
        message:
          'The bundle job did not finish within the limit of 1 s (bundle_job_timeout) and was stopped; nothing was pushed.',
      },
    });
    expect(quay.state.pushes.filter((p) => p.organization === 'stuck')).toEqual([]);
    expect((await publish('fine', { ...SAMPLE_OPERATOR_FILES })).status).toBe(200);
  });
});

describe('a Node.js without zlib.crc32', () => {
  const preload = () => {
    const file = join(dir, 'without-crc32.mjs');
    // What Node.js before 20.15 (and 21, 22.0–22.1) lacks.
    writeFileSync(file, "import zlib from 'node:zlib';\ndelete zlib.crc32;\n");
    return file;
  };
  const run = (args: string[]) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, ['--import', preload(), ...args], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PORT: '0', HOST: '127.0.0.1' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      children.push(child);
      let stderr = '';
      child.stderr!.on('data', (c: Buffer) => {
        stderr += c.toString('utf8');
      });
      const timer = setTimeout(() => child.kill('SIGKILL'), WAIT_MS);
      child.once('exit', (code) => {
        clearTimeout(timer);
        resolve({ code, stderr });
      });
    });
  const MESSAGE =
    /^omps: Node\.js \d+\.\d+\.\d+ is too old for OMPS, which needs zlib\.crc32 \(Node\.js 20\.15 or later in the 20 line, or 22\.2 or later;/;

  it('stops the service at start with exit status 2 and a message naming what is missing', async () => {
    const { code, stderr } = await run([MAIN]);
    expect(code).toBe(2);
    expect(stderr).toMatch(MESSAGE);
  });

  it('stops the omps command line the same way', async () => {
    const { code, stderr } = await run([CLI, 'verify', '.']);
    expect(code).toBe(2);
    expect(stderr).toMatch(MESSAGE);
  });
});
