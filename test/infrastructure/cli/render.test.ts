/**
 * `omps render` as a process (SPEC §11.1): bundle folders, package-manifests
 * folders and FBC folders in, FBC blobs out (opm render's JSON or YAML),
 * exit 1 with a message on stderr for a PATH that cannot be rendered, 2 for
 * usage and I/O errors.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { gadgetBundle } from '../../support/catalog-bundles.js';
import { buildCli, omps, writeFiles } from '../../support/cli.js';
import { FIXTURES_DIR } from '../../support/fixtures.js';
import { filesOf } from '../../support/manifest-builders.js';
import { csvNameOf, nestedOperator } from '../../support/operator-versions.js';

const GADGET = join(FIXTURES_DIR, 'catalog', 'gadget_bundle');
const KVSTORE = join(FIXTURES_DIR, 'catalog', 'kvstore_package');

let dir: string;
let count = 0;
const folder = (files: ReturnType<typeof filesOf>) => writeFiles(join(dir, `case-${++count}`), files);

/** opm's JSON output: indented objects one after another. */
function blobsOf(stdout: string): Record<string, unknown>[] {
  return stdout
    .split(/\n(?=\{)/)
    .filter((text) => text.trim() !== '')
    .map((text) => JSON.parse(text) as Record<string, unknown>);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'omps-render-'));
  await buildCli();
}, 180_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('omps render', { timeout: 60_000 }, () => {
  it('renders a bundle folder as one olm.bundle, image from the template', async () => {
    const run = await omps([
      'render',
      GADGET,
      '--image-ref-template',
      'registry.example.com/gadget/{{.Package}}-bundle:v{{.Version}}',
    ]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const [bundle, ...rest] = blobsOf(run.stdout);
    expect(rest).toEqual([]);
    expect(Object.keys(bundle!)).toEqual([
      'schema',
      'name',
      'package',
      'image',
      'properties',
      'relatedImages',
    ]);
    expect(bundle).toMatchObject({
      schema: 'olm.bundle',
      name: 'gadget.v0.2.0',
      package: 'gadget',
      image: 'registry.example.com/gadget/gadget-bundle:v0.2.0',
    });
    const properties = bundle!.properties as { type: string; value: unknown }[];
    expect(properties.map((p) => p.type)).toEqual([
      'olm.gvk',
      'olm.gvk.required',
      'olm.label',
      'olm.maxOpenShiftVersion',
      'olm.package',
      'olm.package.required',
      'olm.bundle.object',
      'olm.bundle.object',
    ]);
    expect(properties[5]!.value).toEqual({ packageName: 'widget', versionRange: '>=1.0.0 <2.0.0' });
    expect(bundle!.relatedImages).toEqual([
      { name: '', image: 'registry.example.com/gadget/gadget-bundle:v0.2.0' },
      { name: '', image: 'registry.example.com/gadget/gadget-init:v0.2.0' },
      { name: 'operator', image: 'registry.example.com/gadget/gadget:v0.2.0' },
    ]);
    // opm's writer: four-space indent, one blob after another.
    expect(run.stdout.startsWith('{\n    "schema": "olm.bundle",\n    "name": "gadget.v0.2.0",\n')).toBe(
      true,
    );
  });

  it('renders a package-manifests folder as YAML documents, with olm.csv.metadata when migrated', async () => {
    const run = await omps([
      'render',
      KVSTORE,
      '--output',
      'yaml',
      '--image-ref-template',
      'registry.example.org/kv/kvstore-bundle:{{.Version}}',
      '--migrate-level',
      'bundle-object-to-csv-metadata',
    ]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout.startsWith('---\ndefaultChannel: stable\n')).toBe(true);
    const docs = parseAllDocuments(run.stdout).map((d) => d.toJS() as Record<string, unknown>);
    expect(docs.map((d) => [d.schema, d.name])).toEqual([
      ['olm.package', 'kvstore'],
      ['olm.channel', 'alpha'],
      ['olm.channel', 'stable'],
      ['olm.bundle', 'kvstore.v0.1.0'],
      ['olm.bundle', 'kvstore.v0.2.0'],
      ['olm.bundle', 'kvstore.v0.3.0'],
    ]);
    const head = docs[5]!;
    expect(head.image).toBe('registry.example.org/kv/kvstore-bundle:0.3.0');
    expect((head.properties as { type: string }[]).map((p) => p.type)).toEqual([
      'olm.gvk',
      'olm.package',
      'olm.csv.metadata',
    ]);
  });

  it('prints an FBC folder again, byte for byte what rendered it', async () => {
    const first = await omps(['render', KVSTORE]);
    expect(first.code).toBe(0);
    const catalog = join(dir, 'catalog');
    mkdirSync(join(catalog, 'kvstore'), { recursive: true });
    writeFileSync(join(catalog, 'kvstore', 'catalog.json'), first.stdout);
    const again = await omps(['render', catalog]);
    expect(again).toMatchObject({ code: 0, stderr: '' });
    expect(again.stdout).toBe(first.stdout);
  });

  it('migrates an FBC folder as opm does: the same blobs as rendering the package with the migrate level', async () => {
    const template = ['--image-ref-template', 'registry.example.org/kv/kvstore-bundle:{{.Version}}'];
    const migrate = ['--migrate-level', 'bundle-object-to-csv-metadata'];
    const plain = await omps(['render', KVSTORE, ...template]);
    const catalog = join(dir, 'catalog-to-migrate');
    mkdirSync(catalog, { recursive: true });
    writeFileSync(join(catalog, 'kvstore.json'), plain.stdout);
    const migrated = await omps(['render', catalog, ...migrate]);
    expect(migrated).toMatchObject({ code: 0, stderr: '' });
    expect(migrated.stdout).toContain('"type": "olm.csv.metadata"');
    expect(migrated.stdout).toBe((await omps(['render', KVSTORE, ...template, ...migrate])).stdout);
  });

  it('combines several PATHs, grouping blobs by package', async () => {
    const run = await omps(['render', GADGET, KVSTORE]);
    expect(run.code).toBe(0);
    const blobs = blobsOf(run.stdout);
    expect(blobs.map((b) => `${b.schema}:${b.name}`)).toEqual([
      'olm.bundle:gadget.v0.2.0',
      'olm.package:kvstore',
      'olm.channel:alpha',
      'olm.channel:stable',
      'olm.bundle:kvstore.v0.1.0',
      'olm.bundle:kvstore.v0.2.0',
      'olm.bundle:kvstore.v0.3.0',
    ]);
  });

  const refusals: { name: string; path: () => string; stderr: RegExp }[] = [
    {
      name: 'a bundle without annotations',
      path: () => folder(gadgetBundle({ extra: { 'metadata/annotations.yaml': null } })),
      stderr: /no annotations/,
    },
    {
      name: 'a bundle without a CSV',
      path: () => folder(gadgetBundle({ extra: { 'manifests/gadget.clusterserviceversion.yaml': null } })),
      stderr: /no ClusterServiceVersion/,
    },
    {
      name: 'a currentCSV with no CSV',
      path: () =>
        folder(nestedOperator(['1.0.0'], { channels: [{ name: 'stable', currentCSV: csvNameOf('2.0.0') }] })),
      stderr: /currentCSV widget-operator\.v2\.0\.0, but no CSV has that name/,
    },
    {
      name: 'a version folder without a CSV',
      path: () => folder([...nestedOperator(['1.0.0']), ...filesOf({ '1.1.0/notes.yaml': { a: 1 } })]),
      stderr: /version folder 1\.1\.0 holds no ClusterServiceVersion/,
    },
    {
      name: 'a folder that is neither a bundle, a package nor a catalog',
      path: () => folder(filesOf({ '.indexignore': '*.txt\n', 'notes.txt': 'hello' })),
      stderr: /neither a bundle/,
    },
    {
      name: 'a folder of files that are not FBC blobs',
      path: () => folder(filesOf({ 'notes.txt': 'hello' })),
      stderr: /notes\.txt/,
    },
  ];

  it.each(refusals)('exits 1 for $name, naming the PATH, printing nothing', async ({ path, stderr }) => {
    const source = path();
    const run = await omps(['render', GADGET, source]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.startsWith(`omps render: ${source}: `)).toBe(true);
    expect(run.stderr).toMatch(stderr);
  });

  it('exits 2 for a missing PATH, a file, no PATH, or a bad option', async () => {
    const file = join(dir, 'file.txt');
    writeFileSync(file, 'x');
    const runs = await Promise.all([
      omps(['render', join(dir, 'missing')]),
      omps(['render', file]),
      omps(['render']),
      omps(['render', GADGET, '--output', 'xml']),
      omps(['render', GADGET, '--migrate-level', 'bogus']),
      omps(['render', GADGET, '--image-ref-template', '{{.Channel}}']),
    ]);
    expect(runs.map((r) => r.code)).toEqual([2, 2, 2, 2, 2, 2]);
    expect(runs[0]!.stderr).toContain('no such file or directory');
    expect(runs[1]!.stderr).toContain('not a folder');
    expect(runs[5]!.stderr).toContain('{{.Package}}, {{.Name}} and {{.Version}}');
  });

  it('is listed in the help, with its own usage', async () => {
    const all = await omps(['--help']);
    expect(all.stdout).toContain('  render ');
    const one = await omps(['render', '--help']);
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/^Usage: omps render PATH\.\.\./);
  });
});
