/** loadBundle / prepareBundle: fixtures, layouts, what is pushed, failures. */
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { PackageValidationError } from '../../../src/domain/errors.js';
import { loadBundle, OPERATOR_COURIER_VERSION, prepareBundle } from '../../../src/domain/manifest/index.js';
import {
  aCrd,
  aCsv,
  aMultiVersionCrd,
  aPackage,
  decode,
  filesOf,
  fileText,
  fixtureFiles,
  flatBundle,
  malformedYaml,
  type Obj,
  PACKAGE_NAME,
  policy,
  prepare,
  thrown,
  toYaml,
  withValue,
} from '../../support/manifest-builders.js';

const encoder = new TextEncoder();

function validationError(fn: () => unknown): PackageValidationError {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(PackageValidationError);
  return error as PackageValidationError;
}

/** The three lists inside a flat bundle.yaml. */
function unpackBundle(bundleYaml: string): { crds: unknown; csvs: unknown; packages: unknown } {
  const bundle = load(bundleYaml) as { data: Record<string, string> };
  expect(Object.keys(bundle)).toEqual(['data']);
  expect(Object.keys(bundle.data)).toEqual([
    'customResourceDefinitions',
    'clusterServiceVersions',
    'packages',
  ]);
  const parse = (s: string | undefined) => (s === '' ? '' : load(s as string));
  return {
    crds: parse(bundle.data.customResourceDefinitions),
    csvs: parse(bundle.data.clusterServiceVersions),
    packages: parse(bundle.data.packages),
  };
}

describe('fixtures (test/fixtures)', () => {
  it('marketplace_op_flat: flat, valid, with the courier warnings', () => {
    const prepared = prepare(fixtureFiles('marketplace_op_flat'));
    expect(prepared.layout).toBe('flat');
    expect(prepared.validationInfo).toEqual({
      errors: [],
      warnings: [
        'csv metadata.annotations.createdAt not defined',
        'csv metadata.annotations.support not defined',
        'csv metadata.annotations.certified not defined.',
      ],
    });
    expect(prepared.files.map((f) => f.path)).toEqual(['bundle.yaml']);
    const { crds, csvs, packages } = unpackBundle(decode(prepared.files[0]?.data));
    const source = (path: string) => load(fileText(fixtureFiles('marketplace_op_flat'), path));
    expect(crds).toEqual([source('crd.yml'), source('subscription-crd.yaml')]);
    expect(csvs).toEqual([source('csv.yaml')]);
    expect(packages).toEqual([source('packages.yaml')]);
  });

  it('etcd_op_nested: nested, valid, the tree pushed unchanged', () => {
    const files = fixtureFiles('etcd_op_nested');
    const prepared = prepare(files);
    expect(prepared.layout).toBe('nested');
    expect(prepared.validationInfo.errors).toEqual([]);
    const perCsv = [
      'csv metadata.annotations.categories not defined',
      'csv metadata.annotations.description not defined',
      'csv metadata.annotations.containerImage not defined',
      'csv metadata.annotations.createdAt not defined',
      'csv metadata.annotations.support not defined',
      'csv metadata.annotations.certified not defined.',
    ];
    expect(prepared.validationInfo.warnings).toEqual([...perCsv, ...perCsv, ...perCsv]);
    expect(prepared.files).toEqual(files);
  });

  it('etcd_op_nested with repository "etcd" (v1) is valid', () => {
    expect(prepare(fixtureFiles('etcd_op_nested'), { repository: 'etcd' }).validationInfo.errors).toEqual([]);
  });

  it('no_package_name: no package file', () => {
    const error = validationError(() => loadBundle(fixtureFiles('no_package_name'), policy()));
    expect(error.message).toMatch(/^Could not find packageName in manifests\. /);
    expect((error.validationInfo as { errors: string[] }).errors).toContain(
      'Bundle does not contain any packages.',
    );
  });

  it('not_yaml: the YAML error names the file', () => {
    const detail = malformedYaml(() => loadBundle(fixtureFiles('not_yaml'), policy()));
    expect(detail).toMatch(/^Invalid YAML file "not_yaml\.yaml": .*\(line \d+, column \d+\)$/);
  });
});

describe('loadBundle', () => {
  it('returns the package name', () => {
    expect(loadBundle(flatBundle(), policy()).packageName).toBe(PACKAGE_NAME);
  });

  it('exports the implemented operator-courier version', () => {
    expect(OPERATOR_COURIER_VERSION).toBe('2.1.11');
  });

  it('finds the package only at the root', () => {
    const files = filesOf({ 'sub/package.yaml': aPackage(), 'csv.yaml': aCsv() });
    const error = validationError(() => loadBundle(files, policy()));
    expect(error.message).toMatch(/^Could not find packageName in manifests\. /);
    expect((error.validationInfo as { errors: string[] }).errors).toContain(
      'Bundle does not contain any packages.',
    );
  });

  it('refuses two packages at the root', () => {
    const files = filesOf({ 'a.yaml': aPackage(), 'b.yml': aPackage(), 'csv.yaml': aCsv() });
    expect(validationError(() => loadBundle(files, policy())).message).toBe(
      'Failed to push manifest: Only 1 package is expected to exist in source root folder.',
    );
  });

  it.each([
    ['empty', ''],
    ['null', null],
    ['a number', 42],
    ['a list', ['a']],
  ])('refuses a packageName that is %s', (_label, value) => {
    const files = filesOf({
      'package.yaml': withValue(aPackage(), 'packageName', value),
      'csv.yaml': aCsv(),
    });
    const error = validationError(() => loadBundle(files, policy()));
    expect(error.message).toBe(
      'Could not find packageName in manifests. The package file "package.yaml" must define packageName as a non-empty string.',
    );
  });

  it('parses only .yaml/.yml files, case-insensitively', () => {
    const files = filesOf({
      'PACKAGE.YML': aPackage(),
      'csv.Yaml': aCsv(),
      'crd.yaml': aCrd(),
      'README.md': 'not: [yaml',
      'notes.txt': '\u0000binary',
    });
    expect(prepare(files).validationInfo.errors).toEqual([]);
  });

  it('ignores YAML documents that are lists, scalars, empty or other kinds', () => {
    const files = [
      ...flatBundle(),
      ...filesOf({
        'list.yaml': '- a\n- b\n',
        'scalar.yaml': 'hello\n',
        'empty.yaml': '',
        'comment.yml': '# x\n',
      }),
      ...filesOf({ 'other.yaml': { kind: 'Deployment', metadata: { name: 'x' } } }),
    ];
    expect(prepare(files).validationInfo).toEqual({ errors: [], warnings: [] });
  });

  it('reads CRLF line ends and a UTF-8 byte order mark', () => {
    const crlf = (o: Obj) => toYaml(o).replaceAll('\n', '\r\n');
    const files = filesOf({
      'package.yaml': `\ufeff${crlf(aPackage())}`,
      'csv.yaml': crlf(aCsv()),
      'crd.yaml': aCrd(),
    });
    const prepared = prepare(files);
    expect(prepared.validationInfo.errors).toEqual([]);
    expect(unpackBundle(decode(prepared.files[0]?.data)).csvs).toEqual([aCsv()]);
  });

  it('refuses invalid UTF-8, naming the file', () => {
    const files = [
      ...flatBundle(),
      { path: 'deploy/bad.yaml', data: new Uint8Array([0x61, 0x3a, 0x20, 0xc3, 0x28]) },
    ];
    expect(malformedYaml(() => loadBundle(files, policy()))).toBe(
      'Invalid YAML file "deploy/bad.yaml": the file is not valid UTF-8 text.',
    );
  });

  it.each([
    ['a syntax error', 'a: [1, 2\n'],
    ['control characters', 'a: b\u0007c\n'],
    ['an alias to an undefined anchor', 'a: *nothing\n'],
    ['an unknown tag', 'a: !custom x\n'],
    ['two documents', 'a: 1\n---\nb: 2\n'],
  ])('refuses %s, naming the file', (_label, text) => {
    const files = [...flatBundle(), ...filesOf({ 'dir/x.yaml': text })];
    expect(malformedYaml(() => loadBundle(files, policy()))).toMatch(/^Invalid YAML file "dir\/x\.yaml": /);
  });

  it('accepts a trailing empty document and duplicated keys (last wins, like PyYAML)', () => {
    const csv = `${toYaml(aCsv())}---\n`;
    const pkg = `${toYaml(aPackage())}packageName: ${PACKAGE_NAME}\n`;
    const files = filesOf({ 'package.yaml': pkg, 'csv.yaml': csv, 'crd.yaml': aCrd() });
    expect(prepare(files).validationInfo.errors).toEqual([]);
  });
});

describe('prepareBundle: flat layout', () => {
  it('bundle.yaml holds the three kinds as block literals and round-trips to the objects', () => {
    const crds = [aCrd(), withValue(aMultiVersionCrd(), 'metadata.name', 'gadgets.example.com')];
    const files = filesOf({ 'package.yaml': aPackage(), 'csv.yaml': aCsv(), 'a.crd.yaml': crds[0] as Obj });
    files.push(...filesOf({ 'b.crd.yaml': crds[1] as Obj }));
    const text = decode(prepare(files).files[0]?.data);
    expect(text).toMatch(/^data:\n {2}customResourceDefinitions: \|\n {4}- /);
    expect(text).toMatch(/\n {2}clusterServiceVersions: \|\n {4}- /);
    expect(text).toMatch(/\n {2}packages: \|\n {4}- /);
    expect(unpackBundle(text)).toEqual({ crds, csvs: [aCsv()], packages: [aPackage()] });
  });

  it('alm-examples and spec.description are block literals inside the CSV list', () => {
    const text = decode(prepare(flatBundle()).files[0]?.data);
    const csvs = (load(text) as { data: { clusterServiceVersions: string } }).data.clusterServiceVersions;
    expect(csvs).toContain(
      `alm-examples: |-\n        ${JSON.parse(JSON.stringify(aCsv())).metadata.annotations['alm-examples']}\n`,
    );
    expect(csvs).toContain('  description: |\n      Widgets, managed.\n\n      A longer description\n');
  });

  it('an empty kind is the empty string', () => {
    const csv = withValue(aCsv(), 'spec.customresourcedefinitions', { owned: [] });
    const prepared = prepare(filesOf({ 'package.yaml': aPackage(), 'csv.yaml': csv }));
    const bundle = load(decode(prepared.files[0]?.data)) as { data: Record<string, string> };
    expect(bundle.data.customResourceDefinitions).toBe('');
    expect(decode(prepared.files[0]?.data)).toContain("  customResourceDefinitions: ''\n");
  });

  it('only root manifests are bundled; sub-folders without CSVs are ignored', () => {
    const files = [
      ...flatBundle(),
      ...filesOf({ 'deploy/operator.yaml': { kind: 'Deployment' }, 'deploy/x.crd.yaml': aCrd() }),
    ];
    const prepared = prepare(files);
    expect(prepared.layout).toBe('flat');
    expect((unpackBundle(decode(prepared.files[0]?.data)).crds as unknown[]).length).toBe(1);
  });

  it('refuses a bundle without any CSV', () => {
    const files = filesOf({ 'package.yaml': aPackage(), 'crd.yaml': aCrd(), 'x/y/csv.yaml': aCsv() });
    const error = validationError(() => prepare(files));
    const message =
      'The source directory structure is not in valid flat or nested format,because no valid CSV file is found in root or manifest directories.';
    expect(error.message).toBe(`Failed to push manifest: ${message}`);
    expect(error.validationInfo).toEqual({ errors: [message], warnings: [] });
  });

  it('keeps long JSON and unusual strings exact, never folding', () => {
    const alm = JSON.stringify(
      Array.from({ length: 30 }, (_, i) => ({
        apiVersion: 'example.com/v1',
        kind: 'Widget',
        metadata: { name: `w${i}` },
      })),
    );
    expect(alm.length).toBeGreaterThan(2000);
    const csv = withValue(withValue(aCsv(), 'metadata.annotations.alm-examples', alm), 'spec.keywords', [
      'yes',
      'no',
      '1.0',
      '0x1F',
      '2019-01-01',
      '~',
      'null',
      '',
      ' lead',
      'trail ',
      'a: b',
      '# c',
      '@x',
      '*y',
      'é ✓ 🎉',
    ]);
    const text = decode(prepare(flatBundle({ csv })).files[0]?.data);
    expect(text).toContain(alm);
    expect(unpackBundle(text).csvs).toEqual([csv]);
  });
});

describe('prepareBundle: nested layout', () => {
  const v2 = () =>
    withValue(withValue(aCsv(), 'metadata.name', 'widget-operator.v2.0.0'), 'spec.version', '2.0.0');

  it('pushes the tree unchanged, ignoring folders without a CSV with a warning', () => {
    const files = filesOf({
      'package.yaml': aPackage(),
      '1.0.0/csv.yaml': aCsv(),
      '1.0.0/crd.yaml': aCrd(),
      '1.0.0/notes.md': '# notes',
      '2.0.0/csv.yaml': v2(),
      'docs/readme.txt': 'hello',
      'tools/x.yaml': { kind: 'Deployment' },
      'root.crd.yaml': aCrd(),
    });
    const prepared = prepare(files);
    expect(prepared.layout).toBe('nested');
    expect(prepared.validationInfo).toEqual({
      errors: [],
      warnings: [
        'Ignoring folder "docs" as it is not a valid manifest folder',
        'Ignoring folder "tools" as it is not a valid manifest folder',
      ],
    });
    expect(prepared.files).toEqual(files);
    for (const [i, file] of prepared.files.entries()) expect(file.data).toBe(files[i]?.data);
  });

  it('a CSV deeper than a direct sub-folder does not make a version', () => {
    const files = [...flatBundle(), ...filesOf({ 'a/b/csv.yaml': v2() })];
    expect(prepare(files).layout).toBe('flat');
  });
});

describe('dropped files', () => {
  it('art.yaml and image-references are not pushed, at any depth (nested)', () => {
    const files = filesOf({
      'package.yaml': aPackage(),
      'art.yaml': 'updates: []\n',
      '1.0.0/csv.yaml': aCsv(),
      '1.0.0/crd.yaml': aCrd(),
      '1.0.0/image-references': 'kind: ImageStream\n',
      '1.0.0/art.yaml': 'x: 1\n',
      '1.0.0/my-art.yaml': 'x: 1\n',
    });
    expect(prepare(files).files.map((f) => f.path)).toEqual([
      'package.yaml',
      '1.0.0/csv.yaml',
      '1.0.0/crd.yaml',
      '1.0.0/my-art.yaml',
    ]);
  });

  it('dropped files are never parsed and do not reach the flat bundle', () => {
    const files = [...flatBundle(), ...filesOf({ 'art.yaml': aCrd(), 'x/art.yaml': 'not: [yaml' })];
    const prepared = prepare(files);
    expect(unpackBundle(decode(prepared.files[0]?.data)).crds).toEqual([aCrd()]);
    expect(prepared.files.map((f) => f.path)).toEqual(['bundle.yaml']);
  });
});

describe('prepareBundle is repeatable', () => {
  it('can run twice on the same loaded bundle with the same result', () => {
    const loaded = loadBundle(
      flatBundle(),
      policy({ csvAnnotations: [{ name: 'x', value: '{package_name}' }], packageNameSuffix: '-s' }),
    );
    const a = prepareBundle(loaded, {});
    const b = prepareBundle(loaded, {});
    expect(decode(b.files[0]?.data)).toBe(decode(a.files[0]?.data));
    expect(b.validationInfo).toEqual(a.validationInfo);
  });

  it('bytes come out as UTF-8', () => {
    const csv = withValue(aCsv(), 'spec.displayName', 'Wídget ✓');
    const data = prepare(flatBundle({ csv })).files[0]?.data as Uint8Array;
    expect(decode(data)).toContain('Wídget ✓');
    expect(data).toEqual(encoder.encode(decode(data)));
  });
});
