/**
 * `npm run bench`: the real Node entry (`node dist/src/infrastructure/main.js`
 * with the environment and flags of package.json's `start`) as a child process, configured to push to an emulated
 * Quay (and Koji, for health) on 127.0.0.1. It reports, for the child's whole
 * process tree (read from /proc, so other load on the machine does not count):
 *
 * - CPU per push for five bundle shapes;
 * - pushes/s and latency p50/p99 of small pushes, 1 and 8 at a time;
 * - RSS idle, and at the peak of 8 concurrent 1.6 MB pushes;
 * - health latency while a heavy push (6 MB CSV; 150,000-mapping CSV) runs, repeated one
 *   at a time until at least 100 pings were answered;
 * - catalog (SPEC §11): a publish into a catalog of 100 packages × 10 bundle images held
 *   by an emulated OCI registry (bench/catalog-bench.ts), next to the same publish for an
 *   organization without a catalog: the difference is the catalog step's wall and CPU time.
 *
 * Not a test: numbers to compare across changes on the same machine.
 * Environment: BENCH_NODE_ARGS adds node flags to the child (e.g. --cpu-prof); WORKERS, BUNDLE_THREADS, BUNDLE_QUEUE, NODE_OPTIONS and MALLOC_ARENA_MAX pass through (the latter over `start`'s)
 * to the child; BENCH_QUICK=1 runs fewer pushes; BENCH_PARTS=cpu,load,rss,health,catalog runs only those parts;
 * BENCH_VIA_NPM=1 starts the service with `npm start` (the tree then includes npm's own process).
 */

import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { strToU8, zipSync } from 'fflate';
import { SAMPLE_OPERATOR_FILES } from '../src/infrastructure/demo/sample-operator.js';
import { startOciRegistryEmulator } from '../test/emulators/oci-registry-emulator.js';
import type { QuayEmulator } from '../test/emulators/quay-emulator.js';
import { catalogUpdateSeconds, operatorFiles, packageName, seedCatalog } from './catalog-bench.js';
import { launch, percentile, sleep, treeCpuMs, treePids, treeRssMb } from './service.js';

const TOKEN = 'bench-token';
const QUICK = process.env.BENCH_QUICK === '1';
const PARTS = new Set((process.env.BENCH_PARTS ?? 'cpu,load,rss,health,catalog').split(','));
/** The catalog part's size (SPEC §11: 100 packages × 10 bundles). */
const CATALOG_PACKAGES = 100;
const CATALOG_BUNDLES = 10;

const CSV_NAME = 'hello-operator.v1.0.0.clusterserviceversion.yaml';
const CSV = SAMPLE_OPERATOR_FILES[CSV_NAME]!;
const PACKAGE = SAMPLE_OPERATOR_FILES['hello.package.yaml']!;
const CRD = SAMPLE_OPERATOR_FILES['greetings.crd.yaml']!;

// ---------------------------------------------------------------- bundles

function zip(files: Record<string, string>): Uint8Array {
  return zipSync(Object.fromEntries(Object.entries(files).map(([k, v]) => [k, strToU8(v)])), { level: 6 });
}

function csvFor(version: string): string {
  return CSV.replaceAll('hello-operator.v1.0.0', `hello-operator.v${version}`).replace(
    '  version: 1.0.0\n',
    `  version: ${version}\n`,
  );
}

/** A CSV of about 1.58 MB: a 1.5 MB base64 icon of random bytes (it compresses as little as a real image). */
function iconCsv(): string {
  const base64 = randomBytes((1.5 * 1024 * 1024 * 3) / 4).toString('base64');
  return CSV.replace(/base64data: \S+/, `base64data: ${base64}`);
}

/** A CSV whose description is about `mb` MB of markdown-like prose (a literal block of 80-column lines). */
function descriptionCsv(mb: number): string {
  const words = [
    'operator',
    'cluster',
    'the',
    'install',
    'a',
    'of',
    'backup',
    'restore',
    'etcd',
    'to',
    'and',
    'upgrade',
  ];
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < mb * 1024 * 1024; i++) {
    let line = `    ${i % 40 === 0 ? '## ' : ''}`;
    for (let w = i; line.length < 76; w = (w * 7 + 3) % 997) line += `${words[w % words.length]} `;
    lines.push(`${line.trimEnd()}\n`);
    size += line.length;
  }
  return CSV.replace(/ {2}description: \|\n( {4}.*\n)+/, `  description: |\n${lines.join('')}`);
}

/** A CSV with `rules` extra permission rules (small mappings, ~100 bytes each): slow to parse. */
function rulesCsv(rules: number): string {
  const lines: string[] = [];
  for (let i = 0; i < rules; i++) {
    lines.push(
      `            - apiGroups: [group${i}.example.com]\n              resources: [things${i}]\n              verbs: [get, list]\n`,
    );
  }
  return CSV.replace("              verbs: ['*']\n", `              verbs: ['*']\n${lines.join('')}`);
}

function nested(): Record<string, string> {
  const files: Record<string, string> = {
    'hello.package.yaml': PACKAGE.replace('hello-operator.v1.0.0', 'hello-operator.v1.2.0'),
  };
  for (const v of ['1.0.0', '1.1.0', '1.2.0']) {
    files[`${v}/hello-operator.v${v}.clusterserviceversion.yaml`] = csvFor(v);
    files[`${v}/greetings.crd.yaml`] = CRD;
  }
  return files;
}

interface Body {
  bytes: Uint8Array;
  contentType: string;
  unzipped: number;
}

async function multipart(files: Record<string, string>): Promise<Body> {
  const form = new FormData();
  form.append('file', new Blob([zip(files) as Uint8Array<ArrayBuffer>]), 'bundle.zip');
  const request = new Request('http://bench/', { method: 'POST', body: form });
  const unzipped = Object.values(files).reduce((n, text) => n + Buffer.byteLength(text), 0);
  return {
    bytes: new Uint8Array(await request.arrayBuffer()),
    contentType: request.headers.get('content-type')!,
    unzipped,
  };
}

// ---------------------------------------------------------------- helpers

/** Forgets what the emulator recorded, so that a long bench does not grow the bench process. */
function forget(quay: QuayEmulator): void {
  quay.state.requests.length = 0;
  quay.state.pushes.length = 0;
  quay.state.packages.clear();
}

let versions = 0;
let lostPushes = 0;

/**
 * The bench's client shares the machine's cores with the service, so it is kept
 * cheap: node:http with a keep-alive agent costs the bench about a fifth of what
 * fetch does per request (measured here), leaving the cores to the service.
 */
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });

function post(url: string, body: Body): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          Authorization: TOKEN,
          'Content-Type': body.contentType,
          'Content-Length': body.bytes.byteLength,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body.bytes);
  });
}

async function push(base: string, body: Body): Promise<number> {
  const started = performance.now();
  let res: { status: number; text: string };
  try {
    res = await post(`${base}/v2/bench/zipfile/${++versions}.0.0`, body);
  } catch (error) {
    if (++lostPushes <= 20) return performance.now() - started;
    throw error;
  }
  if (res.status !== 200) {
    // A keep-alive connection to the emulator can close under the push, as with any upstream: counted, not fatal.
    if (res.status === 500 && res.text.includes('could not connect to Quay') && ++lostPushes <= 20) {
      return performance.now() - started;
    }
    throw new Error(`push answered ${res.status}: ${res.text.slice(0, 300)}`);
  }
  return performance.now() - started;
}

/** `total` pushes, `concurrency` at a time: latencies and pushes/s. */
async function load(base: string, body: Body, total: number, concurrency: number, onTick?: () => void) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next++;
        latencies.push(await push(base, body));
        onTick?.();
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  return { latencies, perSecond: total / seconds };
}

// ---------------------------------------------------------------- main

async function main() {
  const oci = await startOciRegistryEmulator();
  const launched = await launch({
    tokens: [TOKEN],
    config: {
      request_timeout: 60,
      max_content_length: 64 * 1024 * 1024,
      zipfile_max_uncompressed_size: 64 * 1024 * 1024,
      // The catalog part: one organization keeping a catalog, one only pushing bundle images.
      organizations: {
        catalog: { bundle_images: { registry: oci.url }, catalog: {} },
        plain: { bundle_images: { registry: oci.url } },
      },
    },
  });
  const { pid, base, quay } = launched;
  const stop = async () => {
    await launched.stop();
    await oci.close();
  };

  try {
    const idleRss = treeRssMb(pid);
    console.log(`omps tree: ${treePids(pid).length} process(es); idle RSS ${idleRss.toFixed(0)} MB`);

    const small = await multipart(SAMPLE_OPERATOR_FILES);
    const cases: [string, Body, number][] = [
      ['small flat bundle', small, QUICK ? 100 : 400],
      ['3-version nested bundle', await multipart(nested()), QUICK ? 100 : 400],
      ['1.58 MB CSV (base64 icon)', await multipart({ ...SAMPLE_OPERATOR_FILES, [CSV_NAME]: iconCsv() }), 20],
      [
        '6 MB CSV (6 MB description)',
        await multipart({ ...SAMPLE_OPERATOR_FILES, [CSV_NAME]: descriptionCsv(6) }),
        6,
      ],
      [
        '6 MB CSV (small mappings)',
        await multipart({ ...SAMPLE_OPERATOR_FILES, [CSV_NAME]: rulesCsv(52_000) }),
        6,
      ],
    ];

    if (PARTS.has('cpu'))
      console.log('\ncase                          zip KB  unzipped KB  CPU ms/push  wall ms p50');
    for (const [name, body, runs] of PARTS.has('cpu') ? cases : []) {
      // Warm-up: bundle threads started and the hot code compiled, as in a service that has been up a while.
      const warmUps = Math.min(50, runs);
      for (let i = 0; i < warmUps; i++) await push(base, body);
      forget(quay);
      const before = treeCpuMs(pid);
      const walls: number[] = [];
      for (let i = 0; i < runs; i++) walls.push(await push(base, body));
      const cpu = (treeCpuMs(pid) - before) / runs;
      console.log(
        `${name.padEnd(29)} ${(body.bytes.byteLength / 1024).toFixed(0).padStart(6)} ${(body.unzipped / 1024).toFixed(0).padStart(12)} ${cpu.toFixed(1).padStart(12)} ${percentile(walls, 50).toFixed(1).padStart(12)}`,
      );
      forget(quay);
    }

    if (PARTS.has('load')) console.log('\nsmall pushes        pushes/s   p50 ms   p99 ms   CPU ms/push');
    for (const concurrency of PARTS.has('load') ? [1, 8] : []) {
      const total = QUICK ? 200 : 800;
      await load(base, small, 40, concurrency);
      forget(quay);
      const before = treeCpuMs(pid);
      const { latencies, perSecond } = await load(base, small, total, concurrency, () => {
        if (quay.state.requests.length > 1000) forget(quay);
      });
      const cpu = (treeCpuMs(pid) - before) / total;
      console.log(
        `${`${concurrency} at a time`.padEnd(18)} ${perSecond.toFixed(0).padStart(9)} ${percentile(latencies, 50).toFixed(1).padStart(8)} ${percentile(latencies, 99).toFixed(1).padStart(8)} ${cpu.toFixed(1).padStart(12)}`,
      );
      forget(quay);
    }

    if (PARTS.has('rss')) {
      let peak = 0;
      const sampler = setInterval(() => {
        peak = Math.max(peak, treeRssMb(pid));
      }, 10);
      await load(base, cases[2]![1], QUICK ? 16 : 48, 8, () => forget(quay));
      clearInterval(sampler);
      peak = Math.max(peak, treeRssMb(pid));
      forget(quay);
      console.log(
        `\nRSS: idle ${idleRss.toFixed(0)} MB; peak of 8 concurrent 1.6 MB pushes ${peak.toFixed(0)} MB`,
      );
    }

    if (PARTS.has('health'))
      console.log('\nhealth while one heavy push runs   pings   p50 ms   p99 ms   max ms   push ms p50');
    const heavy: [string, Body][] = !PARTS.has('health')
      ? []
      : [
          ['6 MB CSV (description)', cases[3]![1]],
          ['6 MB CSV (small mappings)', cases[4]![1]],
          [
            '150,000-mapping CSV',
            await multipart({ ...SAMPLE_OPERATOR_FILES, [CSV_NAME]: rulesCsv(150_000) }),
          ],
        ];
    const ping = async () => {
      const started = performance.now();
      // A fresh connection each time, as a load balancer's probe would use.
      const res = await fetch(`${base}/v2/health/ping`, { headers: { Connection: 'close' } });
      await res.text();
      return performance.now() - started;
    };
    const report = (name: string, pings: number[], took?: number) =>
      console.log(
        [
          name.padEnd(34),
          String(pings.length).padStart(5),
          percentile(pings, 50).toFixed(1).padStart(8),
          percentile(pings, 99).toFixed(1).padStart(8),
          Math.max(0, ...pings)
            .toFixed(1)
            .padStart(8),
          (took === undefined ? '-' : took.toFixed(0)).padStart(9),
        ].join(' '),
      );
    if (heavy.length > 0) {
      // The same pings with nothing else running: the machine's own noise, for comparison.
      const idle: number[] = [];
      for (let i = 0; i < 200; i++) {
        idle.push(await ping());
        await sleep(5);
      }
      report('(no push running)', idle);
    }
    for (const [name, body] of heavy) {
      // The heavy push is repeated, one at a time, until at least 100 pings were answered,
      // so that a short push (0.2 s) does not leave a p99 that is only its slowest ping.
      const pings: number[] = [];
      const took: number[] = [];
      let done = false;
      const pushing = (async () => {
        try {
          do took.push(await push(base, body));
          while (pings.length < 100);
        } finally {
          done = true;
        }
      })();
      // Every ping sent while a push runs counts, including one that waits for the last push to end.
      while (!done) {
        pings.push(await ping());
        await sleep(5);
      }
      await pushing;
      forget(quay);
      report(name, pings, percentile(took, 50));
    }
    if (PARTS.has('catalog')) await catalogPart(base, pid, oci.state, new URL(oci.url).host);

    if (lostPushes > 0)
      console.log(`\n(${lostPushes} push(es) lost a connection, to OMPS or to the emulated Quay)`);
  } finally {
    agent.destroy();
    await stop();
  }
}

/**
 * Publishes into the 100 × 10 catalog (org `catalog`) and the same into org `plain`
 * (bundle images only), one at a time: a new version of a seeded package, and a new package.
 */
async function catalogPart(
  base: string,
  pid: number,
  state: import('../test/emulators/oci-registry-emulator.js').OciRegistryState,
  host: string,
) {
  const seeded = await seedCatalog(state, host, {
    bundleOrg: 'catalog',
    alsoIn: ['plain'],
    packages: CATALOG_PACKAGES,
    bundles: CATALOG_BUNDLES,
  });
  console.log(
    `\ncatalog: ${CATALOG_PACKAGES} packages x ${CATALOG_BUNDLES} bundles seeded (${seeded.images} images, catalog layer ${(seeded.layerBytes / 1024).toFixed(0)} KB gzip'd) in ${seeded.seconds.toFixed(1)} s`,
  );
  const runs = QUICK ? 3 : 7;
  const updated = packageName(42);
  const metrics = async () => catalogUpdateSeconds(await (await fetch(`${base}/metrics`)).text());
  const publish = async (org: string, files: Record<string, string>) => {
    const body = await multipart(files);
    const cpuBefore = treeCpuMs(pid);
    const started = performance.now();
    const res = await post(`${base}/v2/${org}/zipfile`, body);
    const wall = performance.now() - started;
    const cpu = treeCpuMs(pid) - cpuBefore;
    if (res.status !== 200)
      throw new Error(`publish to ${org} answered ${res.status}: ${res.text.slice(0, 300)}`);
    return { wall, cpu, answer: JSON.parse(res.text) as { catalog?: { changed?: boolean } } };
  };
  type Sample = { wall: number; cpu: number };
  const kinds = {
    'new version (11th) of a package': (i: number) =>
      operatorFiles(updated, CATALOG_BUNDLES + i, CATALOG_BUNDLES + i),
    'new package (1 bundle)': (i: number) => operatorFiles(`new${String(i).padStart(3, '0')}-operator`, 0, 0),
  };
  console.log(
    'catalog publish                   with catalog: wall ms  CPU ms   without: wall ms  CPU ms   catalog step: wall ms  CPU ms  write ms',
  );
  for (const [kind, filesFor] of Object.entries(kinds)) {
    const withCatalog: Sample[] = [];
    const without: Sample[] = [];
    const writes: number[] = [];
    // Run 0 is the first publish of the kind (the package's bundles not yet read and rendered by
    // this process: as after a restart); the median is of the others.
    let first: { with: Sample; without: Sample; write: number } | undefined;
    for (let i = 0; i <= runs; i++) {
      const files = filesFor(i);
      const before = await metrics();
      const a = await publish('catalog', files);
      const after = await metrics();
      if (a.answer.catalog?.changed !== true)
        throw new Error(`the catalog was not updated: ${JSON.stringify(a.answer)}`);
      const b = await publish('plain', files);
      const write = ((after.sum - before.sum) / Math.max(1, after.count - before.count)) * 1000;
      if (i === 0) first = { with: a, without: b, write };
      else {
        withCatalog.push(a);
        without.push(b);
        writes.push(write);
      }
    }
    const row = (label: string, w: Sample[], wo: Sample[], wr: number[]) => {
      const med = (xs: number[]) => percentile(xs, 50);
      const stepOf = (pick: (s: Sample) => number) => w.map((s, i) => pick(s) - pick(wo[i]!));
      const columns: [number[], number][] = [
        [w.map((s) => s.wall), 7],
        [w.map((s) => s.cpu), 7],
        [wo.map((s) => s.wall), 17],
        [wo.map((s) => s.cpu), 7],
        [stepOf((s) => s.wall), 22],
        [stepOf((s) => s.cpu), 7],
        [wr, 9],
      ];
      console.log(
        [label.padEnd(46), ...columns.map(([xs, width]) => med(xs).toFixed(0).padStart(width))].join(' '),
      );
    };
    row(`${kind}, first`, [first!.with], [first!.without], [first!.write]);
    row(`${kind}, median of ${runs}`, withCatalog, without, writes);
  }
  const listed = (await (
    await fetch(`${base}/v2/catalog/catalog`, { headers: { Authorization: TOKEN } })
  ).json()) as {
    packages?: string[];
  };
  console.log(
    `(the catalog now holds ${listed.packages?.length} packages; "write ms": omps_catalog_update_duration_seconds, the read-modify-write of the tag)`,
  );
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
