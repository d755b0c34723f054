/**
 * Traditional PKWARE encryption ("ZipCrypto", APPNOTE.TXT §6.1) for tests.
 * Archives made here are encrypted for real, as an old `zip -e` would do it,
 * so the reader's refusal is tested on a genuine encrypted entry and not only
 * on a flag bit.
 */
import { crc32 } from 'node:zlib';
import { deflateSync } from 'fflate';
import { buildZip, FLAG_ENCRYPTED } from './zip-builder.js';

/** The CRC-32 table (polynomial 0xEDB88320): the key schedule steps CRC-32 one byte at a time. */
const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

const crcStep = (crc: number, byte: number) => (CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8)) >>> 0;

/** The three 32-bit keys, initialised from the password. */
class Keys {
  private k0 = 0x12345678;
  private k1 = 0x23456789;
  private k2 = 0x34567890;

  constructor(password: string) {
    for (const byte of new TextEncoder().encode(password)) this.update(byte);
  }

  /** Mixes one plaintext byte into the keys. */
  private update(byte: number): void {
    this.k0 = crcStep(this.k0, byte);
    this.k1 = (this.k1 + (this.k0 & 0xff)) >>> 0;
    this.k1 = (Math.imul(this.k1, 134775813) + 1) >>> 0;
    this.k2 = crcStep(this.k2, this.k1 >>> 24);
  }

  private streamByte(): number {
    const t = (this.k2 & 0xffff) | 2;
    return (Math.imul(t, t ^ 1) >>> 8) & 0xff;
  }

  encrypt(plain: Uint8Array): Uint8Array {
    return plain.map((p) => {
      const c = p ^ this.streamByte();
      this.update(p);
      return c;
    });
  }

  decrypt(cipher: Uint8Array): Uint8Array {
    return cipher.map((c) => {
      const p = c ^ this.streamByte();
      this.update(p);
      return p;
    });
  }
}

/**
 * The stored bytes of an encrypted entry: the 12-byte encryption header
 * (11 filler bytes, then the CRC's high byte the password is checked against),
 * then the (compressed) data, all run through the key stream.
 */
export function zipCryptoEncrypt(body: Uint8Array, crc: number, password: string, seed = 1): Uint8Array {
  const header = new Uint8Array(12);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < 11; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    header[i] = s >>> 24;
  }
  header[11] = crc >>> 24;
  const plain = new Uint8Array(12 + body.length);
  plain.set(header);
  plain.set(body, 12);
  return new Keys(password).encrypt(plain);
}

/** The inverse, for the helper's own test: the data after the header, or an error on a wrong password. */
export function zipCryptoDecrypt(stored: Uint8Array, crc: number, password: string): Uint8Array {
  const plain = new Keys(password).decrypt(stored);
  if (plain[11] !== crc >>> 24) throw new Error('wrong password');
  return plain.subarray(12);
}

export interface EncryptedFile {
  name: string;
  data: string | Uint8Array;
  /** 8 = deflate (the default), 0 = stored. */
  method?: 0 | 8;
}

/** A zip whose every entry is ZipCrypto-encrypted with `password`. */
export function zipCryptoZip(files: readonly EncryptedFile[], password: string): Uint8Array {
  return buildZip(
    files.map((file, i) => {
      const data = typeof file.data === 'string' ? new TextEncoder().encode(file.data) : file.data;
      const method = file.method ?? 8;
      const crc = crc32(data);
      const body = method === 8 ? deflateSync(data) : data;
      return {
        name: file.name,
        data,
        method,
        crc,
        compressed: zipCryptoEncrypt(body, crc, password, i + 1),
        uncompressedSize: data.length,
        flags: FLAG_ENCRYPTED,
      };
    }),
  );
}
