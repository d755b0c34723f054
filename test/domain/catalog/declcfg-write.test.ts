import { describe, expect, it } from 'vitest';
import { writeJson, writeJsonLines, writeYaml } from '../../../src/domain/catalog/declcfg-write.js';
import { emptyConfig } from '../../../src/domain/catalog/fbc.js';
import { bundle, parrotAndWalrus } from './fixtures.js';

// Mirrors operator-registry alpha/declcfg/write_test.go TestWriteJSON / TestWriteYAML
// (blob order: packages by name; per package its olm.package, channels by name,
// bundles by name, other blobs by schema; blobs of no package last), with our data.
const PARROT_JSON = `{
    "schema": "olm.package",
    "name": "parrot",
    "defaultChannel": "fast",
    "icon": {
        "base64data": "PHN2Zy8+",
        "mediatype": "image/svg+xml"
    },
    "description": "parrot operator"
}
{
    "schema": "olm.channel",
    "name": "fast",
    "package": "parrot",
    "entries": [
        {
            "name": "parrot.v0.1.0"
        },
        {
            "name": "parrot.v0.2.0",
            "replaces": "parrot.v0.1.0"
        },
        {
            "name": "parrot.v0.2.1",
            "replaces": "parrot.v0.1.0",
            "skips": [
                "parrot.v0.2.0"
            ],
            "skipRange": "<0.2.1"
        }
    ]
}
{
    "schema": "olm.channel",
    "name": "slow",
    "package": "parrot",
    "entries": [
        {
            "name": "parrot.v0.1.0"
        },
        {
            "name": "parrot.v0.2.0",
            "replaces": "parrot.v0.1.0"
        }
    ]
}
{
    "schema": "olm.bundle",
    "name": "parrot.v0.1.0",
    "package": "parrot",
    "image": "quay.example/parrot-bundle:v0.1.0",
    "properties": [
        {
            "type": "olm.package",
            "value": {
                "packageName": "parrot",
                "version": "0.1.0"
            }
        }
    ]
}
{
    "schema": "olm.bundle",
    "name": "parrot.v0.2.0",
    "package": "parrot",
    "image": "quay.example/parrot-bundle:v0.2.0",
    "properties": [
        {
            "type": "olm.package",
            "value": {
                "packageName": "parrot",
                "version": "0.2.0"
            }
        }
    ]
}
{
    "schema": "olm.bundle",
    "name": "parrot.v0.2.1",
    "package": "parrot",
    "image": "quay.example/parrot-bundle:v0.2.1",
    "properties": [
        {
            "type": "olm.package",
            "value": {
                "packageName": "parrot",
                "version": "0.2.1"
            }
        }
    ],
    "relatedImages": [
        {
            "name": "operator",
            "image": "quay.example/parrot:0.2.1"
        }
    ]
}
{
    "aField": 1,
    "package": "parrot",
    "schema": "custom.a"
}
{
    "myField": "x",
    "package": "parrot",
    "schema": "custom.b"
}
`;

const WALRUS_JSON = `{
    "schema": "olm.package",
    "name": "walrus",
    "defaultChannel": "stable"
}
{
    "schema": "olm.channel",
    "name": "stable",
    "package": "walrus",
    "entries": [
        {
            "name": "walrus.v1.0.0"
        }
    ]
}
{
    "schema": "olm.bundle",
    "name": "walrus.v1.0.0",
    "package": "walrus",
    "image": "quay.example/walrus-bundle:v1.0.0",
    "properties": [
        {
            "type": "olm.package",
            "value": {
                "packageName": "walrus",
                "version": "1.0.0"
            }
        }
    ]
}
`;

const PARROT_YAML = `---
defaultChannel: fast
description: parrot operator
icon:
  base64data: PHN2Zy8+
  mediatype: image/svg+xml
name: parrot
schema: olm.package
---
entries:
- name: parrot.v0.1.0
- name: parrot.v0.2.0
  replaces: parrot.v0.1.0
- name: parrot.v0.2.1
  replaces: parrot.v0.1.0
  skipRange: <0.2.1
  skips:
  - parrot.v0.2.0
name: fast
package: parrot
schema: olm.channel
---
entries:
- name: parrot.v0.1.0
- name: parrot.v0.2.0
  replaces: parrot.v0.1.0
name: slow
package: parrot
schema: olm.channel
---
image: quay.example/parrot-bundle:v0.1.0
name: parrot.v0.1.0
package: parrot
properties:
- type: olm.package
  value:
    packageName: parrot
    version: 0.1.0
schema: olm.bundle
---
image: quay.example/parrot-bundle:v0.2.0
name: parrot.v0.2.0
package: parrot
properties:
- type: olm.package
  value:
    packageName: parrot
    version: 0.2.0
schema: olm.bundle
---
image: quay.example/parrot-bundle:v0.2.1
name: parrot.v0.2.1
package: parrot
properties:
- type: olm.package
  value:
    packageName: parrot
    version: 0.2.1
relatedImages:
- image: quay.example/parrot:0.2.1
  name: operator
schema: olm.bundle
---
aField: 1
package: parrot
schema: custom.a
---
myField: x
package: parrot
schema: custom.b
`;

describe('writeJson / writeYaml (write_test.go TestWriteJSON, TestWriteYAML)', () => {
  it('writes packages in name order, each followed by its channels, bundles and other blobs; no-package blobs last', () => {
    expect(writeJson(parrotAndWalrus())).toBe(`${PARROT_JSON}${WALRUS_JSON}{
    "schema": "zz.custom"
}
`);
  });

  it('writes YAML documents with keys sorted, sequences unindented', () => {
    const yaml = writeYaml(parrotAndWalrus());
    expect(yaml.startsWith(PARROT_YAML)).toBe(true);
    expect(yaml.endsWith('---\nschema: zz.custom\n')).toBe(true);
  });

  it('writes nothing for an empty config', () => {
    expect(writeJson(emptyConfig())).toBe('');
    expect(writeYaml(emptyConfig())).toBe('');
  });

  it('writes JSON lines for catalogd-style answers', () => {
    const config = { ...emptyConfig(), bundles: [bundle('walrus', '1.0.0')] };
    expect(writeJsonLines(config)).toBe(
      '{"schema":"olm.bundle","name":"walrus.v1.0.0","package":"walrus","image":"quay.example/walrus-bundle:v1.0.0","properties":[{"type":"olm.package","value":{"packageName":"walrus","version":"1.0.0"}}]}\n',
    );
  });
});

describe('Go encoding details', () => {
  it.each([
    ['HTML characters stay raw', '<a&b>', '"<a&b>"'],
    ['line separators are escaped', 'a\u2028b', '"a\\u2028b"'],
    ['control characters use short escapes', 'a\tb\n', '"a\\tb\\n"'],
  ])('%s', (_name, description, json) => {
    const config = {
      ...emptyConfig(),
      packages: [{ schema: 'olm.package' as const, name: 'p', description }],
    };
    expect(writeJson(config)).toContain(`"description": ${json}`);
  });

  it('always writes defaultChannel, drops empty optional fields, keeps an empty image', () => {
    const config = {
      ...emptyConfig(),
      packages: [{ schema: 'olm.package' as const, name: 'p', description: '', properties: [] }],
      bundles: [
        {
          schema: 'olm.bundle' as const,
          name: 'b',
          package: 'p',
          image: '',
          properties: [],
          relatedImages: [],
        },
      ],
    };
    expect(writeJson(config)).toBe(
      '{\n    "schema": "olm.package",\n    "name": "p",\n    "defaultChannel": ""\n}\n' +
        '{\n    "schema": "olm.bundle",\n    "name": "b",\n    "package": "p",\n    "image": ""\n}\n',
    );
  });

  it('drops blobs whose package name is empty, as write.go does', () => {
    const config = {
      ...emptyConfig(),
      packages: [{ schema: 'olm.package' as const, name: '' }],
      bundles: [{ ...bundle('x', '1.0.0'), package: '' }],
    };
    expect(writeJson(config)).toBe('');
  });
});

// sigs.k8s.io/yaml JSONToYAML + go-yaml v2.4 emitter rules.
describe('YAML scalars as go-yaml v2 writes them', () => {
  const yamlOf = (description: string) =>
    writeYaml({ ...emptyConfig(), packages: [{ schema: 'olm.package', name: 'p', description }] });
  it.each([
    ['plain', 'a plain text', 'description: a plain text\n'],
    ['a boolean word is quoted', 'yes', 'description: "yes"\n'],
    ['a number is quoted', '1.5', 'description: "1.5"\n'],
    ['a date is quoted', '2024-01-02', 'description: "2024-01-02"\n'],
    ['an indicator start is single-quoted', '*star', "description: '*star'\n"],
    ['": " is single-quoted', 'key: value', "description: 'key: value'\n"],
    ['a single quote inside is doubled', "'q' here", "description: '''q'' here'\n"],
    ['a tab forces double quotes', 'a\tb', 'description: "a\\tb"\n'],
    ['multi-line is a literal', 'line one\nline two\n', 'description: |\n  line one\n  line two\n'],
    ['multi-line without final break', 'one\ntwo', 'description: |-\n  one\n  two\n'],
    ['leading space needs an indent hint', ' one\ntwo', 'description: |2-\n   one\n  two\n'],
    ['trailing space before a break forces double quotes', 'one \ntwo', 'description: "one \\ntwo"\n'],
    ['emoji are escaped', 'hi 😀', 'description: "hi \\U0001F600"\n'],
    ['empty string', '', 'description: ""\n'],
  ])('%s', (_name, description, expected) => {
    // description is omitted when empty, as omitempty does.
    const text = yamlOf(description);
    if (description === '') expect(text).not.toContain('description');
    else expect(text).toContain(expected);
  });

  it('folds a long plain line at the first space past column 80, continuing two spaces in', () => {
    const words = Array.from({ length: 20 }, (_, i) => `word${i}`).join(' ');
    const text = yamlOf(words);
    expect(text).toContain(
      'description: word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11\n  word12 word13 word14 word15 word16 word17 word18 word19\n',
    );
  });

  it.each([
    [1, '1'],
    [1.5, '1.5'],
    [1e21, '1e+21'],
    [0.00001, '1e-05'],
    [1234567.5, '1.2345675e+06'],
    [true, 'true'],
    [null, 'null'],
  ])('number/bool/null %j', (value, text) => {
    const config = {
      ...emptyConfig(),
      others: [{ schema: 'x', package: 'p', blob: { schema: 'x', package: 'p', v: value } }],
    };
    expect(writeYaml(config)).toBe(`---\npackage: p\nschema: x\nv: ${text}\n`);
  });

  it('orders keys naturally: digit runs by value', () => {
    const config = {
      ...emptyConfig(),
      others: [{ schema: 'x', package: 'p', blob: { schema: 'x', package: 'p', a10: 1, a2: 2, 'a-1': 3 } }],
    };
    expect(writeYaml(config)).toBe('---\na-1: 3\na2: 2\na10: 1\npackage: p\nschema: x\n');
  });

  it('writes empty maps and lists in flow style', () => {
    const config = {
      ...emptyConfig(),
      others: [{ schema: 'x', package: 'p', blob: { schema: 'x', package: 'p', m: {}, l: [], k: [[1]] } }],
    };
    expect(writeYaml(config)).toBe('---\nk:\n- - 1\nl: []\nm: {}\npackage: p\nschema: x\n');
  });
});

describe('YAML keys', () => {
  it('quotes a key YAML 1.1 reads as a boolean', () => {
    const config = {
      ...emptyConfig(),
      others: [{ schema: 'x', package: 'p', blob: { schema: 'x', package: 'p', n: 1 } }],
    };
    expect(writeYaml(config)).toBe('---\n"n": 1\npackage: p\nschema: x\n');
  });
});
