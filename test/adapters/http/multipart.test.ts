import { describe, expect, it } from 'vitest';
import { boundaryOf, MultipartError, parseMultipart } from '../../../src/adapters/http/multipart.js';

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
});
