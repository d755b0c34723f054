/** Zips for tests: made from in-memory files or from the fixtures in test/fixtures/. */
import { strToU8, zipSync } from 'fflate';
import { SAMPLE_OPERATOR_FILES } from '../../src/infrastructure/demo/sample-operator.js';
import { readFixture } from './fixtures.js';

export function zipOf(files: Record<string, string | Uint8Array>): Uint8Array {
  const entries: Record<string, Uint8Array> = {};
  for (const [path, content] of Object.entries(files)) {
    entries[path] = typeof content === 'string' ? strToU8(content) : content;
  }
  return zipSync(entries);
}

/** The files of a fixture folder, paths relative to it. */
export function fixtureFiles(name: string): Record<string, Uint8Array> {
  return Object.fromEntries(readFixture(name).map((f) => [f.path, f.data]));
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
