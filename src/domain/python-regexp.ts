/**
 * `replace_registry` rules with `regexp: true` are written in Python `re`
 * syntax (configs made for the original OMPS, which ran
 * `re.sub(old, new, text, flags=re.MULTILINE)`). This module translates such
 * a rule into an equivalent JavaScript replace-all, or refuses it, saying why,
 * when JavaScript cannot do the same thing.
 *
 * Python matches a `str` pattern on code points with Unicode classes; the
 * translation therefore uses the `u` flag and spells out Python's `\w`, `\d`,
 * `\s`, `\b`, `.`, `^` and `$` instead of relying on JavaScript's own (which
 * are ASCII, or know other line terminators).
 */
import { fail, PythonRegexpError } from './python-regexp-error.js';
import { type PatternGroups, parseTemplate } from './python-template.js';

export { PythonRegexpError };

export type Substitution = (text: string) => string;

const WORD = '\\p{L}\\p{N}_';
/** Python's str.isspace() characters (JavaScript's \s lacks \x1c-\x1f and \x85, and adds \ufeff). */
const SPACE = '\\t-\\r\\x1c- \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const NOT_AT_START = '(?<=[\\s\\S])';
const AT_START = '(?<![\\s\\S])';
const AT_END = '(?![\\s\\S])';

const SYNTAX = new Set('^$\\.*+?()[]{}|/');
const CHAR_ESCAPES: Record<string, string> = { a: '\x07', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

interface Group {
  index: number;
  /** A match may succeed without this group taking part. */
  optional: boolean;
  closed: boolean;
}

/** A parenthesised part of the pattern (or the whole pattern). */
interface Scope {
  group?: Group;
  /** A negative lookaround: the groups inside never take part in a match. */
  negative?: boolean;
  hasAlternation: boolean;
  /** Groups opened inside this scope, at any depth. */
  members: Group[];
  /** A lookaround matches no text, whatever it holds. */
  lookaround?: boolean;
  /** The branch being read: can it match the empty string, can it match text? */
  branch: Width;
  /** The same for the branches already read. */
  done: Width;
}

/** What an atom, a branch or a group can match: the empty string, text, or both. */
interface Width {
  empty: boolean;
  text: boolean;
}

const NO_WIDTH: Width = { empty: false, text: false };
const newScope = (extra: Partial<Scope> = {}): Scope => ({
  hasAlternation: false,
  members: [],
  branch: { empty: true, text: false },
  done: { ...NO_WIDTH },
  ...extra,
});

export interface Translated extends PatternGroups {
  source: string;
}

const CHAR: Width = { empty: false, text: true };
const ZERO: Width = { empty: true, text: false };

function widthOf(scope: Scope): Width {
  return {
    empty: scope.done.empty || scope.branch.empty,
    text: scope.done.text || scope.branch.text,
  };
}

const cache = new Map<string, Substitution>();

/**
 * The equivalent of Python's `re.sub(pattern, repl, text, flags=re.MULTILINE)`,
 * compiled once per distinct rule. Throws PythonRegexpError when the rule cannot
 * be translated faithfully (or is not valid Python).
 */
export function pythonSubstitution(pattern: string, repl: string): Substitution {
  const key = `${pattern}\u0000${repl}`;
  const known = cache.get(key);
  if (known) return known;
  const translated = translatePattern(pattern);
  let regexp: RegExp;
  try {
    regexp = new RegExp(translated.source, 'gu');
  } catch (error) {
    throw new PythonRegexpError(`old: cannot be translated (${(error as Error).message})`);
  }
  const template = parseTemplate(repl, translated);
  const substitution: Substitution = (text) => {
    let out = '';
    let copied = 0;
    regexp.lastIndex = 0;
    for (let m = regexp.exec(text); m !== null; m = regexp.exec(text)) {
      const at = m.index;
      // Python matches code points: never at a position inside a surrogate pair.
      if (insidePair(text, at)) {
        regexp.lastIndex = at + 1;
        continue;
      }
      out += text.slice(copied, at);
      for (const part of template) out += typeof part === 'string' ? part : (m[part] ?? '');
      copied = at + m[0].length;
      if (m[0] === '') regexp.lastIndex = at + (text.codePointAt(at)! > 0xffff ? 2 : 1);
    }
    return out + text.slice(copied);
  };
  cache.set(key, substitution);
  return substitution;
}

/** Python `re` pattern → JavaScript source for the `u` flag, with Python's MULTILINE semantics. */
export function translatePattern(pattern: string): Translated {
  const p = new PatternReader(pattern);
  return p.translate();
}

class PatternReader {
  private i = 0;
  private out = '';
  private dotAll = false;
  private readonly groups: Group[] = [];
  private readonly names = new Map<string, number>();
  private readonly scopes: Scope[] = [newScope()];
  /** The scope just closed, for a quantifier that may follow it. */
  private lastClosed: Scope | undefined;
  /** References to check once the whole pattern is read. */
  private readonly references: { group: Group; at: number }[] = [];

  constructor(private readonly src: string) {}

  translate(): Translated {
    this.leadingFlags();
    while (this.i < this.src.length) this.atom();
    if (this.scopes.length > 1) fail('old: missing ), unterminated subpattern');
    for (const ref of this.references) this.checkReference(ref.group);
    const whole = widthOf(this.scopes[0] as Scope);
    // After an empty match, Python's re.sub tries a non-empty match at the same place; JavaScript
    // moves on one character. The answers differ whenever a pattern can match both.
    if (whole.empty && whole.text) {
      fail(
        'old: a pattern that can match both the empty string and text is replaced differently by JavaScript',
      );
    }
    return { source: this.out, groupCount: this.groups.length, names: this.names };
  }

  /** Global inline flags at the start: (?m) and (?u) change nothing here, (?s) makes `.` match newlines. */
  private leadingFlags(): void {
    for (;;) {
      const m = /^\(\?([a-zA-Z]+)\)/.exec(this.src.slice(this.i));
      if (!m) return;
      for (const flag of m[1] as string) {
        if (flag === 's') this.dotAll = true;
        else if (flag !== 'm' && flag !== 'u') {
          fail(
            `old: the inline flag (?${flag}) has no faithful JavaScript equivalent; write the pattern without it`,
          );
        }
      }
      this.i += m[0].length;
    }
  }

  private atom(): void {
    const c = String.fromCodePoint(this.src.codePointAt(this.i) as number);
    const before = this.out.length;
    this.lastClosed = undefined;
    let width: Width = { empty: false, text: true };
    switch (c) {
      case '\\':
        width = this.escape();
        break;
      case '[':
        this.characterClass();
        break;
      case '(':
        this.openGroup();
        return;
      case ')': {
        const closed = this.closeGroup();
        this.addToBranch(closed, this.quantifier(before, false));
        return;
      }
      case '|': {
        this.i++;
        const scope = this.scopes.at(-1) as Scope;
        scope.hasAlternation = true;
        scope.done = widthOf(scope);
        scope.branch = { empty: true, text: false };
        this.out += '|';
        return;
      }
      case '.':
        this.i++;
        this.out += this.dotAll ? '[\\s\\S]' : '[^\\n]';
        break;
      case '^':
        this.i++;
        this.out += `(?:${AT_START}|(?<=\\n))`;
        width = { empty: true, text: false };
        break;
      case '$':
        this.i++;
        this.out += `(?=\\n|${AT_END})`;
        width = { empty: true, text: false };
        break;
      default:
        if (c === '*' || c === '+' || c === '?' || (c === '{' && this.quantifierAt(this.i))) {
          fail(`old: nothing to repeat at position ${this.i}`);
        }
        this.i += c.length;
        this.out += literal(c);
    }
    this.addToBranch(width, this.quantifier(before));
  }

  /** Appends an atom (quantified: `min` repeats at least) to the branch being read. */
  private addToBranch(width: Width, min: number | undefined): void {
    const branch = (this.scopes.at(-1) as Scope).branch;
    const empty = width.empty || min === 0;
    branch.empty = branch.empty && empty;
    branch.text = branch.text || width.text;
  }

  /** A quantifier after the atom that was emitted from `before` (wrapped, unless it is a group). */
  private quantifier(before: number, wrap = true): number | undefined {
    const q = this.quantifierAt(this.i);
    if (!q) return undefined;
    this.i += q.length;
    let text = q.js;
    const next = this.src[this.i];
    if (next === '?') {
      text += '?';
      this.i++;
    } else if (next === '+') {
      fail('old: possessive quantifiers (*+, ++, ?+, {m,n}+) are not supported');
    }
    if (q.min === 0 && this.lastClosed) {
      if (this.lastClosed.group) this.lastClosed.group.optional = true;
      for (const g of this.lastClosed.members) g.optional = true;
    }
    if (this.quantifierAt(this.i)) fail(`old: multiple repeat at position ${this.i}`);
    // Translated atoms can be several JavaScript atoms: the quantifier applies to the whole.
    this.out = wrap ? `${this.out.slice(0, before)}(?:${this.out.slice(before)})${text}` : this.out + text;
    return q.min;
  }

  private quantifierAt(at: number): { length: number; js: string; min: number } | undefined {
    const c = this.src[at];
    if (c === '*') return { length: 1, js: '*', min: 0 };
    if (c === '+') return { length: 1, js: '+', min: 1 };
    if (c === '?') return { length: 1, js: '?', min: 0 };
    if (c !== '{') return undefined;
    const m = /^\{(\d*)(,?)(\d*)\}/.exec(this.src.slice(at));
    if (!m) return undefined;
    const [whole, lo, comma, hi] = m as unknown as [string, string, string, string];
    if (!comma && lo === '') return undefined;
    const min = lo === '' ? 0 : Number(lo);
    if (hi !== '' && Number(hi) < min) fail('old: min repeat greater than max repeat');
    const js = comma ? `{${min},${hi}}` : `{${min}}`;
    return { length: whole.length, js, min };
  }

  private openGroup(): void {
    const rest = this.src.slice(this.i);
    if (rest.startsWith('(?#')) {
      const end = this.src.indexOf(')', this.i);
      if (end < 0) fail('old: missing ), unterminated comment');
      this.i = end + 1;
      return;
    }
    const named = /^\(\?P<([^>]*)>/.exec(rest);
    if (named) {
      const name = named[1] as string;
      if (!/^[\p{L}_][\p{L}\p{N}_]*$/u.test(name)) fail(`old: bad character in group name '${name}'`);
      if (this.names.has(name)) fail(`old: redefinition of group name '${name}'`);
      this.i += named[0].length;
      const group = this.newGroup();
      this.names.set(name, group.index);
      this.out += `(?<${name}>`;
      return;
    }
    const backref = /^\(\?P=([^)]*)\)/.exec(rest);
    if (backref) {
      const name = backref[1] as string;
      const index = this.names.get(name);
      if (index === undefined) fail(`old: unknown group name '${name}'`);
      this.i += backref[0].length;
      const before = this.out.length;
      this.reference(this.groups[(index as number) - 1] as Group);
      this.lastClosed = undefined;
      this.addToBranch({ empty: true, text: true }, this.quantifier(before));
      return;
    }
    for (const [python, js] of [
      ['(?:', '(?:'],
      ['(?=', '(?='],
      ['(?!', '(?!'],
      ['(?<=', '(?<='],
      ['(?<!', '(?<!'],
    ] as const) {
      if (rest.startsWith(python)) {
        this.i += python.length;
        const lookaround = python !== '(?:';
        this.scopes.push(newScope({ negative: python.endsWith('!'), lookaround }));
        this.out += js;
        return;
      }
    }
    if (rest.startsWith('(?(')) fail('old: conditional groups (?(id)yes|no) have no JavaScript equivalent');
    if (rest.startsWith('(?>')) fail('old: atomic groups (?>...) are not supported');
    if (rest.startsWith('(?<')) fail('old: Python writes a named group (?P<name>...), not (?<name>...)');
    if (/^\(\?[-aiLmsux]/.test(rest)) {
      fail('old: scoped or late inline flags (?flags:...) have no faithful JavaScript equivalent');
    }
    if (rest.startsWith('(?')) fail(`old: unknown extension ${rest.slice(0, 3)}`);
    this.i++;
    this.newGroup();
    this.out += '(';
  }

  private newGroup(): Group {
    const group: Group = { index: this.groups.length + 1, optional: false, closed: false };
    this.groups.push(group);
    for (const scope of this.scopes) scope.members.push(group);
    this.scopes.push(newScope({ group }));
    return group;
  }

  private closeGroup(): Width {
    if (this.scopes.length === 1) fail(`old: unbalanced parenthesis at position ${this.i}`);
    const scope = this.scopes.pop() as Scope;
    // A group inside an alternation or a negative lookaround may not take part in a match.
    if (scope.hasAlternation || scope.negative) for (const g of scope.members) g.optional = true;
    this.i++;
    this.out += ')';
    if (scope.group) scope.group.closed = true;
    this.lastClosed = scope;
    return scope.lookaround ? { empty: true, text: false } : widthOf(scope);
  }

  private reference(group: Group): void {
    if (!group.closed) fail('old: cannot refer to an open group');
    this.references.push({ group, at: this.i });
    this.out += `(?:\\${group.index})`;
  }

  /**
   * Python's backreference to a group that took no part fails to match;
   * JavaScript's matches the empty string. Only references to groups that
   * always take part are therefore the same.
   */
  private checkReference(group: Group): void {
    const top = this.scopes[0] as Scope;
    if (group.optional || (top.hasAlternation && top.members.includes(group))) {
      fail(
        `old: a backreference to group ${group.index}, which may not take part in the match, behaves differently in JavaScript`,
      );
    }
  }

  private escape(): Width {
    const c = this.src[this.i + 1];
    if (c === undefined) fail('old: bad escape (end of pattern)');
    const next = c as string;
    if (/[1-9]/.test(next)) {
      const m = /^\\([1-9]\d?)/.exec(this.src.slice(this.i)) as RegExpExecArray;
      const octal = /^\\([0-3][0-7]{2})/.exec(this.src.slice(this.i));
      if (octal) {
        this.i += 4;
        this.out += literal(String.fromCodePoint(Number.parseInt(octal[1] as string, 8)));
        return CHAR;
      }
      const index = Number(m[1]);
      if (index > this.groups.length) fail(`old: invalid group reference ${index}`);
      this.i += m[0].length;
      this.reference(this.groups[index - 1] as Group);
      return { empty: true, text: true };
    }
    this.i += 2;
    switch (next) {
      case 'A':
        this.out += AT_START;
        return ZERO;
      case 'Z':
        this.out += AT_END;
        return ZERO;
      case 'b':
        this.out += `(?:(?<=[${WORD}])(?![${WORD}])|(?<![${WORD}])(?=[${WORD}]))`;
        return ZERO;
      case 'B':
        // Python's \B never matches in an empty string.
        this.out += `(?:(?<=[${WORD}])(?=[${WORD}])|(?<![${WORD}])(?![${WORD}])(?:${NOT_AT_START}|(?=[\\s\\S])))`;
        return ZERO;
      case 'w':
        this.out += `[${WORD}]`;
        return CHAR;
      case 'W':
        this.out += `[^${WORD}]`;
        return CHAR;
      case 'd':
        this.out += '\\p{Nd}';
        return CHAR;
      case 'D':
        this.out += '\\P{Nd}';
        return CHAR;
      case 's':
        this.out += `[${SPACE}]`;
        return CHAR;
      case 'S':
        this.out += `[^${SPACE}]`;
        return CHAR;
      default:
        this.i -= 2;
        this.out += literal(this.charEscape(false));
        return CHAR;
    }
  }

  /** A character escape (also valid inside classes) → the character it stands for. */
  private charEscape(inClass: boolean): string {
    const rest = this.src.slice(this.i);
    const c = rest[1] as string;
    if (c === undefined) fail('old: bad escape (end of pattern)');
    const named = CHAR_ESCAPES[c];
    if (named !== undefined) {
      this.i += 2;
      return named;
    }
    if (inClass && c === 'b') {
      this.i += 2;
      return '\b';
    }
    const hex = { x: 2, u: 4, U: 8 }[c];
    if (hex !== undefined) {
      const digits = rest.slice(2, 2 + hex);
      if (!new RegExp(`^[0-9a-fA-F]{${hex}}$`).test(digits)) fail(`old: incomplete escape \\${c}${digits}`);
      const code = Number.parseInt(digits, 16);
      if (code > 0x10ffff) fail(`old: bad escape \\${c}${digits}`);
      this.i += 2 + hex;
      return String.fromCodePoint(code);
    }
    if (/[0-7]/.test(c)) {
      const m = inClass || c === '0' ? /^\\([0-7]{1,3})/.exec(rest) : null;
      if (!m) fail(`old: invalid group reference \\${c}`);
      const code = Number.parseInt((m as RegExpExecArray)[1] as string, 8);
      if (code > 0o377)
        fail(`old: octal escape value \\${(m as RegExpExecArray)[1]} outside of range 0-0o377`);
      this.i += (m as RegExpExecArray)[0].length;
      return String.fromCodePoint(code);
    }
    if (c === 'N') fail('old: named character escapes \\N{...} are not supported');
    if (/[A-Za-z0-9]/.test(c)) fail(`old: bad escape \\${c}`);
    const char = String.fromCodePoint(rest.codePointAt(1) as number);
    this.i += 1 + char.length;
    return char;
  }

  private characterClass(): void {
    this.i++;
    let body = '';
    if (this.src[this.i] === '^') {
      body += '^';
      this.i++;
    }
    let first = true;
    for (;;) {
      const c = this.src[this.i];
      if (c === undefined) fail('old: unterminated character set');
      if (c === ']' && !first) break;
      first = false;
      const start = this.classAtom();
      if (this.src[this.i] === '-' && this.src[this.i + 1] !== ']' && this.src[this.i + 1] !== undefined) {
        this.i++;
        const end = this.classAtom();
        if (start.set || end.set) fail('old: bad character range');
        if ((start.char as string).codePointAt(0)! > (end.char as string).codePointAt(0)!) {
          fail('old: bad character range');
        }
        body += `${classLiteral(start.char as string)}-${classLiteral(end.char as string)}`;
      } else {
        body += start.set ?? classLiteral(start.char as string);
      }
    }
    this.i++;
    this.out += `[${body}]`;
  }

  /** One member of a class: a character, or a class escape (`set`). */
  private classAtom(): { char?: string; set?: string } {
    const c = this.src[this.i] as string;
    if (c !== '\\') {
      const char = String.fromCodePoint(this.src.codePointAt(this.i) as number);
      this.i += char.length;
      return { char };
    }
    const e = this.src[this.i + 1];
    const sets: Record<string, string> = { d: '\\p{Nd}', D: '\\P{Nd}', w: WORD, s: SPACE };
    if (e !== undefined && sets[e] !== undefined) {
      this.i += 2;
      return { set: sets[e] };
    }
    if (e === 'W' || e === 'S') {
      fail(`old: \\${e} inside a character class has no faithful JavaScript equivalent; list what you mean`);
    }
    if (e === 'A' || e === 'Z' || e === 'B') fail(`old: bad escape \\${e}`);
    return { char: this.charEscape(true) };
  }
}

function literal(char: string): string {
  return SYNTAX.has(char) ? `\\${char}` : escapeControl(char);
}

function classLiteral(char: string): string {
  return char === '\\' || char === ']' || char === '[' || char === '^' || char === '-' || char === '/'
    ? `\\${char}`
    : escapeControl(char);
}

function escapeControl(char: string): string {
  const code = char.codePointAt(0) as number;
  return code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : char;
}

function insidePair(text: string, at: number): boolean {
  if (at === 0 || at >= text.length) return false;
  const before = text.charCodeAt(at - 1);
  const here = text.charCodeAt(at);
  return before >= 0xd800 && before <= 0xdbff && here >= 0xdc00 && here <= 0xdfff;
}
