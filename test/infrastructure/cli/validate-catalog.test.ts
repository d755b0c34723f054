/**
 * `omps validate-catalog DIR` as a process: `opm validate`'s verdicts (nothing
 * printed and 0 for a valid catalog, 1 with one line per broken rule), 2 for
 * usage and I/O errors. Catalog data: ours, shaped like operator-registry's
 * alpha/declcfg load_test.go validFS / invalidFS.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeJson } from '../../../src/domain/catalog/declcfg-write.js';
import type { DeclarativeConfig } from '../../../src/domain/catalog/fbc.js';
import type { FileEntry } from '../../../src/domain/files.js';
import { parrotAndWalrus } from '../../domain/catalog/fixtures.js';
import { buildCli, omps, writeFiles } from '../../support/cli.js';

let dir: string;
let count = 0;
const file = (path: string, text: string): FileEntry => ({ path, data: new TextEncoder().encode(text) });
const catalogDir = (files: FileEntry[]) => writeFiles(join(dir, `catalog-${++count}`), files);
const valid = (): DeclarativeConfig => {
  const config = parrotAndWalrus();
  config.others = config.others.filter((o) => o.package);
  return config;
};

const parrotOnly = (): DeclarativeConfig => {
  const config = valid();
  return {
    packages: config.packages.filter((p) => p.name === 'parrot'),
    channels: config.channels.filter((c) => c.package === 'parrot'),
    bundles: config.bundles.filter((b) => b.package === 'parrot'),
    others: config.others.filter((o) => o.package === 'parrot'),
  };
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'omps-catalog-'));
  await buildCli();
}, 180_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('omps validate-catalog', { timeout: 60_000 }, () => {
  it.each<[string, FileEntry[]]>([
    ['one JSON file', [file('catalog.json', writeJson(valid()))]],
    [
      'a folder per package, YAML too, README hidden by .indexignore',
      [
        file('.indexignore', '*.md\n'),
        file('README.md', '# Our catalog\n\nNot FBC.'),
        file('parrot/catalog.json', writeJson(parrotOnly())),
        file(
          'walrus/catalog.yaml',
          'schema: olm.package\nname: walrus\ndefaultChannel: stable\n---\nschema: olm.channel\npackage: walrus\nname: stable\nentries:\n- name: walrus.v1.0.0\n---\nschema: olm.bundle\npackage: walrus\nname: walrus.v1.0.0\nimage: quay.example/walrus-bundle:v1.0.0\nproperties:\n- type: olm.package\n  value:\n    packageName: walrus\n    version: 1.0.0\n',
        ),
      ],
    ],
  ])('valid: %s → exit 0, nothing printed', async (_name, files) => {
    const run = await omps(['validate-catalog', catalogDir(files)]);
    expect(run).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it.each<[string, FileEntry[], string]>([
    [
      'two channel heads',
      [
        file(
          'catalog.json',
          writeJson({
            ...valid(),
            channels: valid().channels.map((c) =>
              c.name === 'slow'
                ? { ...c, entries: [{ name: 'parrot.v0.1.0' }, { name: 'parrot.v0.2.0' }] }
                : c,
            ),
          }),
        ),
      ],
      'invalid package "parrot": invalid channel "slow": multiple channel heads found in graph: parrot.v0.1.0, parrot.v0.2.0\n',
    ],
    [
      'a default channel that does not exist, and a stranded bundle',
      [
        file(
          'catalog.json',
          writeJson({
            ...valid(),
            packages: valid().packages.map((p) =>
              p.name === 'walrus' ? { ...p, defaultChannel: 'fast' } : p,
            ),
            channels: valid().channels.map((c) =>
              c.name === 'fast'
                ? {
                    ...c,
                    entries: [
                      { name: 'parrot.v0.1.0' },
                      { name: 'parrot.v0.2.0', replaces: 'parrot.v0.1.0' },
                      { name: 'parrot.v0.2.1', skips: ['parrot.v0.2.0'] },
                    ],
                  }
                : c,
            ),
          }),
        ),
      ],
      'invalid package "parrot": invalid channel "fast": channel contains one or more stranded bundles: parrot.v0.1.0\n' +
        'invalid package "walrus": invalid channel "fast": channel must contain at least one bundle\n',
    ],
    [
      'a file that is not FBC (no .indexignore)',
      [file('catalog.json', writeJson(valid())), file('NOTES.txt', 'Some notes.')],
      'NOTES.txt: json: cannot unmarshal string into Go value of type map[string]interface {}\n',
    ],
    [
      'a blob without schema',
      [file('catalog.json', '{"name":"parrot"}')],
      `catalog.json: object '{"name":"parrot"}\n' is missing root schema field\n`,
    ],
  ])('invalid: %s → exit 1, one line per broken rule', async (_name, files, stderr) => {
    const run = await omps(['validate-catalog', catalogDir(files)]);
    expect(run).toEqual({ code: 1, stdout: '', stderr });
  });

  it('an empty folder is a valid (empty) catalog, as for opm', async () => {
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    expect(await omps(['validate-catalog', empty])).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it.each<[string, () => string[], RegExp]>([
    ['no DIR', () => [], /^omps validate-catalog: missing DIR/],
    ['a missing folder', () => [join(dir, 'nowhere')], /cannot read .*nowhere: no such file or directory/],
    [
      'a file, not a folder',
      () => {
        const path = join(dir, 'plain.json');
        writeFileSync(path, '{}');
        return [path];
      },
      /is not a directory/,
    ],
    ['two folders', () => [dir, dir], /unexpected argument/],
  ])('usage or I/O error: %s → exit 2', async (_name, args, stderr) => {
    const run = await omps(['validate-catalog', ...args()]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(stderr);
  });

  it('prints its usage', async () => {
    const run = await omps(['validate-catalog', '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: omps validate-catalog DIR/);
    expect((await omps(['--help'])).stdout).toContain('  validate-catalog ');
  });
});
