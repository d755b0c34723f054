#!/usr/bin/env node
/**
 * `npm run test:browser`: /docs in a real browser with no internet. Starts the
 * demo (dist/src/infrastructure/demo.js, built by `npm ci` / `npm run build`)
 * on 127.0.0.1 and a free port, opens /docs in headless Chromium where every
 * host but 127.0.0.1 is unresolvable, and checks that the v2 operations are
 * rendered and that no request left for another host. Saves a screenshot to
 * test-results/browser/docs.png. Ends with "N passed, M failed"; exits
 * non-zero when anything failed. Every step is bounded; everything started is
 * stopped.
 *
 * Env: OMPS_CHROMIUM  the browser (default /usr/bin/chromium, Debian package `chromium`)
 */
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { freePort } from './free-port.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DEMO = path.join(ROOT, 'dist/src/infrastructure/demo.js');
const OUT_DIR = path.join(ROOT, 'test-results/browser');
const SCREENSHOT = path.join(OUT_DIR, 'docs.png');
const BROWSER = process.env.OMPS_CHROMIUM || '/usr/bin/chromium';
const HOST = '127.0.0.1';
const TIMEOUTS = { ready: 30_000, launch: 30_000, page: 30_000, render: 30_000, overall: 180_000 };

/** What the page must show: the v2 operations, by their path as the viewer prints it. */
const OPERATIONS = [
  ['zipfile publish', '/v2/{org}/zipfile'],
  ['koji publish', '/v2/{org}/koji/{nvr}'],
  ['delete', '/v2/{org}/{repo}'],
  ['health', '/v2/health/ping'],
];

const results = [];
const check = async (name, body) => {
  try {
    await body();
    results.push({ name, ok: true });
    console.log(`  ok    ${name}`);
  } catch (e) {
    results.push({ name, ok: false });
    console.log(`  FAIL  ${name}: ${e instanceof Error ? e.message : e}`);
  }
};

async function waitUntilUp(base, demo) {
  const deadline = Date.now() + TIMEOUTS.ready;
  while (Date.now() < deadline) {
    if (demo.exitCode !== null) throw new Error(`the demo exited with code ${demo.exitCode}`);
    try {
      const res = await fetch(`${base}/v2/about`, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`the demo did not answer on ${base} within ${TIMEOUTS.ready} ms`);
}

function stopDemo(demo) {
  if (!demo || demo.exitCode !== null || demo.signalCode !== null) return;
  try {
    process.kill(-demo.pid, 'SIGTERM'); // the demo leads its own process group
  } catch {
    // already gone
  }
}

async function main() {
  if (!existsSync(DEMO)) throw new Error(`${path.relative(ROOT, DEMO)} is missing: run npm run build first`);
  if (!existsSync(BROWSER)) throw new Error(`no browser at ${BROWSER} (apt-get install chromium)`);
  await mkdir(OUT_DIR, { recursive: true });
  await rm(SCREENSHOT, { force: true });

  const port = await freePort();
  const base = `http://${HOST}:${port}`;
  const demo = spawn(process.execPath, [DEMO], {
    env: { ...process.env, PORT: String(port), HOST },
    stdio: ['ignore', 'ignore', 'inherit'],
    detached: true,
  });
  const profile = await mkdtemp(path.join(tmpdir(), 'omps-chromium-'));
  let context;
  try {
    await waitUntilUp(base, demo);
    console.log(`demo on ${base}; ${BROWSER}`);
    context = await chromium.launchPersistentContext(profile, {
      executablePath: BROWSER,
      headless: true,
      timeout: TIMEOUTS.launch,
      viewport: { width: 1280, height: 1600 },
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        // No internet: every name but 127.0.0.1 fails to resolve.
        '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
      ],
    });
    const requests = [];
    const failed = [];
    context.on('request', (r) => requests.push(r.url()));
    context.on('requestfailed', (r) => failed.push(`${r.url()} (${r.failure()?.errorText})`));
    const page = context.pages()[0] ?? (await context.newPage());
    const pageErrors = [];
    page.on('pageerror', (e) => pageErrors.push(e.message));

    let response;
    await check('GET /docs answers 200 in the browser', async () => {
      response = await page.goto(`${base}/docs`, { waitUntil: 'load', timeout: TIMEOUTS.page });
      if (response?.status() !== 200) throw new Error(`HTTP ${response?.status()}`);
    });

    await check('the viewer renders the API title', async () => {
      await page
        .getByText('Operator Manifests Push Service', { exact: false })
        .first()
        .waitFor({ state: 'visible', timeout: TIMEOUTS.render });
    });

    for (const [name, opPath] of OPERATIONS) {
      await check(`the ${name} operation (${opPath}) is visible`, async () => {
        const summary = page.locator('.opblock-summary-path', { hasText: opPath }).first();
        await summary.waitFor({ state: 'visible', timeout: TIMEOUTS.render });
      });
    }

    await page.waitForLoadState('networkidle', { timeout: TIMEOUTS.page }).catch(() => {});

    await check('every request stayed on 127.0.0.1 (and none failed)', async () => {
      const away = requests.filter((u) => {
        const url = new URL(u);
        return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== HOST;
      });
      if (away.length > 0) throw new Error(`requests for other hosts: ${away.join(', ')}`);
      if (failed.length > 0) throw new Error(`failed requests: ${failed.join(', ')}`);
      if (!requests.some((u) => u.startsWith(`${base}/docs/assets/`)))
        throw new Error(`the viewer was not loaded from the service: ${requests.join(', ')}`);
    });

    await check('no script error on the page', async () => {
      if (pageErrors.length > 0) throw new Error(pageErrors.join('; '));
    });

    await check(`screenshot saved (${path.relative(ROOT, SCREENSHOT)})`, async () => {
      await page.screenshot({ path: SCREENSHOT, fullPage: true });
      if (statSync(SCREENSHOT).size < 10_000) throw new Error('the screenshot is suspiciously small');
    });
  } finally {
    await context?.close().catch(() => {});
    stopDemo(demo);
    await rm(profile, { recursive: true, force: true });
  }
}

const overall = setTimeout(() => {
  console.error(`test-browser: gave up after ${TIMEOUTS.overall} ms`);
  process.exit(1);
}, TIMEOUTS.overall);
overall.unref();

try {
  await main();
} catch (e) {
  results.push({ name: 'setup', ok: false });
  console.log(`  FAIL  setup: ${e instanceof Error ? e.message : e}`);
}
const passed = results.filter((r) => r.ok).length;
const failedCount = results.length - passed;
console.log(`${passed} passed, ${failedCount} failed`);
process.exit(failedCount > 0 || passed === 0 ? 1 : 0);
