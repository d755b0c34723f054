/**
 * operator-courier's flatten (test_flatten.py's seven cases, on our own
 * "gizmo" operator): the package, every CSV renamed `<name>-v<folder><ext>`,
 * the latest copy of each CRD; a flat bundle as it is.
 */
import { describe, expect, it } from 'vitest';
import { PackageValidationError } from '../../../src/domain/errors.js';
import type { FileEntry } from '../../../src/domain/files.js';
import { flattenBundle } from '../../../src/domain/manifest/flatten.js';
import { NO_VALID_CSV_MESSAGE } from '../../../src/domain/manifest/layout.js';
import { filesOf, type Obj, thrown, without } from '../../support/manifest-builders.js';
import { gizmoCrd, gizmoCsv, gizmoPackage } from '../../support/operator-builders.js';

const ALL = ['gears', 'cogs', 'levers'];

/** A version folder: its CSV (file `csvFile`, spec.version `version`) and CRDs marked with the folder. */
function folder(
  name: string,
  version: string,
  csvFile: string,
  crds: readonly string[],
): Record<string, Obj> {
  const files: Record<string, Obj> = { [`${name}/${csvFile}`]: gizmoCsv(version, crds) };
  for (const plural of crds) files[`${name}/${plural}.crd.yaml`] = gizmoCrd(plural, name);
  return files;
}

/** The flattened tree as `path ← source path`, found by content. */
function origins(input: readonly FileEntry[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const file of flattenBundle(input).files) {
    const source = input.find((f) => Buffer.from(f.data).equals(Buffer.from(file.data)));
    out[file.path] = source?.path ?? '(new content)';
  }
  return out;
}

describe('flattenBundle (operator-courier flatten)', () => {
  it('keeps each CRD from the latest version folder holding it (etcd_valid_input_1)', () => {
    const input = filesOf({
      'gizmo.package.yaml': gizmoPackage('0.9.2'),
      ...folder('0.6.1', '0.6.1', 'gizmo.clusterserviceversion.yaml', ['cogs']),
      ...folder('0.9.0', '0.9.0', 'gizmo.v0.9.0.clusterserviceversion.yaml', ['gears', 'cogs', 'levers']),
      ...folder('0.9.2', '0.9.2', 'gizmo.v0.9.2.clusterserviceversion.yaml', ['gears']),
    });
    expect(origins(input)).toEqual({
      'gizmo.package.yaml': 'gizmo.package.yaml',
      'gizmo.clusterserviceversion-v0.6.1.yaml': '0.6.1/gizmo.clusterserviceversion.yaml',
      'gizmo.v0.9.0.clusterserviceversion-v0.9.0.yaml': '0.9.0/gizmo.v0.9.0.clusterserviceversion.yaml',
      'gizmo.v0.9.2.clusterserviceversion-v0.9.2.yaml': '0.9.2/gizmo.v0.9.2.clusterserviceversion.yaml',
      'levers.crd.yaml': '0.9.0/levers.crd.yaml',
      'cogs.crd.yaml': '0.9.0/cogs.crd.yaml',
      'gears.crd.yaml': '0.9.2/gears.crd.yaml',
    });
  });

  it('keeps an older CRD that later versions do not carry (etcd_valid_input_2)', () => {
    const input = filesOf({
      'gizmo.package.yaml': gizmoPackage('0.9.2'),
      ...folder('0.6.1', '0.6.1', 'gizmo.clusterserviceversion.yaml', ALL),
      ...folder('0.9.0', '0.9.0', 'gizmo.v0.9.0.clusterserviceversion.yaml', ['levers']),
      ...folder('0.9.2', '0.9.2', 'gizmo.v0.9.2.clusterserviceversion.yaml', []),
    });
    const result = origins(input);
    expect(result['levers.crd.yaml']).toBe('0.9.0/levers.crd.yaml');
    expect(result['gears.crd.yaml']).toBe('0.6.1/gears.crd.yaml');
    expect(result['cogs.crd.yaml']).toBe('0.6.1/cogs.crd.yaml');
    expect(Object.keys(result)).toHaveLength(7);
  });

  it('compares CSV versions, names CSVs by folder, ignores folders without a CSV (etcd_valid_input_3)', () => {
    const input = filesOf({
      'gizmo.package.yaml': gizmoPackage('0.9.2'),
      ...folder('0.61', '0.6.1', 'gizmo.clusterserviceversion.yaml', ALL),
      ...folder('0.90', '0.9.0', 'gizmo.v0.9.0.clusterserviceversion.yaml', ALL),
      ...folder('0.92', '0.9.2', 'gizmo.v0.9.2.clusterserviceversion.yaml', ALL),
      'random_folder/random_file.txt': 'not a manifest',
    });
    expect(origins(input)).toEqual({
      'gizmo.package.yaml': 'gizmo.package.yaml',
      'gizmo.clusterserviceversion-v0.61.yaml': '0.61/gizmo.clusterserviceversion.yaml',
      'gizmo.v0.9.0.clusterserviceversion-v0.90.yaml': '0.90/gizmo.v0.9.0.clusterserviceversion.yaml',
      'gizmo.v0.9.2.clusterserviceversion-v0.92.yaml': '0.92/gizmo.v0.9.2.clusterserviceversion.yaml',
      'gears.crd.yaml': '0.92/gears.crd.yaml',
      'cogs.crd.yaml': '0.92/cogs.crd.yaml',
      'levers.crd.yaml': '0.92/levers.crd.yaml',
    });
    expect(flattenBundle(input).warnings).toEqual([
      'Ignoring folder "random_folder" as it is not a valid manifest folder',
    ]);
  });

  it('tells CSVs of the same file name apart by their folder (etcd_valid_input_4)', () => {
    const input = filesOf({
      'gizmo.package.yaml': gizmoPackage('0.9.2'),
      ...folder('0.6.1', '0.6.1', 'gizmo.clusterserviceversion.yaml', ALL),
      ...folder('0.9.0', '0.9.0', 'gizmo.clusterserviceversion.yaml', ALL),
      ...folder('0.9.2', '0.9.2', 'gizmo.clusterserviceversion.yaml', ALL),
    });
    expect(Object.keys(origins(input)).sort()).toEqual([
      'cogs.crd.yaml',
      'gears.crd.yaml',
      'gizmo.clusterserviceversion-v0.6.1.yaml',
      'gizmo.clusterserviceversion-v0.9.0.yaml',
      'gizmo.clusterserviceversion-v0.9.2.yaml',
      'gizmo.package.yaml',
      'levers.crd.yaml',
    ]);
    expect(origins(input)['gears.crd.yaml']).toBe('0.9.2/gears.crd.yaml');
  });

  it('returns the root files of a bundle that is already flat (etcd_valid_input_5)', () => {
    const input = filesOf({
      'gizmo.package.yaml': gizmoPackage('0.9.2'),
      'gizmo.clusterserviceversion.yaml': gizmoCsv('0.9.2', ALL),
      'gears.crd.yaml': gizmoCrd('gears'),
      'cogs.crd.yaml': gizmoCrd('cogs'),
      'levers.crd.yaml': gizmoCrd('levers'),
      'random_folder1/package.yaml': gizmoPackage('0.0.1'),
      'random_folder1/random_file.txt': 'x',
      'random_folder2/random_file.txt': 'y',
    });
    const result = flattenBundle(input);
    expect(result.files.map((f) => f.path)).toEqual([
      'cogs.crd.yaml',
      'gears.crd.yaml',
      'gizmo.clusterserviceversion.yaml',
      'gizmo.package.yaml',
      'levers.crd.yaml',
    ]);
    expect(result.files).toEqual(
      input.filter((f) => !f.path.includes('/')).sort((a, b) => (a.path < b.path ? -1 : 1)),
    );
  });

  it('treats the bundle as nested when one folder has a CSV, ignoring root CSVs (etcd_valid_input_6)', () => {
    const input = filesOf({
      'gizmo.package.yaml': gizmoPackage('0.9.0'),
      'gizmo.clusterserviceversion.yaml': gizmoCsv('0.8.0', ALL),
      ...folder('0.9', '0.9.0', 'gizmo.clusterserviceversion.yaml', ALL),
    });
    expect(origins(input)).toEqual({
      'gizmo.package.yaml': 'gizmo.package.yaml',
      'gizmo.clusterserviceversion-v0.9.yaml': '0.9/gizmo.clusterserviceversion.yaml',
      'gears.crd.yaml': '0.9/gears.crd.yaml',
      'cogs.crd.yaml': '0.9/cogs.crd.yaml',
      'levers.crd.yaml': '0.9/levers.crd.yaml',
    });
  });

  it('leaves extraneous files out (etcd_valid_input_7)', () => {
    const input = filesOf({
      'art.yaml': { product: 'gizmo' },
      'gizmo.package.yaml': gizmoPackage('0.9.0'),
      'gizmo.clusterserviceversion.yaml': gizmoCsv('0.8.0', ALL),
      ...folder('0.9', '0.9.0', 'gizmo.clusterserviceversion.yaml', ALL),
      '0.9/image-references': 'kind: ImageStream',
    });
    expect(Object.keys(origins(input)).sort()).toEqual([
      'cogs.crd.yaml',
      'gears.crd.yaml',
      'gizmo.clusterserviceversion-v0.9.yaml',
      'gizmo.package.yaml',
      'levers.crd.yaml',
    ]);
  });

  it('chooses the same CRDs whatever the order of the folders', () => {
    const input = filesOf({
      'gizmo.package.yaml': gizmoPackage('0.9.2'),
      ...folder('c', '0.6.1', 'a.clusterserviceversion.yaml', ALL),
      ...folder('a', '0.9.2', 'b.clusterserviceversion.yaml', ['gears']),
      ...folder('b', '0.10.0', 'c.clusterserviceversion.yaml', ['gears', 'cogs']),
    });
    const forward = origins(input);
    expect(origins([...input].reverse())).toEqual(forward);
    expect(forward['gears.crd.yaml']).toBe('b/gears.crd.yaml');
    expect(forward['cogs.crd.yaml']).toBe('b/cogs.crd.yaml');
    expect(forward['levers.crd.yaml']).toBe('c/levers.crd.yaml');
  });

  it('refuses a version folder whose CSV has no spec.version', () => {
    const input = filesOf({
      'gizmo.package.yaml': gizmoPackage('0.9.0'),
      '0.9/gizmo.clusterserviceversion.yaml': without(gizmoCsv('0.9.0', []), 'spec.version'),
    });
    const error = thrown(() => flattenBundle(input)) as PackageValidationError;
    expect(error).toBeInstanceOf(PackageValidationError);
    expect(error.message).toBe(
      'gizmo.clusterserviceversion.yaml is not a valid CSV file as "spec.version" field is required',
    );
  });

  it('refuses a CRD without metadata.name', () => {
    const input = filesOf({
      'gizmo.package.yaml': gizmoPackage('0.9.0'),
      ...folder('0.9', '0.9.0', 'gizmo.clusterserviceversion.yaml', []),
      '0.9/nameless.crd.yaml': without(gizmoCrd('gears'), 'metadata.name'),
    });
    expect((thrown(() => flattenBundle(input)) as Error).message).toBe(
      'nameless.crd.yaml is not a valid CRD file as "metadata.name" field is required',
    );
  });

  it('refuses to compare CSV versions that are not semver', () => {
    const input = filesOf({
      'gizmo.package.yaml': gizmoPackage('0.9.0'),
      ...folder('1', '1.0.0', 'gizmo.clusterserviceversion.yaml', ['gears']),
      ...folder('2', 'two', 'gizmo.clusterserviceversion.yaml', ['gears']),
    });
    expect((thrown(() => flattenBundle(input)) as Error).message).toBe('two is not valid SemVer string');
  });

  it('refuses a bundle without a package or without any CSV, with courier messages', () => {
    const noPackage = filesOf({ ...folder('0.9', '0.9.0', 'gizmo.clusterserviceversion.yaml', ALL) });
    expect((thrown(() => flattenBundle(noPackage)) as Error).message).toContain(
      'Bundle does not contain any packages.',
    );
    const noCsv = filesOf({
      'gizmo.package.yaml': gizmoPackage('0.9.0'),
      'gears.crd.yaml': gizmoCrd('gears'),
    });
    expect((thrown(() => flattenBundle(noCsv)) as Error).message).toBe(NO_VALID_CSV_MESSAGE);
  });
});
