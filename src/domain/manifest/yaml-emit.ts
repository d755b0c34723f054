/**
 * A small, fast block-style YAML emitter for the values our parser produces
 * (null, booleans, numbers, strings, arrays, plain objects). It never folds
 * lines, never emits anchors, and quotes every string that a YAML 1.1 or 1.2
 * parser could read as something else, so PyYAML, Go and JS readers agree.
 * Multi-line strings, and strings wrapped in LiteralString, are block
 * literals whenever a literal can hold them exactly.
 */

import { type IndentedText, indentLines, isIndentedText, type TextPart } from '../text-codec.js';
import { isRecord } from '../values.js';

/** A string to emit as a block literal (`|`) when possible, even on one line. */
export class LiteralString {
  constructor(readonly value: string) {}
}

/**
 * Emits one YAML document (no `---`), ending with a newline. Every non-empty
 * line starts with `baseIndent`, so the text can go inside a block literal as is.
 */
export function emitYaml(value: unknown, baseIndent = ''): string {
  return concatenated(emitYamlParts(value, baseIndent));
}

/**
 * The same text in parts whose concatenation it is: a multi-MB scalar is a
 * part of its own, so the text can be encoded part by part without ever
 * being copied into one string (see TextCodec.encodeParts).
 */
export function emitYamlParts(value: unknown, baseIndent = ''): TextPart[] {
  return new Emitter(baseIndent).root(value);
}

/**
 * Emits a value as a block literal holding its YAML text (`|` + the document
 * indented by `indent`): what operator-courier's bundle.yaml does with each
 * kind's list of manifests. Returns the text after `key: `, newline included.
 */
export function yamlAsBlockLiteral(value: unknown, indent: string): string {
  return concatenated(yamlAsBlockLiteralParts(value, indent));
}

/** {@link yamlAsBlockLiteral} in parts, as {@link emitYamlParts}. */
export function yamlAsBlockLiteralParts(value: unknown, indent: string): TextPart[] {
  const emitter = new Emitter(indent);
  const parts = emitter.root(value);
  // The text is printable and starts with `indent` + a non-space; only chomping varies.
  return [emitter.endsWithBlankLine() ? '|+\n' : '|\n', ...parts];
}

/** Parts as one string, by concatenation: V8 keeps a rope, copied once if ever flattened. */
export function concatenated(parts: readonly TextPart[]): string {
  let text = '';
  for (const part of parts) text += typeof part === 'string' ? part : indentLines(part.text, part.indent);
  return text;
}

/** Pieces at least this long stay parts of their own. */
const BIG_PART = 64 * 1024;

/** Conservative plain-scalar subset, fast path (ASCII, no YAML indicators). */
const PLAIN_ASCII = /^[A-Za-z_/(][\w ./()+=:;~^$?<@,-]*$/;
/** Conservative plain-scalar subset including non-ASCII printable characters. */
const PLAIN =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: YAML's printable set is defined by control characters
  /^[A-Za-z_/(][^\0-\x1f#"'`\\{}[\]&*!|>%\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]*$/u;
/** Plain strings YAML 1.1 or 1.2 would read as null or booleans. */
const RESERVED =
  /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF)$/;
/** Anything a literal block cannot hold verbatim, or that would make its lines ambiguous. */
const NOT_LITERAL =
  /[^\t\n\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd\u{10000}-\u{10ffff}]|[\u2028\u2029]|[ \t]\n|[ \t]$|^\n*$/u;
/**
 * What nearly every multi-line string is: printable ASCII, tabs and
 * newlines, no line ending with a space or tab. Scanning for that without
 * the `u` flag is faster on multi-MB strings; anything else gets NOT_LITERAL.
 */
const NOT_ASCII_LITERAL = /[^\t\n\x20-\x7e]|[ \t]\n/;

function literalFits(s: string): boolean {
  if (NOT_ASCII_LITERAL.test(s)) return !NOT_LITERAL.test(s);
  const last = s.charCodeAt(s.length - 1);
  return last !== 32 && last !== 9 && !ONLY_NEWLINES.test(s);
}

const ONLY_NEWLINES = /^\n*$/;

/** Anything a single-quoted scalar cannot hold on one line verbatim. */
const NOT_SINGLE_QUOTED =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: YAML's printable set is defined by control characters
  /[\0-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff\ud800-\udfff]/u;
/** Characters JSON leaves raw but a YAML double-quoted scalar must escape. */
const NEEDS_ESCAPE = /[\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]/g;

function isPlain(s: string): boolean {
  if (!PLAIN_ASCII.test(s) && !PLAIN.test(s)) return false;
  const last = s.charCodeAt(s.length - 1);
  if (last === 32 /* space */ || last === 58 /* : */) return false;
  if (s.length <= 5 && RESERVED.test(s)) return false;
  return !s.includes(': ') && !s.includes(' #');
}

function doubleQuoted(s: string): string {
  const json = JSON.stringify(s);
  NEEDS_ESCAPE.lastIndex = 0;
  return NEEDS_ESCAPE.test(json)
    ? json.replace(NEEDS_ESCAPE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)
    : json;
}

function stringText(s: string): string {
  if (s === '') return "''";
  if (isPlain(s)) return s;
  return NOT_SINGLE_QUOTED.test(s) ? doubleQuoted(s) : `'${s.replaceAll("'", "''")}'`;
}

function scalarText(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'string':
      return stringText(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return numberText(value);
    default:
      throw new TypeError(`cannot emit a value of type ${typeof value}`);
  }
}

function numberText(n: number): string {
  if (Number.isNaN(n)) return '.nan';
  if (n === Number.POSITIVE_INFINITY) return '.inf';
  if (n === Number.NEGATIVE_INFINITY) return '-.inf';
  if (Object.is(n, -0)) return '-0.0';
  const s = String(n);
  // YAML 1.1 floats need a dot before the exponent ("1e+21" would be a string there).
  const e = s.indexOf('e');
  return e >= 0 && !s.includes('.') ? `${s.slice(0, e)}.0${s.slice(e)}` : s;
}

/**
 * `|`, `|-` or `|+` (with an indentation indicator when needed), and the
 * indented lines (empty ones stay empty) with no final newline. `s` passed
 * literalFits: no line ends with a space or tab.
 */
function literalText(s: string, indent: string): { header: string; lines: IndentedText } {
  const chomp = !s.endsWith('\n') ? '-' : s.endsWith('\n\n') ? '+' : '';
  const indicator = /^\n*[ ]/.test(s) ? '2' : '';
  const body = chomp === '-' ? s : s.slice(0, -1);
  return { header: `|${indicator}${chomp}`, lines: { text: body, indent } };
}

type Mapping = Record<string, unknown>;

/** A mapping to emit as one: not a literal string (which is a record too). */
function isPlainMapping(value: unknown): value is Mapping {
  return isRecord(value) && !(value instanceof LiteralString);
}

function hasKeys(map: Mapping): boolean {
  for (const key in map) if (Object.hasOwn(map, key)) return true;
  return false;
}

class Emitter {
  private readonly indents: string[];
  /** Built by concatenation: V8 keeps it as a rope and flattens it once, cheaper than pushing into an array and joining. */
  private out = '';
  /** What precedes `out`: earlier text, and big pieces as parts of their own. */
  private parts: TextPart[] = [];
  /** The last piece appended: what the text ends with, known without flattening it. */
  private tail = '';
  /** Emitted text of mapping keys seen so far (keys repeat a lot). */
  private readonly keys = new Map<string, string>();

  constructor(base: string) {
    this.indents = [base];
  }

  private indent(level: number): string {
    let s = this.indents[level];
    if (s === undefined) {
      s = `${this.indent(level - 1)}  `;
      this.indents[level] = s;
    }
    return s;
  }

  private emit(piece: string): void {
    this.out += piece;
    this.tail = piece;
  }

  private emitPart(piece: TextPart): void {
    if (this.out !== '') this.parts.push(this.out);
    this.parts.push(piece);
    this.out = '';
    // Indented lines end with a blank line exactly when their text does: empty lines get no indent.
    this.tail = typeof piece === 'string' ? piece : piece.text;
  }

  endsWithBlankLine(): boolean {
    if (this.tail.length >= 2) return this.tail.endsWith('\n\n');
    const last = this.parts.at(-1) ?? '';
    const end =
      this.out.length >= 2 ? this.out : (typeof last === 'string' ? last : last.text).slice(-2) + this.out;
    return end.endsWith('\n\n');
  }

  /** The document's text, in parts. */
  root(value: unknown): TextPart[] {
    this.out = '';
    this.parts = [];
    this.emit(this.indent(0));
    if (Array.isArray(value) && value.length > 0) this.sequence(value, 0);
    else if (isPlainMapping(value) && hasKeys(value)) this.mapping(value, 0);
    else this.line('', value, 0);
    return this.out === '' ? this.parts : [...this.parts, this.out];
  }

  /** `head`, then a value that fits after `key: ` or `- ` (scalars, block literals, empty collections), then a newline. */
  private line(head: string, value: unknown, level: number): void {
    const s = typeof value === 'string' ? value : value instanceof LiteralString ? value.value : undefined;
    if (s === undefined) {
      const text = Array.isArray(value)
        ? '[]'
        : value !== null && typeof value === 'object'
          ? '{}'
          : scalarText(value);
      this.emit(`${head}${text}\n`);
    } else if ((s === value ? s.includes('\n') : s !== '') && literalFits(s)) {
      const { header, lines } = literalText(s, this.indent(level + 1));
      if (lines.text.length < BIG_PART || !isIndentedText(lines)) {
        this.emit(`${head}${header}\n${indentLines(lines.text, lines.indent)}\n`);
      } else {
        this.emit(`${head}${header}\n`);
        this.emitPart(lines);
        this.emit('\n');
      }
    } else {
      this.text(head, stringText(s));
    }
  }

  /** `head`, `text` and a newline; a big text stays a part of its own, never copied. */
  private text(head: string, text: string): void {
    if (text.length < BIG_PART) {
      this.emit(`${head}${text}\n`);
      return;
    }
    if (head !== '') this.emit(head);
    this.emitPart(text);
    this.emit('\n');
  }

  /** A block mapping at `level`; its first key goes right after what precedes it. */
  private mapping(map: Mapping, level: number): void {
    const indent = this.indent(level);
    let prefix = '';
    for (const key in map) {
      if (!Object.hasOwn(map, key)) continue;
      let keyText = this.keys.get(key);
      if (keyText === undefined) {
        keyText = stringText(key);
        // Implicit keys are limited to 1024 characters; longer ones need `? `.
        if (keyText.length > 1000) keyText = `? ${keyText}\n${indent}`;
        else if (this.keys.size < 10_000) this.keys.set(key, keyText);
      }
      const value = map[key];
      if (Array.isArray(value) && value.length > 0) {
        this.emit(`${prefix}${keyText}:\n${this.indent(level + 1)}`);
        this.sequence(value, level + 1);
      } else if (isPlainMapping(value) && hasKeys(value)) {
        this.emit(`${prefix}${keyText}:\n${this.indent(level + 1)}`);
        this.mapping(value, level + 1);
      } else {
        this.line(`${prefix}${keyText}: `, value, level);
      }
      prefix = indent;
    }
  }

  /** A block sequence at `level`; its first `- ` goes right after what precedes it. */
  private sequence(list: readonly unknown[], level: number): void {
    const indent = this.indent(level);
    for (let i = 0; i < list.length; i++) {
      const prefix = i > 0 ? `${indent}- ` : '- ';
      const item = list[i];
      if (Array.isArray(item) && item.length > 0) {
        this.emit(prefix);
        this.sequence(item, level + 1);
      } else if (isPlainMapping(item) && hasKeys(item)) {
        this.emit(prefix);
        this.mapping(item, level + 1);
      } else {
        this.line(prefix, item, level);
      }
    }
  }
}
