/**
 * The bundle thread's script for tests: vitest runs TypeScript, but a
 * node:worker_threads thread needs JavaScript, so the thread's entry is bundled once with esbuild
 * into a temporary file (no dependency on dist/ being built).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const ENTRY = resolve(
  import.meta.dirname,
  '..',
  '..',
  'src',
  'adapters',
  'thread-pool',
  'bundle-job-thread.ts',
);

export async function buildBundleThread(): Promise<{ url: URL; remove(): void }> {
  const dir = mkdtempSync(join(tmpdir(), 'omps-bundle-thread-'));
  const outfile = join(dir, 'bundle-job-thread.mjs');
  await build({
    entryPoints: [ENTRY],
    bundle: true,
    platform: 'node',
    format: 'esm',
    outfile,
    logLevel: 'silent',
    // CommonJS dependencies bundled into ESM still call require() for Node built-ins.
    banner: {
      js: "import { createRequire as omps_createRequire } from 'node:module'; const require = omps_createRequire(import.meta.url);",
    },
  });
  return { url: pathToFileURL(outfile), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
