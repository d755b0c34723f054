/** Zips for tests: made from in-memory files or from the shared fixtures (read in place). */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { strToU8, zipSync } from 'fflate';
import { SAMPLE_OPERATOR_FILES } from '../../src/infrastructure/demo/sample-operator.js';

export const FIXTURES = resolve(import.meta.dirname, '..', '..', '..', 'shared', 'fixtures');

export function zipOf(files: Record<string, string | Uint8Array>): Uint8Array {
  const entries: Record<string, Uint8Array> = {};
  for (const [path, content] of Object.entries(files)) {
    entries[path] = typeof content === 'string' ? strToU8(content) : content;
  }
  return zipSync(entries);
}

/** The files of a fixture folder, paths relative to it. */
export function fixtureFiles(name: string): Record<string, Uint8Array> {
  const root = join(FIXTURES, name);
  const out: Record<string, Uint8Array> = {};
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const full = join(dir, entry);
      if (statSync(full).isDirectory()) walk(full);
      else out[relative(root, full).split('\\').join('/')] = new Uint8Array(readFileSync(full));
    }
  };
  walk(root);
  return out;
}

export function fixtureZip(name: string, prefix = ''): Uint8Array {
  const files = fixtureFiles(name);
  return zipOf(Object.fromEntries(Object.entries(files).map(([p, d]) => [prefix + p, d])));
}

export function sampleZip(): Uint8Array {
  return zipOf({ ...SAMPLE_OPERATOR_FILES });
}

export function multipart(zip: Uint8Array, filename = 'manifests.zip', field = 'file'): FormData {
  const form = new FormData();
  form.append(field, new Blob([zip as Uint8Array<ArrayBuffer>], { type: 'application/zip' }), filename);
  return form;
}

export const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);
