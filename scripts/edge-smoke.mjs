#!/usr/bin/env node
/**
 * A black-box smoke suite for a running OMPS on in-memory upstreams
 * (OMPS_UPSTREAMS=memory), over real HTTP with fetch and FormData only.
 * scripts/test-edge.mjs runs it against workerd, Bun and Deno; it also runs
 * against any OMPS: `node scripts/edge-smoke.mjs http://127.0.0.1:8787 [max_content_length]`.
 *
 * The server must be configured with a max_content_length of at least ~40 kB
 * (the zip bomb must fit under it) and the default zipfile_max_uncompressed_size
 * (20 MiB) or less; scripts/test-edge.mjs uses 100000.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { zipSync } from 'fflate';

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** The repository's own operator bundles (test/fixtures/README.md). */
export const FIXTURES_DIR = path.resolve(HERE, '../test/fixtures');

const REQUEST_TIMEOUT_MS = 20_000;
const BOMB_SIZE = 30 * 1024 * 1024;
const FIXED_MTIME = new Date('2026-01-01T00:00:00Z');

/** Every file under `dir`, as zip-relative `/`-separated paths → bytes. */
export function readTree(dir) {
  /** @type {Record<string, Uint8Array>} */
  const files = {};
  const walk = (sub) => {
    for (const name of readdirSync(path.join(dir, sub))) {
      const rel = sub ? `${sub}/${name}` : name;
      if (statSync(path.join(dir, rel)).isDirectory()) walk(rel);
      else files[rel] = new Uint8Array(readFileSync(path.join(dir, rel)));
    }
  };
  walk('');
  return files;
}

/** @param {Record<string, Uint8Array>} files @param {number} [level] */
export function zipFiles(files, level = 6) {
  /** @type {Record<string, [Uint8Array, import('fflate').ZipOptions]>} */
  const entries = {};
  for (const [name, data] of Object.entries(files)) entries[name] = [data, { level, mtime: FIXED_MTIME }];
  return zipSync(entries);
}

/**
 * Runs the suite against `baseUrl`; never throws for a failed check.
 * @param {string} baseUrl e.g. http://127.0.0.1:8787
 * @param {{ maxContentLength?: number, organization?: string, log?: (line: string) => void }} [options]
 * @returns {Promise<{ passed: number, failed: number, results: { name: string, ok: boolean, detail?: string }[] }>}
 */
export async function runSmoke(baseUrl, options = {}) {
  const base = baseUrl.replace(/\/+$/, '');
  const maxContentLength = options.maxContentLength ?? 100_000;
  // A fresh organization per run: the suite can run twice against one server.
  const org =
    options.organization ?? `edge-smoke-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const log = options.log ?? (() => {});
  const token = { Authorization: 'edge-smoke-token' };
  /** @type {{ name: string, ok: boolean, detail?: string }[]} */
  const results = [];
  /** @type {Record<string, string>} repo → version pushed by this run */
  const pushed = {};

  const check = async (name, body) => {
    const started = Date.now();
    try {
      await body();
      results.push({ name, ok: true });
      log(`  ok    ${name} (${Date.now() - started} ms)`);
    } catch (e) {
      const detail = e instanceof Error ? e.message : String(e);
      results.push({ name, ok: false, detail });
      log(`  FAIL  ${name}: ${detail}`);
    }
  };

  const request = async (method, urlPath, init = {}) => {
    const response = await fetch(`${base}${urlPath}`, {
      method,
      ...init,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    let json;
    try {
      json = JSON.parse(text);
    } catch {
      throw new Error(
        `${method} ${urlPath}: HTTP ${response.status}, body is not JSON: ${text.slice(0, 200)}`,
      );
    }
    return { status: response.status, json, headers: response.headers };
  };

  const upload = (urlPath, zipBytes, { filename = 'bundle.zip', headers = token } = {}) => {
    const form = new FormData();
    form.append('file', new Blob([zipBytes], { type: 'application/zip' }), filename);
    return request('POST', urlPath, { body: form, headers });
  };

  const expectStatus = (res, status, what) => {
    if (res.status !== status) {
      throw new Error(
        `${what}: expected HTTP ${status}, got ${res.status}: ${JSON.stringify(res.json).slice(0, 400)}`,
      );
    }
  };
  const expectError = (res, status, id) => {
    expectStatus(res, status, id);
    const b = res.json;
    if (b?.status !== status || b?.error !== id || typeof b?.message !== 'string' || !b.message) {
      throw new Error(
        `expected error body {status: ${status}, error: ${id}, message}, got ${JSON.stringify(b).slice(0, 400)}`,
      );
    }
  };
  const expectEqual = (actual, expected, what) => {
    if (JSON.stringify(actual) !== JSON.stringify(expected)) {
      throw new Error(`${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`);
    }
  };
  const expectVersion = (v, what) => {
    if (typeof v !== 'string' || !/^\d+\.\d+\.\d+$/.test(v))
      throw new Error(`${what}: not a x.y.z version: ${v}`);
  };

  await check('GET /v2/about → 200 with version and operatorcourier', async () => {
    const res = await request('GET', '/v2/about');
    expectStatus(res, 200, 'about');
    if (typeof res.json.version !== 'string' || typeof res.json.operatorcourier !== 'string') {
      throw new Error(`about body lacks version/operatorcourier: ${JSON.stringify(res.json)}`);
    }
    if (!res.headers.get('content-type')?.includes('application/json'))
      throw new Error('about is not application/json');
  });

  await check('GET /v1/health/ping → 200, quay and koji ok', async () => {
    const res = await request('GET', '/v1/health/ping');
    expectStatus(res, 200, 'health');
    const { ok, status, services } = res.json;
    if (ok !== true || status !== 200) throw new Error(`health not ok: ${JSON.stringify(res.json)}`);
    for (const s of ['quay', 'koji']) {
      if (services?.[s]?.ok !== true || services[s].details !== 'It works!') {
        throw new Error(`service ${s} not ok: ${JSON.stringify(services?.[s])}`);
      }
    }
  });

  const flat = readTree(path.join(FIXTURES_DIR, 'marketplace_op_flat'));
  await check(`POST /v2/${org}/zipfile (flat marketplace) → 200`, async () => {
    const res = await upload(`/v2/${org}/zipfile`, zipFiles(flat));
    expectStatus(res, 200, 'flat upload');
    expectEqual(res.json.organization, org, 'organization');
    expectEqual(res.json.repo, 'marketplace', 'repo');
    expectVersion(res.json.version, 'version');
    expectEqual(res.json.extracted_files, Object.keys(flat).sort(), 'extracted_files');
    pushed.marketplace = res.json.version;
  });

  const nested = readTree(path.join(FIXTURES_DIR, 'etcd_op_nested'));
  await check(`POST /v2/${org}/zipfile (nested etcd) → 200`, async () => {
    const res = await upload(`/v2/${org}/zipfile`, zipFiles(nested));
    expectStatus(res, 200, 'nested upload');
    expectEqual(res.json.repo, 'etcd', 'repo');
    expectVersion(res.json.version, 'version');
    expectEqual(res.json.extracted_files, Object.keys(nested).sort(), 'extracted_files');
    pushed.etcd = res.json.version;
  });

  await check('zip with only a CSV → 400 PackageValidationError with validation_info', async () => {
    const res = await upload(`/v2/${org}/zipfile`, zipFiles({ 'csv.yaml': flat['csv.yaml'] }));
    expectError(res, 400, 'PackageValidationError');
    const info = res.json.validation_info;
    if (info === null || typeof info !== 'object' || Array.isArray(info)) {
      throw new Error(`validation_info is not an object: ${JSON.stringify(info)}`);
    }
  });

  await check('package file without packageName → 400 PackageValidationError', async () => {
    const files = readTree(path.join(FIXTURES_DIR, 'no_package_name'));
    const res = await upload(`/v2/${org}/zipfile`, zipFiles({ ...files, 'csv.yaml': flat['csv.yaml'] }));
    expectError(res, 400, 'PackageValidationError');
    if (!('validation_info' in res.json)) throw new Error('no validation_info in the body');
  });

  await check('zip bomb (30 MB of zeros, one entry) → 400 OMPSUploadedFileError', async () => {
    const bomb = zipFiles({ 'bomb.yaml': new Uint8Array(BOMB_SIZE) }, 9);
    if (bomb.byteLength >= maxContentLength - 1024) {
      throw new Error(
        `the bomb (${bomb.byteLength} bytes) does not fit under max_content_length ${maxContentLength}`,
      );
    }
    const started = Date.now();
    const res = await upload(`/v2/${org}/zipfile`, bomb);
    expectError(res, 400, 'OMPSUploadedFileError');
    log(`        (bomb: ${bomb.byteLength} bytes compressed, refused in ${Date.now() - started} ms)`);
  });

  await check('body over max_content_length → 413 RequestEntityTooLarge', async () => {
    const big = new Uint8Array(maxContentLength * 2);
    for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 24; // not compressible, not a zip
    const res = await upload(`/v2/${org}/zipfile`, big, { filename: 'big.zip' });
    expectError(res, 413, 'RequestEntityTooLarge');
  });

  await check('missing Authorization → 403 OMPSAuthorizationHeaderRequired', async () => {
    const res = await upload(`/v2/${org}/zipfile`, zipFiles(flat), { headers: {} });
    expectError(res, 403, 'OMPSAuthorizationHeaderRequired');
    const del = await request('DELETE', `/v2/${org}/marketplace`);
    expectError(del, 403, 'OMPSAuthorizationHeaderRequired');
  });

  for (const repo of ['marketplace', 'etcd']) {
    await check(`DELETE /v2/${org}/${repo} → 200 with the deleted versions`, async () => {
      if (!pushed[repo]) throw new Error(`nothing was pushed to ${repo} (its upload failed)`);
      const res = await request('DELETE', `/v2/${org}/${repo}`, { headers: token });
      expectStatus(res, 200, 'delete');
      expectEqual(res.json, { organization: org, repo, deleted: [pushed[repo]] }, 'delete body');
    });
  }

  await check('GET /docs and the viewer files it loads (same origin) → 200, cacheable', async () => {
    const get = (urlPath) => fetch(`${base}${urlPath}`, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const page = await get('/docs');
    const html = await page.text();
    if (page.status !== 200 || !page.headers.get('content-type')?.startsWith('text/html'))
      throw new Error(`/docs: HTTP ${page.status} ${page.headers.get('content-type')}`);
    const files = [...html.matchAll(/<(?:script|link)\b[^>]*(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    if (files.length < 2 || files.some((f) => !f.startsWith('/')))
      throw new Error(`/docs must load its viewer from the service itself, loads: ${files.join(', ')}`);
    for (const file of files) {
      const res = await get(file);
      const body = await res.text();
      if (res.status !== 200 || !res.headers.get('etag') || body.length < 10_000)
        throw new Error(`${file}: HTTP ${res.status}, ETag ${res.headers.get('etag')}, ${body.length} chars`);
    }
  });

  await check('unknown route → 404 NotFound', async () => {
    expectError(await request('GET', '/v2/no/such/route/here'), 404, 'NotFound');
  });

  const passed = results.filter((r) => r.ok).length;
  return { passed, failed: results.length - passed, results };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [baseUrl, limit] = process.argv.slice(2);
  if (!baseUrl) {
    console.error('usage: node scripts/edge-smoke.mjs <base-url> [max_content_length]');
    process.exit(2);
  }
  const { passed, failed } = await runSmoke(baseUrl, {
    ...(limit ? { maxContentLength: Number(limit) } : {}),
    log: (line) => console.log(line),
  });
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
}
