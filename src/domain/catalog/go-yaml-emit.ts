/**
 * YAML text as sigs.k8s.io/yaml's JSONToYAML writes it (what `opm render -o
 * yaml` prints): the JSON value read back by go-yaml v2 (so numbers become
 * ints or floats as YAML resolves them, and maps lose their order) and
 * marshalled by go-yaml v2.4's emitter: keys in its "natural" order, block
 * style, sequences not indented under their key, plain scalars where YAML
 * would read them back as the same string, else single or double quotes,
 * multi-line strings as literals, and lines folded at spaces past column 80.
 * Written from the behaviour of that emitter (libyaml's rules), not its code.
 */

const BEST_WIDTH = 80;
const BEST_INDENT = 2;

export function emitGoYaml(value: unknown): string {
  const e = new Emitter();
  e.node(value, { root: true, mappingContext: false, simpleKey: false });
  e.writeIndent();
  if (e.openEnded) {
    e.writeIndicator('...', true, false, false);
    e.writeIndent();
  }
  return e.out.join('');
}

interface Context {
  root: boolean;
  mappingContext: boolean;
  simpleKey: boolean;
}

type Style = 'plain' | 'single' | 'double' | 'literal';

class Emitter {
  out: string[] = [];
  column = 0;
  indent = -1;
  indents: number[] = [];
  whitespace = true;
  indention = true;
  openEnded = false;

  node(value: unknown, ctx: Context): void {
    if (Array.isArray(value)) this.sequence(value, ctx);
    else if (value !== null && typeof value === 'object') this.mapping(value as Record<string, unknown>);
    else this.scalar(scalarText(value), ctx);
  }

  private increaseIndent(flow: boolean, indentless: boolean): void {
    this.indents.push(this.indent);
    if (this.indent < 0) this.indent = flow ? BEST_INDENT : 0;
    else if (!indentless) this.indent += BEST_INDENT;
  }

  private popIndent(): void {
    this.indent = this.indents.pop() as number;
  }

  private mapping(record: Record<string, unknown>): void {
    // As in the JSON text the YAML is made from: a key whose value is undefined is not there.
    const keys = Object.keys(record)
      .filter((k) => record[k] !== undefined)
      .sort(goYamlKeyCompare);
    if (keys.length === 0) {
      this.flowEmpty('{}');
      return;
    }
    this.increaseIndent(false, false);
    for (const key of keys) {
      this.writeIndent();
      if (isSimpleKey(key)) {
        this.scalar(
          { text: key, style: stringStyle(key) },
          { root: false, mappingContext: true, simpleKey: true },
        );
        this.writeIndicator(':', false, false, false);
      } else {
        this.writeIndicator('?', true, false, true);
        this.scalar(
          { text: key, style: stringStyle(key) },
          { root: false, mappingContext: true, simpleKey: false },
        );
        this.writeIndent();
        this.writeIndicator(':', true, false, true);
      }
      this.node(record[key], { root: false, mappingContext: true, simpleKey: false });
    }
    this.popIndent();
  }

  private sequence(items: unknown[], ctx: Context): void {
    if (items.length === 0) {
      this.flowEmpty('[]');
      return;
    }
    this.increaseIndent(false, ctx.mappingContext && !this.indention);
    for (const item of items) {
      this.writeIndent();
      this.writeIndicator('-', true, false, true);
      this.node(item, { root: false, mappingContext: false, simpleKey: false });
    }
    this.popIndent();
  }

  private flowEmpty(text: string): void {
    this.writeIndicator(text.charAt(0), true, true, false);
    this.writeIndicator(text.charAt(1), false, false, false);
  }

  private scalar(s: { text: string; style: Style }, ctx: Context): void {
    const style = selectStyle(s.text, s.style, ctx.simpleKey);
    this.increaseIndent(true, false);
    const allowBreaks = !ctx.simpleKey;
    if (style === 'plain') this.writePlain(s.text, allowBreaks, ctx.root);
    else if (style === 'single') this.writeSingle(s.text, allowBreaks);
    else if (style === 'double') this.writeDouble(s.text, allowBreaks);
    else this.writeLiteral(s.text);
    this.popIndent();
  }

  put(text: string): void {
    this.out.push(text);
    this.column += [...text].length;
  }

  private putBreak(): void {
    this.out.push('\n');
    this.column = 0;
  }

  writeIndent(): void {
    const indent = Math.max(this.indent, 0);
    if (!this.indention || this.column > indent || (this.column === indent && !this.whitespace))
      this.putBreak();
    if (this.column < indent) this.put(' '.repeat(indent - this.column));
    this.whitespace = true;
    this.indention = true;
  }

  writeIndicator(
    indicator: string,
    needWhitespace: boolean,
    isWhitespace: boolean,
    isIndention: boolean,
  ): void {
    if (needWhitespace && !this.whitespace) this.put(' ');
    this.put(indicator);
    this.whitespace = isWhitespace;
    this.indention = this.indention && isIndention;
    this.openEnded = false;
  }

  private writePlain(text: string, allowBreaks: boolean, root: boolean): void {
    if (!this.whitespace) this.put(' ');
    const chars = [...text];
    let spaces = false;
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i] as string;
      if (c === ' ') {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && chars[i + 1] !== ' ') this.writeIndent();
        else this.put(c);
        spaces = true;
      } else {
        this.put(c);
        this.indention = false;
        spaces = false;
      }
    }
    this.whitespace = false;
    this.indention = false;
    if (root) this.openEnded = true;
  }

  private writeSingle(text: string, allowBreaks: boolean): void {
    this.writeIndicator("'", true, false, false);
    const chars = [...text];
    let spaces = false;
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i] as string;
      if (c === ' ') {
        if (
          allowBreaks &&
          !spaces &&
          this.column > BEST_WIDTH &&
          i !== 0 &&
          i !== chars.length - 1 &&
          chars[i + 1] !== ' '
        )
          this.writeIndent();
        else this.put(c);
        spaces = true;
      } else {
        this.put(c === "'" ? "''" : c);
        this.indention = false;
        spaces = false;
      }
    }
    this.writeIndicator("'", false, false, false);
  }

  private writeDouble(text: string, allowBreaks: boolean): void {
    this.writeIndicator('"', true, false, false);
    const chars = [...text];
    let spaces = false;
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i] as string;
      const cp = c.codePointAt(0) as number;
      if (!isPrintable(cp) || cp === 0xfeff || isBreak(cp) || c === '"' || c === '\\') {
        this.put(`\\${escapeOf(cp)}`);
        spaces = false;
      } else if (c === ' ') {
        if (allowBreaks && !spaces && this.column > BEST_WIDTH && i !== 0 && i !== chars.length - 1) {
          this.writeIndent();
          if (chars[i + 1] === ' ') this.put('\\');
        } else this.put(c);
        spaces = true;
      } else {
        this.put(c);
        spaces = false;
      }
    }
    this.writeIndicator('"', false, false, false);
  }

  private writeLiteral(text: string): void {
    this.writeIndicator('|', true, false, false);
    const chars = [...text];
    const first = chars[0]?.codePointAt(0);
    if (first !== undefined && (first === 0x20 || isBreak(first)))
      this.writeIndicator(String(BEST_INDENT), false, false, false);
    this.openEnded = false;
    let chomp = '';
    const last = chars[chars.length - 1]?.codePointAt(0);
    if (last === undefined || !isBreak(last)) chomp = '-';
    else if (chars.length === 1 || isBreak(chars[chars.length - 2]?.codePointAt(0) as number)) {
      chomp = '+';
    }
    if (chomp) this.writeIndicator(chomp, false, false, false);
    if (chomp === '+') this.openEnded = true;
    this.putBreak();
    this.indention = true;
    this.whitespace = true;
    let breaks = true;
    for (const c of chars) {
      if (isBreak(c.codePointAt(0) as number)) {
        // go-yaml writes a line feed as its newline and any other break as itself.
        if (c === '\n') this.putBreak();
        else {
          this.out.push(c);
          this.column = 0;
        }
        this.indention = true;
        breaks = true;
      } else {
        if (breaks) this.writeIndent();
        this.put(c);
        this.indention = false;
        breaks = false;
      }
    }
  }
}

function scalarText(value: unknown): { text: string; style: Style } {
  if (typeof value === 'string') return { text: value, style: stringStyle(value) };
  if (typeof value === 'number') return { text: goYamlNumber(value), style: 'plain' };
  if (typeof value === 'boolean') return { text: value ? 'true' : 'false', style: 'plain' };
  if (typeof value === 'bigint') return { text: value.toString(), style: 'plain' };
  return { text: 'null', style: 'plain' };
}

/** go-yaml's encoder: multi-line → literal; a string YAML would read as another type → double quotes. */
function stringStyle(s: string): Style {
  if (s.includes('\n')) return 'literal';
  return resolvesToString(s) ? 'plain' : 'double';
}

interface Analysis {
  multiline: boolean;
  blockPlain: boolean;
  single: boolean;
  block: boolean;
}

function selectStyle(text: string, wanted: Style, simpleKey: boolean): Style {
  const a = analyze(text);
  let style = wanted;
  if (simpleKey && a.multiline) style = 'double';
  if (style === 'plain') {
    if (!a.blockPlain) style = 'single';
    if (text.length === 0 && simpleKey) style = 'single';
  }
  if (style === 'single' && !a.single) style = 'double';
  if (style === 'literal' && (!a.block || simpleKey)) style = 'double';
  return style;
}

const FIRST_INDICATORS = new Set('#,[]{}&*!|>\'"%@`');

/** libyaml's analyze_scalar, for the block context go-yaml marshals in. */
function analyze(text: string): Analysis {
  if (text.length === 0) return { multiline: false, blockPlain: true, single: true, block: false };
  const chars = [...text];
  let blockIndicators = text.startsWith('---') || text.startsWith('...');
  let special = false;
  let lineBreaks = false;
  let leadingSpace = false;
  let leadingBreak = false;
  let trailingSpace = false;
  let trailingBreak = false;
  let breakSpace = false;
  let spaceBreak = false;
  let previousSpace = false;
  let previousBreak = false;
  let precededByWhitespace = true;
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    const cp = c.codePointAt(0) as number;
    const next = chars[i + 1];
    const followedByWhitespace =
      next === undefined || next === ' ' || next === '\t' || isBreak(next.codePointAt(0) as number);
    if (i === 0) {
      if (FIRST_INDICATORS.has(c)) blockIndicators = true;
      else if ((c === '?' || c === ':' || c === '-') && followedByWhitespace) blockIndicators = true;
    } else if (c === ':' && followedByWhitespace) blockIndicators = true;
    else if (c === '#' && precededByWhitespace) blockIndicators = true;
    if (!isPrintable(cp)) special = true;
    if (c === ' ') {
      if (i === 0) leadingSpace = true;
      if (i === chars.length - 1) trailingSpace = true;
      if (previousBreak) breakSpace = true;
      previousSpace = true;
      previousBreak = false;
    } else if (isBreak(cp)) {
      lineBreaks = true;
      if (i === 0) leadingBreak = true;
      if (i === chars.length - 1) trailingBreak = true;
      if (previousSpace) spaceBreak = true;
      previousSpace = false;
      previousBreak = true;
    } else {
      previousSpace = false;
      previousBreak = false;
    }
    precededByWhitespace = c === ' ' || c === '\t' || isBreak(cp) || cp === 0;
  }
  let blockPlain = true;
  let single = true;
  let block = true;
  if (leadingSpace || leadingBreak || trailingSpace || trailingBreak) blockPlain = false;
  if (trailingSpace) block = false;
  if (breakSpace) {
    blockPlain = false;
    single = false;
  }
  if (spaceBreak || special) {
    blockPlain = false;
    single = false;
    block = false;
  }
  if (lineBreaks) blockPlain = false;
  if (blockIndicators) blockPlain = false;
  return { multiline: lineBreaks, blockPlain, single, block };
}

function isBreak(cp: number): boolean {
  return cp === 0x0a || cp === 0x0d || cp === 0x85 || cp === 0x2028 || cp === 0x2029;
}

/** go-yaml v2's is_printable: no tabs, no C1 controls, nothing beyond the BMP. */
function isPrintable(cp: number): boolean {
  return (
    cp === 0x0a ||
    (cp >= 0x20 && cp <= 0x7e) ||
    (cp >= 0xa0 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd && cp !== 0xfeff)
  );
}

const ESCAPES: Record<number, string> = {
  0: '0',
  7: 'a',
  8: 'b',
  9: 't',
  10: 'n',
  11: 'v',
  12: 'f',
  13: 'r',
  27: 'e',
  34: '"',
  92: '\\',
  133: 'N',
  160: '_',
  8232: 'L',
  8233: 'P',
};

function escapeOf(cp: number): string {
  const named = ESCAPES[cp];
  if (named !== undefined) return named;
  const hex = cp.toString(16).toUpperCase();
  if (cp <= 0xff) return `x${hex.padStart(2, '0')}`;
  if (cp <= 0xffff) return `u${hex.padStart(4, '0')}`;
  return `U${hex.padStart(8, '0')}`;
}

/** Keys of up to 128 characters on one line are written `key: value`; others as `? key`. */
function isSimpleKey(key: string): boolean {
  return new TextEncoder().encode(key).length <= 128 && !analyze(key).multiline;
}

const KEYWORDS = new Set([
  '',
  '~',
  'null',
  'Null',
  'NULL',
  'y',
  'Y',
  'yes',
  'Yes',
  'YES',
  'n',
  'N',
  'no',
  'No',
  'NO',
  'true',
  'True',
  'TRUE',
  'false',
  'False',
  'FALSE',
  'on',
  'On',
  'ON',
  'off',
  'Off',
  'OFF',
  '.nan',
  '.NaN',
  '.NAN',
  '.inf',
  '.Inf',
  '.INF',
  '+.inf',
  '+.Inf',
  '+.INF',
  '-.inf',
  '-.Inf',
  '-.INF',
  '<<',
]);
const YAML_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
const GO_INT = /^[-+]?(0[xX][0-9a-fA-F]+|0[oO]?[0-7]+|0[bB][01]+|[1-9][0-9]*|0)$/;
const BASE60_FLOAT = /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$/;
const TIMESTAMP =
  /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:[Tt][0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]+)?(?:Z|[-+][0-9]{2}:[0-9]{2})| [0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]+)?)?$/;

/** Whether go-yaml v2 reads this text, unquoted, back as the same string. */
function resolvesToString(s: string): boolean {
  if (KEYWORDS.has(s)) return false;
  const first = s.charAt(0);
  if ('+-0123456789.'.includes(first)) {
    const plain = s.replaceAll('_', '');
    if (GO_INT.test(plain) || YAML_FLOAT.test(plain)) return false;
    if (BASE60_FLOAT.test(s)) return false;
    if (TIMESTAMP.test(s) && validTimestamp(s)) return false;
  }
  return true;
}

function validTimestamp(s: string): boolean {
  const [y, m, d] = s
    .slice(0, 10)
    .split(/[-Tt ]/)
    .map(Number) as [number, number, number];
  return y >= 0 && m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

/** A JSON number as go-yaml reads and writes it: an int when it fits 64 bits, else strconv 'g'. */
export function goYamlNumber(n: number): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? '.nan' : n > 0 ? '.inf' : '-.inf';
  if (Number.isInteger(n) && n >= -(2 ** 63) && n < 2 ** 64) return BigInt(n).toString();
  const [mantissa, expText] = n.toExponential().split('e') as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= 6) {
    const sign = exp < 0 ? '-' : '+';
    return `${mantissa}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  return String(n);
}

/** go-yaml v2's key order: letters by code point, digit runs by value, non-letters before letters. */
export function goYamlKeyCompare(a: string, b: string): number {
  if (a === b) return 0;
  return keyLess(a, b) ? -1 : 1;
}

function isLetter(c: string): boolean {
  return /\p{L}/u.test(c);
}

function isDigit(c: string | undefined): boolean {
  return c !== undefined && /\p{Nd}/u.test(c);
}

function keyLess(a: string, b: string): boolean {
  const ar = [...a];
  const br = [...b];
  let digits = false;
  for (let i = 0; i < ar.length && i < br.length; i++) {
    const ac = ar[i] as string;
    const bc = br[i] as string;
    if (ac === bc) {
      digits = isDigit(ac);
      continue;
    }
    const al = isLetter(ac);
    const bl = isLetter(bc);
    if (al && bl) return (ac.codePointAt(0) as number) < (bc.codePointAt(0) as number);
    if (al || bl) return digits ? al : bl;
    let an = 0n;
    let bn = 0n;
    if (ac === '0' || bc === '0') {
      for (let j = i - 1; j >= 0 && isDigit(ar[j]); j--) {
        if (ar[j] !== '0') {
          an = 1n;
          bn = 1n;
          break;
        }
      }
    }
    let ai = i;
    for (; ai < ar.length && isDigit(ar[ai]); ai++)
      an = an * 10n + BigInt((ar[ai] as string).charCodeAt(0) - 48);
    let bi = i;
    for (; bi < br.length && isDigit(br[bi]); bi++)
      bn = bn * 10n + BigInt((br[bi] as string).charCodeAt(0) - 48);
    if (an !== bn) return an < bn;
    if (ai !== bi) return ai < bi;
    return (ac.codePointAt(0) as number) < (bc.codePointAt(0) as number);
  }
  return ar.length < br.length;
}
