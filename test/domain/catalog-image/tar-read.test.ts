/**
 * The bounded tar reader: what our writer, modern-tar and GNU tar write reads
 * back; names that would escape the layer, damaged headers and too many
 * entries are refused; what is not a regular file is left out.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packTar } from 'modern-tar';
import { afterAll, describe, expect, it } from 'vitest';
import { readTar, TarReadError } from '../../../src/domain/catalog-image/tar-read.js';
import { writeTar } from '../../../src/domain/tar.js';

const text = (s: string) => new TextEncoder().encode(s);
const decode = (b: Uint8Array) => new TextDecoder().decode(b);
const LIMITS = { maxEntries: 100 };
const LONG = `${'deep/'.repeat(40)}${'é'.repeat(60)}.json`;

function read(tar: Uint8Array) {
  return readTar(tar, LIMITS).map((f) => [f.path, decode(f.data)]);
}

describe('readTar', () => {
  it('reads back our writer’s files, long names (ustar prefix and PAX) included, folders left out', () => {
    const tar = writeTar(
      [
        { type: 'directory', name: 'configs/' },
        { type: 'file', name: 'configs/a.json', data: text('{"a":1}') },
        { type: 'file', name: `${'p'.repeat(150)}/${'n'.repeat(90)}`, data: text('prefix') },
        { type: 'file', name: LONG, data: text('pax') },
        { type: 'file', name: 'empty', data: new Uint8Array() },
      ],
      { mtime: new Date(0) },
    );
    expect(read(tar)).toEqual([
      ['configs/a.json', '{"a":1}'],
      [`${'p'.repeat(150)}/${'n'.repeat(90)}`, 'prefix'],
      [LONG, 'pax'],
      ['empty', ''],
    ]);
  });

  it('reads what modern-tar writes (PAX names), and keeps the last of a name given twice', async () => {
    const tar = await packTar([
      { header: { name: './x/one.yaml', size: 3, type: 'file' }, body: text('old') },
      { header: { name: LONG, size: 4, type: 'file' }, body: text('long') },
      { header: { name: 'x/one.yaml', size: 3, type: 'file' }, body: text('new') },
    ]);
    expect(read(tar)).toEqual([
      ['x/one.yaml', 'new'],
      [LONG, 'long'],
    ]);
  });

  const gnuTar = spawnSync('tar', ['--version']).status === 0;
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it.skipIf(!gnuTar)('reads GNU tar’s long names (L entries) and skips its symlinks and whiteouts', () => {
    const dir = mkdtempSync(join(tmpdir(), 'omps-tar-'));
    dirs.push(dir);
    const root = join(dir, 'root');
    const longDir = join(root, 'd'.repeat(120));
    mkdirSync(longDir, { recursive: true });
    writeFileSync(join(longDir, 'f'.repeat(110)), 'gnu');
    writeFileSync(join(root, '.wh.gone'), '');
    symlinkSync('/etc/passwd', join(root, 'link'));
    const archive = join(dir, 'layer.tar');
    const run = spawnSync('tar', ['--format=gnu', '-cf', archive, '-C', root, '.']);
    expect(run.status).toBe(0);
    expect(read(new Uint8Array(readFileSync(archive)))).toEqual([
      [`${'d'.repeat(120)}/${'f'.repeat(110)}`, 'gnu'],
    ]);
  });

  it('refuses names that leave the layer: absolute, or with a ".." segment', async () => {
    for (const name of ['/etc/passwd', '../up', 'a/../../b']) {
      const tar = await packTar([{ header: { name, size: 1, type: 'file' }, body: text('x') }]);
      expect(() => readTar(tar, LIMITS), name).toThrow(TarReadError);
    }
  });

  it('refuses a damaged header, a truncated body and too many entries', () => {
    const tar = writeTar(
      [
        { type: 'file', name: 'a', data: text('a'.repeat(600)) },
        { type: 'file', name: 'b', data: text('b') },
      ],
      { mtime: new Date(0) },
    );
    const damaged = tar.slice();
    damaged[0] = 0x7a;
    expect(() => readTar(damaged, LIMITS)).toThrow(/damaged header/);
    expect(() => readTar(tar.subarray(0, 1024), LIMITS)).toThrow(/truncated/);
    expect(() => readTar(tar, { maxEntries: 1 })).toThrow(/more than 1 entries/);
    expect(readTar(tar, { maxEntries: 2 })).toHaveLength(2);
  });

  it('reads an empty archive (and no bytes at all) as no files', () => {
    expect(readTar(writeTar([], { mtime: new Date(0) }), LIMITS)).toEqual([]);
    expect(readTar(new Uint8Array(), LIMITS)).toEqual([]);
  });
});
