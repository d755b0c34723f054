/**
 * A catalog as the files of its `/configs` folder (paths relative to it),
 * changed one package at a time (SPEC §11): the package's blobs are written
 * to `<package>/catalog.json` and every other byte stays as it was.
 *
 * Where a package's blobs live: ours keep each package in its own folder,
 * but a catalog made elsewhere may hold several packages in one file (one
 * `catalog.yaml` for all) or a package across several files. A package's
 * blobs are its `olm.package` and every blob whose `package` is its name,
 * wherever they are. Replacing a package therefore (1) removes the files
 * under `<package>/` that hold nothing of another package (files
 * `.indexignore` hides there too: they belong to that folder), (2) cuts the
 * package's blobs out of any other file, keeping every other byte of it (a
 * JSON object with the blank text after it, or a YAML document with its
 * `---` line, is cut; a file left with no blob is removed), and (3) writes `<package>/catalog.json` unless
 * the package leaves the catalog. Files come back in fs.WalkDir order.
 */

import type { FileEntry } from '../files.js';
import { blobSegments, CatalogLoadError, loadConfig } from './declcfg-load.js';
import { comparePaths, compareStrings, writeJson } from './declcfg-write.js';
import { type DeclarativeConfig, emptyConfig } from './fbc.js';
import { field } from './go-struct.js';
import { indexIgnoreMatcher } from './index-ignore.js';

const INDEX_IGNORE = '.indexignore';
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

/** The packages of the catalog (every package name a blob carries), sorted. */
export function packagesIn(configs: readonly FileEntry[]): string[] {
  return packagesOf(loadConfig(configs));
}

/** The packages of a loaded catalog (every package name a blob carries), sorted. */
export function packagesOf(config: DeclarativeConfig): string[] {
  const names = new Set<string>();
  for (const p of config.packages) if (p.name) names.add(p.name);
  for (const c of config.channels) if (c.package) names.add(c.package);
  for (const b of config.bundles) if (b.package) names.add(b.package);
  for (const o of config.others) if (o.package) names.add(o.package);
  return [...names].sort(compareStrings);
}

/** The blobs of one package, wherever they are in the catalog (empty when it has none). */
export function packageConfig(configs: readonly FileEntry[], packageName: string): DeclarativeConfig {
  // Only files that mention the name can hold its blobs: read just those (and the ignore files).
  const candidates = configs.filter(
    (f) => baseName(f.path) === INDEX_IGNORE || textOf(f).includes(packageName),
  );
  const all = loadConfig(candidates);
  const config = emptyConfig();
  config.packages = all.packages.filter((p) => p.name === packageName);
  config.channels = all.channels.filter((c) => c.package === packageName);
  config.bundles = all.bundles.filter((b) => b.package === packageName);
  config.others = all.others.filter((o) => o.package === packageName);
  return config;
}

/**
 * The folder with `packageName` replaced by `config` (written as
 * `<package>/catalog.json`), or removed when `config` is undefined or empty.
 */
export function replacePackage(
  configs: readonly FileEntry[],
  packageName: string,
  config: DeclarativeConfig | undefined,
): FileEntry[] {
  if (packageName === '' || packageName.includes('/') || packageName === '.' || packageName === '..')
    throw new CatalogLoadError(
      `invalid package name ${JSON.stringify(packageName)}: must be a single local path element`,
    );
  const ignored = indexIgnoreMatcher(
    configs.filter((f) => baseName(f.path) === INDEX_IGNORE).map((f) => ({ path: f.path, text: textOf(f) })),
  );
  const folder = `${packageName}/`;
  const out: FileEntry[] = [];
  for (const file of configs) {
    const inFolder = file.path.startsWith(folder);
    if (baseName(file.path) === INDEX_IGNORE || ignored(file.path)) {
      if (!inFolder) out.push(file);
      continue;
    }
    const text = textOf(file);
    if (!inFolder && !text.includes(packageName)) {
      out.push(file);
      continue;
    }
    let segments: ReturnType<typeof blobSegments>;
    try {
      segments = blobSegments(text);
    } catch (error) {
      // An unreadable file in the package's own folder goes with the package.
      if (inFolder) continue;
      throw new CatalogLoadError(`${file.path}: ${(error as Error).message}`);
    }
    const others = (s: (typeof segments)[number]) => {
      const owner = blobPackage(s.blob);
      return owner !== packageName && !(inFolder && owner === '');
    };
    // A cut blob takes the blank text after it (the line break a writer put there) along.
    const kept: typeof segments = [];
    let cutting = false;
    for (const s of segments) {
      if (s.isBlob) cutting = !others(s);
      else if (cutting && s.text.trim() === '') continue;
      else cutting = false;
      if (!cutting) kept.push(s);
    }
    if (kept.length === segments.length) {
      out.push(file);
      continue;
    }
    if (!kept.some((s) => s.isBlob)) continue;
    out.push({ path: file.path, data: encoder.encode(kept.map((s) => s.text).join('')) });
  }
  const written = config ? writeJson(config) : '';
  if (written !== '') {
    const path = `${folder}catalog.json`;
    const existing = out.findIndex((f) => f.path === path);
    if (existing >= 0) out.splice(existing, 1);
    out.push({ path, data: encoder.encode(written) });
  }
  return out.sort((a, b) => comparePaths(a.path, b.path));
}

/** Whether replacing the package would leave the folder exactly as it is (an unchanged catalog). */
export function samePackage(
  configs: readonly FileEntry[],
  packageName: string,
  config: DeclarativeConfig | undefined,
): boolean {
  return sameFiles(configs, replacePackage(configs, packageName, config));
}

/** Same paths with the same bytes, whatever the order. */
export function sameFiles(a: readonly FileEntry[], b: readonly FileEntry[]): boolean {
  if (a.length !== b.length) return false;
  const byPath = new Map(a.map((f) => [f.path, f.data]));
  if (byPath.size !== a.length) return false;
  return b.every((f) => {
    const other = byPath.get(f.path);
    return other !== undefined && equalBytes(other, f.data);
  });
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  // replacePackage carries other packages' files over as the same arrays: no byte to compare.
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function textOf(file: FileEntry): string {
  try {
    return decoder.decode(file.data);
  } catch {
    throw new CatalogLoadError(`${file.path}: not valid UTF-8 text`);
  }
}

/** The package a blob belongs to: an olm.package's name, else its `package` ('' for none). */
function blobPackage(blob: unknown): string {
  if (blob === null || typeof blob !== 'object' || Array.isArray(blob)) return '';
  const record = blob as Record<string, unknown>;
  const schema = field(record, 'schema');
  const value = schema === 'olm.package' ? field(record, 'name') : field(record, 'package');
  return typeof value === 'string' ? value : '';
}
