/**
 * A frozen copy of the YAML emitter as it was before the speed work of issue 11
 * (src/domain/manifest/yaml-emit.ts): the oracle the emitter tests compare the
 * current one against, byte for byte. Never change it.
 */

/** A string to emit as a block literal (`|`) when possible, even on one line. */
export class LiteralString {
  constructor(readonly value: string) {}
}

/**
 * Emits one YAML document (no `---`), ending with a newline. Every non-empty
 * line starts with `baseIndent`, so the text can go inside a block literal as is.
 */
export function emitYaml(value: unknown, baseIndent = ''): string {
  return new Emitter(baseIndent).root(value);
}

/**
 * Emits a value as a block literal holding its YAML text (`|` + the document
 * indented by `indent`): what operator-courier's bundle.yaml does with each
 * kind's list of manifests. Returns the text after `key: `, newline included.
 */
export function yamlAsBlockLiteral(value: unknown, indent: string): string {
  const emitter = new Emitter(indent);
  const text = emitter.root(value);
  // The text is printable and starts with `indent` + a non-space; only chomping varies.
  return `${emitter.endsWithBlankLine() ? '|+' : '|'}\n${text}`;
}

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

/** `|`, `|-` or `|+` (with an indentation indicator when needed) and the indented lines, no final newline. */
function literalText(s: string, indent: string): string {
  const chomp = !s.endsWith('\n') ? '-' : s.endsWith('\n\n') ? '+' : '';
  const indicator = /^\n*[ ]/.test(s) ? '2' : '';
  const lines = (chomp === '-' ? s : s.slice(0, -1)).split('\n');
  let out = `|${indicator}${chomp}`;
  for (const line of lines) out += line === '' ? '\n' : `\n${indent}${line}`;
  return out;
}

type Mapping = Record<string, unknown>;

function isMapping(value: unknown): value is Mapping {
  return (
    value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof LiteralString)
  );
}

function hasKeys(map: Mapping): boolean {
  for (const key in map) if (Object.hasOwn(map, key)) return true;
  return false;
}

class Emitter {
  private readonly indents: string[];
  /** Built by concatenation: V8 keeps it as a rope and flattens it once, cheaper than pushing into an array and joining. */
  private out = '';
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

  endsWithBlankLine(): boolean {
    return this.tail.length >= 2 ? this.tail.endsWith('\n\n') : this.out.endsWith('\n\n');
  }

  root(value: unknown): string {
    this.out = '';
    this.emit(this.indent(0));
    if (Array.isArray(value) && value.length > 0) this.sequence(value, 0);
    else if (isMapping(value) && hasKeys(value)) this.mapping(value, 0);
    else this.emit(`${this.inline(value, 0)}\n`);
    return this.out;
  }

  /** A value that fits after `key: ` or `- `: scalars, block literals, empty collections. */
  private inline(value: unknown, level: number): string {
    if (typeof value === 'string') {
      return value.includes('\n') && !NOT_LITERAL.test(value)
        ? literalText(value, this.indent(level + 1))
        : stringText(value);
    }
    if (value instanceof LiteralString) {
      const s = value.value;
      return s !== '' && !NOT_LITERAL.test(s) ? literalText(s, this.indent(level + 1)) : stringText(s);
    }
    if (Array.isArray(value)) return '[]';
    if (value !== null && typeof value === 'object') return '{}';
    return scalarText(value);
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
      } else if (isMapping(value) && hasKeys(value)) {
        this.emit(`${prefix}${keyText}:\n${this.indent(level + 1)}`);
        this.mapping(value, level + 1);
      } else {
        this.emit(`${prefix}${keyText}: ${this.inline(value, level)}\n`);
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
      } else if (isMapping(item) && hasKeys(item)) {
        this.emit(prefix);
        this.mapping(item, level + 1);
      } else {
        this.emit(`${prefix}${this.inline(item, level)}\n`);
      }
    }
  }
}
