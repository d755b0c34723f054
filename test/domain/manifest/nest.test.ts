/**
 * operator-courier's nest (test_nest.py's three cases, on our own "gizmo"
 * operator): a flat bundle becomes version folders; a nested one keeps only
 * its manifests. Same trees; the written YAML reads back as the same objects.
 */
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PackageValidationError } from '../../../src/domain/errors.js';
import type { FileEntry } from '../../../src/domain/files.js';
import { loadBundle, prepareBundle } from '../../../src/domain/manifest/index.js';
import { nestBundle } from '../../../src/domain/manifest/nest.js';
import { tree } from '../../../src/domain/manifest/tree-transform.js';
import { DEFAULT_POLICY } from '../../../src/domain/organization-policy.js';
import { decode, filesOf, thrown, without, withValue } from '../../support/manifest-builders.js';
import { gizmoCrd, gizmoCsv, gizmoPackage } from '../../support/operator-builders.js';

const paths = (files: readonly FileEntry[]) => files.map((f) => f.path);
const read = (files: readonly FileEntry[], path: string) =>
  parse(decode(files.find((f) => f.path === path)?.data));

/** courier's flat_bundle1, on gizmo: three CSVs, four CRDs, folders without manifests. */
function flatBundle1(): FileEntry[] {
  return filesOf({
    'gear.crd.yaml': gizmoCrd('gears'),
    'cog.crd.yaml': gizmoCrd('cogs'),
    'lever.crd.yaml': gizmoCrd('levers'),
    'spring.crd.yaml': gizmoCrd('springs'),
    'gizmo.package.yaml': gizmoPackage('0.22.2'),
    'gizmo.0.14.0.clusterserviceversion.yaml': gizmoCsv('0.14.0', ['gears', 'cogs', 'levers']),
    'gizmo.0.15.0.clusterserviceversion.yaml': gizmoCsv('0.15.0', ['gears', 'cogs', 'levers']),
    'gizmo.0.22.2.clusterserviceversion.yaml': gizmoCsv('0.22.2', ['gears', 'cogs', 'levers', 'springs']),
    'random_folder1/package.yaml': gizmoPackage('0.0.1'),
    'random_folder1/random_file.txt': 'x',
    'random_folder2/package.yaml': gizmoPackage('0.0.2'),
    'random_folder2/random_file.txt': 'y',
  });
}

describe('nestBundle (operator-courier nest)', () => {
  it('makes one folder per CSV version with the CRDs it owns (flat_bundle1)', () => {
    const result = nestBundle(flatBundle1());
    const crds = (...plurals: string[]) => plurals.map((p) => `${p}.gizmo.example.org.crd.yaml`);
    const version = (v: string, ...plurals: string[]) =>
      [...crds(...plurals), `gizmo-operator.v${v}.clusterserviceversion.yaml`].map((f) => `${v}/${f}`);
    expect(paths(result.files).sort()).toEqual(
      [
        ...version('0.14.0', 'gears', 'cogs', 'levers'),
        ...version('0.15.0', 'gears', 'cogs', 'levers'),
        ...version('0.22.2', 'gears', 'cogs', 'levers', 'springs'),
        'gizmo.package.yaml',
      ].sort(),
    );
    expect(result.warnings).toEqual([]);
    expect(read(result.files, 'gizmo.package.yaml')).toEqual(gizmoPackage('0.22.2'));
    expect(read(result.files, '0.22.2/springs.gizmo.example.org.crd.yaml')).toEqual(gizmoCrd('springs'));
    expect(read(result.files, '0.14.0/gizmo-operator.v0.14.0.clusterserviceversion.yaml')).toEqual(
      gizmoCsv('0.14.0', ['gears', 'cogs', 'levers']),
    );
  });

  it('nests a bundle without CRDs (flat_bundle2_without_crds)', () => {
    const input = filesOf({
      'gizmo.package.yaml': gizmoPackage('0.1.34'),
      'gizmo.v0.1.34.clusterserviceversion.yaml': without(
        gizmoCsv('0.1.34', []),
        'spec.customresourcedefinitions',
      ),
    });
    expect(paths(nestBundle(input).files)).toEqual([
      '0.1.34/gizmo-operator.v0.1.34.clusterserviceversion.yaml',
      'gizmo.package.yaml',
    ]);
  });

  it('copies a nested bundle without its non-manifest files (nested_bundle1)', () => {
    const input = filesOf({
      'gizmo.package.yaml': gizmoPackage('0.15.0'),
      'random_file1.txt': 'a',
      'random_folder/package.yaml': gizmoPackage('0.0.1'),
      'random_folder/random_file.txt': 'b',
      '0.14.0/gear.crd.yaml': gizmoCrd('gears'),
      '0.14.0/gizmo.clusterserviceversion.yaml': gizmoCsv('0.14.0', ['gears']),
      '0.14.0/random_file1.txt': 'c',
      '0.14.0/random_folder/package.yaml': gizmoPackage('0.0.2'),
      '0.15.0/gear.crd.yaml': gizmoCrd('gears'),
      '0.15.0/cog.crd.yaml': gizmoCrd('cogs'),
      '0.15.0/gizmo.clusterserviceversion.yaml': gizmoCsv('0.15.0', ['gears', 'cogs']),
    });
    const result = nestBundle(input);
    expect(paths(result.files)).toEqual([
      '0.14.0/gear.crd.yaml',
      '0.14.0/gizmo.clusterserviceversion.yaml',
      '0.15.0/cog.crd.yaml',
      '0.15.0/gear.crd.yaml',
      '0.15.0/gizmo.clusterserviceversion.yaml',
      'gizmo.package.yaml',
    ]);
    for (const file of result.files) {
      expect(file.data).toEqual(input.find((f) => f.path === file.path)?.data);
    }
    expect(result.warnings).toEqual([
      'Ignoring folder "random_folder" as it is not a valid manifest folder',
      'The source directory is already nested.',
    ]);
  });

  it('writes a tree that verifies as a nested bundle', () => {
    const nested = nestBundle(flatBundle1()).files;
    const prepared = prepareBundle(loadBundle(nested, DEFAULT_POLICY), {});
    expect(prepared.layout).toBe('nested');
    expect(prepared.validationInfo.errors).toEqual([]);
  });

  it('collects courier errors and writes nothing', () => {
    const input = filesOf({
      'gizmo.package.yaml': gizmoPackage('1.0.0'),
      'a.clusterserviceversion.yaml': gizmoCsv('1.0.0', ['gears', 'levers']),
      'b.clusterserviceversion.yaml': without(gizmoCsv('2.0.0', []), 'spec.version'),
      'gear.crd.yaml': gizmoCrd('gears'),
      'nameless.crd.yaml': without(gizmoCrd('cogs'), 'metadata.name'),
    });
    const error = thrown(() => nestBundle(input)) as PackageValidationError;
    expect(error).toBeInstanceOf(PackageValidationError);
    expect(error.validationInfo).toEqual({
      errors: [
        'CRD has no `metadata.name` field defined',
        'CRD levers.gizmo.example.org mentioned in CSV gizmo-operator.v1.0.0 was not foundin directory.',
        'CSV gizmo-operator.v2.0.0 has no `spec.version` field defined',
      ],
      warnings: [],
    });
  });

  it('refuses a bundle without a package, with two packages, or without any CSV', () => {
    const csv = { 'a.clusterserviceversion.yaml': gizmoCsv('1.0.0', []) };
    expect((thrown(() => nestBundle(filesOf(csv))) as Error).message).toContain(
      'Bundle does not contain any packages.',
    );
    const two = filesOf({
      ...csv,
      'a.package.yaml': gizmoPackage('1.0.0'),
      'b.package.yaml': gizmoPackage('1.0.0'),
    });
    expect((thrown(() => nestBundle(two)) as Error).message).toContain(
      'Only 1 package is expected to exist in source root folder.',
    );
    const none = filesOf({ 'a.package.yaml': gizmoPackage('1.0.0') });
    expect((thrown(() => nestBundle(none)) as Error).message).toMatch(/no valid CSV file is found/);
  });

  it.each([
    [
      'spec.version',
      '../../../x',
      'The spec.version of CSV gizmo-operator.v1.0.0 cannot name a folder: "../../../x" (it contains "/").',
    ],
    [
      'spec.version',
      '..',
      'The spec.version of CSV gizmo-operator.v1.0.0 cannot name a folder: ".." (".." is not a name but a reference to a folder).',
    ],
    ['metadata.name', '../../evil', 'The CSV name cannot name a file: "../../evil" (it contains "/").'],
    ['metadata.name', 'a\\b', 'The CSV name cannot name a file: "a\\\\b" (it contains "\\").'],
  ])('refuses a CSV whose %s is %j, writing nothing', (key, value, message) => {
    const input = filesOf({
      'gizmo.package.yaml': gizmoPackage('1.0.0'),
      'a.clusterserviceversion.yaml': withValue(gizmoCsv('1.0.0', []), key, value),
    });
    const error = thrown(() => nestBundle(input)) as PackageValidationError;
    expect(error).toBeInstanceOf(PackageValidationError);
    expect(error.validationInfo).toEqual({ errors: [message], warnings: [] });
  });

  it('refuses an owned CRD whose name would leave the version folder', () => {
    const crd = withValue(gizmoCrd('gears'), 'metadata.name', '../../gears');
    const csv = withValue(gizmoCsv('1.0.0', []), 'spec.customresourcedefinitions.owned', [
      { name: '../../gears', kind: 'Gear', version: 'v1' },
    ]);
    const input = filesOf({
      'gizmo.package.yaml': gizmoPackage('1.0.0'),
      'a.csv.yaml': csv,
      'g.crd.yaml': crd,
    });
    expect((thrown(() => nestBundle(input)) as PackageValidationError).validationInfo.errors).toEqual([
      'The CRD owned by CSV gizmo-operator.v1.0.0 cannot name a file: "../../gears" (it contains "/").',
    ]);
  });
});

describe('tree (what nest and flatten write)', () => {
  it.each([
    ['../x', '"..": ".." is not a name but a reference to a folder'],
    ['/etc/x', '"": it is empty'],
    ['a//b', '"": it is empty'],
    ['a/./b', '".": "." is not a name but a reference to a folder'],
    ['C:/x', 'it starts with a drive letter'],
    ['a\\..\\b', 'it contains "\\"'],
    ['nul\u0000', 'it contains a control character'],
  ])('refuses the path %j, as a zip entry name is refused', (path, reason) => {
    const error = thrown(() => tree([{ path, data: new Uint8Array() }])) as PackageValidationError;
    expect(error).toBeInstanceOf(PackageValidationError);
    expect(error.message).toBe(`Cannot write ${JSON.stringify(path)}: ${reason}.`);
  });

  it('keeps safe paths, "..." and "..x" included', () => {
    const data = new Uint8Array();
    expect(
      tree([
        { path: 'b/..x', data },
        { path: '.../a', data },
      ]).map((f) => f.path),
    ).toEqual(['.../a', 'b/..x']);
  });
});
