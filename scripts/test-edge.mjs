#!/usr/bin/env node
/**
 * `npm run test:edge`: builds the edge bundle, serves it on workerd (and on Bun
 * and Deno when they can be installed and run here) with the in-memory
 * upstreams, and runs the black-box smoke suite (scripts/edge-smoke.mjs) over
 * real HTTP against each. Every step is bounded and every process started is
 * stopped. Ends with "N passed, M failed"; exits non-zero when anything failed.
 *
 * Options:
 *   --only workerd,bun,deno   runtimes to try (default: all three)
 *   --no-install              never npm-install Bun/Deno; skip them when not found
 * Env: OMPS_EDGE_RUNTIMES_DIR  where Bun/Deno are looked for / installed (default /tmp/edge-rt)
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildEdge } from './build-edge.mjs';
import { runSmoke } from './edge-smoke.mjs';
import { freePort } from './free-port.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MAX_CONTENT_LENGTH = 100_000;
/** The bindings every runtime gets: the demo's in-memory upstreams and a small body limit. */
const BINDINGS = {
  OMPS_UPSTREAMS: 'memory',
  max_content_length: String(MAX_CONTENT_LENGTH),
  log_level: 'INFO',
};
/** A fixed date keeps the run reproducible; capped by what the installed workerd supports. */
const COMPATIBILITY_DATE = '2025-09-01';

const TIMEOUTS = {
  build: 60_000,
  install: 240_000,
  version: 15_000,
  ready: 30_000,
  suite: 180_000,
  stop: 5_000,
  overall: 15 * 60_000,
};

const args = process.argv.slice(2);
const onlyAt = args.indexOf('--only');
const wanted = onlyAt >= 0 ? (args[onlyAt + 1] ?? '').split(',').filter(Boolean) : ['workerd', 'bun', 'deno'];
const mayInstall = !args.includes('--no-install');
const RUNTIMES_DIR = process.env.OMPS_EDGE_RUNTIMES_DIR ?? '/tmp/edge-rt';

/** Children still running, stopped on every way out. */
const children = new Set();

function killGroup(child, signal) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal); // the child leads its own process group (detached)
  } catch {
    try {
      child.kill(signal);
    } catch {}
  }
}

async function stop(child) {
  if (!children.has(child)) return;
  const exited = new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', resolve);
  });
  killGroup(child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), TIMEOUTS.stop);
  await exited;
  clearTimeout(timer);
  children.delete(child);
}

function killAllNow() {
  for (const child of children) killGroup(child, 'SIGKILL');
}
process.on('exit', killAllNow);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    killAllNow();
    process.exit(130);
  });
}
const overall = setTimeout(() => {
  console.error(`test-edge: gave up after ${TIMEOUTS.overall / 1000} s`);
  killAllNow();
  process.exit(1);
}, TIMEOUTS.overall);
overall.unref();

function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms / 1000} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** Starts a server process in its own process group, keeping the tail of its output. */
function start(command, argv, { cwd, env } = {}) {
  const dir = cwd ?? ROOT;
  const child = spawn(command, argv, {
    cwd: dir,
    env: { ...process.env, PWD: dir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  children.add(child);
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk.toString()).slice(-8000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.once('exit', () => {
    if (child.exitCode !== null || child.signalCode !== null) children.delete(child);
  });
  const spawnError = new Promise((_, reject) => child.once('error', reject));
  spawnError.catch(() => {});
  return { child, output: () => output, spawnError };
}

async function waitUntilReady(base, server) {
  const deadline = Date.now() + TIMEOUTS.ready;
  let last = 'no answer yet';
  while (Date.now() < deadline) {
    if (server.child.exitCode !== null || server.child.signalCode !== null) {
      throw new Error(`it exited (${server.child.exitCode ?? server.child.signalCode}) before answering`);
    }
    try {
      const res = await fetch(`${base}/v2/about`, { signal: AbortSignal.timeout(2_000) });
      await res.arrayBuffer();
      if (res.status === 200) return;
      last = `GET /v2/about answered ${res.status}`;
    } catch (e) {
      last = e.cause?.code ?? e.message;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`it did not answer within ${TIMEOUTS.ready / 1000} s (${last})`);
}

/** Runs `bin --version`; returns its first line, or undefined when it cannot run. */
function versionOf(bin) {
  const r = spawnSync(bin, ['--version'], { timeout: TIMEOUTS.version, encoding: 'utf8' });
  if (r.error || r.status !== 0) return undefined;
  return r.stdout.trim().split('\n')[0];
}

function onPath(name) {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, name))) return path.join(dir, name);
  }
  return undefined;
}

function subdirs(dir) {
  try {
    return readdirSync(dir).map((d) => path.join(dir, d));
  } catch {
    return [];
  }
}

const RUNTIME_BINARIES = {
  bun: () => [
    onPath('bun'),
    path.join(RUNTIMES_DIR, 'node_modules/bun/bin/bun.exe'),
    ...subdirs(path.join(RUNTIMES_DIR, 'node_modules/@oven')).map((d) => path.join(d, 'bin/bun')),
  ],
  deno: () => [
    onPath('deno'),
    path.join(RUNTIMES_DIR, 'node_modules/deno/deno'),
    ...subdirs(path.join(RUNTIMES_DIR, 'node_modules/@deno')).map((d) => path.join(d, 'deno')),
  ],
};

function findRuntime(name) {
  for (const bin of RUNTIME_BINARIES[name]()) {
    if (!bin || !existsSync(bin)) continue;
    const version = versionOf(bin);
    if (version) return { bin, version };
  }
  return undefined;
}

/** Finds Bun or Deno, npm-installing it into RUNTIMES_DIR when allowed; returns a reason when it cannot. */
async function locate(name) {
  const found = findRuntime(name);
  if (found) return found;
  if (!mayInstall) return { reason: `not found on PATH nor in ${RUNTIMES_DIR}, and --no-install was given` };
  console.log(`  installing ${name} with npm into ${RUNTIMES_DIR} ...`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['install', '--prefix', RUNTIMES_DIR, '--no-audit', '--no-fund', name], {
    timeout: TIMEOUTS.install,
    encoding: 'utf8',
    killSignal: 'SIGKILL',
  });
  if (r.error || r.status !== 0) {
    const why =
      r.error?.code === 'ETIMEDOUT'
        ? 'timed out'
        : (r.stderr || r.error?.message || '').trim().split('\n').pop();
    return { reason: `npm install ${name} failed: ${why}` };
  }
  return findRuntime(name) ?? { reason: `npm installed ${name} but its binary does not run here` };
}

function workerdBinary() {
  const require = createRequire(import.meta.url);
  try {
    const w = require('workerd');
    return { bin: w.default ?? w, maxDate: w.compatibilityDate };
  } catch (e) {
    return { reason: `the workerd package cannot be loaded (${e.message})` };
  }
}

function workerdConfig(port, compatibilityDate) {
  const bindings = Object.entries(BINDINGS)
    .map(([name, text]) => `    (name = ${JSON.stringify(name)}, text = ${JSON.stringify(text)}),`)
    .join('\n');
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [(name = "omps", worker = .omps)],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "omps")],
);

const omps :Workerd.Worker = (
  modules = [(name = "edge-entry.js", esModule = embed "edge-entry.js")],
  compatibilityDate = "${compatibilityDate}",
  bindings = [
${bindings}
  ],
);
`;
}

/** Each runtime: how to serve the bundle on a port. Returns the started server. */
const SERVERS = {
  async workerd(bundle, port) {
    const w = workerdBinary();
    if (w.reason) return { skip: w.reason, mustRun: true };
    const date = w.maxDate && w.maxDate < COMPATIBILITY_DATE ? w.maxDate : COMPATIBILITY_DATE;
    const configFile = path.join(path.dirname(bundle), 'workerd.capnp');
    await writeFile(configFile, workerdConfig(port, date));
    const version = versionOf(w.bin) ?? 'workerd (version unknown)';
    return {
      version,
      server: start(w.bin, ['serve', configFile, '--verbose'], { cwd: path.dirname(bundle) }),
    };
  },
  async bun(bundle, port, scratch) {
    const rt = await locate('bun');
    if (rt.reason) return { skip: rt.reason };
    const file = path.join(scratch, 'bun-server.mjs');
    await writeFile(
      file,
      `import omps from ${JSON.stringify(pathToFileURL(bundle).href)};
const env = ${JSON.stringify(BINDINGS)};
Bun.serve({ port: ${port}, hostname: '127.0.0.1', fetch: (request) => omps.fetch(request, env) });
console.log('bun: listening on 127.0.0.1:${port}');
`,
    );
    return { version: `bun ${rt.version}`, server: start(rt.bin, ['run', file], { cwd: scratch }) };
  },
  async deno(bundle, port, scratch) {
    const rt = await locate('deno');
    if (rt.reason) return { skip: rt.reason };
    const file = path.join(scratch, 'deno-server.mjs');
    await writeFile(
      file,
      `import omps from ${JSON.stringify(pathToFileURL(bundle).href)};
const env = ${JSON.stringify(BINDINGS)};
Deno.serve({ port: ${port}, hostname: '127.0.0.1' }, (request) => omps.fetch(request, env));
`,
    );
    return {
      version: rt.version,
      server: start(
        rt.bin,
        ['run', '--no-config', '--no-lock', '--no-prompt', '--allow-net=127.0.0.1', file],
        {
          cwd: scratch,
          env: { DENO_NO_UPDATE_CHECK: '1', DENO_DIR: path.join(scratch, 'deno-dir'), NO_COLOR: '1' },
        },
      ),
    };
  },
};

async function main() {
  let passed = 0;
  let failed = 0;
  const summary = [];

  console.log('building the edge bundle ...');
  let bundle;
  try {
    const built = await withTimeout(buildEdge(), TIMEOUTS.build, 'the build');
    bundle = built.outfile;
    console.log(
      `  ${path.relative(ROOT, bundle)} (${(built.bytes / 1024).toFixed(1)} KiB), no node: imports`,
    );
  } catch (e) {
    console.error(`  FAIL  build: ${e.message}`);
    console.log('0 passed, 1 failed');
    return 1;
  }

  const scratch = await mkdtemp(path.join(tmpdir(), 'omps-edge-'));
  try {
    for (const name of wanted) {
      if (!SERVERS[name]) {
        console.log(`skipped: ${name} (unknown runtime; choose among ${Object.keys(SERVERS).join(', ')})`);
        continue;
      }
      console.log(`\n== ${name}`);
      let started;
      try {
        const port = await freePort();
        started = await withTimeout(
          SERVERS[name](bundle, port, scratch),
          TIMEOUTS.install + 30_000,
          `preparing ${name}`,
        );
        if (started.skip) {
          if (started.mustRun) {
            console.log(`  FAIL  ${name}: ${started.skip}`);
            failed++;
            summary.push(`${name}: FAILED (${started.skip})`);
          } else {
            console.log(`skipped: ${name} not available (${started.skip})`);
            summary.push(`${name}: skipped (${started.skip})`);
          }
          continue;
        }
        console.log(`  ${started.version} on http://127.0.0.1:${port}`);
        const base = `http://127.0.0.1:${port}`;
        await Promise.race([waitUntilReady(base, started.server), started.server.spawnError]);
        const result = await withTimeout(
          runSmoke(base, { maxContentLength: MAX_CONTENT_LENGTH, log: (line) => console.log(line) }),
          TIMEOUTS.suite,
          `the smoke suite on ${name}`,
        );
        passed += result.passed;
        failed += result.failed;
        summary.push(`${name}: ${result.passed} passed, ${result.failed} failed (${started.version})`);
        if (result.failed > 0) console.log(`  --- ${name} output (tail) ---\n${started.server.output()}`);
      } catch (e) {
        failed++;
        console.log(`  FAIL  ${name}: ${e.message}`);
        summary.push(`${name}: FAILED (${e.message})`);
        if (started?.server) console.log(`  --- ${name} output (tail) ---\n${started.server.output()}`);
      } finally {
        if (started?.server) await stop(started.server.child);
      }
    }
  } finally {
    await rm(scratch, { recursive: true, force: true }).catch(() => {});
  }

  console.log(`\n${summary.join('\n')}`);
  console.log(`${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

const code = await main();
killAllNow();
process.exit(code);
