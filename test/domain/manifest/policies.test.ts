/** Organization policies: package_name_suffix, replace_registry, csv_annotations. */
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { loadBundle } from '../../../src/domain/manifest/index.js';
import {
  ALM_EXAMPLES,
  aCrd,
  aCsv,
  aPackage,
  decode,
  filesOf,
  fileText,
  fixtureFiles,
  flatBundle,
  malformedYaml,
  type Obj,
  policy,
  prepare,
  toYaml,
  withValue,
} from '../../support/manifest-builders.js';

type Data = Record<string, string>;
const bundleData = (bytes: Uint8Array | undefined) => (load(decode(bytes)) as { data: Data }).data;
const csvsOf = (bytes: Uint8Array | undefined) =>
  load(bundleData(bytes).clusterServiceVersions as string) as Obj[];
/** metadata.annotations of the first CSV in a flat bundle. */
const annotationsOf = (bytes: Uint8Array | undefined) => {
  const [csv = {}] = csvsOf(bytes);
  return (csv.metadata as Obj).annotations as Obj;
};
const packagesOf = (bytes: Uint8Array | undefined) => load(bundleData(bytes).packages as string) as Obj[];

const nested = (extra: Record<string, Obj | string> = {}) =>
  filesOf({
    'package.yaml':
      '# the package\npackageName: widget # name\n\nchannels:\n- name: alpha # channel\n  currentCSV: widget-operator.v1.0.0\ndefaultChannel: alpha\n',
    '1.0.0/csv.yaml': aCsv(),
    '1.0.0/crd.yaml': aCrd(),
    ...extra,
  });

describe('package_name_suffix', () => {
  const suffixed = policy({ packageNameSuffix: '-suffix' });

  it('appends the suffix to packageName', () => {
    expect(loadBundle(flatBundle(), suffixed).packageName).toBe('widget-suffix');
    expect(packagesOf(prepare(flatBundle(), { policy: suffixed }).files[0]?.data)).toEqual([
      { ...aPackage(), packageName: 'widget-suffix' },
    ]);
  });

  it('is not doubled when packageName already ends with it', () => {
    const files = flatBundle({ pkg: withValue(aPackage(), 'packageName', 'widget-suffix') });
    expect(loadBundle(files, suffixed).packageName).toBe('widget-suffix');
    const again = loadBundle(loadBundle(files, suffixed).files, suffixed);
    expect(again.packageName).toBe('widget-suffix');
  });

  it('rewrites the package file keeping comments and key order (nested push)', () => {
    const prepared = prepare(nested(), { policy: suffixed });
    const text = fileText(prepared.files, 'package.yaml');
    expect(text).toContain('# the package\n');
    expect(text).toContain('packageName: widget-suffix # name\n');
    expect(text).toContain('# channel');
    expect(Object.keys(load(text) as Obj)).toEqual(['packageName', 'channels', 'defaultChannel']);
    expect((load(text) as Obj).channels).toEqual(aPackage().channels);
  });

  it('keeps the quoting style of packageName', () => {
    const files = nested({
      'package.yaml': "packageName: 'widget'\nchannels:\n- name: a\n  currentCSV: x\n",
    });
    const text = fileText(prepare(files, { policy: suffixed }).files, 'package.yaml');
    expect(text).toContain("packageName: 'widget-suffix'\n");
  });

  it('rewrites a package file that ends with an empty document', () => {
    const files = nested({
      'package.yaml': '---\npackageName: widget\nchannels:\n- name: a\n  currentCSV: x\n---\n',
    });
    const text = fileText(prepare(files, { policy: suffixed }).files, 'package.yaml');
    expect(load(text.split('\n---\n')[0] as string)).toMatchObject({ packageName: 'widget-suffix' });
  });

  it('leaves the package file bytes alone without a suffix', () => {
    const files = nested();
    expect(prepare(files).files[0]?.data).toBe(files[0]?.data);
  });

  it('v1: the repository is compared with the suffixed name', () => {
    expect(
      prepare(flatBundle(), { policy: suffixed, repository: 'widget-suffix' }).validationInfo.errors,
    ).toEqual([]);
  });
});

describe('replace_registry', () => {
  it('replaces a plain substring in every YAML file, at any depth, before parsing', () => {
    const files = filesOf({
      'package.yaml': aPackage(),
      '1.0.0/csv.yaml': aCsv(),
      '1.0.0/crd.yaml': aCrd(),
      'extra/deep/notes.yaml': 'image: quay.io/example/x\n',
      'extra/readme.txt': 'quay.io/example stays',
    });
    const replace = policy({
      replaceRegistry: [{ old: 'quay.io/example', new: 'registry.example.com/mirror', regexp: false }],
    });
    const out = prepare(files, { policy: replace }).files;
    const csv = fileText(out, '1.0.0/csv.yaml');
    expect(csv).not.toContain('quay.io/example');
    expect(csv).toContain('registry.example.com/mirror/widget-operator:v1.0.0');
    expect(fileText(out, 'extra/deep/notes.yaml')).toBe('image: registry.example.com/mirror/x\n');
    expect(fileText(out, 'extra/readme.txt')).toBe('quay.io/example stays');
    // Files without a match keep their exact bytes.
    expect(out.find((f) => f.path === '1.0.0/crd.yaml')?.data).toBe(files[2]?.data);
  });

  it('applies to the flat bundle', () => {
    const replace = policy({
      replaceRegistry: [{ old: 'quay.io', new: 'mirror.example.com', regexp: false }],
    });
    expect(annotationsOf(prepare(flatBundle(), { policy: replace }).files[0]?.data)).toMatchObject({
      containerImage: 'mirror.example.com/example/widget-operator:v1.0.0',
    });
  });

  it('takes `new` literally in plain mode', () => {
    const replace = policy({ replaceRegistry: [{ old: 'quay.io', new: 'r$&x$1', regexp: false }] });
    const text = fileText(prepare(nested(), { policy: replace }).files, '1.0.0/csv.yaml');
    expect(text).toContain('r$&x$1/example/widget-operator');
  });

  it('applies a multiline regular expression everywhere, in Python re syntax (\\1 groups)', () => {
    const replace = policy({
      replaceRegistry: [
        { old: '^(\\s+image: )quay\\.io/(\\w+)', new: '\\1registry.example.com/\\2-mirror', regexp: true },
      ],
    });
    const text = fileText(prepare(nested(), { policy: replace }).files, '1.0.0/csv.yaml');
    expect(text).toContain('image: registry.example.com/example-mirror/widget-operator:v1.0.0');
    // Only line starts matched: the annotation value (not at the start of a line after spaces+image:) is kept.
    expect(text).toContain('containerImage: quay.io/example/widget-operator:v1.0.0');
  });

  it('applies several replacements in order', () => {
    const replace = policy({
      replaceRegistry: [
        { old: 'quay.io', new: 'a.example.com', regexp: false },
        { old: 'a\\.example\\.com', new: 'b.example.com', regexp: true },
      ],
    });
    const text = fileText(prepare(nested(), { policy: replace }).files, '1.0.0/csv.yaml');
    expect(text).toContain('b.example.com/example/widget-operator');
    expect(text).not.toContain('quay.io');
  });

  it('a replacement that breaks the YAML is reported naming the file', () => {
    const replace = policy({ replaceRegistry: [{ old: 'channels:', new: 'channels: [', regexp: false }] });
    expect(malformedYaml(() => loadBundle(flatBundle(), replace))).toMatch(
      /^Invalid YAML file "package\.yaml"/,
    );
  });
});

describe('csv_annotations', () => {
  const annotate = policy({
    packageNameSuffix: '-suffix',
    csvAnnotations: [
      { name: 'marketplace.openshift.io/package', value: '{package_name}' },
      { name: 'operators.example.com/link', value: 'https://example.com/{package_name}/{package_name}' },
      { name: 'categories', value: 'Database' },
    ],
  });

  it('sets the annotations on every CSV of a flat bundle, templating the final package name', () => {
    expect(annotationsOf(prepare(flatBundle(), { policy: annotate }).files[0]?.data)).toEqual({
      ...((aCsv().metadata as Obj).annotations as Obj),
      'marketplace.openshift.io/package': 'widget-suffix',
      'operators.example.com/link': 'https://example.com/widget-suffix/widget-suffix',
      categories: 'Database',
    });
  });

  it('creates the annotations mapping when the CSV has none, before validation', () => {
    const csv = withValue(aCsv(), 'metadata', { name: 'widget-operator.v1.0.0' });
    const info = prepare(flatBundle({ csv }), { policy: annotate }).validationInfo;
    expect(info.warnings).not.toContain('csv metadata.annotations not defined.');
    expect(info.warnings).toContain('csv metadata.annotations.certified not defined.');
    expect(info.warnings).not.toContain('csv metadata.annotations.categories not defined');
  });

  it('re-emits annotated CSVs of nested bundles without folding, other files unchanged', () => {
    const alm = JSON.stringify(
      Array.from({ length: 30 }, (_, i) => ({
        apiVersion: 'example.com/v1',
        kind: 'Widget',
        metadata: { name: `w-${i}` },
      })),
    );
    expect(alm.length).toBeGreaterThanOrEqual(2000);
    const csv = withValue(aCsv(), 'metadata.annotations.alm-examples', alm);
    const files = nested({ '1.0.0/csv.yaml': csv });
    const out = prepare(files, { policy: annotate }).files;
    const text = fileText(out, '1.0.0/csv.yaml');
    expect(text).toContain(alm);
    const parsed = load(text) as Obj;
    expect(((parsed.metadata as Obj).annotations as Obj)['alm-examples']).toBe(alm);
    expect((parsed.metadata as Obj).annotations).toMatchObject({
      'marketplace.openshift.io/package': 'widget-suffix',
    });
    expect(out.find((f) => f.path === '1.0.0/crd.yaml')?.data).toBe(
      files.find((f) => f.path === '1.0.0/crd.yaml')?.data,
    );
  });

  it('the flat bundle keeps a 2,000-character alm-examples byte for byte, as a block literal', () => {
    const alm = JSON.stringify({
      padding: 'x'.repeat(2100),
      nested: [{ a: 1 }, { b: 'two words: and # hash' }],
    });
    const csv = withValue(aCsv(), 'metadata.annotations.alm-examples', alm);
    const data = prepare(flatBundle({ csv }), { policy: annotate }).files[0]?.data;
    const csvList = bundleData(data).clusterServiceVersions as string;
    expect(csvList).toContain(`alm-examples: |-\n        ${alm}\n`);
    expect(annotationsOf(data)['alm-examples']).toBe(alm);
  });

  it('without annotations the nested CSV keeps its bytes (and comments)', () => {
    const files = nested({ '1.0.0/csv.yaml': `# keep me\n${toYaml(aCsv())}` });
    const out = prepare(files).files;
    expect(fileText(out, '1.0.0/csv.yaml')).toMatch(/^# keep me\n/);
  });

  it('fixture etcd_op_nested: every version CSV gets the annotation, ALM JSON intact', () => {
    const files = fixtureFiles('etcd_op_nested');
    const out = prepare(files, { policy: annotate }).files;
    for (const path of out.map((f) => f.path).filter((p) => p.endsWith('clusterserviceversion.yaml'))) {
      const before = load(fileText(files, path)) as Obj;
      const after = load(fileText(out, path)) as Obj;
      const annotations = { ...((before.metadata as Obj).annotations as Obj) };
      expect(after).toEqual({
        ...before,
        metadata: {
          ...(before.metadata as Obj),
          annotations: {
            ...annotations,
            'marketplace.openshift.io/package': 'etcd-suffix',
            'operators.example.com/link': 'https://example.com/etcd-suffix/etcd-suffix',
            categories: 'Database',
          },
        },
      });
    }
  });

  it('does not touch CSVs without a metadata mapping (validation reports them)', () => {
    const csv = withValue(aCsv(), 'metadata', 'oops');
    expect(() => prepare(flatBundle({ csv }), { policy: annotate })).toThrow(
      'Failed to push manifest: Resulting bundle is invalid, input yaml is improperly defined. csv metadata.name not defined.',
    );
  });

  it('keeps the default alm-examples unchanged too', () => {
    expect(annotationsOf(prepare(flatBundle(), { policy: annotate }).files[0]?.data)['alm-examples']).toBe(
      ALM_EXAMPLES,
    );
  });
});
