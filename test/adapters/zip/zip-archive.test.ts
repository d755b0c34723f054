import { deflateSync, zipSync } from 'fflate';
import { beforeAll, describe, expect, it } from 'vitest';
import { nodeZipCodecs } from '../../../src/adapters/node-native/node-zip-codecs.js';
import { ZipArchive } from '../../../src/adapters/zip/zip-archive.js';
import { webZipCodecs } from '../../../src/adapters/zip/zip-codecs.js';
import { UploadedFileError } from '../../../src/domain/errors.js';
import type { FileEntry } from '../../../src/domain/files.js';
import {
  buildZip,
  FLAG_ENCRYPTED,
  FLAG_UTF8,
  MADE_ON_DOS,
  UNIX_DIRECTORY,
  UNIX_SYMLINK,
  type ZipEntrySpec,
} from '../../support/zip-builder.js';
import { zipCryptoDecrypt, zipCryptoEncrypt, zipCryptoZip } from '../../support/zip-crypto.js';

const MiB = 1024 * 1024;
const LIMIT = 20 * MiB;
/** Every test runs with the Web-standard codecs (edge runtimes) and with Node's native ones. */
const CODECS = [
  ['fflate', webZipCodecs],
  ['node:zlib', nodeZipCodecs],
] as const;
let archive: ZipArchive;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function unpack(bytes: Uint8Array, maxUncompressedSize = LIMIT): Promise<FileEntry[]> {
  return archive.unpack(bytes, { maxUncompressedSize });
}

function texts(files: FileEntry[]): Record<string, string> {
  return Object.fromEntries(files.map((f) => [f.path, decoder.decode(f.data)]));
}

async function refusal(
  bytes: Uint8Array,
  fragment: string | RegExp,
  maxUncompressedSize = LIMIT,
): Promise<UploadedFileError> {
  const error = await unpack(bytes, maxUncompressedSize).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UploadedFileError);
  const refused = error as UploadedFileError;
  expect(refused.id).toBe('OMPSUploadedFileError');
  expect(refused.message).toMatch(fragment);
  return refused;
}

function refusalOf(entries: ZipEntrySpec[], fragment: string | RegExp, maxUncompressedSize = LIMIT) {
  return refusal(buildZip(entries), fragment, maxUncompressedSize);
}

const dir = (name: string): ZipEntrySpec => ({ name, method: 0, externalAttributes: UNIX_DIRECTORY });

/** Compressible text in the shape of manifests; deterministic. */
function manifestLikeText(size: number): Uint8Array {
  let seed = 42;
  const rnd = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed >>> 8;
  };
  const templates = [
    'apiVersion: v1\n',
    'kind: ClusterServiceVersion\n',
    '  name: etcd-operator-',
    '  replicas: ',
    '    image: quay.io/coreos/etcd:v',
    '  labels:\n    app: etcd\n',
    '- containers:\n',
  ];
  const lines: string[] = [];
  for (let length = 0; length < size; ) {
    const line = `${templates[rnd() % templates.length]}${rnd() % 300}\n`;
    lines.push(line);
    length += line.length;
  }
  return encoder.encode(lines.join('')).subarray(0, size);
}

describe.each(CODECS)('with %s codecs', (_name, codecs) => {
  beforeAll(() => {
    archive = new ZipArchive(codecs);
  });

  describe('ZipArchive: valid archives', () => {
    it('unpacks a flat zip, sorted by path, stored and deflated entries alike', async () => {
      const zip = buildZip([
        { name: 'packages.yaml', data: 'packageName: etcd\n', method: 8 },
        { name: 'csv.yaml', data: 'kind: ClusterServiceVersion\n', method: 0 },
        { name: 'README', data: 'hello', method: 0 },
        { name: 'crd.yml', data: 'kind: CustomResourceDefinition\n'.repeat(50), method: 8 },
      ]);
      const files = await unpack(zip);
      expect(files.map((f) => f.path)).toEqual(['README', 'crd.yml', 'csv.yaml', 'packages.yaml']);
      expect(texts(files)).toEqual({
        README: 'hello',
        'crd.yml': 'kind: CustomResourceDefinition\n'.repeat(50),
        'csv.yaml': 'kind: ClusterServiceVersion\n',
        'packages.yaml': 'packageName: etcd\n',
      });
    });

    it('keeps a single top-level folder in the paths and omits directory entries', async () => {
      const zip = buildZip([
        dir('bundle/'),
        { name: 'bundle/packages.yaml', data: 'packageName: etcd\n' },
        dir('bundle/0.9.0/'),
        { name: 'bundle/0.9.0/csv.yaml', data: 'kind: ClusterServiceVersion\n', method: 0 },
        dir('bundle/empty/'),
      ]);
      const files = await unpack(zip);
      expect(files.map((f) => f.path)).toEqual(['bundle/0.9.0/csv.yaml', 'bundle/packages.yaml']);
    });

    it('sorts by plain code units', async () => {
      const zip = buildZip([{ name: 'b' }, { name: 'a' }, { name: 'B' }, { name: '_' }, { name: 'a.yaml' }]);
      expect((await unpack(zip)).map((f) => f.path)).toEqual(['B', '_', 'a', 'a.yaml', 'b']);
    });

    it('reads what a real zipper (fflate zipSync) writes, including empty files', async () => {
      const zip = zipSync(
        {
          operator: {
            'packages.yaml': encoder.encode('packageName: x\n'),
            'empty.yaml': new Uint8Array(),
            'stored.txt': [encoder.encode('stored'), { level: 0 }],
            nothing: {},
          },
        },
        { level: 9 },
      );
      expect(texts(await unpack(zip))).toEqual({
        'operator/empty.yaml': '',
        'operator/packages.yaml': 'packageName: x\n',
        'operator/stored.txt': 'stored',
      });
    });

    it('finds the end record behind a comment, even one that contains a fake end signature', async () => {
      const zip = buildZip([{ name: 'a.yaml', data: 'a: 1\n' }], { comment: 'made by PK\x05\x06 tests' });
      expect(texts(await unpack(zip))).toEqual({ 'a.yaml': 'a: 1\n' });
    });

    it('accepts entries with data descriptors, local extra fields and a ZIP64 archive', async () => {
      const entries: ZipEntrySpec[] = [
        { name: 'd.yaml', data: 'd: 1\n', dataDescriptor: true },
        { name: 'e.yaml', data: 'e: 1\n', localExtra: new Uint8Array([0xfe, 0xca, 2, 0, 1, 2]) },
      ];
      expect(texts(await unpack(buildZip(entries)))).toEqual({ 'd.yaml': 'd: 1\n', 'e.yaml': 'e: 1\n' });
      expect(texts(await unpack(buildZip(entries, { zip64: true })))).toEqual({
        'd.yaml': 'd: 1\n',
        'e.yaml': 'e: 1\n',
      });
    });

    it('decodes flagged names as UTF-8 and unflagged ones as CP437', async () => {
      const zip = buildZip([
        { name: 'größe.yaml', data: 'x' }, // non-ASCII string names get the UTF-8 flag
        { name: new Uint8Array([0x63, 0x61, 0x66, 0x82, 0x2e, 0x79, 0x6d, 0x6c]), data: 'y', flags: 0 },
      ]);
      expect((await unpack(zip)).map((f) => f.path)).toEqual(['café.yml', 'größe.yaml']);
    });

    it('reads a deflated entry of no bytes at all as an empty file', async () => {
      const zip = buildZip([
        { name: 'empty.yaml', compressed: new Uint8Array(), uncompressedSize: 0, crc: 0 },
      ]);
      expect(texts(await unpack(zip))).toEqual({ 'empty.yaml': '' });
    });

    it('returns [] for an archive without entries', async () => {
      expect(await unpack(buildZip([]))).toEqual([]);
    });

    it('accepts exactly the limit, names of 1,024 bytes and 32 folders', async () => {
      const data = new Uint8Array(1000).fill(7);
      const zip = buildZip([
        { name: 'a.bin', data, method: 8 },
        { name: 'b.bin', data, method: 0 },
        { name: 'n'.repeat(1024), data: '' },
        { name: `${'d/'.repeat(32)}deep.yaml`, data: '' },
      ]);
      const files = await unpack(zip, 2000);
      expect(files.map((f) => [f.path.slice(0, 5), f.data.length])).toEqual([
        ['a.bin', 1000],
        ['b.bin', 1000],
        ['d/d/d', 0],
        ['nnnnn', 0],
      ]);
    });

    it('returns copies that do not keep the upload alive', async () => {
      const zip = buildZip([{ name: 'a', data: 'abc', method: 0 }]);
      const [file] = await unpack(zip);
      expect(file?.data.buffer).not.toBe(zip.buffer);
    });

    it('unpacks a 2 MB zip inflating to 20 MB, exactly at the limit', async () => {
      const data = manifestLikeText(LIMIT);
      const zip = buildZip([
        { name: 'big/one.yaml', data: data.subarray(0, 12 * MiB) },
        { name: 'big/two.yaml', data: data.subarray(12 * MiB) },
      ]);
      expect(zip.length).toBeLessThan(3 * MiB);
      const files = await unpack(zip);
      expect(files.map((f) => f.data.length)).toEqual([12 * MiB, 8 * MiB]);
      // (vitest's deep equality is far too slow on 12 MB: compare with Buffer.)
      expect(Buffer.from(files[0]!.data).equals(data.subarray(0, 12 * MiB))).toBe(true);
      expect(Buffer.from(files[1]!.data).equals(data.subarray(12 * MiB))).toBe(true);
    });
  });

  describe('ZipArchive: sizes and zip bombs', () => {
    it('refuses an uncompressed size that lies bigger than the real one', async () => {
      await refusalOf(
        [{ name: 'a', data: 'hello', uncompressedSize: 50 }],
        /corrupt.*'a' unpacks to 5 bytes.*says 50/,
      );
      await refusalOf([{ name: 'a', data: 'hello', method: 0, uncompressedSize: 50 }], /corrupt/);
    });

    it('refuses an uncompressed size that lies smaller than the real one', async () => {
      await refusalOf([{ name: 'a', data: 'hello world', uncompressedSize: 3 }], /corrupt.*says 3/);
    });

    it('counts the real size of an entry one byte larger than declared, or one byte smaller', async () => {
      await refusalOf([{ name: 'a', data: 'hello', uncompressedSize: 4 }], /unpacks to 5 bytes .*says 4/);
      await refusalOf([{ name: 'a', data: 'hello', uncompressedSize: 6 }], /unpacks to 5 bytes .*says 6/);
    });

    it('refuses a bomb declared small once the limit is passed', async () => {
      const zeros = deflateSync(new Uint8Array(10_000_000));
      const zip = buildZip([
        { name: 'bomb1', compressed: zeros, uncompressedSize: 1000, crc: 0 },
        { name: 'bomb2', compressed: zeros, uncompressedSize: 1000, crc: 0 },
      ]);
      expect(zip.length).toBeLessThan(30_000);
      await refusal(zip, 'Uncompressed archive is larger than limit (more than 1048576B)', MiB);
    });

    it('refuses a bomb declared at its true size before inflating anything', async () => {
      const zeros = deflateSync(new Uint8Array(10_000_000));
      const zip = buildZip([{ name: 'bomb', compressed: zeros, uncompressedSize: 10_000_000 }]);
      await refusal(zip, /^Uncompressed archive is larger than limit/, MiB);
      // A huge declared size is never allocated.
      await refusalOf(
        [{ name: 'huge', data: 'x', uncompressedSize: 0xfffffffe }],
        /^Uncompressed archive is larger than limit/,
      );
    });

    it('counts the total across entries', async () => {
      const chunk = new Uint8Array(600_000).fill(1);
      await refusalOf(
        [
          { name: 'a', data: chunk },
          { name: 'b', data: chunk },
        ],
        /^Uncompressed archive is larger than limit \(more than 1000000B\)/,
        1_000_000,
      );
      // The second entry lies (declares 100 bytes): the real bytes are counted while inflating.
      await refusalOf(
        [
          { name: 'a', data: chunk },
          { name: 'b', data: chunk, uncompressedSize: 100 },
        ],
        /^Uncompressed archive is larger than limit/,
        1_000_000,
      );
      await refusalOf(
        [
          { name: 'a', data: chunk, method: 0 },
          { name: 'b', data: chunk, method: 0, uncompressedSize: 100 },
        ],
        /^Uncompressed archive is larger than limit/,
        1_000_000,
      );
    });
  });

  describe('ZipArchive: corrupt, encrypted and unsupported archives', () => {
    it('refuses bytes that are not a zip', async () => {
      await refusal(encoder.encode('this is not a zip archive at all'), 'File is not a zip file');
      await refusal(
        new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
        /^File is not a zip file/,
      );
      await refusal(encoder.encode('PK'), /^File is not a zip file/);
    });

    it('refuses empty input', async () => {
      await refusal(new Uint8Array(), /^File is not a zip file \(it is empty\)/);
    });

    it('refuses a truncated archive', async () => {
      const zip = buildZip([
        { name: 'a.yaml', data: 'a: 1\n'.repeat(100) },
        { name: 'b.yaml', data: 'b: 1\n'.repeat(100) },
      ]);
      for (const cut of [10, 30, 60, Math.floor(zip.length / 2), zip.length - 1]) {
        await refusal(zip.subarray(0, zip.length - cut), /^File is not a zip file/);
      }
      await refusal(zip.subarray(0, 40), /corrupt.*truncated/);
    });

    it('refuses a corrupt central directory', async () => {
      const entries: ZipEntrySpec[] = [
        { name: 'a', data: 'a' },
        { name: 'b', data: 'b' },
      ];
      await refusal(buildZip(entries, { centralDirectoryOffset: 3 }), /corrupt.*central directory/);
      await refusal(buildZip(entries, { totalEntries: 3 }), /corrupt.*central directory/);
      await refusal(buildZip(entries, { totalEntries: 1 }), /corrupt.*central directory/);
      await refusal(buildZip(entries, { centralDirectorySize: 1_000_000 }), /corrupt.*central directory/);
    });

    it('refuses a local header that does not match the central directory', async () => {
      await refusalOf([{ name: 'safe.yaml', localName: '../evil', data: 'x' }], /corrupt.*local header/);
    });

    it('refuses a CRC mismatch', async () => {
      await refusalOf(
        [{ name: 'a.yaml', data: 'a: 1\n', crc: 0x12345678 }],
        'CRC check failed for file a.yaml in archive',
      );
      await refusalOf(
        [{ name: 'b.yaml', data: 'b: 1\n', method: 0, crc: 1 }],
        'CRC check failed for file b.yaml in archive',
      );
    });

    it('refuses a damaged deflate stream as corrupt, whatever the decompressor throws', async () => {
      const good = deflateSync(encoder.encode('hello world, '.repeat(1000)));
      const garbage = new Uint8Array(64).fill(0xff);
      await refusalOf(
        [{ name: 'g', compressed: garbage, uncompressedSize: 10 }],
        /corrupt: damaged deflate data in 'g'/,
      );
      const truncated = good.subarray(0, good.length - 5);
      await refusalOf(
        [{ name: 't', compressed: truncated, uncompressedSize: 13_000 }],
        /corrupt: damaged deflate/,
      );
      const damaged = good.slice();
      for (let i = 4; i < damaged.length; i += 7) damaged[i] = (damaged[i] ?? 0) ^ 0x5a;
      await refusalOf(
        [{ name: 'd', compressed: damaged, uncompressedSize: 13_000 }],
        /^(File is not a zip file|CRC check failed for file d in archive)/,
      );
    });

    it('refuses encrypted entries', async () => {
      await refusalOf(
        [{ name: 'secret.yaml', data: 'x', flags: FLAG_ENCRYPTED }],
        "File 'secret.yaml' is encrypted, password required for extraction",
      );
      await refusalOf(
        [{ name: 'local.yaml', data: 'x', localFlags: FLAG_ENCRYPTED }],
        /^File 'local.yaml' is encrypted, password required for extraction/,
      );
      await refusalOf([{ name: 'aes.yaml', data: 'x', method: 99 }], /^File 'aes.yaml' is encrypted/);
    });

    it('the ZipCrypto helper writes what Info-ZIP unzip decrypts (known answer), and reads it back', () => {
      const data = encoder.encode('hello stored');
      const crc = 0x2473a38e;
      // `unzip -P omps-test -t` accepted these bytes as the stored entry "stored.txt".
      const known = Buffer.from('1dfc9f800d15b1b8f0aa276ca00ffb65d7eb0c0612805989', 'hex');
      const stored = zipCryptoEncrypt(data, crc, 'omps-test', 2);
      expect(Buffer.from(stored).equals(known)).toBe(true);
      expect(decoder.decode(zipCryptoDecrypt(stored, crc, 'omps-test'))).toBe('hello stored');
      expect(() => zipCryptoDecrypt(stored, crc, 'not-the-password')).toThrow('wrong password');
    });

    it('refuses a genuinely ZipCrypto-encrypted archive as encrypted (deflated and stored entries)', async () => {
      const secret = 'packageName: secret\nchannels: []\n';
      await refusal(
        zipCryptoZip([{ name: 'file', data: secret }], 'hunter2'),
        "File 'file' is encrypted, password required for extraction",
      );
      await refusal(
        zipCryptoZip([{ name: 'plain-looking.yaml', data: secret, method: 0 }], 'hunter2'),
        "File 'plain-looking.yaml' is encrypted, password required for extraction",
      );
    });

    it('refuses unsupported compression methods', async () => {
      await refusalOf([{ name: 'a.bz2', data: 'x', method: 12 }], /unsupported compression method 12/);
    });
  });

  describe('ZipArchive: unsafe and malformed names', () => {
    it.each([
      ['../x', /Unsafe path.*'\.\.\/x'.*'\.\.' segment/],
      ['a/../../x', /Unsafe path.*'\.\.' segment/],
      ['a/..', /Unsafe path/],
      ['/etc/passwd', /Unsafe path.*'\/etc\/passwd' \(absolute path\)/],
      ['a\\b.yaml', /Unsafe path.*backslash/],
      ['..\\x', /Unsafe path.*backslash/],
      ['C:/Windows/x.yaml', /Unsafe path.*drive letter/],
      ['c:x.yaml', /Unsafe path.*drive letter/],
      ['a\0b.yaml', /Unsafe path.*'a\\u0000b\.yaml'.*NUL/],
      ['', /Malformed name.*empty name/],
      ['.', /Malformed name.*'\.' segment/],
      ['./a.yaml', /Malformed name.*'\.' segment/],
      ['a/./b.yaml', /Malformed name.*'\.' segment/],
      ['a//b.yaml', /Malformed name.*empty segment/],
    ])('refuses %j', async (name, fragment) => {
      await refusalOf([{ name, data: 'x' }], fragment);
    });

    it('refuses traversal in directory entries too', async () => {
      await refusalOf([dir('../up/')], /Unsafe path/);
      await refusalOf([dir('/')], /Unsafe path.*absolute/);
    });

    it('refuses symbolic-link entries', async () => {
      await refusalOf(
        [{ name: 'link.yaml', data: '/etc/passwd', externalAttributes: UNIX_SYMLINK }],
        "Zip archive contains a symbolic link: 'link.yaml'",
      );
      await refusalOf(
        [{ name: 'link', data: '/etc', externalAttributes: UNIX_SYMLINK, versionMadeBy: MADE_ON_DOS }],
        /symbolic link/,
      );
    });

    it('refuses the same path twice', async () => {
      await refusalOf(
        [
          { name: 'a.yaml', data: '1' },
          { name: 'a.yaml', data: '2' },
        ],
        "Zip archive contains the same path twice: 'a.yaml'",
      );
      await refusalOf([dir('d/'), dir('d/')], /same path twice: 'd'/);
    });

    it('refuses a path that is both a file and a folder', async () => {
      const fragment = "Zip archive has a path that is both a file and a folder: 'a'";
      await refusalOf([{ name: 'a' }, { name: 'a/b' }], fragment);
      await refusalOf([{ name: 'a/b' }, { name: 'a' }], fragment);
      await refusalOf([{ name: 'a' }, dir('a/')], fragment);
      await refusalOf([dir('a/'), { name: 'a' }], fragment);
      await refusalOf([{ name: 'x/a' }, { name: 'x/a/b/c' }], /both a file and a folder: 'x\/a'/);
    });

    it('refuses names over 1,024 bytes', async () => {
      await refusalOf([{ name: 'n'.repeat(1025) }], /Malformed name.*longer than 1024 bytes/);
      await refusalOf([{ name: 'é'.repeat(513) }], /longer than 1024 bytes/); // 1,026 bytes of UTF-8
    });

    it('refuses names deeper than 32 folders', async () => {
      await refusalOf([{ name: `${'d/'.repeat(33)}deep.yaml` }], /Malformed name.*deeper than 32 folders/);
      await refusalOf([dir('d/'.repeat(33))], /deeper than 32 folders/);
    });

    it('refuses invalid UTF-8 in a name flagged UTF-8', async () => {
      const name = new Uint8Array([0x61, 0xff, 0xfe, 0x2e, 0x79, 0x61, 0x6d, 0x6c]);
      await refusalOf([{ name, flags: FLAG_UTF8 }], /Malformed name.*invalid UTF-8/);
    });

    it('refuses more than 10,000 entries, directories included', async () => {
      const entries: ZipEntrySpec[] = [dir('d/')];
      for (let i = 0; i < 10_000; i++) entries.push({ name: `d/${i}`, method: 0 });
      await refusal(buildZip(entries), 'Zip archive has too many entries (more than 10000)');
      const accepted = await unpack(buildZip(entries.slice(0, 10_000)));
      expect(accepted).toHaveLength(9_999);
    });
  });
});
