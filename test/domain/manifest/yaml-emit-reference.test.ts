/** The emitter, made faster for multi-MB strings, writes exactly what it wrote before (the frozen reference). */
import { describe, expect, it } from 'vitest';
import { nodeTextCodec } from '../../../src/adapters/node-native/node-text-codec.js';
import * as current from '../../../src/domain/manifest/yaml-emit.js';
import { webTextCodec } from '../../../src/domain/text-codec.js';
import * as reference from '../../support/reference-yaml-emit.js';

type Emitter = typeof current | typeof reference;

/** A value tree whose `{ literal }` leaves become each emitter's own LiteralString. */
type Tree = string | number | boolean | null | { literal: string } | Tree[] | { [key: string]: Tree };

function build(tree: Tree, emitter: Emitter): unknown {
  if (tree === null || typeof tree !== 'object') return tree;
  if (Array.isArray(tree)) return tree.map((t) => build(t, emitter));
  if ('literal' in tree && typeof tree.literal === 'string') return new emitter.LiteralString(tree.literal);
  return Object.fromEntries(Object.entries(tree).map(([k, v]) => [k, build(v as Tree, emitter)]));
}

function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Pieces of lines: unicode, trailing spaces and tabs, CRLF, blank lines, what forces quoting. */
const PIECES = [
  'word',
  'operator install',
  ' ',
  '  ',
  '\t',
  '\n',
  '\n\n',
  '\r\n',
  '\r',
  ' \n',
  '\t\n',
  '# heading',
  ': ',
  ' #',
  '- item',
  '"',
  "'",
  '\\',
  '{}',
  '[]',
  '&a',
  '*a',
  '|',
  '>',
  '%',
  '@',
  '`',
  'é',
  '✓',
  '🎉',
  '\u0085',
  '\u00a0',
  '\u2028',
  '\ufeff',
  '\u0007',
  '\u007f',
  '\ud800',
  'yes',
  'null',
  '1e3',
  '---',
];

const LINE_WORDS = [
  'operator',
  '## Install',
  'größe',
  '✓',
  '🎉',
  'a\tb',
  '"quoted"',
  "it's",
  '- item',
  'key: value',
  '#tag',
  '{}',
  '*a',
  '&b',
];

function randomText(next: () => number): string {
  let s = '';
  const length = Math.floor(next() * 30);
  for (let i = 0; i < length; i++) s += PIECES[Math.floor(next() * PIECES.length)];
  return s;
}

function randomTree(next: () => number, depth: number): Tree {
  const r = next();
  if (depth > 3 || r < 0.5) {
    const k = next();
    if (k < 0.45) return randomText(next);
    if (k < 0.8) return { literal: randomText(next) };
    if (k < 0.9) return Math.floor(next() * 100);
    return next() < 0.5 ? null : true;
  }
  const size = Math.floor(next() * 4);
  if (r < 0.75) return Array.from({ length: size }, () => randomTree(next, depth + 1));
  return Object.fromEntries(
    Array.from({ length: size }, () => [randomText(next), randomTree(next, depth + 1)]),
  );
}

function bothEmit(tree: Tree, baseIndent: string): [string, string] {
  return [
    current.emitYaml(build(tree, current), baseIndent),
    reference.emitYaml(build(tree, reference), baseIndent),
  ];
}

describe('emitter against its frozen reference', () => {
  it('writes the same bytes for random values, at any base indent', () => {
    const next = random(11);
    for (let i = 0; i < 3000; i++) {
      const tree = { root: randomTree(next, 0), description: { literal: randomText(next) } };
      for (const base of ['', '    ']) {
        const [now, before] = bothEmit(tree, base);
        expect(now).toBe(before);
      }
      const items = [build(tree, current)];
      const before = reference.yamlAsBlockLiteral([build(tree, reference)], '    ');
      expect(current.yamlAsBlockLiteral(items, '    ')).toBe(before);
      expect(current.concatenated(current.yamlAsBlockLiteralParts(items, '    '))).toBe(before);
    }
  });

  it('writes the same bytes for literals of every shape: blank lines, leading spaces, chomping', () => {
    const shapes = [
      '\n',
      '\n\n',
      'a',
      'a\n',
      'a\n\n',
      '\na',
      '\n\na\n\n\nb\n\n',
      ' a\n b',
      '\n  x\n',
      '\ta\n\tb',
    ];
    for (const text of shapes) {
      for (const tree of [{ x: text }, { x: { literal: text } }, [{ literal: text }], { a: [{ b: text }] }]) {
        for (const base of ['', '  ', '    ']) {
          const [now, before] = bothEmit(tree as Tree, base);
          expect(now).toBe(before);
        }
      }
    }
  });

  it('writes the same bytes for a multi-MB description', () => {
    const next = random(7);
    const lines: string[] = [];
    for (let size = 0; size < 3_000_000; ) {
      // Lines a literal can hold: printable, tabs and unicode inside, blank lines, some indented.
      const words = Array.from(
        { length: Math.floor(next() * 12) },
        () => LINE_WORDS[Math.floor(next() * LINE_WORDS.length)],
      );
      const line = next() < 0.1 ? '' : `${next() < 0.05 ? '  ' : ''}${words.join(' ')}x`;
      lines.push(line);
      size += line.length + 1;
    }
    const description = `${lines.join('\n')}\n`;
    const tree: Tree = { spec: { description: { literal: description } }, plain: description };
    const [now, before] = bothEmit(tree, '    ');
    expect(now.length).toBeGreaterThan(6_000_000);
    expect(now === before).toBe(true);
    // In parts, the two big scalars are parts of their own (encoded without joining the text first).
    const parts = current.emitYamlParts(build(tree, current), '    ');
    expect(current.concatenated(parts) === before).toBe(true);
    const expected = Buffer.from(before);
    expect(Buffer.from(webTextCodec.encodeParts(parts)).equals(expected)).toBe(true);
    expect(Buffer.from(nodeTextCodec.encodeParts(parts)).equals(expected)).toBe(true);
    expect(
      parts.filter((part) => (typeof part === 'string' ? part : part.text).length > 3_000_000),
    ).toHaveLength(2);
    expect(now).toContain('  description: |\n');
    const literal = current.yamlAsBlockLiteralParts([build(tree, current), 'x\n\n'], '    ');
    expect(literal[0]).toBe('|+\n');
    // A document ending with a big keep-chomping literal: its last part decides the chomping.
    const keep = current.yamlAsBlockLiteralParts([new current.LiteralString(`${description}\n`)], '    ');
    expect(keep[0]).toBe('|+\n');
    expect(
      current.concatenated(keep) ===
        reference.yamlAsBlockLiteral([new reference.LiteralString(`${description}\n`)], '    '),
    ).toBe(true);
    expect(
      current.concatenated(literal) ===
        reference.yamlAsBlockLiteral([build(tree, reference), 'x\n\n'], '    '),
    ).toBe(true);
  });
});
