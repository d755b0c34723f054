/**
 * UTF-8 both ways, for the manifests a bundle job reads and writes. The
 * default is Web-standard (TextDecoder/TextEncoder); Node injects native
 * ones that give the same results several times faster on multi-MB files.
 */
export interface TextCodec {
  /** Strict UTF-8 (a leading BOM dropped); throws on invalid bytes. */
  decode(bytes: Uint8Array): string;
  /** UTF-8 bytes of `text` (lone surrogates as U+FFFD), in a buffer of their own. */
  encode(text: string): Uint8Array;
  /**
   * The bytes of the parts' concatenation (no part ends inside a surrogate
   * pair). Big parts can be encoded where they are, never copied into one string.
   */
  encodeParts(parts: readonly string[]): Uint8Array;
}

const strict = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

export const webTextCodec: TextCodec = {
  decode: (bytes) => strict.decode(bytes),
  encode: (text) => encoder.encode(text),
  encodeParts: (parts) => encoder.encode(parts.join('')),
};
