import { describe, expect, it } from 'vitest';
import {
  ByteFinder,
  boundaryOf,
  MAX_BOUNDARY_LENGTH,
  MultipartError,
  parseMultipart,
} from '../../../src/adapters/http/multipart.js';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

describe('multipart reader', () => {
  it('finds the boundary, quoted or not, only for multipart/form-data', () => {
    expect(boundaryOf('multipart/form-data; boundary=abc')).toBe('abc');
    expect(boundaryOf('Multipart/Form-Data; charset=utf-8; boundary="a b;c"')).toBe('a b;c');
    expect(boundaryOf('multipart/mixed; boundary=abc')).toBeUndefined();
    expect(boundaryOf('text/plain')).toBeUndefined();
    expect(boundaryOf('multipart/form-data')).toBeUndefined();
  });

  it('reads parts with names, filenames and binary data', () => {
    const body = new Uint8Array([
      ...enc('preamble\r\n--XX\r\nContent-Disposition: form-data; name="field"\r\n\r\nvalue\r\n'),
      ...enc(
        '--XX\r\nContent-Disposition: form-data; name="file"; filename="a \\"b\\".zip"\r\nContent-Type: application/zip\r\n\r\n',
      ),
      0,
      13,
      10,
      45,
      45,
      255,
      ...enc('\r\n--XX--\r\n'),
    ]);
    const parts = parseMultipart(body, 'XX');
    expect(parts.map((p) => [p.name, p.filename])).toEqual([
      ['field', undefined],
      ['file', 'a "b".zip'],
    ]);
    expect(dec(parts[0]!.data)).toBe('value');
    expect([...parts[1]!.data]).toEqual([0, 13, 10, 45, 45, 255]);
  });

  it('distinguishes an empty filename from none, and reads RFC 5987 names', () => {
    const body = enc(
      '--b\r\nContent-Disposition: form-data; name="file"; filename=""\r\n\r\n\r\n' +
        '--b\r\nContent-Disposition: form-data; name="f2"; filename*=UTF-8\'\'%C3%A9.zip\r\n\r\nx\r\n--b--',
    );
    const parts = parseMultipart(body, 'b');
    expect(parts[0]!.filename).toBe('');
    expect(parts[1]!.filename).toBe('é.zip');
  });

  it.each([
    ['no boundary', 'hello'],
    ['truncated', '--b\r\nContent-Disposition: form-data; name="file"\r\n\r\nabc'],
    ['headers not terminated', '--b\r\nContent-Disposition: form-data; name="file"'],
    ['no disposition', '--b\r\nContent-Type: text/plain\r\n\r\nabc\r\n--b--'],
  ])('refuses a body with %s', (_, body) => {
    expect(() => parseMultipart(enc(body), 'b')).toThrow(MultipartError);
  });

  it('takes boundaries of up to 70 characters (RFC 2046) and refuses longer ones', () => {
    expect(MAX_BOUNDARY_LENGTH).toBe(70);
    const ok = 'b'.repeat(70);
    const body = (b: string) =>
      enc(`--${b}\r\nContent-Disposition: form-data; name="f"\r\n\r\nv\r\n--${b}--`);
    expect(parseMultipart(body(ok), ok).map((p) => dec(p.data))).toEqual(['v']);
    const long = 'b'.repeat(71);
    expect(boundaryOf(`multipart/form-data; boundary=${long}`)).toBe(long);
    expect(() => parseMultipart(body(long), long)).toThrow(/longer than 70 characters/);
  });

  it('reads a body made of near-miss delimiters correctly (the search is linear, not quadratic)', () => {
    const boundary = 'x'.repeat(70);
    // Each near miss matches all but the last byte of CRLF--boundary: a naive search re-reads
    // it whole at every start; the search here reads each byte at most twice.
    const nearMiss = `\r\n--${'x'.repeat(69)}y`;
    const data = `${nearMiss.repeat(20_000)}\r\n--${'x'.repeat(69)}`; // ~1.5 MB
    const text =
      `${`--${'x'.repeat(69)}y`.repeat(1_000)}\r\n--${boundary}\r\n` +
      `Content-Disposition: form-data; name="file"; filename="a.zip"\r\n\r\n${data}\r\n--${boundary}--\r\n`;
    const parts = parseMultipart(enc(text), boundary);
    expect(parts).toHaveLength(1);
    expect(parts[0]!.filename).toBe('a.zip');
    expect(parts[0]!.data.length).toBe(data.length);
    expect(dec(parts[0]!.data)).toBe(data);
  });

  it('finds the first delimiter after a preamble of near misses that overlap themselves (a boundary of dashes)', () => {
    const boundary = '-'.repeat(70);
    // Every dash could start the 72-dash delimiter: a naive search compares ~36 bytes per byte here.
    const preamble = `${'-'.repeat(71)}y`.repeat(14_000); // ~1 MB
    const text = `${preamble}\r\n--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="z.zip"\r\n\r\nzip\r\n--${boundary}--\r\n`;
    const parts = parseMultipart(enc(text), boundary);
    expect(parts.map((p) => [p.name, p.filename, dec(p.data)])).toEqual([['file', 'z.zip', 'zip']]);
  });

  it('finds exactly what a naive search finds, on random bytes from a small alphabet', () => {
    let seed = 42;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const naive = (hay: Uint8Array, needle: Uint8Array, from: number) => {
      for (let i = from; i + needle.length <= hay.length; i++) {
        if (needle.every((b, j) => hay[i + j] === b)) return i;
      }
      return -1;
    };
    for (let round = 0; round < 2_000; round++) {
      const needle = Uint8Array.from({ length: 1 + random(6) }, () => random(3));
      const hay = Uint8Array.from({ length: random(40) }, () => random(3));
      const from = random(hay.length + 1);
      expect(new ByteFinder(needle).in(hay, from)).toBe(naive(hay, needle, from));
    }
  });
});
