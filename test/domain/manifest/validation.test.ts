/**
 * operator-courier 2.1.11 validation rules, one broken manifest per rule; the
 * messages are the contract users grep for.
 */
import { describe, expect, it } from 'vitest';
import { PackageValidationError } from '../../../src/domain/errors.js';
import {
  aCrd,
  aCsv,
  aMultiVersionCrd,
  aPackage,
  CSV_NAME,
  filesOf,
  flatBundle,
  type Obj,
  PACKAGE_NAME,
  prepare,
  thrown,
  validationOf,
  without,
  withValue,
} from '../../support/manifest-builders.js';

const ownedItem = { name: 'widgets.example.com', kind: 'Widget', version: 'v1' };
const csvOwning = (item: Obj) => withValue(aCsv(), 'spec.customresourcedefinitions.owned', [item]);

interface RuleCase {
  rule: string;
  parts: { pkg?: Obj; csv?: Obj; crd?: Obj };
  message: string;
}

const errorCases: RuleCase[] = [
  // CRD
  { rule: 'crd metadata', parts: { crd: without(aCrd(), 'metadata') }, message: 'crd metadata not defined.' },
  {
    rule: 'crd name',
    parts: { crd: without(aCrd(), 'metadata.name') },
    message: 'crd metadata.name not defined.',
  },
  {
    rule: 'crd apiVersion',
    parts: { crd: without(aCrd(), 'apiVersion') },
    message: 'crd apiVersion not defined.',
  },
  { rule: 'crd spec', parts: { crd: without(aCrd(), 'spec') }, message: 'crd spec not defined.' },
  {
    rule: 'crd names',
    parts: { crd: without(aCrd(), 'spec.names') },
    message: 'crd spec.names not defined.',
  },
  {
    rule: 'crd names.kind',
    parts: { crd: without(aCrd(), 'spec.names.kind') },
    message: 'crd spec.names.kind not defined.',
  },
  {
    rule: 'crd names.plural',
    parts: { crd: without(aCrd(), 'spec.names.plural') },
    message: 'crd spec.names.plural not defined.',
  },
  {
    rule: 'crd group',
    parts: { crd: without(aCrd(), 'spec.group') },
    message: 'crd spec.group not defined.',
  },
  {
    rule: 'crd version(s)',
    parts: { crd: without(aCrd(), 'spec.version') },
    message: 'crd spec.version or spec.versions not defined.',
  },
  {
    rule: 'crd versions empty',
    parts: { crd: withValue(aMultiVersionCrd(), 'spec.versions', []) },
    message: 'crd spec.versions is empty.',
  },
  {
    rule: 'crd version entry',
    parts: { crd: withValue(aMultiVersionCrd(), 'spec.versions', [{ name: 'v1', storage: true }]) },
    message: 'crd spec.versions contains an invalid CustomResourceDefinitionVersion.',
  },
  {
    rule: 'crd storage version',
    parts: {
      crd: withValue(aMultiVersionCrd(), 'spec.versions', [
        { name: 'v1', served: true, storage: true },
        { name: 'v2', served: true, storage: true },
      ]),
    },
    message: 'crd spec.version should contain exactly one version flagged as storage version.',
  },
  // CSV
  { rule: 'csv metadata', parts: { csv: without(aCsv(), 'metadata') }, message: 'csv metadata not defined.' },
  {
    rule: 'csv name',
    parts: { csv: without(aCsv(), 'metadata.name') },
    message: 'csv metadata.name not defined.',
  },
  {
    rule: 'csv apiVersion',
    parts: { csv: without(aCsv(), 'apiVersion') },
    message: 'csv apiVersion not defined.',
  },
  { rule: 'csv spec', parts: { csv: without(aCsv(), 'spec') }, message: 'csv spec not defined.' },
  {
    rule: 'csv installModes',
    parts: { csv: without(aCsv(), 'spec.installModes') },
    message: 'csv spec.installModes not defined',
  },
  {
    rule: 'csv install',
    parts: { csv: without(aCsv(), 'spec.install') },
    message: 'csv spec.install not defined',
  },
  {
    rule: 'csv install.strategy',
    parts: { csv: without(aCsv(), 'spec.install.strategy') },
    message: 'csv spec.install.strategy not defined',
  },
  {
    rule: 'csv install.strategy value',
    parts: { csv: withValue(aCsv(), 'spec.install.strategy', 'helm') },
    message: "csv spec.install.strategy must be one of ['deployment']",
  },
  {
    rule: 'csv install.spec',
    parts: { csv: without(aCsv(), 'spec.install.spec') },
    message: 'csv spec.install.spec not defined',
  },
  {
    rule: 'csv deployments',
    parts: { csv: without(aCsv(), 'spec.install.spec.deployments') },
    message: 'csv spec.install.spec.deployments not defined',
  },
  {
    rule: 'csv deployments list',
    parts: { csv: withValue(aCsv(), 'spec.install.spec.deployments', { name: 'x' }) },
    message: 'csv spec.install.spec.deployments should be a list',
  },
  {
    rule: 'csv permissions list',
    parts: { csv: withValue(aCsv(), 'spec.install.spec.permissions', { rules: [] }) },
    message: 'csv spec.install.spec.permissions should be a list',
  },
  {
    rule: 'csv clusterPermissions list',
    parts: { csv: withValue(aCsv(), 'spec.install.spec.clusterPermissions', 'all') },
    message: 'csv spec.install.spec.clusterPermissions should be a list',
  },
  {
    rule: 'csv certified string',
    parts: { csv: withValue(aCsv(), 'metadata.annotations.certified', true) },
    message: 'metadata.annotations.certified is not of typestring',
  },
  {
    rule: 'csv alm-examples json',
    parts: { csv: withValue(aCsv(), 'metadata.annotations.alm-examples', '[{"kind": "Widget",}]') },
    message: 'metadata.annotations.alm-examples contains invalid json string',
  },
  {
    rule: 'csv alm-examples not a string',
    parts: { csv: withValue(aCsv(), 'metadata.annotations.alm-examples', [{ kind: 'Widget' }]) },
    message: 'metadata.annotations.alm-examples contains invalid json string',
  },
  {
    rule: 'csv owned name',
    parts: { csv: csvOwning({ kind: 'Widget', version: 'v1' }) },
    message: 'name not defined for item in spec.customresourcedefinitions.',
  },
  {
    rule: 'csv owned kind',
    parts: { csv: csvOwning({ name: 'widgets.example.com', version: 'v1' }) },
    message: 'kind not defined for item in spec.customresourcedefinitions.',
  },
  {
    rule: 'csv owned version',
    parts: { csv: csvOwning({ name: 'widgets.example.com', kind: 'Widget' }) },
    message: 'version not defined for item in spec.customresourcedefinitions.',
  },
  {
    rule: 'csv owned CRD in bundle',
    parts: { csv: csvOwning({ ...ownedItem, name: 'gadgets.example.com' }) },
    message:
      'custom resource definition gadgets.example.com referenced in csv not defined in root list of crds',
  },
  {
    rule: 'csv owned kind agrees',
    parts: { csv: csvOwning({ ...ownedItem, kind: 'Gadget' }) },
    message: 'CRD.spec.names.kind does not match CSV.spec.crd.owned.kind',
  },
  {
    rule: 'csv owned version agrees (spec.version)',
    parts: { csv: csvOwning({ ...ownedItem, version: 'v2' }) },
    message: 'CRD.spec.version does not match CSV.spec.crd.owned.version',
  },
  {
    rule: 'csv owned version agrees (spec.versions)',
    parts: { csv: csvOwning({ ...ownedItem, version: 'v2' }), crd: aMultiVersionCrd() },
    message: 'CSV.spec.crd.owned.version is not in CRD.spec.versions list',
  },
  {
    rule: 'csv owned name = plural.group',
    parts: { crd: withValue(aCrd(), 'spec.group', 'example.org') },
    message: '`CRD.spec.names.plural`.`CRD.spec.group` does not match CSV.spec.crd.owned.name',
  },
  // package
  {
    rule: 'package channels',
    parts: { pkg: without(aPackage(), 'channels') },
    message: 'package channels not defined.',
  },
  {
    rule: 'package channels empty',
    parts: { pkg: withValue(aPackage(), 'channels', []) },
    message: 'no package channels defined.',
  },
  {
    rule: 'package channel name',
    parts: { pkg: withValue(aPackage(), 'channels', [{ currentCSV: CSV_NAME }]) },
    message: 'package channel.name not defined.',
  },
  {
    rule: 'package channel currentCSV',
    parts: { pkg: withValue(aPackage(), 'channels', [{ name: 'alpha' }]) },
    message: 'package channel.currentCSV not defined.',
  },
  {
    rule: 'package currentCSV in bundle (flat)',
    parts: {
      pkg: withValue(aPackage(), 'channels', [{ name: 'alpha', currentCSV: 'widget-operator.v9.9.9' }]),
    },
    message: 'channel.currentCSV widget-operator.v9.9.9 is not included in list of csvs',
  },
];

const warningCases: RuleCase[] = [
  ...['displayName', 'description', 'icon', 'version', 'provider', 'maturity'].map((field) => ({
    rule: `spec.${field}`,
    parts: { csv: without(aCsv(), `spec.${field}`) },
    message: `csv spec.${field} not defined`,
  })),
  ...['categories', 'description', 'containerImage', 'createdAt', 'support'].map((field) => ({
    rule: `annotations.${field}`,
    parts: { csv: without(aCsv(), `metadata.annotations.${field}`) },
    message: `csv metadata.annotations.${field} not defined`,
  })),
  {
    rule: 'annotations.certified',
    parts: { csv: without(aCsv(), 'metadata.annotations.certified') },
    message: 'csv metadata.annotations.certified not defined.',
  },
  {
    rule: 'annotations',
    parts: { csv: without(aCsv(), 'metadata.annotations') },
    message: 'csv metadata.annotations not defined.',
  },
];

describe('operator-courier validation rules', () => {
  it('a complete bundle has no errors and no warnings', () => {
    expect(validationOf(flatBundle())).toEqual({ errors: [], warnings: [] });
  });

  it.each(errorCases)('error: $rule', ({ parts, message }) => {
    const error = thrown(() => prepare(flatBundle(parts)));
    expect(error).toBeInstanceOf(PackageValidationError);
    const info = (error as PackageValidationError).validationInfo as { errors: string[] };
    expect(info.errors).toContain(message);
    expect((error as PackageValidationError).message).toMatch(
      /^Failed to push manifest: Resulting bundle is invalid, input yaml is improperly defined\. /,
    );
  });

  it.each(warningCases)('warning: $rule', ({ parts, message }) => {
    const info = validationOf(flatBundle(parts));
    expect(info.errors).toEqual([]);
    expect(info.warnings).toContain(message);
  });

  it('reports the exact message set of a bundle with several problems, in courier order', () => {
    const crd = without(aCrd(), 'spec.names.plural');
    const csv = without(without(aCsv(), 'spec.icon'), 'spec.install.strategy');
    const pkg = withValue(aPackage(), 'channels', [{ name: 'alpha' }]);
    expect(validationOf(flatBundle({ crd, csv, pkg }))).toEqual({
      errors: [
        'crd spec.names.plural not defined.',
        'csv spec.install.strategy not defined',
        'package channel.currentCSV not defined.',
      ],
      warnings: ['csv spec.icon not defined'],
    });
  });

  it('the error message summarises the first error and counts the others', () => {
    const csv = without(without(aCsv(), 'apiVersion'), 'spec.installModes');
    const error = thrown(() => prepare(flatBundle({ csv }))) as PackageValidationError;
    expect(error.message).toBe(
      'Failed to push manifest: Resulting bundle is invalid, input yaml is improperly defined. csv apiVersion not defined. (and 1 more)',
    );
    expect(error.id).toBe('PackageValidationError');
  });

  it('accepts CRDs without any owned-CRD reference and bundles without CRDs', () => {
    const csv = without(aCsv(), 'spec.customresourcedefinitions');
    expect(validationOf(filesOf({ 'package.yaml': aPackage(), 'csv.yaml': csv }))).toEqual({
      errors: [],
      warnings: [],
    });
  });

  it('accepts a multi-version CRD whose versions include the owned version', () => {
    expect(validationOf(flatBundle({ crd: aMultiVersionCrd() })).errors).toEqual([]);
  });

  it('certified as a string passes', () => {
    const csv = withValue(aCsv(), 'metadata.annotations.certified', 'true');
    expect(validationOf(flatBundle({ csv })).errors).toEqual([]);
  });
});

describe('repository name (v1)', () => {
  it('fails with the operator-courier message when the repository differs from packageName', () => {
    const info = validationOf(flatBundle(), 'other-repo');
    expect(info.errors).toEqual([
      `The packageName (${PACKAGE_NAME}) in bundle does not match repository name (other-repo) provided as command line argument.`,
    ]);
  });

  it('passes when they are equal', () => {
    expect(validationOf(flatBundle(), PACKAGE_NAME).errors).toEqual([]);
  });

  it('is compared after the suffix, and only when the package rules passed', () => {
    const pkg = without(aPackage(), 'channels');
    expect(validationOf(flatBundle({ pkg }), 'other-repo').errors).toEqual(['package channels not defined.']);
  });
});

describe('nested bundles are validated per version folder', () => {
  const v1 = aCsv();
  const v2 = withValue(withValue(aCsv(), 'metadata.name', 'widget-operator.v2.0.0'), 'spec.version', '2.0.0');

  it('a valid nested bundle: the channel currentCSV is not checked against the folders', () => {
    const pkg = withValue(aPackage(), 'channels', [{ name: 'alpha', currentCSV: 'widget-operator.v3.0.0' }]);
    const files = filesOf({
      'package.yaml': pkg,
      '1.0.0/csv.yaml': v1,
      '1.0.0/crd.yaml': aCrd(),
      '2.0.0/csv.yaml': v2,
      '2.0.0/crd.yaml': aCrd(),
    });
    expect(validationOf(files)).toEqual({ errors: [], warnings: [] });
  });

  it('reports each version folder problems', () => {
    const files = filesOf({
      'package.yaml': aPackage(),
      '1.0.0/csv.yaml': without(v1, 'spec.icon'),
      '1.0.0/crd.yaml': aCrd(),
      '2.0.0/csv.yaml': without(v2, 'spec.install'),
      '2.0.0/crd.yaml': without(aCrd(), 'spec.group'),
    });
    expect(validationOf(files)).toEqual({
      errors: ['crd spec.group not defined.', 'csv spec.install not defined'],
      warnings: ['csv spec.icon not defined'],
    });
  });

  it('an owned CRD may be defined in another version folder', () => {
    const files = filesOf({
      'package.yaml': aPackage(),
      '1.0.0/csv.yaml': v1,
      '1.0.0/crd.yaml': aCrd(),
      '2.0.0/csv.yaml': v2,
    });
    expect(validationOf(files).errors).toEqual([]);
  });

  it('an owned CRD defined nowhere is an error', () => {
    const files = filesOf({ 'package.yaml': aPackage(), '1.0.0/csv.yaml': v1 });
    expect(validationOf(files).errors).toEqual([
      'custom resource definition widgets.example.com referenced in csv not defined in root list of crds',
    ]);
  });

  it('reports the repository mismatch once', () => {
    const files = filesOf({
      'package.yaml': aPackage(),
      '1.0.0/csv.yaml': v1,
      '2.0.0/csv.yaml': v2,
      'c.yaml': aCrd(),
    });
    const info = validationOf(files, 'nope');
    expect(info.errors.filter((e) => e.startsWith('The packageName'))).toHaveLength(1);
  });
});
