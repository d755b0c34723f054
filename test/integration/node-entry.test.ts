/**
 * The real Node entry (`node dist/src/infrastructure/main.js`, what `npm start`
 * runs) as a child process, configured through OMPS_CONF_FILE, PORT, HOST and
 * WORKERS, talking to the emulators on 127.0.0.1: start-up, serving, the
 * worker cluster, graceful SIGTERM with a request in flight, and refusing an
 * invalid configuration (SPEC §9).
 */

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { stringify as toYaml } from 'yaml';
import { type GreenwaveEmulator, startGreenwaveEmulator } from '../emulators/greenwave-emulator.js';
import { type KojiEmulator, startKojiEmulator } from '../emulators/koji-emulator.js';
import {
  type OciAuth,
  OciRegistryState,
  startOciRegistryEmulator,
} from '../emulators/oci-registry-emulator.js';
import { type QuayEmulator, startQuayEmulator, unpackBlob } from '../emulators/quay-emulator.js';
import { fixtureZip, multipart } from '../support/bundles.js';
import { ensureBuilt } from '../support/dist.js';
import { freePort } from '../support/free-port.js';
import { manyRulesZip } from '../support/heavy-bundles.js';

/** One request on its own connection (no keep-alive pool), so the cluster's primary picks the worker. */
async function rawRequest(
  port: number,
  method: string,
  path: string,
  body?: FormData,
  headers: Record<string, string> = {},
  onSent: () => void = () => {},
): Promise<{ status: number; body: string }> {
  const encoded = body ? new Request('http://x/', { method: 'POST', body }) : undefined;
  const bytes = encoded ? Buffer.from(await encoded.arrayBuffer()) : undefined;
  const contentType = encoded?.headers.get('content-type');
  return new Promise((resolveReq, reject) => {
    const req = httpRequest(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent: false,
        timeout: WAIT_MS,
        headers: {
          ...headers,
          Connection: 'close',
          ...(bytes ? { 'Content-Type': contentType!, 'Content-Length': String(bytes.length) } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolveReq({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
      },
    );
    req.on('error', reject);
    req.on('finish', onSent);
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.end(bytes);
  });
}

const ROOT = resolve(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'dist', 'src', 'infrastructure', 'main.js');
const TOKEN = 'basic c2VjcmV0LXVzZXI6c2VjcmV0LXBhc3M=';
const ORG = 'acme';
const REGISTRY_AUTH: OciAuth = { kind: 'bearer', user: 'alice', password: 's3cret' };
/** Every wait is bounded by this. */
const WAIT_MS = 20_000;

type Json = Record<string, unknown>;

// ------------------------------------------------------------------ helpers

async function waitFor(what: string, check: () => boolean | Promise<boolean>, ms = WAIT_MS): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The pids of a process's children, or undefined when `ps` cannot tell. */
function childPids(pid: number): number[] | undefined {
  try {
    const out = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)], { encoding: 'utf8' });
    return out.split(/\s+/).filter(Boolean).map(Number);
  } catch (error) {
    const e = error as { status?: number; stdout?: string; code?: string };
    if (e.status === 1 && !e.stdout?.trim()) return []; // procps: no such processes
    return undefined;
  }
}

interface Omps {
  child: ChildProcess;
  port: number;
  url: string;
  stdout: string[];
  stderr: string[];
  /** The JSON log lines written so far. */
  logs(): Json[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  hasExited(): boolean;
}

const children: Omps[] = [];

function startOmps(env: Record<string, string>, port: number): Omps {
  const child = spawn(process.execPath, [MAIN], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: afterEach can always kill the primary AND its workers.
    detached: true,
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const collect = (into: string[]) => {
    let pending = '';
    return (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      into.push(...lines.filter((l) => l.trim() !== ''));
    };
  };
  child.stdout!.on('data', collect(stdout));
  child.stderr!.on('data', collect(stderr));
  let done = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) => {
    child.once('exit', (code, signal) => {
      done = true;
      resolveExit({ code, signal });
    });
  });
  const omps: Omps = {
    child,
    port,
    url: `http://127.0.0.1:${port}`,
    stdout,
    stderr,
    logs: () =>
      stdout.flatMap((line) => {
        try {
          return [JSON.parse(line) as Json];
        } catch {
          return [];
        }
      }),
    exited,
    hasExited: () => done,
  };
  children.push(omps);
  return omps;
}

/** Resolves with the exit, or throws after `ms`. */
async function exitOf(omps: Omps, ms = WAIT_MS) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, fail) => {
    timer = setTimeout(
      () => fail(new Error(`omps did not exit within ${ms} ms; stderr: ${omps.stderr.join('\n')}`)),
      ms,
    );
  });
  try {
    return await Promise.race([omps.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function stopAll(): Promise<void> {
  const running = children.splice(0);
  await Promise.all(
    running.map(async (omps) => {
      const pid = omps.child.pid;
      if (pid === undefined || omps.hasExited()) return;
      try {
        process.kill(-pid, 'SIGKILL'); // the group we created: the primary and its workers
      } catch {
        omps.child.kill('SIGKILL');
      }
      await Promise.race([omps.exited, new Promise((r) => setTimeout(r, 5_000))]);
    }),
  );
}

async function getJson(url: string): Promise<{ status: number; body: Json }> {
  const res = await fetch(url, { signal: AbortSignal.timeout(WAIT_MS) });
  return { status: res.status, body: (await res.json()) as Json };
}

// -------------------------------------------------------------------- tests

describe('the Node entry (dist/src/infrastructure/main.js)', () => {
  let quay: QuayEmulator;
  let koji: KojiEmulator;
  let greenwave: GreenwaveEmulator;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'omps-entry-'));
    await ensureBuilt(MAIN);
  }, 180_000);

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    [quay, koji, greenwave] = await Promise.all([
      startQuayEmulator({ tokens: [TOKEN] }),
      startKojiEmulator(),
      startGreenwaveEmulator(),
    ]);
  });

  afterEach(async () => {
    await stopAll();
    await Promise.all([quay.close(), koji.close(), greenwave.close()]);
  });

  const writeConfig = (name: string, config: Json): string => {
    const file = join(dir, name);
    writeFileSync(file, toYaml(config));
    return file;
  };

  const emulatorConfig = (): Json => ({
    quay_url: quay.url,
    kojihub_url: koji.hubUrl,
    kojiroot_url: koji.rootUrl,
    greenwave: { url: greenwave.url, context: 'osbs_push', product_version: 'cvp' },
    request_timeout: 10,
    log_level: 'INFO',
  });

  /** Starts the entry on the emulators and waits until every worker listens and it answers. */
  const startServing = async (workers: number, extraConfig: Json = {}): Promise<Omps> => {
    const port = await freePort();
    const omps = startOmps(
      {
        PORT: String(port),
        HOST: '127.0.0.1',
        WORKERS: String(workers),
        OMPS_CONF_FILE: writeConfig(`omps-${workers}-${port}.yaml`, { ...emulatorConfig(), ...extraConfig }),
      },
      port,
    );
    const failedToStart = () => {
      if (omps.hasExited()) throw new Error(`omps exited at start-up: ${omps.stderr.join('\n')}`);
    };
    await waitFor(`${workers} "listening" log line(s)`, () => {
      failedToStart();
      return omps.logs().filter((l) => l.message === 'listening').length >= workers;
    });
    await waitFor('an answer from /v2/about', async () => {
      failedToStart();
      try {
        return (await fetch(`${omps.url}/v2/about`, { signal: AbortSignal.timeout(2_000) })).ok;
      } catch {
        return false;
      }
    });
    return omps;
  };

  it('WORKERS=2: a primary with two workers serves about, a publish that reaches Quay, and health', async () => {
    const omps = await startServing(2);

    const starting = omps.logs().filter((l) => l.message === 'starting workers');
    expect(starting).toEqual([expect.objectContaining({ level: 'INFO', workers: 2 })]);
    const listening = omps.logs().filter((l) => l.message === 'listening');
    expect(listening).toHaveLength(2);
    for (const line of listening) expect(line).toMatchObject({ host: '127.0.0.1', port: omps.port });
    const workers = childPids(omps.child.pid!);
    if (workers !== undefined) expect(workers).toHaveLength(2);

    const about = await getJson(`${omps.url}/v2/about`);
    expect(about.status).toBe(200);
    expect(about.body).toEqual({ version: expect.any(String), operatorcourier: expect.any(String) });
    expect((await getJson(`${omps.url}/v1/about`)).body).toEqual(about.body);

    const res = await fetch(`${omps.url}/v2/${ORG}/zipfile/1.0.0`, {
      method: 'POST',
      headers: { Authorization: TOKEN, 'X-Request-Id': 'entry-test-1' },
      body: multipart(fixtureZip('marketplace_op_flat')),
      signal: AbortSignal.timeout(WAIT_MS),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('entry-test-1');
    expect(await res.json()).toEqual({
      organization: ORG,
      repo: 'marketplace',
      version: '1.0.0',
      extracted_files: ['crd.yml', 'csv.yaml', 'packages.yaml', 'subscription-crd.yaml'],
    });
    expect(quay.state.pushes).toHaveLength(1);
    const push = quay.state.pushes[0]!;
    expect([push.organization, push.repository, push.release, push.mediaType]).toEqual([
      ORG,
      'marketplace',
      '1.0.0',
      'helm',
    ]);
    expect(push.headers.authorization).toBe(TOKEN);
    expect(push.headers['x-request-id']).toBe('entry-test-1');
    expect((await unpackBlob(push.blob)).files.map((f) => f.path)).toEqual(['bundle.yaml']);

    const health = await getJson(`${omps.url}/v2/health/ping`);
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({
      ok: true,
      status: 200,
      services: { quay: { ok: true }, koji: { ok: true }, greenwave: { ok: true } },
    });

    // Logs: JSON lines, never the token.
    expect(omps.stdout.join('\n')).not.toContain('c2VjcmV0');
    expect(omps.logs().some((l) => l.message === 'request' && l.request_id === 'entry-test-1')).toBe(true);
  }, 60_000);

  it('WORKERS=1 runs in-process: no cluster, one listener, no child process', async () => {
    const omps = await startServing(1);

    expect(omps.logs().filter((l) => l.message === 'starting workers')).toEqual([]);
    expect(omps.logs().filter((l) => l.message === 'listening')).toHaveLength(1);
    const workers = childPids(omps.child.pid!);
    if (workers !== undefined) expect(workers).toEqual([]);

    expect((await getJson(`${omps.url}/v2/about`)).status).toBe(200);
    expect((await getJson(`${omps.url}/v1/health/ping`)).status).toBe(200);

    omps.child.kill('SIGTERM');
    expect(await exitOf(omps)).toEqual({ code: 0, signal: null });
  }, 60_000);

  it('WORKERS=2: while one worker is busy with a huge CSV, health answers from the other; /metrics sums both', async () => {
    const omps = await startServing(2);
    // A CSV of ~12 MB of small mappings: parsing it keeps one worker's event loop busy for a while
    // (the assertion holds with two workers; with one it would not).
    expect(await healthDuringHeavyPush(omps.port, manyRulesZip(120_000))).toEqual(['health', 'push']);

    const metrics = await fetch(`${omps.url}/metrics`, { signal: AbortSignal.timeout(WAIT_MS) });
    const text = await metrics.text();
    expect(metrics.status).toBe(200);
    // Both workers' requests are counted, whichever worker answered the scrape.
    expect(text).toContain(
      'omps_http_requests_total{method="POST",route="/v2/:org/zipfile/:version",status="200"} 1',
    );
    expect(text).toContain('omps_http_requests_total{method="GET",route="/v2/health/ping",status="200"} 1');
    expect(text).toMatch(/omps_event_loop_lag_seconds\{worker="1"\}/);
    expect(text).toMatch(/omps_event_loop_lag_seconds\{worker="2"\}/);
    // Node's process metrics (prom-client's defaults), summed over the workers.
    expect(text).toMatch(/^process_resident_memory_bytes \d/m);
  }, 90_000);

  it('one process: health answers while a huge CSV is worked on in a bundle thread', async () => {
    const omps = await startServing(1);
    expect(await healthDuringHeavyPush(omps.port, manyRulesZip(120_000))).toEqual(['health', 'push']);
    expect(childPids(omps.child.pid!) ?? []).toEqual([]);
  }, 90_000);

  it.each([
    [2, 'SIGTERM'],
    [1, 'SIGTERM'],
    [2, 'SIGINT'],
  ] as const)(
    'WORKERS=%i: %s with a Koji publish in flight → the client gets its 200, then exit 0',
    async (workers, signal) => {
      const nvr = 'marketplace-operator-metadata-1.0-1';
      koji.state.addOperatorBuild(nvr, fixtureZip('marketplace_op_flat'));
      // The archive download is held long enough to send the signal while the publish waits for it.
      koji.state.failFile('*', { delayMs: 2_000 });
      const omps = await startServing(workers);

      const inFlight = fetch(`${omps.url}/v2/${ORG}/koji/${nvr}`, {
        method: 'POST',
        headers: { Authorization: TOKEN },
        signal: AbortSignal.timeout(WAIT_MS),
      });
      inFlight.catch(() => {}); // awaited below; no unhandled rejection meanwhile
      await waitFor('the archive download to reach Koji', () => koji.state.downloads.length > 0);
      expect(quay.state.pushes).toHaveLength(0);

      omps.child.kill(signal);

      const res = await inFlight;
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        organization: ORG,
        repo: 'marketplace',
        version: '1.0.0',
        nvr,
      });
      expect(quay.state.pushes.map((p) => p.release)).toEqual(['1.0.0']);
      expect(await exitOf(omps)).toEqual({ code: 0, signal: null });
      // The request was still in flight when the server began shutting down.
      const logs = omps.logs();
      const shutdown = logs.findIndex((l) => l.message === 'shutting down' && l.signal === signal);
      const answered = logs.findIndex((l) => l.message === 'request' && l.path === `/v2/${ORG}/koji/${nvr}`);
      expect(shutdown).toBeGreaterThanOrEqual(0);
      expect(answered).toBeGreaterThan(shutdown);
      expect(logs[answered]).toMatchObject({ status: 200 });
      if (workers > 1) {
        expect(omps.logs().some((l) => l.message === 'shutting down workers')).toBe(true);
      }
      // Nothing is left listening.
      await expect(fetch(`${omps.url}/v2/about`, { signal: AbortSignal.timeout(5_000) })).rejects.toThrow();
    },
    60_000,
  );

  it('bundle images to a registry that names another host: the caller’s credentials reach the registry only', async () => {
    const state = new OciRegistryState(REGISTRY_AUTH);
    // Another origin in front of the same storage; its own Link is relative: back to the registry.
    const foreign = await startOciRegistryEmulator({ kind: 'none' }, { state, tagPageSize: 1 });
    const registry = await startOciRegistryEmulator(REGISTRY_AUTH, {
      state,
      uploadsAt: foreign.url,
      tagPageSize: 1,
      linksAt: foreign.url,
    });
    try {
      const omps = await startServing(1, {
        organizations: { [ORG]: { bundle_images: { registry: registry.url } } },
      });
      const basic = `Basic ${btoa('alice:s3cret')}`;
      const publish = async () =>
        rawRequest(omps.port, 'POST', `/v2/${ORG}/zipfile`, multipart(fixtureZip('etcd_op_nested')), {
          Authorization: basic,
        });
      const first = await publish();
      expect(first.status, first.body).toBe(200);
      // Deleting every release lists the tags, page by page, through the foreign host.
      const deleted = await rawRequest(omps.port, 'DELETE', `/v2/${ORG}/etcd`, undefined, {
        Authorization: basic,
      });
      expect(deleted.status, deleted.body).toBe(200);
      expect((JSON.parse(deleted.body) as { deleted: string[] }).deleted.sort()).toEqual([
        '0.6.1',
        '0.9.0',
        '0.9.2',
      ]);
      const there = state.requestsTo(foreign.url);
      expect(there.some((r) => r.method === 'PUT')).toBe(true);
      expect(there.some((r) => r.path.endsWith('/tags/list'))).toBe(true);
      expect(there.filter((r) => r.authorization !== undefined)).toEqual([]);
      expect(state.requestsTo(registry.url).filter((r) => r.authorization === basic).length).toBeGreaterThan(
        0,
      );
    } finally {
      await Promise.all([foreign.close(), registry.close()]);
    }
  }, 60_000);

  describe('refusing to start', () => {
    const run = async (env: Record<string, string>) => {
      const port = await freePort();
      const omps = startOmps({ PORT: String(port), HOST: '127.0.0.1', WORKERS: '2', ...env }, port);
      const exit = await exitOf(omps);
      return { exit, stderr: omps.stderr.join('\n'), logs: omps.logs() };
    };

    it('an invalid configuration file → non-zero exit, the message names the key', async () => {
      const file = writeConfig('bad.yaml', { ...emulatorConfig(), max_content_length: -1 });

      const { exit, stderr, logs } = await run({ OMPS_CONF_FILE: file });

      expect(exit.code).not.toBe(0);
      expect(exit.code).not.toBeNull();
      expect(stderr).toContain('max_content_length');
      expect(logs.filter((l) => l.message === 'listening')).toEqual([]);
    }, 40_000);

    it('a configuration with an unknown organization option → non-zero exit naming it', async () => {
      const file = writeConfig('bad-org.yaml', {
        ...emulatorConfig(),
        organizations: { [ORG]: { public: 'yes' } },
      });

      const { exit, stderr } = await run({ OMPS_CONF_FILE: file });

      expect(exit.code).not.toBe(0);
      expect(stderr).toContain(`organizations.${ORG}.public`);
    }, 40_000);

    it('a configured URL with user:password@ → non-zero exit naming the key, never the password', async () => {
      const file = writeConfig('userinfo.yaml', {
        ...emulatorConfig(),
        quay_url: quay.url.replace('http://', 'http://robot:hunter2@'),
      });

      const { exit, stderr, logs } = await run({ OMPS_CONF_FILE: file });

      expect(exit.code).not.toBe(0);
      expect(exit.code).not.toBeNull();
      expect(stderr).toContain('quay_url: must not hold credentials (user:password@)');
      expect(stderr).not.toContain('hunter2');
      expect(logs.filter((l) => l.message === 'listening')).toEqual([]);
    }, 40_000);

    it('a misspelt key → non-zero exit; stderr names it and the key it resembles', async () => {
      const { request_timeout: _, ...rest } = emulatorConfig();
      const file = writeConfig('typo.yaml', { ...rest, request_timout: 5 });

      const { exit, stderr, logs } = await run({ OMPS_CONF_FILE: file });

      expect(exit.code).not.toBe(0);
      expect(exit.code).not.toBeNull();
      expect(stderr).toContain('request_timout: unknown key; did you mean request_timeout?');
      expect(logs.filter((l) => l.message === 'listening')).toEqual([]);
    }, 40_000);

    it('a missing configuration file → non-zero exit naming the file', async () => {
      const missing = join(dir, 'does-not-exist.yaml');

      const { exit, stderr } = await run({ OMPS_CONF_FILE: missing });

      expect(exit.code).not.toBe(0);
      expect(stderr).toContain(missing);
    }, 40_000);

    it('PORT=abc is refused', async () => {
      const file = writeConfig('ok.yaml', emulatorConfig());

      const { exit, stderr, logs } = await run({ OMPS_CONF_FILE: file, PORT: 'abc' });

      expect(exit.code).not.toBe(0);
      expect(exit.code).not.toBeNull();
      expect(stderr).toContain('PORT');
      expect(logs.filter((l) => l.message === 'listening')).toEqual([]);
    }, 40_000);

    it('WORKERS=abc is refused', async () => {
      const file = writeConfig('ok2.yaml', emulatorConfig());

      const { exit, stderr } = await run({ OMPS_CONF_FILE: file, WORKERS: 'abc' });

      expect(exit.code).not.toBe(0);
      expect(stderr).toContain('WORKERS');
    }, 40_000);
  });
});

/**
 * Uploads `zip` as a dry run with an explicit version (no upstream call: once
 * uploaded, only the bundle work runs), asks for health while it runs, and
 * says which answered first. Both must answer 200. Fresh connections (no
 * keep-alive reuse), so a cluster hands them to its workers in turn.
 */
async function healthDuringHeavyPush(port: number, zip: Uint8Array): Promise<string[]> {
  const order: string[] = [];
  let sent!: () => void;
  const bodySent = new Promise<void>((r) => {
    sent = r;
  });
  const push = rawRequest(
    port,
    'POST',
    `/v2/${ORG}/zipfile/1.0.0?dry_run=true`,
    multipart(zip),
    { Authorization: TOKEN },
    sent,
  ).then((r) => {
    order.push('push');
    return r;
  });
  // Once the upload is sent the server spends its time parsing; this pause only lets it get there.
  await bodySent;
  await new Promise((r) => setTimeout(r, 300));
  const health = await rawRequest(port, 'GET', '/v2/health/ping');
  order.push('health');
  expect(health.status).toBe(200);
  expect((await push).status).toBe(200);
  return order;
}
