/** Bounded parsing and the emitter behind bundle.yaml and re-written CSVs. */
import { CORE_SCHEMA, load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { parse as parseWithYaml } from 'yaml';
import { loadBundle } from '../../../src/domain/manifest/index.js';
import { emitYaml, LiteralString, yamlAsBlockLiteral } from '../../../src/domain/manifest/yaml-emit.js';
import { MAX_YAML_DEPTH, parseYaml } from '../../../src/domain/manifest/yaml-parse.js';
import {
  aCrd,
  aCsv,
  decode,
  filesOf,
  flatBundle,
  malformedYaml,
  policy,
  prepare,
} from '../../support/manifest-builders.js';

/** What the parser said about `text`, in `validation_info.errors` (the message is courier's). */
const parseError = (text: string, path = 'x.yaml') => malformedYaml(() => parseYaml(path, text));

describe('bounded parsing', () => {
  it('refuses a billion-laughs alias bomb quickly', () => {
    const lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i <= 9; i++) {
      const prev = `*a${i - 1}`;
      lines.push(`a${i}: &a${i} [${Array(9).fill(prev).join(',')}]`);
    }
    const started = performance.now();
    const error = parseError(`${lines.join('\n')}\n`, 'bomb/lol.yaml');
    expect(error).toBe('Invalid YAML file "bomb/lol.yaml": aliases expand to a document that is too large');
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('refuses a bomb inside a bundle, naming the file', () => {
    const bomb = `a: &a [x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d]\nf: &f [*e, *e, *e, *e, *e, *e, *e, *e]\ng: [*f, *f, *f, *f, *f, *f, *f, *f]\n`;
    const files = [...flatBundle(), ...filesOf({ 'deploy/bomb.yaml': bomb })];
    expect(malformedYaml(() => loadBundle(files, policy()))).toMatch(
      /^Invalid YAML file "deploy\/bomb\.yaml": aliases expand/,
    );
  });

  it('accepts many aliases of a small anchor: what counts is what they expand to', () => {
    const text = `a: &a 1\nb: [${Array(5000).fill('*a').join(', ')}]\n`;
    expect((parseYaml('x.yaml', text) as { b: unknown[] }).b).toHaveLength(5000);
  });

  it('refuses recursive aliases', () => {
    expect(parseError('a: &a [*a]\n')).toBe(
      'Invalid YAML file "x.yaml": recursive aliases are not supported',
    );
  });

  it('accepts moderate aliases and merge keys, and expands them in the output', () => {
    const csv = `base: &base {app: widget}\nextra:\n  <<: *base\n  more: *base\n`;
    expect(parseYaml('a.yaml', csv)).toEqual({
      base: { app: 'widget' },
      extra: { app: 'widget', more: { app: 'widget' } },
    });
    const files = filesOf({
      'package.yaml':
        'packageName: widget\nchannels: &ch\n- name: alpha\n  currentCSV: widget-operator.v1.0.0\nalso: *ch\n',
      'csv.yaml': aCsv(),
      'crd.yaml': aCrd(),
    });
    const text = decode(prepare(files).files[0]?.data);
    expect(text).not.toMatch(/[&*]ch/);
  });

  it(`refuses nesting deeper than ${MAX_YAML_DEPTH} levels, flow or block`, () => {
    expect(parseError(`${'['.repeat(MAX_YAML_DEPTH + 1)}${']'.repeat(MAX_YAML_DEPTH + 1)}\n`)).toMatch(
      /nesting exceeded maxDepth/,
    );
    const block = Array.from({ length: MAX_YAML_DEPTH + 1 }, (_, i) => `${' '.repeat(i)}k${i}:`).join('\n');
    expect(parseError(`${block} x\n`)).toMatch(/nesting exceeded maxDepth/);
  });

  it('refuses 100,000 levels of nesting without overflowing the stack', () => {
    expect(parseError(`${'['.repeat(100_000)}\n`)).toMatch(/^Invalid YAML file "x.yaml": /);
  });

  it('refuses aliases that nest a document deeper than the limit', () => {
    const deep = `${'['.repeat(200)}1${']'.repeat(200)}`;
    const text = `a: &a ${deep}\nb: ${'['.repeat(100)}*a${']'.repeat(100)}\n`;
    expect(parseError(text)).toMatch(/nested deeper than/);
  });

  it('accepts deep but reasonable nesting', () => {
    const deep = `${'['.repeat(200)}1${']'.repeat(200)}\n`;
    expect(parseYaml('x.yaml', deep)).toBeDefined();
  });

  it('reports the line and column of syntax errors', () => {
    expect(parseError('a: 1\nb: [\n')).toMatch(/^Invalid YAML file "x.yaml": .*\(line \d+, column \d+\)$/);
  });

  it('reads an empty file, or one with only comments, as no document', () => {
    expect(parseYaml('x.yaml', '')).toBeNull();
    expect(parseYaml('x.yaml', '# just a comment\n')).toBeNull();
  });
});

/** A deterministic pseudo-random generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TRICKY = [
  'a',
  'Z',
  '0',
  '9',
  ' ',
  ':',
  '#',
  '-',
  '?',
  '.',
  '/',
  '\n',
  '\t',
  '"',
  "'",
  '\\',
  '{',
  '}',
  '[',
  ']',
  ',',
  '&',
  '*',
  '!',
  '|',
  '>',
  '%',
  '@',
  '`',
  '~',
  '=',
  '<',
  '+',
  '_',
  '\r',
  '\u0000',
  '\u0007',
  '\u007f',
  '\u0085',
  '\u00a0',
  '\u2028',
  '\u2029',
  '\ufeff',
  'é',
  '✓',
  '🎉',
  '---',
  '...',
  'yes',
  'No',
  'null',
  '~',
  '0x1F',
  '1e3',
  '.inf',
  '2001-12-14',
  '1:20',
  '<<',
  'true',
];
const WORDS = [
  '',
  'yes',
  'n',
  'NULL',
  '0',
  '-1',
  '1.5',
  '010',
  '1_000',
  '.nan',
  '=',
  'a: b',
  'a #b',
  '- x',
  'x:',
  ' lead',
  'trail ',
  'a\n',
  '\n',
  'a\n\n',
  ' \n x',
  'line\n  indented\n',
  'tab\t\n',
];

function randomString(next: () => number): string {
  if (next() < 0.25) return WORDS[Math.floor(next() * WORDS.length)] as string;
  let s = '';
  const length = Math.floor(next() * 12);
  for (let i = 0; i < length; i++) s += TRICKY[Math.floor(next() * TRICKY.length)];
  return s;
}

function randomValue(next: () => number, depth: number): unknown {
  const r = next();
  if (depth > 4 || r < 0.45) {
    const k = next();
    if (k < 0.6) return randomString(next);
    if (k < 0.7) return Math.floor(next() * 2000) - 1000;
    if (k < 0.75)
      return [0.1, -2.5, 1e21, 1e-7, 123456789.125, Number.POSITIVE_INFINITY, Number.NaN][
        Math.floor(next() * 7)
      ];
    if (k < 0.85) return next() < 0.5;
    return null;
  }
  if (r < 0.7) return Array.from({ length: Math.floor(next() * 4) }, () => randomValue(next, depth + 1));
  const map: Record<string, unknown> = {};
  const size = Math.floor(next() * 4);
  for (let i = 0; i < size; i++) map[randomString(next)] = randomValue(next, depth + 1);
  return map;
}

const parsers: [string, (text: string) => unknown][] = [
  ['js-yaml core', (t) => load(t, { schema: CORE_SCHEMA })],
  ['yaml 1.2', (t) => parseWithYaml(t, { uniqueKeys: false })],
  ['yaml 1.1', (t) => parseWithYaml(t, { version: '1.1', uniqueKeys: false })],
];

describe('emitter', () => {
  it.each(parsers)('round-trips random tricky values through %s', (_name, parse) => {
    const next = random(20240601);
    for (let i = 0; i < 400; i++) {
      const value = { root: randomValue(next, 0), list: [randomValue(next, 1)] };
      const text = emitYaml(value);
      expect(parse(text), text).toEqual(value);
    }
  });

  it.each(parsers)('round-trips values nested in a block literal through %s', (_name, parse) => {
    const next = random(7);
    for (let i = 0; i < 200; i++) {
      const items = [randomValue(next, 0), { description: new LiteralString(randomString(next)) }];
      const text = `data:\n  items: ${yamlAsBlockLiteral(items, '    ')}`;
      const outer = parse(text) as { data: { items: string } };
      const expected = [
        items[0],
        { description: (items[1] as { description: LiteralString }).description.value },
      ];
      expect(parse(outer.data.items), text).toEqual(expected);
    }
  });

  it.each(parsers)(
    'round-trips leading-space and keep-chomping literals everywhere through %s',
    (_name, parse) => {
      const strings = [' x\ny', '\n  x\n', '  a\n\n', '\n\nb', 'a\n\n\n', '\tt\nu'];
      const value = {
        map: Object.fromEntries(strings.map((s, i) => [`k${i}`, s])),
        seq: strings,
        deep: [[strings]],
      };
      expect(parse(emitYaml(value))).toEqual(value);
      const wrapped = parse(`data:\n  x: ${yamlAsBlockLiteral([value, strings], '    ')}`) as {
        data: { x: string };
      };
      expect(parse(wrapped.data.x)).toEqual([value, strings]);
      const keep = yamlAsBlockLiteral(['a\n\n\n'], '    ');
      expect(keep.startsWith('|+\n')).toBe(true);
      expect(parse((parse(`k: ${keep}`) as { k: string }).k)).toEqual(['a\n\n\n']);
      const literal = { a: new LiteralString(' x\ny'), b: [new LiteralString('  a\n\n')] };
      expect(parse(emitYaml(literal))).toEqual({ a: ' x\ny', b: ['  a\n\n'] });
    },
  );

  it('prefers plain, then single-quoted, then double-quoted strings', () => {
    expect(
      emitYaml({ a: 'plain text/with:colons', b: 'it is: quoted', c: 'tab\there', d: 'yes', e: '' }),
    ).toBe("a: plain text/with:colons\nb: 'it is: quoted'\nc: \"tab\\there\"\nd: 'yes'\ne: ''\n");
  });

  it('writes multi-line strings and LiteralStrings as block literals with the right chomping', () => {
    expect(
      emitYaml({
        clip: 'a\nb\n',
        strip: 'a\nb',
        keep: 'a\n\n',
        indented: '  x\ny\n',
        one: new LiteralString('[{"a": 1}]'),
      }),
    ).toBe(
      'clip: |\n  a\n  b\nstrip: |-\n  a\n  b\nkeep: |+\n  a\n\nindented: |2\n    x\n  y\none: |-\n  [{"a": 1}]\n',
    );
  });

  it('never folds long lines', () => {
    const long = `${'word '.repeat(500)}end`;
    const text = emitYaml({ long, list: [long], literal: new LiteralString(long) });
    expect(text.split('\n').filter((line) => line.includes('word')).length).toBe(3);
  });

  it('emits empty collections and special numbers', () => {
    expect(emitYaml({ a: [], b: {}, c: [[], {}], d: Number.NaN, e: -0, f: 1e21, g: null })).toBe(
      'a: []\nb: {}\nc:\n  - []\n  - {}\nd: .nan\ne: -0.0\nf: 1.0e+21\ng: null\n',
    );
  });

  it('writes keys longer than 1,000 characters as explicit keys', () => {
    const key = 'k'.repeat(1500);
    expect(load(emitYaml({ [key]: { a: 1 } }))).toEqual({ [key]: { a: 1 } });
  });

  it('keeps a __proto__ key as data', () => {
    const value = parseYaml('x.yaml', '__proto__: {polluted: true}\n');
    expect(Object.hasOwn(value as object, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(emitYaml(value)).toBe('__proto__:\n  polluted: true\n');
  });
});
