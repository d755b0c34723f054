/**
 * `npm run stress`: the real Node entry, started as `npm start` starts it and
 * with the default limits, against hostile clients on 127.0.0.1, one kind at
 * a time for seven seconds each, after three seconds without any (the
 * machine's own noise):
 *
 * - vanished clients: 20 honest publishes whose clients go away before the answer;
 * - slow headers: 200 connections that send a header line every second;
 * - slow bodies: 200 uploads that declare 1 MB and send 100 bytes every half second;
 * - idle connections: 1,000 connections that send nothing;
 * - cut uploads: 50 uploads of 1.6 MB whose clients go away at half.
 *
 * For each it prints the connections the service still held at the end (of
 * those opened; the others it closed or refused), the RSS of the service's
 * process tree before, at the peak and after, and health checks answered
 * meanwhile (a fresh connection every 50 ms, as a load balancer's probe):
 * p99 and the statuses; and how many pushes reached Quay. Then the RSS once the bundle
 * thread the publishes started has stopped (30 s after its last job), against
 * the idle RSS. About 50 s in all, never more than 60; loopback
 * only; stops by itself. Not a test, and not run in CI: numbers to compare.
 * BENCH_VIA_NPM=1 starts the service with `npm start` itself (the tree then includes npm).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { connect, type Socket } from 'node:net';
import { zipSync } from 'fflate';
import { SAMPLE_OPERATOR_FILES } from '../src/infrastructure/demo/sample-operator.js';
import { launch, percentile, sleep, treePids, treeRssMb } from './service.js';

const TOKEN = 'stress-token';
const PHASE_MS = 7_000;
const SETTLE_MS = 1_000;

interface Client {
  socket: Socket;
  answered: boolean;
  closed: boolean;
  stop(): void;
}

/** A raw connection; `talk` writes to it until the phase ends. */
function open(port: number, talk: (socket: Socket) => (() => void) | undefined): Promise<Client> {
  return new Promise((resolve) => {
    const client: Client = {
      socket: connect(port, '127.0.0.1'),
      answered: false,
      closed: false,
      stop: () => {},
    };
    client.socket.on('data', () => {
      client.answered = true;
    });
    client.socket.on('error', () => {});
    client.socket.on('close', () => {
      client.closed = true;
      client.stop();
    });
    client.socket.once('connect', () => {
      client.stop = talk(client.socket) ?? (() => {});
      resolve(client);
    });
    client.socket.once('close', () => resolve(client));
  });
}

/** Writes `next()` every `ms` until stopped. */
function every(socket: Socket, ms: number, next: () => string): () => void {
  const timer = setInterval(() => socket.write(next()), ms);
  return () => clearInterval(timer);
}

function status(port: number, path: string): Promise<number> {
  return new Promise((resolve) => {
    const req = http.request(
      { host: '127.0.0.1', port, path, agent: false, timeout: 10_000, headers: { Connection: 'close' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

/** Health pings every 50 ms until stopped: latencies and how many got each status (0: no answer). */
function pinger(port: number) {
  const times: number[] = [];
  const statuses = new Map<number, number>();
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      const got = await status(port, '/v2/health/ping');
      times.push(performance.now() - started);
      statuses.set(got, (statuses.get(got) ?? 0) + 1);
      await sleep(50);
    }
  })();
  return async () => {
    running = false;
    await loop;
    return { times, statuses };
  };
}

function multipartHead(port: number, path: string, length: number, boundary: string): string {
  return [
    `POST ${path} HTTP/1.1`,
    `Host: 127.0.0.1:${port}`,
    `Authorization: ${TOKEN}`,
    `Content-Type: multipart/form-data; boundary=${boundary}`,
    `Content-Length: ${length}`,
    '',
    '',
  ].join('\r\n');
}

/** A whole multipart body holding `zip` as the field `file`. */
function multipartBody(zip: Uint8Array, boundary: string): Buffer {
  return Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="manifests.zip"\r\nContent-Type: application/zip\r\n\r\n`,
    ),
    zip,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
}

interface Phase {
  name: string;
  run(port: number): Promise<Client[]>;
}

const PHASES: Phase[] = [
  // Health pings alone: the machine's own noise, to compare the p99s with.
  { name: 'none (health pings alone)', run: async () => [] },
  {
    name: 'vanished clients (20 publishes, gone before the answer)',
    run: (port) => {
      const zip = zipSync(
        Object.fromEntries(Object.entries(SAMPLE_OPERATOR_FILES).map(([k, v]) => [k, Buffer.from(v)])),
      );
      const body = multipartBody(zip, 'gone');
      return Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          open(port, (s) => {
            s.write(multipartHead(port, `/v2/vanish/zipfile/${i + 1}.0.0`, body.length, 'gone'));
            s.write(body, () => s.destroy());
            return undefined;
          }),
        ),
      );
    },
  },
  {
    name: 'slow headers (200, a line a second)',
    run: (port) =>
      Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          open(port, (s) => {
            s.write(`GET /v2/about HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n`);
            let n = 0;
            return every(s, 1_000, () => `X-Slow-${i}-${n++}: 1\r\n`);
          }),
        ),
      ),
  },
  {
    name: 'slow bodies (200 declaring 1 MB, 200 B/s)',
    run: (port) =>
      Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          open(port, (s) => {
            s.write(multipartHead(port, `/v2/stress/zipfile/${i + 1}.0.0`, 1024 * 1024, 'slowbody'));
            return every(s, 500, () => 'x'.repeat(100));
          }),
        ),
      ),
  },
  {
    name: 'idle connections (1,000, silent)',
    run: (port) => Promise.all(Array.from({ length: 1_000 }, () => open(port, () => undefined))),
  },
  {
    name: 'cut uploads (50 × 1.6 MB, gone at half)',
    run: async (port) => {
      const body = multipartBody(randomBytes(1_600_000), 'cut');
      const clients: Client[] = [];
      for (let batch = 0; batch < 5; batch++) {
        clients.push(
          ...(await Promise.all(
            Array.from({ length: 10 }, (_, i) =>
              open(port, (s) => {
                s.write(
                  multipartHead(port, `/v2/stress/zipfile/${batch * 10 + i + 1}.0.0`, body.length, 'cut'),
                );
                s.write(body.subarray(0, body.length / 2), () => s.destroy());
                return undefined;
              }),
            ),
          )),
        );
        await sleep(300);
      }
      return clients;
    },
  },
];

/** OS threads of the service's process tree (node's own, plus two per running bundle thread). */
function threads(root: number): number {
  let n = 0;
  for (const pid of treePids(root)) {
    try {
      n += Number(/Threads:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    } catch {
      // gone meanwhile
    }
  }
  return n;
}

async function main(): Promise<void> {
  const started = Date.now();
  const { pid, base, quay, stop } = await launch({ tokens: [TOKEN] });
  const port = Number(new URL(base).port);
  try {
    const idle = treeRssMb(pid);
    const idleThreads = threads(pid);
    console.log(
      `omps tree: ${treePids(pid).length} process(es); idle RSS ${idle.toFixed(0)} MB (default limits)\n`,
    );
    console.log(
      'clients                                                 held/opened  RSS before  peak  after   health p99 ms  pushed  health answers',
    );
    for (const phase of PHASES) {
      const before = treeRssMb(pid);
      const pushesBefore = quay.state.pushes.length;
      let peak = before;
      const sampler = setInterval(() => {
        peak = Math.max(peak, treeRssMb(pid));
      }, 25);
      const stopPings = pinger(port);
      const phaseStart = Date.now();
      const clients = await phase.run(port);
      await sleep(Math.max(0, (clients.length ? PHASE_MS : 3_000) - (Date.now() - phaseStart)));
      const held = clients.filter((c) => !c.closed).length;
      const { times, statuses } = await stopPings();
      for (const c of clients) {
        c.stop();
        c.socket.destroy();
      }
      await sleep(SETTLE_MS);
      clearInterval(sampler);
      const after = treeRssMb(pid);
      const answers = [...statuses]
        .sort(([a], [b]) => a - b)
        .map(([s, n]) => `${n}×${s || 'none'}`)
        .join(' ');
      console.log(
        [
          phase.name.padEnd(55),
          `${held}/${clients.length}`.padStart(11),
          before.toFixed(0).padStart(11),
          peak.toFixed(0).padStart(5),
          after.toFixed(0).padStart(6),
          percentile(times, 99).toFixed(1).padStart(15),
          String(quay.state.pushes.length - pushesBefore).padStart(7),
          ` ${answers}`,
        ].join(' '),
      );
    }
    // The vanished clients' publishes started a bundle thread; it stops after 30 s without work.
    for (const deadline = Date.now() + 10_000; threads(pid) > idleThreads && Date.now() < deadline; ) {
      await sleep(500);
    }
    await sleep(2_000);
    const end = treeRssMb(pid);
    console.log(
      `\nRSS once the bundle threads stopped: ${end.toFixed(0)} MB (idle ${idle.toFixed(0)} MB, +${(end - idle).toFixed(0)} MB; ${threads(pid) > idleThreads ? 'a thread still runs' : 'no thread left'})` +
        `\n${((Date.now() - started) / 1000).toFixed(0)} s in all`,
    );
  } finally {
    await stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
