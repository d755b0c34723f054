/**
 * What `npm run bench` and `npm run stress` share: the real Node entry started
 * as `npm start` starts it (its environment and node flags read from
 * package.json, or `npm start` itself with BENCH_VIA_NPM=1), configured to talk
 * to an emulated Quay and Koji on 127.0.0.1; and its process tree's CPU and
 * RSS, read from /proc (so the bench's own client and emulators do not count).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify as toYaml } from 'yaml';
import { type KojiEmulator, startKojiEmulator } from '../test/emulators/koji-emulator.js';
import { type QuayEmulator, startQuayEmulator } from '../test/emulators/quay-emulator.js';
import { freePort } from '../test/support/free-port.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'dist', 'src', 'infrastructure', 'main.js');

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

// ---------------------------------------------------------------- process tree

const TICK_MS = 1000 / 100; // USER_HZ

export function treePids(root: number): number[] {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(entry), Number(fields[1]));
    } catch {
      // gone meanwhile
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) {
    for (const [pid, ppid] of parent) if (ppid === tree[i]) tree.push(pid);
  }
  return tree;
}

/** CPU time (ms) used so far by the tree: user + system of every live process. */
export function treeCpuMs(root: number): number {
  let ticks = 0;
  for (const pid of treePids(root)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch {
      // gone meanwhile
    }
  }
  return ticks * TICK_MS;
}

export function treeRssMb(root: number): number {
  let kb = 0;
  for (const pid of treePids(root)) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      kb += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    } catch {
      // gone meanwhile
    }
  }
  return kb / 1024;
}

// ---------------------------------------------------------------- the service

/**
 * What `npm start` runs the service with (package.json: `[NAME=value ...] [exec] node <flags> <entry>`),
 * so the bench measures the same: its environment assignments and its node flags.
 */
function startCommand(): { env: Record<string, string>; flags: string[] } {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const words = pkg.scripts.start.trim().split(/\s+/);
  const env: Record<string, string> = {};
  while (/^[A-Z_]+=/.test(words[0] ?? '')) {
    const [name, ...value] = words.shift()!.split('=');
    env[name!] = value.join('=');
  }
  if (words[0] === 'exec') words.shift();
  return { env, flags: words[0] === 'node' ? words.slice(1, -1) : [] };
}

/** What npm itself needs from this environment (its cache and config folders). */
function npmEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['HOME', 'npm_config_cache', 'NPM_CONFIG_CACHE', 'npm_config_userconfig']) {
    if (process.env[name]) env[name] = process.env[name]!;
  }
  return env;
}

export interface Launched {
  /** The root of the service's process tree (npm's with BENCH_VIA_NPM=1). */
  pid: number;
  base: string;
  quay: QuayEmulator;
  koji: KojiEmulator;
  stop(): Promise<void>;
}

/**
 * Starts the emulators and the service with these configuration keys (over the
 * emulators' URLs and `log_level: INFO`), and waits until it answers and settles.
 * WORKERS, BUNDLE_THREADS, BUNDLE_QUEUE, NODE_OPTIONS and glibc's MALLOC_* tunables
 * pass through (over `start`'s); BENCH_NODE_ARGS adds node flags; BENCH_VIA_NPM=1 runs `npm start`.
 */
export async function launch(options: {
  tokens: string[];
  config?: Record<string, unknown>;
}): Promise<Launched> {
  const quay = await startQuayEmulator({ tokens: options.tokens });
  const koji = await startKojiEmulator();
  const dir = mkdtempSync(join(tmpdir(), 'omps-bench-'));
  const conf = join(dir, 'omps.yaml');
  writeFileSync(
    conf,
    toYaml({
      quay_url: quay.url,
      kojihub_url: koji.hubUrl,
      kojiroot_url: koji.rootUrl,
      log_level: 'INFO',
      ...options.config,
    }),
  );
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    OMPS_CONF_FILE: conf,
    PORT: String(port),
    HOST: '127.0.0.1',
  };
  const start = startCommand();
  Object.assign(env, start.env);
  for (const [name, value] of Object.entries(process.env)) {
    const passes =
      ['WORKERS', 'BUNDLE_THREADS', 'BUNDLE_QUEUE', 'NODE_OPTIONS'].includes(name) ||
      name.startsWith('MALLOC_');
    if (passes && value) env[name] = value;
  }
  // BENCH_NODE_ARGS: extra node flags for the child, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof` (not allowed in NODE_OPTIONS).
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  // BENCH_VIA_NPM=1: `npm start` itself, so the tree includes the npm process that waits for the service.
  const child: ChildProcess =
    process.env.BENCH_VIA_NPM === '1'
      ? spawn('npm', ['start', '--silent'], { cwd: ROOT, env: { ...env, ...npmEnv() }, stdio: 'ignore' })
      : spawn(process.execPath, [...start.flags, ...nodeArgs, MAIN], { env, stdio: 'ignore' });
  const stop = async () => {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await Promise.race([exited, sleep(10_000)]); // lets a profiling child write its profile
    await Promise.all([quay.close(), koji.close()]);
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${base}/v2/about`)).ok) break;
      } catch {
        if (i > 200) throw new Error('omps did not start');
      }
      await sleep(50);
    }
    await sleep(1500);
  } catch (error) {
    await stop();
    throw error;
  }
  return { pid: child.pid!, base, quay, koji, stop };
}
