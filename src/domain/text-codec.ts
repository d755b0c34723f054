/**
 * UTF-8 both ways, for the manifests a bundle job reads and writes. The
 * default is Web-standard (TextDecoder/TextEncoder); Node injects native
 * ones that give the same results several times faster on multi-MB files.
 */
/**
 * A block literal's lines: `text` with every non-empty line to be prefixed
 * by `indent` (spaces only). No line of `text` ends with a space. Kept apart
 * so that a multi-MB one can be encoded without building the indented string.
 */
export interface IndentedText {
  readonly text: string;
  readonly indent: string;
}

/** A piece of a text: a string, or lines to indent. */
export type TextPart = string | IndentedText;

export interface TextCodec {
  /** Strict UTF-8 (a leading BOM dropped); throws on invalid bytes. */
  decode(bytes: Uint8Array): string;
  /** UTF-8 bytes of `text` (lone surrogates as U+FFFD), in a buffer of their own. */
  encode(text: string): Uint8Array;
  /**
   * The bytes of the parts' concatenation (no part ends inside a surrogate
   * pair), indented lines indented. Big parts can be encoded where they are,
   * never copied into one string.
   */
  encodeParts(parts: readonly TextPart[]): Uint8Array;
}

const strict = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

export const webTextCodec: TextCodec = {
  decode: (bytes) => strict.decode(bytes),
  encode: (text) => encoder.encode(text),
  encodeParts: (parts) =>
    encoder.encode(parts.map((p) => (typeof p === 'string' ? p : indentLines(p.text, p.indent))).join('')),
};

const SPACES = /^ *$/;

/** Whether the indent is what IndentedText allows (spaces only). */
export function isIndentedText(part: IndentedText): boolean {
  return SPACES.test(part.indent);
}

/**
 * Every line of `text` prefixed with `indent`, except empty lines. With an
 * indent of spaces and no line ending with a space: two native passes over
 * the whole string instead of one piece per line (a multi-MB description
 * has ~100,000 lines): indent every line, then take the indent back where
 * a newline follows it, which can only be an empty line's.
 */
export function indentLines(text: string, indent: string): string {
  if (indent === '' || !SPACES.test(indent)) return indentByLine(text, indent);
  let out = indent + text.replaceAll('\n', `\n${indent}`);
  if (text === '' || text.includes('\n\n') || text.startsWith('\n')) {
    out = out.replaceAll(`${indent}\n`, '\n');
  }
  return text === '' || text.endsWith('\n') ? out.slice(0, -indent.length) : out;
}

function indentByLine(text: string, indent: string): string {
  let out = '';
  let first = true;
  for (const line of text.split('\n')) {
    if (!first) out += '\n';
    if (line !== '') out += indent + line;
    first = false;
  }
  return out;
}
