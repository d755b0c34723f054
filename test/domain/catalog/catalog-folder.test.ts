import { describe, expect, it } from 'vitest';
import {
  packageConfig,
  packagesIn,
  replacePackage,
  sameFiles,
  samePackage,
} from '../../../src/domain/catalog/catalog-folder.js';
import { CatalogLoadError } from '../../../src/domain/catalog/declcfg-load.js';
import { writeJson } from '../../../src/domain/catalog/declcfg-write.js';
import type { DeclarativeConfig } from '../../../src/domain/catalog/fbc.js';
import type { FileEntry } from '../../../src/domain/files.js';
import { bundle, parrotAndWalrus } from './fixtures.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const file = (path: string, text: string): FileEntry => ({ path, data: enc.encode(text) });
const texts = (files: FileEntry[]) => Object.fromEntries(files.map((f) => [f.path, dec.decode(f.data)]));
const only = (config: DeclarativeConfig, pkg: string): DeclarativeConfig => ({
  packages: config.packages.filter((p) => p.name === pkg),
  channels: config.channels.filter((c) => c.package === pkg),
  bundles: config.bundles.filter((b) => b.package === pkg),
  others: config.others.filter((o) => o.package === pkg),
});
const PARROT = only(parrotAndWalrus(), 'parrot');
const WALRUS = only(parrotAndWalrus(), 'walrus');
const ORCA: DeclarativeConfig = {
  packages: [{ schema: 'olm.package', name: 'orca', defaultChannel: 'stable' }],
  channels: [{ schema: 'olm.channel', name: 'stable', package: 'orca', entries: [{ name: 'orca.v1.0.0' }] }],
  bundles: [bundle('orca', '1.0.0')],
  others: [],
};
const WALRUS_TEXT = writeJson(WALRUS);

// The per-package layout of write.go's WriteFS (`<package>/catalog.json`), and foreign layouts.
describe('replacePackage', () => {
  it.each<[string, FileEntry[], DeclarativeConfig | undefined, Record<string, string>]>([
    [
      'adds a package folder; other files byte-identical',
      [file('walrus/catalog.json', WALRUS_TEXT)],
      PARROT,
      { 'parrot/catalog.json': writeJson(PARROT), 'walrus/catalog.json': WALRUS_TEXT },
    ],
    [
      'replaces the whole folder of the package (other files, ignored files)',
      [
        file('parrot/.indexignore', 'README.md\n'),
        file('parrot/README.md', 'notes'),
        file('parrot/bundles/b.yaml', 'schema: olm.bundle\nname: parrot.v0.0.1\npackage: parrot\nimage: x\n'),
        file('parrot/catalog.json', '{"schema":"olm.package","name":"parrot"}'),
        file('walrus/catalog.json', WALRUS_TEXT),
      ],
      { ...PARROT, bundles: PARROT.bundles.slice(0, 1) },
      {
        'parrot/catalog.json': writeJson({ ...PARROT, bundles: PARROT.bundles.slice(0, 1) }),
        'walrus/catalog.json': WALRUS_TEXT,
      },
    ],
    [
      'undefined: the package leaves the catalog',
      [file('parrot/catalog.json', writeJson(PARROT)), file('walrus/catalog.json', WALRUS_TEXT)],
      undefined,
      { 'walrus/catalog.json': WALRUS_TEXT },
    ],
    [
      'an empty config: the package leaves the catalog',
      [file('parrot/catalog.json', writeJson(PARROT)), file('walrus/catalog.json', WALRUS_TEXT)],
      { packages: [], channels: [], bundles: [], others: [] },
      { 'walrus/catalog.json': WALRUS_TEXT },
    ],
    [
      'cuts the package out of a shared JSON file, keeping every other byte',
      [file('index.json', `${writeJson(ORCA)}${writeJson(PARROT)}\n${WALRUS_TEXT}`)],
      undefined,
      { 'index.json': `${writeJson(ORCA)}${WALRUS_TEXT}` },
    ],
    [
      'cuts YAML documents with their --- lines out of a shared file',
      [
        file(
          'catalog.yaml',
          '# all packages\n---\nschema: olm.package\nname: walrus\n---\nschema: olm.package\nname: parrot\n---\nschema: olm.channel\npackage: parrot\nname: fast\nentries: []\n---\nschema: custom\npackage: walrus\n',
        ),
      ],
      undefined,
      {
        'catalog.yaml':
          '# all packages\n---\nschema: olm.package\nname: walrus\n---\nschema: custom\npackage: walrus\n',
      },
    ],
    [
      'removes a shared file left with no blob',
      [file('all.json', writeJson(PARROT)), file('walrus.json', WALRUS_TEXT)],
      undefined,
      { 'walrus.json': WALRUS_TEXT },
    ],
    [
      "keeps another package's blobs found inside the package's folder",
      [file('parrot/mixed.json', `${writeJson(PARROT)}${WALRUS_TEXT}`)],
      PARROT,
      { 'parrot/catalog.json': writeJson(PARROT), 'parrot/mixed.json': WALRUS_TEXT },
    ],
  ])('%s', (_name, files, config, expected) => {
    const result = replacePackage(files, 'parrot', config);
    expect(texts(result)).toEqual(expected);
    expect(result.map((f) => f.path)).toEqual(Object.keys(expected).sort());
  });

  it('keeps untouched files as the same bytes (not copies of them re-encoded)', () => {
    const walrus = file('walrus/catalog.json', WALRUS_TEXT);
    const result = replacePackage([walrus], 'parrot', PARROT);
    expect(result.find((f) => f.path === walrus.path)?.data).toBe(walrus.data);
  });

  it.each(['', 'a/b', '..', '.'])('refuses the package name %j', (name) => {
    expect(() => replacePackage([], name, PARROT)).toThrow(CatalogLoadError);
  });

  it('refuses to cut from an unreadable file outside the folder', () => {
    expect(() =>
      replacePackage([file('broken.json', '{"schema":"olm.package","name":"parrot"')], 'parrot', PARROT),
    ).toThrow(CatalogLoadError);
  });
});

describe('samePackage / sameFiles', () => {
  const folder = [file('parrot/catalog.json', writeJson(PARROT)), file('walrus/catalog.json', WALRUS_TEXT)];
  it.each<[string, DeclarativeConfig | undefined, boolean]>([
    ['the same blobs', PARROT, true],
    ['another bundle', { ...PARROT, bundles: PARROT.bundles.slice(1) }, false],
    ['the package removed', undefined, false],
  ])('%s', (_name, config, same) => {
    expect(samePackage(folder, 'parrot', config)).toBe(same);
  });

  it('compares paths and bytes whatever the order', () => {
    expect(sameFiles(folder, [...folder].reverse())).toBe(true);
    expect(sameFiles(folder, folder.slice(1))).toBe(false);
    expect(sameFiles(folder, [folder[0] as FileEntry, file('walrus/catalog.json', `${WALRUS_TEXT} `)])).toBe(
      false,
    );
  });
});

describe('packagesIn / packageConfig', () => {
  const files = [
    file('all.json', `${writeJson(ORCA)}${writeJson(PARROT)}`),
    file('walrus/catalog.json', WALRUS_TEXT),
    file('parrot/extra.yaml', 'schema: olm.bundle\nname: parrot.v9.0.0\npackage: parrot\nimage: img\n'),
  ];
  it('lists every package, sorted', () => {
    expect(packagesIn(files)).toEqual(['orca', 'parrot', 'walrus']);
  });

  it("gathers one package's blobs from every file", () => {
    const config = packageConfig(files, 'parrot');
    expect(config.packages.map((p) => p.name)).toEqual(['parrot']);
    expect(config.bundles.map((b) => b.name).sort()).toEqual([
      'parrot.v0.1.0',
      'parrot.v0.2.0',
      'parrot.v0.2.1',
      'parrot.v9.0.0',
    ]);
    expect(config.others.map((o) => o.schema)).toEqual(['custom.a', 'custom.b']);
  });

  it('an absent package has no blobs', () => {
    expect(packageConfig(files, 'narwhal')).toEqual({ packages: [], channels: [], bundles: [], others: [] });
  });
});
