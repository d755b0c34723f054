/**
 * renderPackageManifests: a package-manifests folder → one package of FBC
 * blobs. Channel membership follows operator-registry's DirGraphLoader
 * (`pkg/registry/directoryGraphLoader_test.go`: head plus everything reachable
 * by replaces and skips); blobs are in `declcfg.ConvertFromModel`'s order.
 */
import { describe, expect, it } from 'vitest';
import { parseImageRefTemplate } from '../../../src/domain/catalog/image-ref-template.js';
import { CSV_METADATA_MIGRATION, RenderError } from '../../../src/domain/catalog/render-bundle.js';
import { renderPackageManifests } from '../../../src/domain/catalog/render-package-manifests.js';
import { validateConfig } from '../../../src/domain/catalog/validate.js';
import type { FileEntry } from '../../../src/domain/files.js';
import { readFixture } from '../../support/fixtures.js';
import { aCrd, filesOf, type Obj, thrown } from '../../support/manifest-builders.js';
import { csvNameOf, nestedOperator, versionCsv } from '../../support/operator-versions.js';

const kvstore = () => readFixture('catalog/kvstore_package');

describe('renderPackageManifests', () => {
  it('renders the kvstore folder: package, channels by reachability, one bundle per CSV', () => {
    const config = renderPackageManifests(kvstore());
    expect(config.packages).toEqual([
      {
        schema: 'olm.package',
        name: 'kvstore',
        defaultChannel: 'stable',
        icon: {
          base64data: 'PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4=',
          mediatype: 'image/svg+xml',
        },
        description: 'A replicated key-value store, version 0.3.0.',
      },
    ]);
    expect(config.channels).toEqual([
      {
        schema: 'olm.channel',
        name: 'alpha',
        package: 'kvstore',
        entries: [{ name: 'kvstore.v0.1.0' }, { name: 'kvstore.v0.2.0', replaces: 'kvstore.v0.1.0' }],
      },
      {
        schema: 'olm.channel',
        name: 'stable',
        package: 'kvstore',
        entries: [
          { name: 'kvstore.v0.1.0' },
          { name: 'kvstore.v0.2.0', replaces: 'kvstore.v0.1.0' },
          {
            name: 'kvstore.v0.3.0',
            replaces: 'kvstore.v0.1.0',
            skips: ['kvstore.v0.2.0'],
            skipRange: '>=0.1.0 <0.3.0',
          },
        ],
      },
    ]);
    expect(config.bundles.map((b) => [b.name, b.package, b.image])).toEqual([
      ['kvstore.v0.1.0', 'kvstore', ''],
      ['kvstore.v0.2.0', 'kvstore', ''],
      ['kvstore.v0.3.0', 'kvstore', ''],
    ]);
    const head = config.bundles[2]!;
    expect(head.properties.filter((p) => p.type !== 'olm.bundle.object')).toEqual([
      { type: 'olm.gvk', value: { group: 'kv.example.org', kind: 'KvCluster', version: 'v1' } },
      { type: 'olm.package', value: { packageName: 'kvstore', version: '0.3.0' } },
    ]);
    expect(head.properties.filter((p) => p.type === 'olm.bundle.object')).toHaveLength(2);
    expect(head.relatedImages).toEqual([
      { name: '', image: 'registry.example.org/kv/kvstore-operator:v0.3.0' },
      { name: 'kvstore', image: 'registry.example.org/kv/kvstore:3.5.0' },
    ]);
    expect(config.others).toEqual([]);
  });

  it('renders catalogs that pass the validation of opm (declcfg ConvertToModel + model.Validate)', () => {
    const template = parseImageRefTemplate('registry.example.org/kv/{{.Package}}-bundle:v{{.Version}}');
    for (const files of [kvstore(), readFixture('etcd_op_nested')]) {
      expect(validateConfig(renderPackageManifests(files, { imageRefTemplate: template }))).toEqual([]);
    }
  });

  // directoryGraphLoader_test.go TestPackageGraphLoader, with our own operators.
  const graphCases: {
    name: string;
    versions: [string, string | undefined, string[]][];
    channels: [string, string][];
    defaultChannel: string;
    entries: Record<string, [string, string | undefined, string[] | undefined][]>;
  }[] = [
    {
      name: 'etcd-like: a skipped CSV that is not in the folder, three channels',
      versions: [
        ['0.6.1', undefined, []],
        ['0.9.0', '0.6.1', []],
        ['0.9.2', '0.9.0', ['0.9.1']],
      ],
      channels: [
        ['alpha', '0.9.2'],
        ['beta', '0.9.0'],
        ['stable', '0.9.2'],
      ],
      defaultChannel: 'alpha',
      entries: {
        alpha: [
          ['0.6.1', undefined, undefined],
          ['0.9.0', '0.6.1', undefined],
          ['0.9.2', '0.9.0', ['0.9.1']],
        ],
        beta: [
          ['0.6.1', undefined, undefined],
          ['0.9.0', '0.6.1', undefined],
        ],
        stable: [
          ['0.6.1', undefined, undefined],
          ['0.9.0', '0.6.1', undefined],
          ['0.9.2', '0.9.0', ['0.9.1']],
        ],
      },
    },
    {
      name: 'aqua-like: two channels share a head, a third holds an unrelated older CSV',
      versions: [
        ['0.0.1', undefined, []],
        ['1.0.0', undefined, []],
      ],
      channels: [
        ['stable', '1.0.0'],
        ['alpha', '1.0.0'],
        ['beta', '0.0.1'],
      ],
      defaultChannel: 'stable',
      entries: {
        alpha: [['1.0.0', undefined, undefined]],
        beta: [['0.0.1', undefined, undefined]],
        stable: [['1.0.0', undefined, undefined]],
      },
    },
  ];

  it.each(graphCases)('channels: $name', ({ versions, channels, defaultChannel, entries }) => {
    const files: Record<string, Obj> = {
      'widget.package.yaml': {
        packageName: 'widget',
        channels: channels.map(([name, head]) => ({ name, currentCSV: csvNameOf(head) })),
        defaultChannel,
      },
    };
    for (const [version, replaces, skips] of versions) {
      const extra = skips.length > 0 ? { 'spec.skips': skips.map(csvNameOf) } : {};
      files[`${version}/widget.v${version}.clusterserviceversion.yaml`] = versionCsv(
        version,
        replaces,
        extra,
      );
      files[`${version}/widgets.crd.yaml`] = aCrd();
    }
    const config = renderPackageManifests(filesOf(files));
    expect(config.packages[0]!.defaultChannel).toBe(defaultChannel);
    const rendered = Object.fromEntries(config.channels.map((c) => [c.name, c.entries]));
    const expected = Object.fromEntries(
      Object.entries(entries).map(([channel, list]) => [
        channel,
        list.map(([version, replaces, skips]) => ({
          name: csvNameOf(version),
          ...(replaces ? { replaces: csvNameOf(replaces) } : {}),
          ...(skips ? { skips: skips.map(csvNameOf) } : {}),
        })),
      ]),
    );
    expect(rendered).toEqual(expected);
    expect(config.bundles.map((b) => b.name)).toEqual(versions.map(([v]) => csvNameOf(v)));
  });

  it('sets image from the template and migrates to olm.csv.metadata', () => {
    const config = renderPackageManifests(kvstore(), {
      imageRefTemplate: parseImageRefTemplate('registry.example.org/kv/{{.Package}}-bundle:v{{.Version}}'),
      migrateLevel: CSV_METADATA_MIGRATION,
    });
    expect(config.bundles.map((b) => b.image)).toEqual([
      'registry.example.org/kv/kvstore-bundle:v0.1.0',
      'registry.example.org/kv/kvstore-bundle:v0.2.0',
      'registry.example.org/kv/kvstore-bundle:v0.3.0',
    ]);
    for (const bundle of config.bundles) {
      expect(bundle.properties.map((p) => p.type)).toEqual(['olm.gvk', 'olm.package', 'olm.csv.metadata']);
    }
  });

  it('the only channel is the default channel when the package names none', () => {
    const files = nestedOperator(['1.0.0', '1.1.0']).map((f) =>
      f.path === 'widget.package.yaml'
        ? filesOf({
            [f.path]: {
              packageName: 'widget',
              channels: [{ name: 'stable', currentCSV: csvNameOf('1.1.0') }],
            },
          })[0]!
        : f,
    );
    expect(renderPackageManifests(files).packages[0]!.defaultChannel).toBe('stable');
  });

  it('leaves defaultChannel out when several channels and none named', () => {
    const files = nestedOperator(['1.0.0', '1.1.0'], {
      channels: [
        { name: 'stable', currentCSV: csvNameOf('1.1.0') },
        { name: 'fast', currentCSV: csvNameOf('1.1.0') },
      ],
    }).map((f) => {
      if (f.path !== 'widget.package.yaml') return f;
      const pkg = {
        packageName: 'widget',
        channels: [
          { name: 'stable', currentCSV: csvNameOf('1.1.0') },
          { name: 'fast', currentCSV: csvNameOf('1.1.0') },
        ],
      };
      return filesOf({ [f.path]: pkg })[0]!;
    });
    expect(renderPackageManifests(files).packages[0]).not.toHaveProperty('defaultChannel');
  });

  it('renders a flat folder: CSVs and CRDs at the root, each bundle with the CRDs its CSV owns', () => {
    const files = filesOf({
      'package.yaml': {
        packageName: 'widget',
        channels: [{ name: 'stable', currentCSV: csvNameOf('1.1.0') }],
        defaultChannel: 'stable',
      },
      'widget.v1.0.0.csv.yaml': versionCsv('1.0.0'),
      'widget.v1.1.0.csv.yaml': versionCsv('1.1.0', '1.0.0'),
      'widgets.crd.yaml': aCrd(),
    });
    const config = renderPackageManifests(files);
    expect(config.channels[0]!.entries).toEqual([
      { name: csvNameOf('1.0.0') },
      { name: csvNameOf('1.1.0'), replaces: csvNameOf('1.0.0') },
    ]);
    for (const bundle of config.bundles) {
      expect(bundle.properties.filter((p) => p.type === 'olm.bundle.object')).toHaveLength(2);
    }
  });

  it('renders the etcd fixture, whose newest CSV owns CRDs only an older folder defines (as our bundle images do)', () => {
    const config = renderPackageManifests(readFixture('etcd_op_nested'));
    expect(config.channels[0]!.entries.map((e) => [e.name, e.replaces])).toEqual([
      ['etcdoperator.v0.6.1', undefined],
      ['etcdoperator.v0.9.0', 'etcdoperator.v0.6.1'],
      ['etcdoperator.v0.9.2', 'etcdoperator.v0.9.0'],
    ]);
    expect(config.bundles).toHaveLength(3);
  });

  it('keeps a CSV no channel reaches as a bundle outside every channel', () => {
    const files = nestedOperator(['1.0.0', '1.1.0'], {
      extra: {
        '0.1.0/widget.v0.1.0.clusterserviceversion.yaml': versionCsv('0.1.0'),
        '0.1.0/widgets.crd.yaml': aCrd(),
      },
    });
    const config = renderPackageManifests(files);
    expect(config.bundles.map((b) => b.name)).toContain(csvNameOf('0.1.0'));
    expect(config.channels[0]!.entries.map((e) => e.name)).not.toContain(csvNameOf('0.1.0'));
  });

  const refusals: { name: string; files: () => FileEntry[]; message: RegExp }[] = [
    {
      name: 'a currentCSV with no CSV',
      files: () =>
        nestedOperator(['1.0.0'], { channels: [{ name: 'stable', currentCSV: csvNameOf('9.9.9') }] }),
      message: /channel stable has currentCSV widget-operator\.v9\.9\.9, but no CSV has that name/,
    },
    {
      name: 'a version folder without a CSV',
      files: () => [...nestedOperator(['1.0.0']), ...filesOf({ '2.0.0/widgets.crd.yaml': aCrd() })],
      message: /version folder 2\.0\.0 holds no ClusterServiceVersion/,
    },
    {
      name: 'a version folder with two CSVs',
      files: () =>
        nestedOperator(['1.0.0'], {
          extra: { '1.0.0/other.clusterserviceversion.yaml': versionCsv('1.0.1') },
        }),
      message: /version folder 1\.0\.0 holds more than one ClusterServiceVersion/,
    },
    {
      name: 'two CSVs with one name',
      files: () =>
        nestedOperator(['1.0.0', '1.1.0'], {
          extra: { '1.1.0/widget.v1.1.0.clusterserviceversion.yaml': versionCsv('1.0.0') },
        }),
      message: /Two CSVs are named widget-operator\.v1\.0\.0/,
    },
    {
      name: 'no package file',
      files: () => nestedOperator(['1.0.0']).filter((f) => f.path !== 'widget.package.yaml'),
      message: /no package file/,
    },
    {
      name: 'a package without channels',
      files: () => filesOf({ 'package.yaml': { packageName: 'widget', channels: [] } as Obj }),
      message: /channels must list at least one channel/,
    },
    {
      name: 'no CSV at all',
      files: () => nestedOperator(['1.0.0']).filter((f) => f.path === 'widget.package.yaml'),
      message: /holds no ClusterServiceVersion/,
    },
    {
      name: 'malformed YAML, naming the file',
      files: () => [...nestedOperator(['1.0.0']), ...filesOf({ '1.0.0/broken.yaml': 'a: [b' })],
      message: /1\.0\.0\/broken\.yaml/,
    },
  ];

  it.each(refusals)('refuses $name', ({ files, message }) => {
    const error = thrown(() => renderPackageManifests(files()));
    expect(error).toBeInstanceOf(RenderError);
    expect((error as Error).message).toMatch(message);
  });
});

describe('parseImageRefTemplate (opm --alpha-image-ref-template)', () => {
  const facts = { Package: 'foo', Name: 'foo.v0.2.0', Version: '0.2.0' };
  it.each([
    [
      'test.registry/{{.Package}}-operator/{{.Package}}:v{{.Version}}',
      'test.registry/foo-operator/foo:v0.2.0',
    ],
    ['quay.io/x/{{ .Name }}', 'quay.io/x/foo.v0.2.0'],
    ['quay.io/x/bundle: {{- .Version -}} :tail', 'quay.io/x/bundle:0.2.0:tail'],
    ['no actions', 'no actions'],
  ])('%s → %s', (template, image) => {
    expect(parseImageRefTemplate(template)(facts)).toBe(image);
  });

  it.each(['{{.Channel}}', '{{printf "%s" .Name}}', 'x{{.Package'])('refuses %s', (template) => {
    expect(thrown(() => parseImageRefTemplate(template))).toBeInstanceOf(RenderError);
  });
});
