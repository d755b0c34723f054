import { describe, expect, it } from 'vitest';
import { CatalogLoadError, loadConfig, MAX_DEPTH } from '../../../src/domain/catalog/declcfg-load.js';
import { writeJson } from '../../../src/domain/catalog/declcfg-write.js';
import type { FileEntry } from '../../../src/domain/files.js';
import { parrotAndWalrus } from './fixtures.js';

const file = (path: string, text: string): FileEntry => ({ path, data: new TextEncoder().encode(text) });

function loadError(files: FileEntry[]): string {
  try {
    loadConfig(files);
  } catch (error) {
    expect(error).toBeInstanceOf(CatalogLoadError);
    return (error as Error).message;
  }
  throw new Error('expected a CatalogLoadError');
}

// Mirrors operator-registry alpha/declcfg/load_test.go TestLoadReader / TestLoadFile "Error/*"
// cases (invalidFS), with our own data; opm's message after the file's path.
describe('loadConfig refuses what opm refuses', () => {
  it.each([
    ['NotYAMLOrJSON', 'bad.txt', '[Neither yaml nor json.}', /^bad\.txt: error converting YAML to JSON/],
    ['NotJSONObject', 'list.json', '[]', /^list\.json: json: cannot unmarshal array/],
    [
      'NoSchema',
      'no-schema.yaml',
      'greeting: hello',
      /^no-schema\.yaml: object '\{"greeting":"hello"\}\n' is missing root schema field$/,
    ],
    // opm reads schema/package/name first (Meta), so a non-string name fails there.
    [
      'InvalidPackageJSON',
      'p.json',
      '{"schema": "olm.package","name": {}}',
      /^p\.json: expected value for key "name" to be a string/,
    ],
    [
      'InvalidPackageField',
      'p.json',
      '{"schema": "olm.package","name": "p","defaultChannel": []}',
      /^p\.json: parse package: json: cannot unmarshal array into Go struct field Package\.defaultChannel of type string$/,
    ],
    [
      'InvalidBundleJSON',
      'b.json',
      '{"schema": "olm.bundle","relatedImages": {}}',
      /^b\.json: parse bundle: json: cannot unmarshal object into Go struct field Bundle\.relatedImages/,
    ],
    [
      'DuplicateFoldedKeys',
      'd.json',
      '{"schema":"olm.package","name":"a","Name":"b"}',
      /duplicate keys for key "name": \[Name name\]/,
    ],
    ['SchemaNotString', 's.json', '{"schema":1}', /expected value for key "schema" to be a string/],
    [
      'BadIconBase64',
      'i.json',
      '{"schema":"olm.package","name":"p","icon":{"base64data":"!!","mediatype":"image/png"}}',
      /parse package: illegal base64 data at input byte 0/,
    ],
    [
      'BadBundleObject',
      'o.json',
      '{"schema":"olm.bundle","name":"b","package":"p","properties":[{"type":"olm.bundle.object","value":{"data":"%%"}}]}',
      /read bundle objects: package "p", bundle "b": parse property at index 0 as bundle object/,
    ],
    [
      'BadSeparator',
      'sep.yaml',
      'schema: olm.package\n---x\nschema: olm.bundle\n',
      /invalid Yaml document separator: x/,
    ],
    [
      'CommentOnlyDocument',
      'c.yaml',
      '# just a comment\n---\nschema: olm.package\nname: p\n',
      /object '' is missing root schema field/,
    ],
    ['TruncatedJSON', 't.json', '{"schema":"olm.package"', /^t\.json: /],
    ['NotUTF8', 'u.json', '\uFFFD', /./],
  ])('%s', (_name, path, text, message) => {
    const files =
      _name === 'NotUTF8' ? [{ path, data: new Uint8Array([0x7b, 0xff, 0x7d]) }] : [file(path, text)];
    expect(loadError(files)).toMatch(message);
  });

  it('caps nesting depth', () => {
    const deep = `{"schema":"x","v":${'['.repeat(MAX_DEPTH + 5)}${']'.repeat(MAX_DEPTH + 5)}}`;
    expect(loadError([file('deep.json', deep)])).toMatch(/nesting deeper than/);
    const deepYaml = `schema: x\nv: ${'['.repeat(MAX_DEPTH + 5)}${']'.repeat(MAX_DEPTH + 5)}\n`;
    expect(loadError([file('deep.yaml', deepYaml)])).toMatch(/nesting deeper than|error converting/);
  });
});

// Mirrors load_test.go TestLoadFS "Success/ValidDir" and TestLoadFile "Success/*".
describe('loadConfig reads what opm reads', () => {
  it('reads a JSON stream of concatenated objects, unknown schemas kept as others', () => {
    const config = loadConfig([
      file('mixed.json', '{"schema":"olm.package"}{"schema":"unexpected"}{"schema":"olm.bundle"}'),
    ]);
    expect([config.packages.length, config.bundles.length, config.others.length]).toEqual([1, 1, 1]);
  });

  // The stream is cut into values by a scan that skips strings: brackets, quotes and
  // backslashes inside them must not end a value early or late.
  it.each([
    ['braces and brackets in strings', '{"schema":"a","v":"}]{["}{"schema":"b"}', ['a', 'b']],
    ['escaped quotes in strings', '{"schema":"a","v":"x\\"}{"}\n{"schema":"b"}', ['a', 'b']],
    ['escaped backslash before a closing quote', '{"schema":"a","v":"x\\\\"} {"schema":"b"}', ['a', 'b']],
    [
      'nesting across lines',
      '{"schema":"a","v":[{"w":[1,{"x":"]"}]}]}\n\n{"schema":"b","v":{}}\n',
      ['a', 'b'],
    ],
  ])('reads a JSON stream with %s', (_name, text, schemas) => {
    const config = loadConfig([file('stream.json', text)]);
    expect(config.others.map((o) => o.schema)).toEqual(schemas);
  });

  it.each([
    ['an unterminated string', '{"schema":"a","v":"x'],
    ['an unclosed object', '{"schema":"a","v":{"w":1}'],
    ['a string ending in a backslash', '{"schema":"a","v":"x\\'],
  ])('refuses a JSON stream with %s', (_name, text) => {
    expect(loadError([file('stream.json', text)])).toMatch(/^stream\.json: /);
  });

  it('reads multi-document YAML, skipping empty documents', () => {
    const config = loadConfig([
      file(
        'p.yaml',
        '---\nschema: olm.package\nname: parrot\ndefaultChannel: fast\n---\n---\nschema: olm.channel\nname: fast\npackage: parrot\nentries:\n- name: parrot.v0.1.0\n',
      ),
    ]);
    expect(config.packages).toEqual([{ schema: 'olm.package', name: 'parrot', defaultChannel: 'fast' }]);
    expect(config.channels[0]?.entries).toEqual([{ name: 'parrot.v0.1.0' }]);
  });

  it('round-trips what writeJson wrote', () => {
    const text = writeJson(parrotAndWalrus());
    expect(writeJson(loadConfig([file('catalog.json', text)]))).toBe(text);
  });

  it('matches known fields case-insensitively and sorts kept blobs and property values by key', () => {
    const config = loadConfig([
      file(
        'c.json',
        '{"Schema":"olm.bundle","Name":"b","PACKAGE":"p","image":"i","properties":[{"type":"t","value":{"z":1,"a":2}}]}{"schema":"custom","zeta":1,"alpha":2}',
      ),
    ]);
    expect(config.bundles[0]?.name).toBe('b');
    expect(config.bundles[0]?.package).toBe('p');
    expect(Object.keys(config.bundles[0]?.properties[0]?.value as object)).toEqual(['a', 'z']);
    expect(Object.keys(config.others[0]?.blob as object)).toEqual(['alpha', 'schema', 'zeta']);
  });

  it('reads YAML as YAML 1.1 but keeps timestamps as strings (go-yaml v2 into interface{})', () => {
    const config = loadConfig([file('x.yaml', 'schema: custom\nwhen: 2024-01-02\nflag: yes\n')]);
    expect(config.others[0]?.blob).toEqual({ schema: 'custom', when: '2024-01-02', flag: true });
  });

  it('re-encodes icon data canonically', () => {
    const config = loadConfig([
      file(
        'i.json',
        '{"schema":"olm.package","name":"p","icon":{"base64data":"PHN2\\nZy8+","mediatype":"image/svg+xml"}}',
      ),
    ]);
    expect(config.packages[0]?.icon).toEqual({ base64data: 'PHN2Zy8+', mediatype: 'image/svg+xml' });
  });
});

// load_test.go validFS (`.indexignore` with "*", "!*.json", "!*.yaml", "*.clusterserviceversion.yaml") and joelanford/ignore's rules.
describe('.indexignore', () => {
  const pkg = (name: string) => `{"schema":"olm.package","name":"${name}"}`;
  it.each([
    [
      'opm test pattern set',
      [
        file('.indexignore', '*\n!*.json\n!*.yaml\n\n*.clusterserviceversion.yaml'),
        file('README.md', '# Not a catalog\n\nPlain text.'),
        file('a.json', pkg('a')),
        file('b.yaml', 'schema: olm.package\nname: b\n'),
        file('x.clusterserviceversion.yaml', 'kind: ClusterServiceVersion\n'),
      ],
      ['a', 'b'],
    ],
    [
      'patterns apply below their own folder only',
      [
        file('sub/.indexignore', 'skip.json\n'),
        file('sub/skip.json', 'not json at all'),
        file('skip.json', pkg('top')),
        file('sub/keep.json', pkg('keep')),
        file('sub-b.json', pkg('sub-b')),
      ],
      // fs.WalkDir order: "skip.json", "sub" (and inside it), then "sub-b.json".
      ['top', 'keep', 'sub-b'],
    ],
    [
      'a folder pattern ignores what is under it; comments are skipped',
      [
        file('.indexignore', '# docs\ndocs/\n'),
        file('docs/notes.txt', 'free text'),
        file('p.json', pkg('p')),
      ],
      ['p'],
    ],
    [
      'an anchored glob with **',
      [file('.indexignore', '/x/**/*.txt\n'), file('x/y/z/n.txt', 'text'), file('n.json', pkg('n'))],
      ['n'],
    ],
    // joelanford/ignore: lines trimmed, files in fs.WalkDir order (a folder sorting before ".indexignore" comes first).
    [
      'indented patterns and comments are trimmed',
      [
        file('.indexignore', '   notes.txt  \n   # a comment\n'),
        file('notes.txt', 'text'),
        file('p.json', pkg('p')),
      ],
      ['p'],
    ],
    [
      'a deeper file re-includes what a shallower one ignores',
      [
        file('.indexignore', '*.json\n'),
        file('keep/.indexignore', '!*.json\n'),
        file('keep/k.json', pkg('k')),
        file('x.json', pkg('x')),
      ],
      ['k'],
    ],
    [
      'patterns of "-a/.indexignore" come before the root file\'s (WalkDir order), so the root file wins under -a',
      [
        file('-a/.indexignore', '!x.json\n'),
        file('-a/x.json', pkg('x')),
        file('.indexignore', 'x.json\n'),
        file('y.json', pkg('y')),
      ],
      ['y'],
    ],
  ])('%s', (_name, files, names) => {
    expect(loadConfig(files).packages.map((p) => p.name)).toEqual(names);
  });

  it('an unignored non-catalog file fails, as in opm', () => {
    expect(loadError([file('README.md', 'Some words here.')])).toMatch(/^README\.md: /);
  });
});

describe('YAML as go-yaml v2 reads it', () => {
  it.each([
    ['a repeated key: the last one wins', 'schema: custom\nk: 1\nk: 2\n', { schema: 'custom', k: 2 }],
    ['YAML 1.1 booleans', 'schema: custom\na: on\nb: No\n', { schema: 'custom', a: true, b: false }],
    ['a YAML 1.1 boolean key becomes "true"', 'schema: custom\ny: 1\n', { schema: 'custom', true: 1 }],
    [
      'merge keys',
      'schema: custom\nbase: &b {x: 1}\nm:\n  <<: *b\n  z: 2\n',
      { schema: 'custom', base: { x: 1 }, m: { x: 1, z: 2 } },
    ],
  ])('%s', (_name, text, blob) => {
    expect(loadConfig([file('x.yaml', text)]).others[0]?.blob).toEqual(blob);
  });
});
