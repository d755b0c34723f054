/**
 * replace_registry with `regexp: true` is Python `re` syntax, applied as
 * `re.sub(old, new, text, flags=re.MULTILINE)` (the original OMPS's call).
 * Each expected output below was written down from Python 3.11's answer for
 * the same pattern, replacement and text; the tests never run Python.
 */
import { describe, expect, it } from 'vitest';
import { PythonRegexpError, pythonSubstitution } from '../../src/domain/python-regexp.js';

// [what it shows, old (Python pattern), new (Python template), text, re.sub's answer]
const table: [string, string, string, string, string][] = [
  [
    'numbered group \\1',
    String.raw`quay\.io/(\w+)/`,
    String.raw`mirror.example.com/\1-mirror/`,
    'image: quay.io/org/app:v1\n  - image: quay.io/other/tool@sha256:abc\nregistry: quay.io\n',
    'image: mirror.example.com/org-mirror/app:v1\n  - image: mirror.example.com/other-mirror/tool@sha256:abc\nregistry: quay.io\n',
  ],
  [
    '\\g<1> followed by a digit',
    String.raw`(v)(\d)`,
    String.raw`\g<1>0\2`,
    'app:v1 tool:v2',
    'app:v01 tool:v02',
  ],
  [
    'named group and \\g<name>',
    String.raw`quay\.io/(?P<org>[a-z]+)/(?P<repo>[a-z]+)`,
    String.raw`registry.example.com/\g<org>/\g<repo>`,
    'image: quay.io/org/app:v1\n  - image: quay.io/other/tool@sha256:abc\nregistry: quay.io\n',
    'image: registry.example.com/org/app:v1\n  - image: registry.example.com/other/tool@sha256:abc\nregistry: quay.io\n',
  ],
  [
    'named group by number',
    String.raw`quay\.io/(?P<org>[a-z]+)/`,
    String.raw`r.example.com/\1/`,
    'image: quay.io/org/app:v1\n  - image: quay.io/other/tool@sha256:abc\nregistry: quay.io\n',
    'image: r.example.com/org/app:v1\n  - image: r.example.com/other/tool@sha256:abc\nregistry: quay.io\n',
  ],
  [
    '\\g<0> is the whole match',
    String.raw`quay\.io`,
    String.raw`[\g<0>]`,
    'image: quay.io/org/app:v1\n  - image: quay.io/other/tool@sha256:abc\nregistry: quay.io\n',
    'image: [quay.io]/org/app:v1\n  - image: [quay.io]/other/tool@sha256:abc\nregistry: [quay.io]\n',
  ],
  [
    'a literal $ in new',
    String.raw`quay\.io/(\w+)`,
    String.raw`$1-\1-$&-$$`,
    'image: quay.io/org/app:v1\n  - image: quay.io/other/tool@sha256:abc\nregistry: quay.io\n',
    'image: $1-org-$&-$$/app:v1\n  - image: $1-other-$&-$$/tool@sha256:abc\nregistry: quay.io\n',
  ],
  [
    '\\\\ is one backslash',
    String.raw`registry: (.*)`,
    String.raw`registry: C:\\path\\\1`,
    'image: quay.io/org/app:v1\n  - image: quay.io/other/tool@sha256:abc\nregistry: quay.io\n',
    'image: quay.io/org/app:v1\n  - image: quay.io/other/tool@sha256:abc\nregistry: C:\\path\\quay.io\n',
  ],
  ['other escapes of non-letters stay as written', String.raw`quay`, String.raw`\&\-\$`, 'quay', '\\&\\-\\$'],
  ['\\n and \\t in new', String.raw`registry: `, String.raw`registry:\n\t`, 'registry: x', 'registry:\n\tx'],
  [
    'unmatched group is empty',
    String.raw`(quay)|(docker)\.io`,
    String.raw`<\1|\2>`,
    'quay docker.io',
    '<quay|> <|docker>',
  ],
  [
    '(?P=name) backreference',
    String.raw`(?P<q>['\"])(?P<v>[^'\"]*)(?P=q)`,
    String.raw`<\g<v>>`,
    'a: \'x\'\nb: "y"\nc: \'z"\n',
    'a: <x>\nb: <y>\nc: \'z"\n',
  ],
  ['\\1 backreference in the pattern', String.raw`(\w)\1`, String.raw`\1`, 'aabbcd', 'abcd'],
  [
    '^ and $ per line',
    String.raw`^(\s*)image: (.*)$`,
    String.raw`\1image: mirror/\2`,
    'image: quay.io/org/app:v1\n  - image: quay.io/other/tool@sha256:abc\nregistry: quay.io\n',
    'image: mirror/quay.io/org/app:v1\n  - image: quay.io/other/tool@sha256:abc\nregistry: quay.io\n',
  ],
  ['$ matches before the final newline and at the end', String.raw`$`, String.raw`<`, 'a\nb\n', 'a<\nb<\n<'],
  ['^ matches after every \\n, also the last', String.raw`^`, String.raw`>`, 'a\nb\n', '>a\n>b\n>'],
  [
    '\\A is the start of the text only',
    String.raw`\Aimage`,
    String.raw`IMAGE`,
    'image\nimage\n',
    'IMAGE\nimage\n',
  ],
  ['\\Z is the end of the text only', String.raw`1\Z`, String.raw`2`, 'v1\nv1', 'v1\nv2'],
  ['\\r is not a line end for ^ $', String.raw`a$`, String.raw`b`, 'a\r\na', 'a\r\nb'],
  ['. does not match \\n but matches \\r', String.raw`x.y`, String.raw`-`, 'x\ny x\ry', 'x\ny -'],
  ['\\w is Unicode', String.raw`\w+`, String.raw`W`, 'café über_1 ж', 'W W W'],
  ['\\d is Unicode digits', String.raw`\d`, String.raw`D`, '1٣x', 'DDx'],
  ["\\s is Python's whitespace", String.raw`a\sb`, String.raw`-`, 'a\u001cb a﻿b a b', '- a﻿b -'],
  ['\\b uses Unicode words', String.raw`\bé`, String.raw`E`, 'é xé', 'E xé'],
  ['{,n} quantifier', String.raw`ax{,2}`, '-', 'axxxa ax', '-x- -'],
  ['a { that is no quantifier is literal', String.raw`a{1`, String.raw`-`, 'a{1', '-'],
  ['(?#comment) is dropped', String.raw`quay(?#the registry)\.io`, String.raw`q`, 'quay.io', 'q'],
  [
    'lookbehind',
    String.raw`(?<=image: )quay\.io`,
    String.raw`mirror`,
    'image: quay.io/org/app:v1\n  - image: quay.io/other/tool@sha256:abc\nregistry: quay.io\n',
    'image: mirror/org/app:v1\n  - image: mirror/other/tool@sha256:abc\nregistry: quay.io\n',
  ],
  ['(?s) makes . match newlines', String.raw`(?s)a.b`, String.raw`-`, 'a\nb', '-'],
  ['lazy quantifier', String.raw`<.+?>`, String.raw`[]`, '<a><b>', '[][]'],

  ['class with ] first and escapes', String.raw`[]\-\\]`, String.raw`_`, 'a]b-c\\d', 'a_b_c_d'],
  ['astral character is one character', String.raw`a.b`, String.raw`-`, 'a😀b', '-'],
  ['octal escape in pattern and new', String.raw`\101`, String.raw`\102`, 'A', 'B'],
  [
    'plain text with regexp specials via escapes',
    String.raw`quay\.io/org/app:v1`,
    String.raw`x/y:\g<0>`,
    'image: quay.io/org/app:v1\n  - image: quay.io/other/tool@sha256:abc\nregistry: quay.io\n',
    'image: x/y:quay.io/org/app:v1\n  - image: quay.io/other/tool@sha256:abc\nregistry: quay.io\n',
  ],
  ['an astral character in the pattern is one character', '😀+', String.raw`<\g<0>>`, 'é😀😀a', 'é<😀😀>a'],
  ['zero-width matches never fall inside a surrogate pair', String.raw`\b`, '|', 'é😀a b', '|é|😀|a| |b|'],
  ['^ at line starts before astral characters', '^', '>', '😀\n😀', '>😀\n>😀'],
];

// [why, old, new]: rules that JavaScript cannot run the same way, or that Python itself refuses.
const refusals: [string, string, string][] = [
  ['possessive quantifier', String.raw`a++`, 'x'],
  // After an empty match Python tries a non-empty one at the same place, JavaScript moves on.
  ['a pattern that can match both nothing and text (x*)', String.raw`x*`, '-'],
  ['a lazy pattern that prefers nothing (w??)', String.raw`\w??`, '-'],
  ['atomic group', String.raw`(?>a)`, 'x'],
  ['backreference to a group in another branch', String.raw`(a)|\1`, 'x'],
  ['backreference to a group in an optional group', String.raw`(?:(a))?\1`, 'x'],
  ['backreference to a group in a negative lookahead', String.raw`(?!(a))\1`, 'x'],
  ['(?P=name) to a group that may not take part', String.raw`(?P<q>')?x(?P=q)`, 'x'],
  ['multiple repeat', String.raw`a**`, 'x'],
  ['inline (?i)', String.raw`(?i)quay`, String.raw`x`],
  ['inline (?x)', String.raw`(?x) quay`, String.raw`x`],
  ['scoped flags', String.raw`(?i:quay)`, String.raw`x`],
  ['conditional', String.raw`(a)?(?(1)b|c)`, String.raw`x`],
  ['JS-style named group', String.raw`(?<org>\w+)`, String.raw`x`],
  ['bad escape in pattern', String.raw`\q`, String.raw`x`],
  ['bad escape in new', String.raw`a`, String.raw`\q`],
  ['unknown group in new', String.raw`(a)`, String.raw`\2`],
  ['unknown name in new', String.raw`(?P<a>a)`, String.raw`\g<b>`],
  ['backreference to an optional group', String.raw`(a)?\1`, String.raw`x`],
  ['\\W in a class', String.raw`[\W]`, String.raw`x`],
  ['\\N{name}', String.raw`\N{DIGIT ONE}`, String.raw`x`],
  ['unbalanced', String.raw`(a`, String.raw`x`],
];

describe('Python re.sub, translated', () => {
  it.each(table)('%s', (_what, old, replacement, text, expected) => {
    expect(pythonSubstitution(old, replacement)(text)).toBe(expected);
  });
});

describe('rules that cannot be translated are refused, saying why', () => {
  it.each(refusals)('%s', (_what, old, replacement) => {
    const error = (() => {
      try {
        pythonSubstitution(old, replacement);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(PythonRegexpError);
    // The message says which of the two fields and why.
    expect((error as Error).message).toMatch(/^(old|new): \S/);
  });
});
