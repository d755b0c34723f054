#!/usr/bin/env node
/**
 * Bundles the edge entry (src/infrastructure/edge-entry.ts) into one ESM file,
 * .edge-build/edge-entry.js, for workerd / Cloudflare Workers, Bun and Deno.
 *
 * The bundle targets Web-standard runtimes (no Node built-ins): it fails loudly
 * when anything in it imports a `node:` module or a bare Node built-in. It
 * embeds the API viewer (swagger-ui-dist's script and styles, as text) and
 * hands it to createEdgeEntry(), so /docs needs no internet on the edge either.
 *
 * Usage: node scripts/build-edge.mjs [--outdir DIR] [--no-minify]
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { builtinModules, createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const ENTRY = path.join(ROOT, 'src/infrastructure/edge-entry.ts');
const require = createRequire(import.meta.url);
/** `from "node:x"`, `import("node:x")`, `require("node:x")`, `import "node:x"`. */
const NODE_SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["'`]node:[\w/.-]+["'`]/g;
const BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));

export class EdgeBuildError extends Error {
  name = 'EdgeBuildError';
}

/**
 * Builds the bundle and returns its path and size.
 * @param {{ entry?: string, outdir?: string, minify?: boolean, logLevel?: import('esbuild').LogLevel }} [options]
 */
export async function buildEdge(options = {}) {
  const outdir = path.resolve(ROOT, options.outdir ?? '.edge-build');
  const outfile = path.join(outdir, 'edge-entry.js');
  await mkdir(outdir, { recursive: true });

  /** Every Node built-in the bundle would need, and who asked for it. */
  const nodeImports = [];
  /** @type {import('esbuild').Plugin} */
  const refuseNodeBuiltins = {
    name: 'refuse-node-builtins',
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        if (!args.path.startsWith('node:') && !BUILTINS.has(args.path)) return undefined;
        nodeImports.push(`${args.path} (imported by ${path.relative(ROOT, args.importer) || args.importer})`);
        return { path: args.path, external: true };
      });
    },
  };

  /** The API viewer's files (swagger-ui-dist), embedded as text: the app serves /docs from memory. */
  const viewerAsText = {
    name: 'viewer-as-text',
    setup(build) {
      build.onResolve({ filter: /^omps-viewer:/ }, (args) => ({
        path: require.resolve(`swagger-ui-dist/${args.path.slice('omps-viewer:'.length)}`),
        namespace: 'omps-viewer',
      }));
      build.onLoad({ filter: /.*/, namespace: 'omps-viewer' }, async (args) => ({
        contents: await readFile(args.path, 'utf8'),
        loader: 'text',
      }));
    },
  };
  const module = (file) => JSON.stringify(path.resolve(ROOT, file).split(path.sep).join('/'));
  const entry = options.entry
    ? `export { default } from ${module(options.entry)};`
    : [
        `import script from 'omps-viewer:swagger-ui-bundle.js';`,
        `import styles from 'omps-viewer:swagger-ui.css';`,
        `import { docsAssetsFrom } from ${module('src/adapters/http/docs-assets.ts')};`,
        `import { createEdgeEntry } from ${module(ENTRY)};`,
        'export default createEdgeEntry({ docsAssets: docsAssetsFrom(script, styles) });',
      ].join('\n');

  const result = await esbuild.build({
    // Only the module worker's default export leaves the bundle: workerd treats
    // every named export of the main module as an entrypoint.
    stdin: {
      contents: entry,
      resolveDir: ROOT,
      sourcefile: 'edge-entry.js',
      loader: 'js',
    },
    absWorkingDir: ROOT,
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    // Packages with a Node and a Web build (fflate, yaml, ...) must give the Web one.
    conditions: ['workerd', 'worker', 'browser', 'import', 'module', 'default'],
    mainFields: ['browser', 'module', 'main'],
    define: { 'process.env.NODE_ENV': '"production"' },
    minify: options.minify ?? true,
    sourcemap: 'linked',
    legalComments: 'none',
    metafile: true,
    logLevel: options.logLevel ?? 'warning',
    plugins: [refuseNodeBuiltins, viewerAsText],
  });

  const out = result.metafile.outputs[path.relative(ROOT, outfile).split(path.sep).join('/')];
  const leftover = (out?.imports ?? []).map((i) => `${i.path} (left as an import in the bundle)`);
  // Belt and braces: whatever produced it, no `node:` specifier may survive in the text.
  const text = await readFile(outfile, 'utf8');
  const inText = [...text.matchAll(NODE_SPECIFIER)].map((m) => `${m[0]} (found in the bundle text)`);
  if (nodeImports.length > 0 || leftover.length > 0 || inText.length > 0) {
    const lines = [...new Set([...nodeImports, ...leftover, ...inText])];
    await rm(outfile, { force: true }); // nobody deploys a bundle that cannot run
    throw new EdgeBuildError(
      `The edge bundle must not import Node built-ins or external modules, but it does:\n  ${lines.join('\n  ')}`,
    );
  }
  const bytes = Buffer.byteLength(text);
  await writeFile(path.join(outdir, 'meta.json'), JSON.stringify(result.metafile));
  return { outfile, bytes };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const outdirAt = args.indexOf('--outdir');
  try {
    const { outfile, bytes } = await buildEdge({
      ...(outdirAt >= 0 ? { outdir: args[outdirAt + 1] } : {}),
      minify: !args.includes('--no-minify'),
    });
    console.log(`edge bundle: ${path.relative(process.cwd(), outfile)} (${(bytes / 1024).toFixed(1)} KiB)`);
  } catch (e) {
    console.error(`build-edge: ${e instanceof EdgeBuildError ? e.message : e?.stack || e}`);
    process.exit(1);
  }
}
