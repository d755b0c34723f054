/**
 * The tar writer: read back by modern-tar and by GNU tar, byte-identical to
 * modern-tar's packTar (which wrote our blobs and image layers before), and
 * the ustar name/prefix/PAX boundaries.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packTar, unpackTar } from 'modern-tar';
import { afterAll, describe, expect, it } from 'vitest';
import { type TarEntry, writeTar } from '../../src/domain/tar.js';

const text = (s: string) => new TextEncoder().encode(s);
const MTIME = new Date(1_700_000_000_789);

const file = (name: string, body = `content of ${name}\n`): TarEntry => ({
  type: 'file',
  name,
  data: text(body),
});
const folder = (name: string): TarEntry => ({ type: 'directory', name });

/** Names at and around every limit: 100 bytes of name, 155 of prefix, 256 in all; non-ASCII; deep. */
const NAMES = {
  short: 'a.yaml',
  name100: 'n'.repeat(100),
  name101: 'n'.repeat(101),
  split155and100: `${'p'.repeat(155)}/${'n'.repeat(100)}`,
  prefix156: `${'p'.repeat(156)}/${'n'.repeat(99)}`,
  name101AfterSlash: `dir/${'n'.repeat(101)}`,
  total257: `${'p'.repeat(100)}/${'q'.repeat(55)}/${'n'.repeat(100)}`,
  nonAscii: `manifests/${'é'.repeat(60)}.yaml`,
  nonAsciiSplit: `${'é'.repeat(60)}/${'ü'.repeat(40)}.yaml`,
  nonAsciiNoSlash: 'ü'.repeat(80),
  deep: `${'d/'.repeat(90)}f.yaml`,
  folder: `${'é'.repeat(70)}/`,
  longFolder: `${'f'.repeat(120)}/`,
};

const ENTRIES: TarEntry[] = [
  ...Object.values(NAMES).map((name) => (name.endsWith('/') ? folder(name) : file(name))),
  file('empty', ''),
  file('exactly-a-block', 'x'.repeat(512)),
  { type: 'file', name: 'binary.bin', data: Uint8Array.from({ length: 1500 }, (_, i) => (i * 31) & 0xff) },
  { type: 'file', name: 'executable.sh', data: text('#!/bin/sh\n'), mode: 0o755 },
];

/** The same entries as modern-tar's packTar takes them. */
function modernTarEntries(entries: readonly TarEntry[]) {
  return entries.map((e) =>
    e.type === 'file'
      ? {
          header: {
            name: e.name,
            type: 'file' as const,
            size: e.data.byteLength,
            mode: e.mode ?? 0o644,
            mtime: MTIME,
          },
          body: e.data,
        }
      : {
          header: { name: e.name, type: 'directory' as const, size: 0, mode: e.mode ?? 0o755, mtime: MTIME },
        },
  );
}

/** Each header block's position, in order (PAX headers included). */
function headerOffsets(tar: Uint8Array): number[] {
  const offsets: number[] = [];
  for (let at = 0; at < tar.length && tar[at] !== 0; ) {
    offsets.push(at);
    const size = Number.parseInt(new TextDecoder().decode(tar.subarray(at + 124, at + 135)), 8);
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return offsets;
}

const field = (tar: Uint8Array, at: number, offset: number, size: number) =>
  new TextDecoder().decode(tar.subarray(at + offset, at + offset + size)).replace(/\0+$/, '');

describe('writeTar', () => {
  it('writes what modern-tar reads back: names, types, modes, sizes, mtimes, owners and data', async () => {
    const tar = writeTar(ENTRIES, { mtime: MTIME });
    const read = await unpackTar(tar, { strict: true });
    expect(read.map((e) => e.header.name)).toEqual(ENTRIES.map((e) => e.name));
    for (const [i, entry] of ENTRIES.entries()) {
      const { header, data } = read[i]!;
      expect(header.type).toBe(entry.type);
      expect(header.mode).toBe(entry.mode ?? (entry.type === 'file' ? 0o644 : 0o755));
      expect(header.mtime?.getTime()).toBe(1_700_000_000_000);
      expect([header.uid, header.gid]).toEqual([0, 0]);
      if (entry.type === 'file') {
        expect(header.size).toBe(entry.data.byteLength);
        expect([...(data ?? [])]).toEqual([...entry.data]);
      }
    }
  });

  it('is byte-identical to modern-tar packTar for the same entries', async () => {
    const ours = writeTar(ENTRIES, { mtime: MTIME });
    const theirs = await packTar(modernTarEntries(ENTRIES));
    expect(Buffer.from(ours).equals(Buffer.from(theirs))).toBe(true);
  });

  it('ends with two zero blocks; an empty archive is just those', () => {
    expect([...writeTar([], { mtime: MTIME })]).toEqual(new Array(1024).fill(0));
    const tar = writeTar([file('a', 'abc')], { mtime: MTIME });
    expect(tar.length).toBe(512 + 512 + 1024);
    expect(tar.subarray(1024).every((b) => b === 0)).toBe(true);
  });

  it('keeps a name of up to 100 bytes in the name field, with no prefix and no PAX header', () => {
    const tar = writeTar([file(NAMES.name100)], { mtime: MTIME });
    expect(headerOffsets(tar)).toEqual([0]);
    expect(field(tar, 0, 0, 100)).toBe(NAMES.name100);
    expect(field(tar, 0, 345, 155)).toBe('');
    expect(field(tar, 0, 257, 8)).toBe('ustar\u000000');
  });

  it('splits a longer name at the rightmost "/" that leaves ≤ 155 bytes of prefix and ≤ 100 of name', () => {
    const tar = writeTar([file(NAMES.split155and100), file(NAMES.deep)], { mtime: MTIME });
    const [first, second] = headerOffsets(tar);
    expect(field(tar, first!, 345, 155)).toBe('p'.repeat(155));
    expect(field(tar, first!, 0, 100)).toBe('n'.repeat(100));
    expect(field(tar, second!, 345, 155)).toBe(`${'d/'.repeat(77)}d`);
    expect(`${field(tar, second!, 345, 155)}/${field(tar, second!, 0, 100)}`).toBe(NAMES.deep);
  });

  it.each([
    ['a name of 101 bytes without a "/"', NAMES.name101],
    ['a prefix of 156 bytes', NAMES.prefix156],
    ['a last segment of 101 bytes', NAMES.name101AfterSlash],
    ['257 bytes in all', NAMES.total257],
  ])('writes a PAX "path" record for %s, the name field keeping its first 100 bytes', (_, name) => {
    const tar = writeTar([file(name)], { mtime: MTIME });
    const [pax, header] = headerOffsets(tar);
    expect(String.fromCharCode(tar[pax! + 156]!)).toBe('x');
    expect(field(tar, pax!, 0, 100)).toBe(`PaxHeader/${name}`.slice(0, 100));
    const record = field(tar, pax!, 512, 512);
    expect(record).toBe(`${record.split(' ')[0]} path=${name}\n`);
    expect(Number(record.split(' ')[0])).toBe(record.length);
    expect(field(tar, header!, 0, 100)).toBe(name.slice(0, 100));
    expect(field(tar, header!, 345, 155)).toBe('');
  });

  it('counts UTF-8 bytes, never cutting a character in the name fields', async () => {
    const name = `x${'é'.repeat(51)}`; // 103 bytes, no '/': PAX
    const tar = writeTar([file(name)], { mtime: MTIME });
    const [pax, header] = headerOffsets(tar);
    expect(field(tar, header!, 0, 100)).toBe(`x${'é'.repeat(49)}`);
    // modern-tar would cut "PaxHeader/xéé…" inside a character here; we stop before it.
    expect(field(tar, pax!, 0, 100)).toBe(`PaxHeader/x${'é'.repeat(44)}`);
    expect((await unpackTar(tar, { strict: true }))[0]?.header.name).toBe(name);
    const split = writeTar([file(NAMES.nonAsciiSplit)], { mtime: MTIME });
    expect(headerOffsets(split)).toHaveLength(1);
    expect(field(split, 0, 345, 155)).toBe('é'.repeat(60));
  });

  it('checksums every header, PAX headers included', () => {
    const tar = writeTar(ENTRIES, { mtime: MTIME });
    for (const at of headerOffsets(tar)) {
      let sum = 0;
      for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 0x20 : tar[at + i]!;
      expect(Number.parseInt(field(tar, at, 148, 6), 8)).toBe(sum);
    }
  });
});

const gnuTar = /GNU tar/.test(spawnSync('tar', ['--version'], { encoding: 'utf8' }).stdout ?? '');

describe.skipIf(!gnuTar)('writeTar read by GNU tar', () => {
  const dir = mkdtempSync(join(tmpdir(), 'omps-tar-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('lists every long and non-ASCII name whole, with its type, mode, owner and size', () => {
    const path = join(dir, 'archive.tar');
    writeFileSync(path, writeTar(ENTRIES, { mtime: MTIME }));
    const listing = spawnSync('tar', ['--quoting-style=literal', '--numeric-owner', '-tvf', path], {
      encoding: 'utf8',
      env: { ...process.env, LC_ALL: 'C.UTF-8', TZ: 'UTC' },
    });
    expect(listing.stderr).toBe('');
    expect(listing.status).toBe(0);
    const lines = listing.stdout.trimEnd().split('\n');
    const parsed = lines.map((line) => {
      const match = /^(\S+) (\d+)\/(\d+) +(\d+) 2023-11-14 22:13 (.*)$/.exec(line);
      expect(match, line).not.toBeNull();
      const [, perms, uid, gid, size, name] = match!;
      return { perms, owner: `${uid}/${gid}`, size: Number(size), name };
    });
    expect(parsed).toEqual(
      ENTRIES.map((e) => ({
        perms: e.type === 'directory' ? 'drwxr-xr-x' : e.mode === 0o755 ? '-rwxr-xr-x' : '-rw-r--r--',
        owner: '0/0',
        size: e.type === 'file' ? e.data.byteLength : 0,
        name: e.name,
      })),
    );
  });
});
