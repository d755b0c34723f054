/**
 * renderBundle against operator-registry's own expectations: the cases of
 * `alpha/action/render_test.go` (bundle directory, bundle image, no CSV
 * relatedImages, image ref template, migration), `pkg/registry/parse_test.go`
 * (missing manifests / metadata / annotations, dependencies, the
 * olm.properties annotation, a properties file) and
 * `registry_to_model_test.go` (v1beta1 CRDs, required CRDs, olm.constraint),
 * each with our own bundle data and opm's property and relatedImages order.
 */
import { describe, expect, it } from 'vitest';
import { registryBundles } from '../../../src/domain/bundle-image/registry-bundles.js';
import {
  buildBundle,
  CSV_METADATA_MIGRATION,
  imageRefFacts,
  RenderError,
  readBundle,
  renderBundle,
} from '../../../src/domain/catalog/render-bundle.js';
import type { FileEntry } from '../../../src/domain/files.js';
import { loadBundle } from '../../../src/domain/manifest/index.js';
import {
  bundleObject,
  GADGET_CRD_JSON,
  gadgetAnnotations,
  gadgetBundle,
  gadgetCsv,
  REG,
} from '../../support/catalog-bundles.js';
import { type Obj, policy, thrown, toYaml } from '../../support/manifest-builders.js';
import { csvNameOf, nestedOperator } from '../../support/operator-versions.js';

const decodeObject = (p: { value: unknown }) =>
  Buffer.from((p.value as { data: string }).data, 'base64').toString('utf8');

const GVK = { type: 'olm.gvk', value: { group: 'test.gadget', kind: 'Gadget', version: 'v1' } };
const GVK_REQUIRED = {
  type: 'olm.gvk.required',
  value: { group: 'test.widget', kind: 'Widget', version: 'v1alpha1' },
};
const PACKAGE = { type: 'olm.package', value: { packageName: 'gadget', version: '0.2.0' } };
const PACKAGE_REQUIRED = {
  type: 'olm.package.required',
  value: { packageName: 'widget', versionRange: '<0.1.0' },
};

/** Everything but the bundle objects, whose text the next tests pin down. */
const withoutObjects = (properties: { type: string }[]) =>
  properties.filter((p) => p.type !== 'olm.bundle.object');

describe('renderBundle (opm render of a bundle)', () => {
  const related = (...entries: [string, string][]) => entries.map(([name, image]) => ({ name, image }));
  const cases: {
    name: string;
    files: FileEntry[];
    image: string;
    relatedImages: { name: string; image: string }[];
  }[] = [
    {
      name: 'bundle directory (no image)',
      files: gadgetBundle(),
      image: '',
      relatedImages: related(
        ['', `${REG}/gadget-2:v0.2.0`],
        ['', `${REG}/gadget-init-2:v0.2.0`],
        ['', `${REG}/gadget-init:v0.2.0`],
        ['other', `${REG}/gadget-other:v0.2.0`],
        ['operator', `${REG}/gadget:v0.2.0`],
      ),
    },
    {
      name: 'bundle image: the image joins relatedImages, sorted in',
      files: gadgetBundle(),
      image: `${REG}/gadget-bundle:v0.2.0`,
      relatedImages: related(
        ['', `${REG}/gadget-2:v0.2.0`],
        ['', `${REG}/gadget-bundle:v0.2.0`],
        ['', `${REG}/gadget-init-2:v0.2.0`],
        ['', `${REG}/gadget-init:v0.2.0`],
        ['other', `${REG}/gadget-other:v0.2.0`],
        ['operator', `${REG}/gadget:v0.2.0`],
      ),
    },
    {
      name: 'no CSV relatedImages: every image without a name',
      files: gadgetBundle({ csv: gadgetCsv('0.2.0', { 'spec.relatedImages': undefined }) }),
      image: `${REG}/gadget-bundle-no-csv-related-images:v0.2.0`,
      relatedImages: related(
        ['', `${REG}/gadget-2:v0.2.0`],
        ['', `${REG}/gadget-bundle-no-csv-related-images:v0.2.0`],
        ['', `${REG}/gadget-init-2:v0.2.0`],
        ['', `${REG}/gadget-init:v0.2.0`],
        ['', `${REG}/gadget:v0.2.0`],
      ),
    },
  ];

  it.each(cases)('$name', ({ files, image, relatedImages }) => {
    const { bundle } = renderBundle(files, { image });
    expect(bundle.schema).toBe('olm.bundle');
    expect(bundle.name).toBe('gadget.v0.2.0');
    expect(bundle.package).toBe('gadget');
    expect(bundle.image).toBe(image);
    expect(bundle.properties.map((p) => p.type)).toEqual([
      'olm.gvk',
      'olm.gvk.required',
      'olm.package',
      'olm.package.required',
      'olm.bundle.object',
      'olm.bundle.object',
    ]);
    expect(withoutObjects(bundle.properties)).toEqual([GVK, GVK_REQUIRED, PACKAGE, PACKAGE_REQUIRED]);
    expect(bundle.relatedImages).toEqual(relatedImages);
  });

  it('writes each manifest as Go writes it (keys sorted), the CRD before the CSV (sorted by their base64)', () => {
    const { bundle } = renderBundle(gadgetBundle(), { image: '' });
    const [crd, csv] = bundle.properties.slice(4);
    expect(crd).toEqual(bundleObject(GADGET_CRD_JSON));
    const csvText = decodeObject(csv!);
    expect(JSON.parse(csvText)).toEqual(JSON.parse(JSON.stringify(gadgetCsv('0.2.0'))));
    expect(
      csvText.startsWith('{"apiVersion":"operators.coreos.com/v1alpha1","kind":"ClusterServiceVersion",'),
    ).toBe(true);
    expect(csvText).toContain(
      '"metadata":{"annotations":{"olm.skipRange":"\\u003c0.2.0"},"name":"gadget.v0.2.0"}',
    );
  });

  it('fills in what channels and the package blob need from the CSV and the annotations', () => {
    const icon = { base64data: 'iVBORw0KGgo=', mediatype: 'image/png' };
    const csv = gadgetCsv('0.2.0', { 'spec.icon': [icon], 'spec.description': 'Gadgets, rendered.' });
    const rendered = renderBundle(gadgetBundle({ csv }), { image: '' });
    expect({ ...rendered, bundle: undefined }).toEqual({
      bundle: undefined,
      version: '0.2.0',
      replaces: 'gadget.v0.1.0',
      skips: ['gadget.v0.1.1', 'gadget.v0.1.2'],
      skipRange: '<0.2.0',
      channels: ['beta', 'stable'],
      defaultChannel: 'beta',
      icon,
      description: 'Gadgets, rendered.',
    });
  });

  it('leaves out what the CSV and the annotations do not have', () => {
    let csv = gadgetCsv('0.2.0', {
      'spec.replaces': undefined,
      'spec.skips': undefined,
      'metadata.annotations': {},
    });
    csv = JSON.parse(JSON.stringify(csv)) as Obj;
    const annotations = gadgetAnnotations({ 'operators.operatorframework.io.bundle.channel.default.v1': '' });
    const rendered = renderBundle(
      gadgetBundle({ csv, extra: { 'metadata/annotations.yaml': annotations } }),
      {
        image: '',
      },
    );
    expect(rendered).not.toHaveProperty('replaces');
    expect(rendered).not.toHaveProperty('skipRange');
    expect(rendered).not.toHaveProperty('defaultChannel');
    expect(rendered).not.toHaveProperty('icon');
    expect(rendered.skips).toEqual([]);
  });

  // csv_test.go TestClusterServiceVersion_GetRelease
  it.each<[string, unknown, string | undefined]>([
    ['string release', '1.0.0', '1.0.0'],
    ['integer numeric release', 20250104, '20250104'],
    ['float numeric release', 0.20250104, '0.20250104'],
    ['large integer release', 20250104235959, '20250104235959'],
    ['null release', null, undefined],
  ])('olm.package with %s', (_name, release, written) => {
    const csv = gadgetCsv('0.2.0', { 'spec.release': release });
    const { bundle } = renderBundle(gadgetBundle({ csv }), { image: '' });
    const expected = written === undefined ? {} : { release: written };
    expect(bundle.properties.find((p) => p.type === 'olm.package')?.value).toEqual({
      packageName: 'gadget',
      version: '0.2.0',
      ...expected,
    });
  });

  it('refuses a release of another type (csv_test.go: invalid release type)', () => {
    const csv = gadgetCsv('0.2.0', { 'spec.release': true });
    expect(thrown(() => renderBundle(gadgetBundle({ csv }), { image: '' }))).toBeInstanceOf(RenderError);
  });

  // csv_test.go TestClusterServiceVersion_GetOperatorImages
  it('takes no deployment images from an install strategy other than deployment', () => {
    const csv = gadgetCsv('0.2.0', { 'spec.install.strategy': 'nope' });
    const { bundle } = renderBundle(gadgetBundle({ csv }), { image: '' });
    expect(bundle.relatedImages).toEqual([
      { name: 'other', image: `${REG}/gadget-other:v0.2.0` },
      { name: 'operator', image: `${REG}/gadget:v0.2.0` },
    ]);
  });

  it('leaves relatedImages out when there are none', () => {
    const csv = gadgetCsv('0.2.0', { 'spec.install.strategy': 'nope', 'spec.relatedImages': [] });
    const { bundle } = renderBundle(gadgetBundle({ csv }), { image: '' });
    expect(bundle).not.toHaveProperty('relatedImages');
  });
});

describe('renderBundle: --migrate-level bundle-object-to-csv-metadata', () => {
  it('replaces the bundle objects with one olm.csv.metadata, fields in opm order, struct fields always written', () => {
    const csv = gadgetCsv('0.2.0', {
      'metadata.labels': { 'operatorframework.io/arch.amd64': 'supported' },
      'spec.description': 'Gadgets.',
      'spec.keywords': ['gadget'],
      'spec.maturity': 'alpha',
      'spec.installModes': [
        { supported: true, type: 'OwnNamespace' },
        { type: 'AllNamespaces', supported: false },
      ],
      'spec.maintainers': [{ email: 'team@example.com', name: 'Team' }],
      'spec.customresourcedefinitions.owned.0.displayName': 'Gadget',
      'spec.customresourcedefinitions.owned.0.specDescriptors': [
        {
          path: 'size',
          'x-descriptors': ['urn:alm:descriptor:com.tectonic.ui:podCount'],
          value: { b: 1, a: 2 },
        },
      ],
      'spec.customresourcedefinitions.owned.0.unknownField': 'dropped',
    });
    const { bundle } = renderBundle(gadgetBundle({ csv }), {
      image: `${REG}/gadget-bundle:v0.2.0`,
      migrateLevel: CSV_METADATA_MIGRATION,
    });
    expect(bundle.properties.map((p) => p.type)).toEqual([
      'olm.gvk',
      'olm.gvk.required',
      'olm.package',
      'olm.package.required',
      'olm.csv.metadata',
    ]);
    const metadata = bundle.properties.at(-1)!.value;
    expect(JSON.stringify(metadata)).toBe(
      JSON.stringify({
        annotations: { 'olm.skipRange': '<0.2.0' },
        apiServiceDefinitions: {},
        crdDescriptions: {
          owned: [
            {
              name: 'gadgets.test.gadget',
              version: 'v1',
              kind: 'Gadget',
              displayName: 'Gadget',
              specDescriptors: [
                {
                  path: 'size',
                  'x-descriptors': ['urn:alm:descriptor:com.tectonic.ui:podCount'],
                  value: { a: 2, b: 1 },
                },
              ],
            },
          ],
        },
        description: 'Gadgets.',
        displayName: 'Gadget Operator',
        installModes: [
          { type: 'OwnNamespace', supported: true },
          { type: 'AllNamespaces', supported: false },
        ],
        keywords: ['gadget'],
        labels: { 'operatorframework.io/arch.amd64': 'supported' },
        maintainers: [{ name: 'Team', email: 'team@example.com' }],
        maturity: 'alpha',
        provider: {},
      }),
    );
  });

  it('leaves an image-less bundle alone, as opm does (its migration skips bundles without an image)', () => {
    const { bundle } = renderBundle(gadgetBundle(), { image: '', migrateLevel: CSV_METADATA_MIGRATION });
    expect(bundle.properties.filter((p) => p.type === 'olm.bundle.object')).toHaveLength(2);
    expect(bundle.properties.some((p) => p.type === 'olm.csv.metadata')).toBe(false);
  });

  it('keeps a bundle that already has an olm.csv.metadata property as it is', () => {
    const extra = {
      'metadata/properties.yaml': {
        properties: [{ type: 'olm.csv.metadata', value: { displayName: 'Own' } }],
      },
    };
    const { bundle } = renderBundle(gadgetBundle({ extra }), {
      image: 'x',
      migrateLevel: CSV_METADATA_MIGRATION,
    });
    expect(bundle.properties.slice(-3).map((p) => p.type)).toEqual([
      'olm.bundle.object',
      'olm.bundle.object',
      'olm.csv.metadata',
    ]);
    expect(bundle.properties.at(-1)!.value).toEqual({ displayName: 'Own' });
  });

  it('refuses a CSV field of the wrong type, as opm fails to decode it', () => {
    const csv = gadgetCsv('0.2.0', { 'spec.installModes': [{ type: 'OwnNamespace', supported: 'maybe' }] });
    const error = thrown(() =>
      renderBundle(gadgetBundle({ csv }), { image: 'x', migrateLevel: CSV_METADATA_MIGRATION }),
    );
    expect(error).toBeInstanceOf(RenderError);
    expect((error as Error).message).toContain('spec.installModes[0].supported');
  });
});

describe('readBundle / parse (pkg/registry/parse_test.go)', () => {
  const without = (prefix: string) => gadgetBundle().filter((f) => !f.path.startsWith(prefix));
  const errors: { name: string; files: FileEntry[]; message: RegExp }[] = [
    { name: 'missing manifests', files: without('manifests/'), message: /no manifests/ },
    { name: 'missing metadata', files: without('metadata/'), message: /no annotations/ },
    {
      name: 'missing annotations file',
      files: without('metadata/annotations.yaml'),
      message: /no annotations/,
    },
    {
      name: 'annotations without the package, channels or default channel',
      files: gadgetBundle({ extra: { 'metadata/annotations.yaml': { annotations: { other: 'x' } } } }),
      message: /no annotations/,
    },
    {
      name: 'no CSV',
      files: without('manifests/gadget.clusterserviceversion.yaml'),
      message: /no ClusterServiceVersion/,
    },
    {
      name: 'malformed YAML names the file',
      files: gadgetBundle({ extra: { 'manifests/broken.yaml': 'kind: [unclosed' } }),
      message: /manifests\/broken\.yaml/,
    },
    {
      name: 'an owned CRD the bundle does not provide',
      files: without('manifests/gadgets.test.gadget.crd.yaml'),
      message: /owns the CRD gadgets\.test\.gadget \(test\.gadget\/v1\/Gadget \(gadgets\)\)/,
    },
    {
      name: 'a required CRD name that is not <plural>.<group>',
      files: gadgetBundle({
        csv: gadgetCsv('0.2.0', {
          'spec.customresourcedefinitions.required': [{ name: 'widgets', version: 'v1', kind: 'Widget' }],
        }),
      }),
      message: /"widgets" is not <plural>\.<group>/,
    },
    {
      name: 'a numeric spec.version',
      files: gadgetBundle({ csv: gadgetCsv('0.2.0', { 'spec.version': 2 }) }),
      message: /spec\.version must be a string/,
    },
    {
      name: 'a CSV annotation that is not a string (an unquoted certified: false)',
      files: gadgetBundle({ csv: gadgetCsv('0.2.0', { 'metadata.annotations': { certified: false } }) }),
      message: /metadata\.annotations\.certified must be a string/,
    },
    {
      name: 'a CSV without a name',
      files: gadgetBundle({ csv: gadgetCsv('0.2.0', { 'metadata.name': undefined }) }),
      message: /no metadata\.name/,
    },
    {
      name: 'an olm.gvk dependency that is not a GVK',
      files: gadgetBundle({
        extra: { 'metadata/dependencies.yaml': { dependencies: [{ type: 'olm.gvk', value: 'nope' }] } },
      }),
      message: /olm\.gvk property "nope" is not valid/,
    },
  ];

  it.each(errors)('refuses: $name', ({ files, message }) => {
    const error = thrown(() => renderBundle(files, { image: '' }));
    expect(error).toBeInstanceOf(RenderError);
    expect((error as Error).message).toMatch(message);
  });

  it('skips documents without a kind, dot files, sub-folders, and CSVs after the first (by file name)', () => {
    const second = gadgetCsv('0.3.0');
    const files = gadgetBundle({
      extra: {
        'manifests/zz-second.clusterserviceversion.yaml': second,
        'manifests/notes.yaml': { just: 'data' },
        'manifests/.hidden.yaml': 'not: [yaml',
        'manifests/sub/other.yaml': 'not: [yaml',
        'manifests/empty.yaml': '',
      },
    });
    const { bundle } = renderBundle(files, { image: '' });
    expect(bundle.name).toBe('gadget.v0.2.0');
    expect(bundle.properties.filter((p) => p.type === 'olm.bundle.object')).toHaveLength(2);
  });

  it('reads paths as an image layer may write them (./manifests/…, /metadata/…)', () => {
    const files = gadgetBundle().map((f, i) => ({ ...f, path: `${i % 2 === 0 ? './' : '/'}${f.path}` }));
    expect(renderBundle(files, { image: '' })).toEqual(renderBundle(gadgetBundle(), { image: '' }));
  });

  it('reads the metadata files by content, whatever their names', () => {
    const files = gadgetBundle({
      extra: {
        'metadata/annotations.yaml': null,
        'metadata/dependencies.yaml': null,
        'metadata/a.yaml': gadgetAnnotations(),
        'metadata/b.yaml': { dependencies: [{ type: 'olm.label', value: { label: 'x' } }] },
      },
    });
    const { bundle } = renderBundle(files, { image: '' });
    expect(bundle.package).toBe('gadget');
    expect(withoutObjects(bundle.properties)).toEqual([
      GVK,
      { type: 'olm.label', value: { label: 'x' } },
      PACKAGE,
    ]);
  });

  it('the olm.properties annotation: its properties join, its olm.package wins over the annotations file', () => {
    const annotation = JSON.stringify([
      { type: 'olm.label', value: { label: 'baz' } },
      { type: 'olm.package', value: { packageName: 'gadget', version: '9.9.9', extra: 'dropped' } },
      { type: 'olm.gvk', value: { group: 'test.gadget', kind: 'Gadget', version: 'v1' } },
    ]);
    const csv = gadgetCsv('0.2.0', { 'metadata.annotations': { 'olm.properties': annotation } });
    const { bundle } = renderBundle(gadgetBundle({ csv }), { image: '' });
    expect(withoutObjects(bundle.properties)).toEqual([
      GVK,
      GVK_REQUIRED,
      { type: 'olm.label', value: { label: 'baz' } },
      { type: 'olm.package', value: { packageName: 'gadget', version: '9.9.9' } },
      PACKAGE_REQUIRED,
    ]);
  });

  it('an olm.properties annotation that is not a JSON list is ignored (opm logs a warning)', () => {
    const csv = gadgetCsv('0.2.0', { 'metadata.annotations': { 'olm.properties': '{not json' } });
    const { bundle } = renderBundle(gadgetBundle({ csv }), { image: '' });
    expect(withoutObjects(bundle.properties)).toEqual([GVK, GVK_REQUIRED, PACKAGE, PACKAGE_REQUIRED]);
  });

  it('a properties file: its properties join as they are; its olm.package loses to the annotations file', () => {
    const extra = {
      'metadata/properties.yaml': {
        properties: [
          { type: 'olm.package', value: { packageName: 'fizz', version: '1.1.0' } },
          { type: 'olm.maxOpenShiftVersion', value: '4.16' },
          { type: 'olm.gvk', value: { group: 'test.gadget', kind: 'Gadget', version: 'v1' } },
          { type: 'olm.gvk', value: { version: 'v2', kind: 'Gadget', group: 'test.gadget' } },
        ],
      },
    };
    const { bundle } = renderBundle(gadgetBundle({ extra }), { image: '' });
    expect(withoutObjects(bundle.properties)).toEqual([
      GVK,
      { type: 'olm.gvk', value: { group: 'test.gadget', kind: 'Gadget', version: 'v2' } },
      GVK_REQUIRED,
      { type: 'olm.maxOpenShiftVersion', value: '4.16' },
      PACKAGE,
      PACKAGE_REQUIRED,
    ]);
  });

  it('sorts properties of one type by their JSON text (keys of file values sorted, < escaped as Go does)', () => {
    const extra = {
      'metadata/dependencies.yaml': {
        dependencies: [
          { type: 'olm.constraint', value: { failureMessage: 'b', cel: { rule: 'x' } } },
          { type: 'olm.constraint', value: { failureMessage: 'a <', all: { constraints: [] } } },
        ],
      },
    };
    const { bundle } = renderBundle(gadgetBundle({ extra }), { image: '' });
    const constraints = bundle.properties.filter((p) => p.type === 'olm.constraint');
    // '{"all":…' sorts before '{"cel":…'; the value keeps Go's key order.
    expect(constraints.map((p) => JSON.stringify(p.value))).toEqual([
      '{"all":{"constraints":[]},"failureMessage":"a <"}',
      '{"cel":{"rule":"x"},"failureMessage":"b"}',
    ]);
  });
});

describe('renderBundle: an etcd-like bundle (registry_to_model_test.go)', () => {
  const crd = (kind: string, plural: string): Obj => ({
    apiVersion: 'apiextensions.k8s.io/v1beta1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.kv.example.org` },
    spec: { group: 'kv.example.org', names: { kind, plural }, scope: 'Namespaced', version: 'v1beta2' },
  });
  const owned = (kind: string, plural: string) => ({
    name: `${plural}.kv.example.org`,
    kind,
    version: 'v1beta2',
  });
  const files = (): FileEntry[] => [
    ...gadgetBundle({
      csv: {
        apiVersion: 'operators.coreos.com/v1alpha1',
        kind: 'ClusterServiceVersion',
        metadata: { name: 'kvstore.v0.9.2', namespace: 'placeholder' },
        spec: {
          version: '0.9.2',
          replaces: 'kvstore.v0.9.0',
          skips: ['kvstore.v0.9.1'],
          customresourcedefinitions: {
            owned: [
              owned('KvCluster', 'kvclusters'),
              owned('KvBackup', 'kvbackups'),
              owned('KvRestore', 'kvrestores'),
            ],
            required: [owned('KvCluster', 'kvclusters')],
          },
          install: {
            strategy: 'deployment',
            spec: { deployments: [deployment()] },
          },
        },
      },
      extra: {
        'manifests/gadgets.test.gadget.crd.yaml': null,
        'manifests/kvbackup.crd.yaml': crd('KvBackup', 'kvbackups'),
        'manifests/kvcluster.crd.yaml': crd('KvCluster', 'kvclusters'),
        'manifests/kvrestore.crd.yaml': crd('KvRestore', 'kvrestores'),
        'metadata/annotations.yaml': gadgetAnnotations({
          'operators.operatorframework.io.bundle.package.v1': 'kvstore',
          'operators.operatorframework.io.bundle.channels.v1': 'alpha,stable',
          'operators.operatorframework.io.bundle.channel.default.v1': 'alpha',
        }),
        'metadata/dependencies.yaml': toYaml({
          dependencies: [
            { type: 'olm.gvk', value: { group: 'testapi.example.org', kind: 'testapi', version: 'v1' } },
            {
              type: 'olm.constraint',
              value: {
                failureMessage: 'require to have "certified"',
                cel: { rule: 'properties.exists(p, p.type == "certified")' },
              },
            },
          ],
        }),
      },
    }),
  ];
  function deployment(): Obj {
    const container = (name: string) => ({ name, image: `${REG}/kvstore-operator@sha256:${'c'.repeat(64)}` });
    return {
      name: 'kvstore-operator',
      spec: {
        template: {
          spec: { containers: [container('kv'), container('kv-backup'), container('kv-restore')] },
        },
      },
    };
  }

  it('gives one olm.gvk per CRD, olm.gvk.required per required CRD and dependency, the constraint as is', () => {
    const { bundle } = renderBundle(files(), { image: 'quay.example.org/kvstore:v0.9.2' });
    const gvk = (type: string, group: string, kind: string, version: string) => ({
      type,
      value: { group, kind, version },
    });
    expect(withoutObjects(bundle.properties)).toEqual([
      {
        type: 'olm.constraint',
        value: {
          cel: { rule: 'properties.exists(p, p.type == "certified")' },
          failureMessage: 'require to have "certified"',
        },
      },
      gvk('olm.gvk', 'kv.example.org', 'KvBackup', 'v1beta2'),
      gvk('olm.gvk', 'kv.example.org', 'KvCluster', 'v1beta2'),
      gvk('olm.gvk', 'kv.example.org', 'KvRestore', 'v1beta2'),
      gvk('olm.gvk.required', 'kv.example.org', 'KvCluster', 'v1beta2'),
      gvk('olm.gvk.required', 'testapi.example.org', 'testapi', 'v1'),
      { type: 'olm.package', value: { packageName: 'kvstore', version: '0.9.2' } },
    ]);
    // One object per manifest; the one container image once, the bundle image once.
    expect(bundle.properties.filter((p) => p.type === 'olm.bundle.object')).toHaveLength(4);
    expect(bundle.relatedImages).toEqual([
      { name: '', image: 'quay.example.org/kvstore:v0.9.2' },
      { name: '', image: `${REG}/kvstore-operator@sha256:${'c'.repeat(64)}` },
    ]);
  });
});

describe('renderBundle: API services', () => {
  const apiService = (kind: string) => ({
    name: `${kind.toLowerCase()}s`,
    group: 'metrics.example.org',
    version: 'v1',
    kind,
    deploymentName: 'gadget-operator',
    containerPort: 5443,
    displayName: kind,
  });
  const csv = gadgetCsv('0.2.0', {
    'spec.apiservicedefinitions': { owned: [apiService('Reading')], required: [apiService('Meter')] },
  });

  it('gives olm.gvk per owned and olm.gvk.required per required API service', () => {
    const { bundle } = renderBundle(gadgetBundle({ csv }), { image: '' });
    // Sorted by the value's text: "metrics…" before "test…".
    expect(withoutObjects(bundle.properties)).toEqual([
      { type: 'olm.gvk', value: { group: 'metrics.example.org', kind: 'Reading', version: 'v1' } },
      GVK,
      { type: 'olm.gvk.required', value: { group: 'metrics.example.org', kind: 'Meter', version: 'v1' } },
      GVK_REQUIRED,
      PACKAGE,
      PACKAGE_REQUIRED,
    ]);
  });

  it('writes apiServiceDefinitions into olm.csv.metadata in the API struct order', () => {
    const { bundle } = renderBundle(gadgetBundle({ csv }), {
      image: 'x',
      migrateLevel: CSV_METADATA_MIGRATION,
    });
    const value = bundle.properties.at(-1)!.value as Record<string, unknown>;
    expect(JSON.stringify(value.apiServiceDefinitions)).toBe(
      '{"owned":[{"name":"readings","group":"metrics.example.org","version":"v1","kind":"Reading",' +
        '"deploymentName":"gadget-operator","containerPort":5443,"displayName":"Reading"}],' +
        '"required":[{"name":"meters","group":"metrics.example.org","version":"v1","kind":"Meter",' +
        '"deploymentName":"gadget-operator","containerPort":5443,"displayName":"Meter"}]}',
    );
  });
});

describe('renderBundle: hostile input is refused, never a crash', () => {
  it('YAML aliases that expand too far', () => {
    const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i < 12; i++) {
      const prev = String.fromCharCode(96 + i);
      const next = String.fromCharCode(97 + i);
      laughs.push(`${next}: &${next} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const files = gadgetBundle({ extra: { 'manifests/laughs.yaml': `kind: Laugh\n${laughs.join('\n')}\n` } });
    const error = thrown(() => renderBundle(files, { image: '' }));
    expect(error).toBeInstanceOf(RenderError);
    expect((error as Error).message).toMatch(/manifests\/laughs\.yaml.*too large/);
  });

  it('an olm.properties annotation nested too deep', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const annotation = `[{"type":"olm.deep","value":${deep}}]`;
    const csv = gadgetCsv('0.2.0', { 'metadata.annotations': { 'olm.properties': annotation } });
    const error = thrown(() => renderBundle(gadgetBundle({ csv }), { image: '' }));
    expect(error).toBeInstanceOf(RenderError);
    expect((error as Error).message).toMatch(/nested deeper than 256/);
  });

  it('bytes that are not UTF-8', () => {
    const files = [
      ...gadgetBundle(),
      { path: 'manifests/binary.yaml', data: new Uint8Array([0xff, 0xfe, 0x00, 0x41]) },
    ];
    expect(thrown(() => renderBundle(files, { image: '' }))).toBeInstanceOf(RenderError);
  });
});

describe('--image-ref-template facts', () => {
  it('Package and Name from the bundle, Version from its first olm.package property', () => {
    expect(imageRefFacts(readBundle(gadgetBundle()))).toEqual({
      Package: 'gadget',
      Name: 'gadget.v0.2.0',
      Version: '0.2.0',
    });
    const extra = {
      'metadata/properties.yaml': {
        properties: [{ type: 'olm.package', value: { packageName: 'fizz', version: '1.1.0' } }],
      },
    };
    expect(imageRefFacts(readBundle(gadgetBundle({ extra }))).Version).toBe('1.1.0');
  });
});

describe('renderBundle on our own bundle images (src/domain/bundle-image/registry-bundles.ts)', () => {
  it('renders each bundle of a nested operator: name, package, channels, replaces, image', () => {
    const { bundles } = registryBundles(loadBundle(nestedOperator(['1.0.0', '1.1.0']), policy()));
    const rendered = bundles.map((b) =>
      renderBundle(b.files, { image: `registry.example.com/org/widget-bundle:${b.tag}` }),
    );
    expect(rendered.map((r) => [r.bundle.name, r.version, r.replaces, r.channels, r.defaultChannel])).toEqual(
      [
        [csvNameOf('1.0.0'), '1.0.0', undefined, ['stable'], 'stable'],
        [csvNameOf('1.1.0'), '1.1.0', csvNameOf('1.0.0'), ['stable'], 'stable'],
      ],
    );
    const head = rendered[1]!.bundle;
    expect(head.package).toBe('widget');
    expect(withoutObjects(head.properties)).toEqual([
      { type: 'olm.gvk', value: { group: 'example.com', kind: 'Widget', version: 'v1' } },
      { type: 'olm.package', value: { packageName: 'widget', version: '1.1.0' } },
    ]);
    expect(head.relatedImages?.map((r) => r.image)).toContain('registry.example.com/org/widget-bundle:1.1.0');
    // The same parsed bundle renders the same blob twice (no hidden state).
    const parsed = readBundle(bundles[1]!.files);
    expect(buildBundle(parsed, { image: 'x' })).toEqual(buildBundle(parsed, { image: 'x' }));
  });
});
