/**
 * operator-courier 2.1.11's own test suite, as our oracle: every bundle case of
 * its tests/test_validate.py and tests/test_api.py, re-expressed with our
 * builders (same situation, same verdict, same messages). Data is ours; each row
 * names the courier case it mirrors. The operatorhub.io UI cases
 * (test_ui_valid_bundle_io[valid.bundle.yaml], test_ui_invalid_bundle_io[ui.invalid.bundle.yaml])
 * are not here: `ui_validate_io` is a CLI option, not part of the service.
 *
 * Where our input differs in kind from courier's: its test_validate.py cases
 * feed an already-built bundle dict to ValidateCmd; ours start from the files an
 * archive holds, which is what the service receives. Two cases therefore meet
 * courier's directory-level message instead of the dict-level one (noted per row).
 * The inputs of its test_nest.py get their verdict here too; those of
 * test_flatten.py (CSVs from before installModes existed) only test its flatten command.
 */
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { PackageValidationError, type ValidationInfo } from '../../../src/domain/errors.js';
import type { FileEntry } from '../../../src/domain/files.js';
import {
  aCrd,
  aCsv,
  aPackage,
  decode,
  filesOf,
  type Obj,
  prepare,
  without,
  withValue,
} from '../../support/manifest-builders.js';

const INVALID = 'Failed to push manifest: Resulting bundle is invalid, input yaml is improperly defined.';

/** A CRD of group example.com, `spec.version` v1 unless `versions` is given. */
function crd(plural: string, kind: string, versions?: Obj[]): Obj {
  const base = withValue(withValue(aCrd(), 'metadata.name', `${plural}.example.com`), 'spec.names', {
    kind,
    plural,
    singular: kind.toLowerCase(),
    listKind: `${kind}List`,
  });
  if (!versions) return base;
  return withValue(without(base, 'spec.version'), 'spec.versions', versions);
}

const owned = (plural: string, kind: string, version = 'v1') => ({
  name: `${plural}.example.com`,
  kind,
  version,
  displayName: kind,
  description: `A ${kind}.`,
});

/** A CSV named `name` that owns `items` (or whose whole customresourcedefinitions section is `section`). */
function csv(name: string, items: Obj[] | { section: unknown }): Obj {
  const base = withValue(aCsv(), 'metadata.name', name);
  return Array.isArray(items)
    ? withValue(base, 'spec.customresourcedefinitions', { owned: items })
    : withValue(base, 'spec.customresourcedefinitions', items.section);
}

/** Removes several dotted paths. */
function stripped(obj: Obj, ...paths: string[]): Obj {
  return paths.reduce((o, p) => without(o, p), obj);
}

function pkg(name: string, currentCSV: string): Obj {
  return withValue(withValue(aPackage(), 'packageName', name), 'channels', [{ name: 'alpha', currentCSV }]);
}

// The "marketplace" operator many courier bundles share: two CRDs, one CSV owning both.
const SOURCES = crd('operatorsources', 'OperatorSource');
const CONFIGS = crd('catalogsourceconfigs', 'CatalogSourceConfig');
const OWN_BOTH = [
  owned('operatorsources', 'OperatorSource'),
  owned('catalogsourceconfigs', 'CatalogSourceConfig'),
];
const MARKET_CSV = 'marketplace-operator.v0.0.1';
const marketCsv = (items: Obj[] = OWN_BOTH) => csv(MARKET_CSV, items);
const marketPkg = () => pkg('marketplace', MARKET_CSV);
function market(parts: { csv?: Obj; crds?: Obj[]; pkg?: Obj | null } = {}): FileEntry[] {
  const crds = parts.crds ?? [SOURCES, CONFIGS];
  return filesOf({
    ...(parts.pkg === null ? {} : { 'marketplace.package.yaml': parts.pkg ?? marketPkg() }),
    'marketplace.csv.yaml': parts.csv ?? marketCsv(),
    ...Object.fromEntries(crds.map((c, i) => [`crd${i}.crd.yaml`, c])),
  });
}
const noIcon = (c: Obj) => without(c, 'spec.icon');

// A CSV that owns no CRD (only API services), like courier's svcat: its 2.1.11 case.
function svcatCsv(section: { section: unknown } | null): Obj {
  let c = stripped(withValue(aCsv(), 'metadata.name', 'svcat.v0.1.34'), 'spec.icon', 'spec.maturity');
  c = withValue(c, 'spec.apiservicedefinitions', {
    owned: [
      { group: 'servicecatalog.k8s.io', version: 'v1beta1', kind: 'ServiceBroker', name: 'servicebrokers' },
    ],
  });
  return section === null
    ? without(c, 'spec.customresourcedefinitions')
    : withValue(c, 'spec.customresourcedefinitions', section.section);
}
const svcat = (section: { section: unknown } | null = { section: null }) =>
  filesOf({ 'svcat.package.yaml': pkg('svcat', 'svcat.v0.1.34'), 'svcat.csv.yaml': svcatCsv(section) });

interface CourierCase {
  /** The courier test and parameter this row mirrors. */
  courier: string;
  files: FileEntry[];
  repository?: string;
  valid: boolean;
  /** The exact validation_info courier reports (errors and warnings, in its order). */
  info?: ValidationInfo;
  /** For cases courier only asserts a verdict for: the errors it reports. */
  errors?: string[];
  /** How our message starts (the original OMPS's text). */
  message?: string;
}

const ICON = 'csv spec.icon not defined';

const verificationCases: CourierCase[] = [
  {
    courier: 'test_valid_bundles[noicon.valid.bundle.yaml]',
    files: market({ csv: stripped(marketCsv(), 'spec.icon', 'metadata.annotations.categories') }),
    valid: true,
    info: { errors: [], warnings: ['csv metadata.annotations.categories not defined', ICON] },
  },
  {
    courier: 'test_valid_bundles[nocrd.valid.bundle.yaml] (the 2.1.11 change)',
    files: svcat(),
    valid: true,
    info: { errors: [], warnings: [ICON, 'csv spec.maturity not defined'] },
  },
  {
    courier: 'test_valid_bundles[multiplecrds.bundle.yaml]',
    files: filesOf({
      'p.package.yaml': pkg('performance', 'performance.v4.6.0'),
      'p.csv.yaml': stripped(
        csv('performance.v4.6.0', [
          owned('profiles', 'Profile', 'v1'),
          owned('profiles', 'Profile', 'v1alpha1'),
        ]),
        'metadata.annotations.createdAt',
        'spec.icon',
      ),
      'p.crd.yaml': withValue(crd('profiles', 'Profile'), 'spec.versions', [
        { name: 'v1', served: true, storage: true },
        { name: 'v1alpha1', served: true, storage: false },
      ]),
    }),
    valid: true,
    info: { errors: [], warnings: ['csv metadata.annotations.createdAt not defined', ICON] },
  },
  {
    courier: 'test_invalid_bundle[nopkg.invalid.bundle.yaml], test_invalid_bundle_missing_fields[nopkg]',
    files: market({ pkg: null, csv: stripped(marketCsv(), 'spec.icon', 'metadata.annotations.categories') }),
    valid: false,
    info: {
      errors: ['Bundle does not contain any packages.'],
      warnings: ['csv metadata.annotations.categories not defined', ICON],
    },
    message: 'Could not find packageName in manifests.',
  },
  {
    courier: 'test_invalid_bundle[no-data-key.bundle.yaml] (an archive without manifests)',
    files: filesOf({ 'README.md': 'nothing here' }),
    valid: false,
    info: {
      errors: [
        'Bundle does not contain any clusterServiceVersions.',
        'Bundle does not contain any packages.',
      ],
      warnings: [],
    },
    message: 'Could not find packageName in manifests.',
  },
  {
    courier: 'test_invalid_bundle[csvinstallspecnotlists.invalid.bundle.yaml]',
    files: market({
      csv: noIcon(
        withValue(marketCsv(), 'spec.install.spec', {
          permissions: { serviceAccountName: 'x' },
          clusterPermissions: { serviceAccountName: 'x' },
          deployments: { name: 'x' },
        }),
      ),
    }),
    valid: false,
    info: {
      errors: [
        'csv spec.install.spec.deployments should be a list',
        'csv spec.install.spec.permissions should be a list',
        'csv spec.install.spec.clusterPermissions should be a list',
      ],
      warnings: [ICON],
    },
  },
  {
    courier: 'test_invalid_bundle[csvmissinginstallattributes.invalid.bundle.yaml]',
    files: market({ csv: noIcon(withValue(marketCsv(), 'spec.install', {})) }),
    valid: false,
    info: {
      errors: ['csv spec.install.strategy not defined', 'csv spec.install.spec not defined'],
      warnings: [ICON],
    },
  },
  {
    courier: 'test_invalid_bundle[csvinstallstrategywrongvalue.invalid.bundle.yaml]',
    files: market({ csv: noIcon(withValue(marketCsv(), 'spec.install.strategy', 'deploy')) }),
    valid: false,
    info: { errors: ["csv spec.install.strategy must be one of ['deployment']"], warnings: [ICON] },
  },
  {
    courier: 'test_valid_bundles_with_package_name_and_repo_name_match[valid.bundle.yaml-marketplace]',
    files: market(),
    repository: 'marketplace',
    valid: true,
    info: { errors: [], warnings: [] },
  },
  {
    courier: 'test_valid_bundles_with_package_name_and_repo_name_match[nocrd.valid.bundle.yaml-svcat]',
    files: svcat(),
    repository: 'svcat',
    valid: true,
    info: { errors: [], warnings: [ICON, 'csv spec.maturity not defined'] },
  },
  {
    courier: 'test_valid_bundles_with_package_name_and_repo_name_mismatch[valid.bundle.yaml-wrong-repo-name]',
    files: market(),
    repository: 'wrong-repo-name',
    valid: false,
    info: {
      errors: [
        'The packageName (marketplace) in bundle does not match repository name (wrong-repo-name) provided as command line argument.',
      ],
      warnings: [],
    },
  },
  {
    courier:
      'test_valid_bundles_with_package_name_and_repo_name_mismatch[nocrd.valid.bundle.yaml-wrong-repo-name]',
    files: svcat(),
    repository: 'wrong-repo-name',
    valid: false,
    info: {
      errors: [
        'The packageName (svcat) in bundle does not match repository name (wrong-repo-name) provided as command line argument.',
      ],
      warnings: [ICON, 'csv spec.maturity not defined'],
    },
  },
  {
    // Courier's dict-level "Only 1 package is expected to exist per bundle, but got 2." needs a
    // bundle already built; from files, courier (and we) stop at the directory-level rule.
    courier: 'test_valid_bundles_with_multiple_packages[multiplepkgs.invalid.bundle.yaml]',
    files: filesOf({
      'a.package.yaml': pkg('marketplace-v1', MARKET_CSV),
      'b.package.yaml': pkg('marketplace-v2', 'marketplace-operator.v0.0.2'),
      'marketplace.csv.yaml': marketCsv(),
      'crd0.crd.yaml': SOURCES,
      'crd1.crd.yaml': CONFIGS,
    }),
    valid: false,
    info: { errors: ['Only 1 package is expected to exist in source root folder.'], warnings: [] },
    message: 'Failed to push manifest: Only 1 package is expected to exist in source root folder.',
  },
  {
    courier: 'crdmissingkindfield.invalid.bundle.yaml (in its test_files, not parametrized)',
    files: market({ csv: noIcon(marketCsv()), crds: [without(SOURCES, 'spec.names.kind'), CONFIGS] }),
    valid: false,
    info: { errors: ['crd spec.names.kind not defined.'], warnings: [ICON] },
  },
  {
    courier: 'test_invalid_bundle_missing_fields[crdmissingpluralfield.invalid.bundle.yaml]',
    files: market({ csv: noIcon(marketCsv()), crds: [without(SOURCES, 'spec.names.plural'), CONFIGS] }),
    valid: false,
    info: { errors: ['crd spec.names.plural not defined.'], warnings: [ICON] },
  },
  {
    courier: 'test_invalid_bundle_missing_fields[crdmissingversionfield.invalid.bundle.yaml]',
    files: market({ csv: noIcon(marketCsv()), crds: [without(SOURCES, 'spec.version'), CONFIGS] }),
    valid: false,
    info: { errors: ['crd spec.version or spec.versions not defined.'], warnings: [ICON] },
  },
  {
    courier: 'test_invalid_bundle_missing_fields[csvmissingkindfield.invalid.bundle.yaml]',
    files: market({ csv: noIcon(marketCsv([without(OWN_BOTH[0] as Obj, 'kind'), OWN_BOTH[1] as Obj])) }),
    valid: false,
    info: { errors: ['kind not defined for item in spec.customresourcedefinitions.'], warnings: [ICON] },
  },
  {
    courier: 'test_invalid_bundle_missing_fields[csvmissingnamefield.invalid.bundle.yaml]',
    files: market({ csv: noIcon(marketCsv([without(OWN_BOTH[0] as Obj, 'name'), OWN_BOTH[1] as Obj])) }),
    valid: false,
    info: { errors: ['name not defined for item in spec.customresourcedefinitions.'], warnings: [ICON] },
  },
  {
    courier: 'test_invalid_bundle_missing_fields[csvmissingversionfield.invalid.bundle.yaml]',
    files: market({ csv: noIcon(marketCsv([without(OWN_BOTH[0] as Obj, 'version'), OWN_BOTH[1] as Obj])) }),
    valid: false,
    info: { errors: ['version not defined for item in spec.customresourcedefinitions.'], warnings: [ICON] },
  },
  {
    courier: 'test_invalid_bundle_crd_csv_fields_mismatch[csvcrdfieldmismatch1.invalid.bundle.yaml]',
    files: market({
      csv: noIcon(marketCsv()),
      crds: [withValue(SOURCES, 'spec.names.kind', 'Source'), CONFIGS],
    }),
    valid: false,
    info: { errors: ['CRD.spec.names.kind does not match CSV.spec.crd.owned.kind'], warnings: [ICON] },
  },
  {
    courier: 'test_invalid_bundle_crd_csv_fields_mismatch[csvcrdfieldmismatch2.invalid.bundle.yaml]',
    files: market({ csv: noIcon(marketCsv()), crds: [withValue(SOURCES, 'spec.version', 'v2'), CONFIGS] }),
    valid: false,
    info: { errors: ['CRD.spec.version does not match CSV.spec.crd.owned.version'], warnings: [ICON] },
  },
  {
    courier: 'test_invalid_bundle_crd_csv_fields_mismatch[csvcrdfieldmismatch3.invalid.bundle.yaml]',
    files: market({
      csv: noIcon(marketCsv()),
      crds: [withValue(SOURCES, 'spec.group', 'example.org'), CONFIGS],
    }),
    valid: false,
    info: {
      errors: ['`CRD.spec.names.plural`.`CRD.spec.group` does not match CSV.spec.crd.owned.name'],
      warnings: [ICON],
    },
  },
  {
    courier: 'test_invalid_crd_versions_field[crdversions.invalid.bundle.yaml]',
    files: market({
      crds: [
        SOURCES,
        crd('catalogsourceconfigs', 'CatalogSourceConfig', [
          { name: 'v1beta1', served: true, storage: true },
        ]),
      ],
    }),
    valid: false,
    info: { errors: ['CSV.spec.crd.owned.version is not in CRD.spec.versions list'], warnings: [] },
  },
  {
    courier: 'test_valid_crd_versions_field[crdversions.valid.bundle.yaml]',
    files: market({
      crds: [
        SOURCES,
        crd('catalogsourceconfigs', 'CatalogSourceConfig', [
          { name: 'v1beta1', served: true, storage: true },
          { name: 'v1', served: true, storage: false },
        ]),
      ],
    }),
    valid: true,
    info: { errors: [], warnings: [] },
  },
];

// test_api.py: directories (our archives) run through build_and_verify.
const FLAT_CSV = stripped(
  marketCsv([owned('catalogsourceconfigs', 'CatalogSourceConfig')]),
  'metadata.annotations',
  'spec.icon',
);
const FLAT_FILES = { 'crd.yml': CONFIGS, 'csv.yaml': FLAT_CSV, 'packages.yaml': marketPkg() };
const FLAT_WARNINGS = ['csv metadata.annotations not defined.', ICON];

/** An operator version folder: its CSV (owning `plurals`) and those CRDs. */
function version(name: string, plurals: string[], folderCrds = plurals): Record<string, Obj> {
  const kinds = (p: string) => p[0]?.toUpperCase() + p.slice(1, -1);
  return {
    [`${name}/op.csv.yaml`]: csv(
      `op.v${name}`,
      plurals.map((p) => owned(p, kinds(p))),
    ),
    ...Object.fromEntries(folderCrds.map((p) => [`${name}/${p}.crd.yaml`, crd(p, kinds(p))])),
  };
}
const opPkg = (head: string) => pkg('op', head);
/** Courier's 2.1.11 etcd 0.6 folder: a CSV whose customresourcedefinitions is `{}`, and no CRD. */
const crdlessVersion = (name: string) => ({ [`${name}/op.csv.yaml`]: csv(`op.v${name}`, { section: {} }) });
const IGNORED = (folder: string) => `Ignoring folder "${folder}" as it is not a valid manifest folder`;

const apiCases: CourierCase[] = [
  {
    courier: 'test_make_bundle[valid_flat_bundle]',
    files: filesOf(FLAT_FILES),
    valid: true,
    info: { errors: [], warnings: FLAT_WARNINGS },
  },
  {
    courier: 'test_make_bundle[valid_flat_bundle_with_random_folder]',
    files: filesOf({
      ...FLAT_FILES,
      'random_folder/package.yaml': pkg('other', 'other.v1'),
      'random_folder/random_file.txt': 'text',
    }),
    valid: true,
    info: { errors: [], warnings: FLAT_WARNINGS },
  },
  {
    courier: 'test_make_bundle_with_yaml_list[valid_flat_bundle files]',
    files: filesOf({ 'a.yaml': CONFIGS, 'b.yaml': FLAT_CSV, 'c.yaml': marketPkg() }),
    valid: true,
    info: { errors: [], warnings: FLAT_WARNINGS },
  },
  {
    courier: 'test_make_bundle_invalid[crd.yml + csv.yaml]',
    files: filesOf({ 'crd.yml': CONFIGS, 'csv.yaml': FLAT_CSV }),
    valid: false,
    info: { errors: ['Bundle does not contain any packages.'], warnings: FLAT_WARNINGS },
    message: 'Could not find packageName in manifests.',
  },
  {
    courier: 'test_valid_nested_bundles[etcd_valid_nested_bundle] (the 2.1.11 change)',
    files: filesOf({
      'op.package.yaml': opPkg('op.v0.9'),
      ...crdlessVersion('0.6'),
      ...version('0.8', ['clusters', 'backups', 'restores']),
      ...version('0.9', ['clusters', 'backups', 'restores']),
    }),
    valid: true,
    info: { errors: [], warnings: [] },
  },
  {
    // Courier only logs the ignored folder; we also report it as a warning.
    courier: 'test_valid_nested_bundles[etcd_valid_nested_bundle_with_random_folder]',
    files: filesOf({
      'op.package.yaml': opPkg('op.vversion_0.9'),
      'random_folder/package.yaml': pkg('other', 'other.v1'),
      'random_folder/random_file.txt': 'text',
      ...version('version_0.6', ['clusters']),
      ...version('version_0.8', ['clusters', 'backups', 'restores']),
      ...version('version_0.9', ['clusters', 'backups', 'restores']),
    }),
    valid: true,
    info: { errors: [], warnings: [IGNORED('random_folder')] },
  },
  {
    // Each folder holds a CRD its CSV does not own (prometheusrules until 0.22.2).
    courier: 'test_valid_nested_bundles[prometheus_valid_nested_bundle]',
    files: filesOf({
      'op.package.yaml': opPkg('op.v0.22.2'),
      ...version('0.14.0', ['monitors', 'alerts'], ['monitors', 'alerts', 'rules']),
      ...version('0.15.0', ['monitors', 'alerts'], ['monitors', 'alerts', 'rules']),
      ...version('0.22.2', ['monitors', 'alerts', 'rules']),
    }),
    valid: true,
    info: { errors: [], warnings: [] },
  },
  {
    // A copy of a version's CSV also lies at the root: nested wins, the root CSV is not a version.
    courier: 'test_valid_nested_bundles[prometheus_valid_nested_bundle_2]',
    files: filesOf({
      'op.package.yaml': opPkg('op.v0.22.2'),
      'op.v0.14.0.csv.yaml': csv('op.v0.14.0', [owned('monitors', 'Monitor')]),
      ...version('0.14.0', ['monitors'], ['monitors', 'rules']),
    }),
    valid: true,
    info: { errors: [], warnings: [] },
  },
  {
    courier: 'test_invalid_nested_bundles[etcd_invalid_nested_bundle] (repository etcd)',
    files: filesOf({
      'etcd.package.yaml': pkg('etcd', 'op.v0.9.2'),
      ...version('0.6.1', ['clusters']),
      ...version('0.9.0', ['clusters', 'backups', 'restores']),
      ...version('0.9.2', ['clusters', 'backups', 'restores']),
      '0.9.2/op.csv.yaml': stripped(
        csv('op.v0.9.2', [
          owned('clusters', 'Cluster'),
          owned('backups', 'Backup'),
          owned('restores', 'Restore'),
        ]),
        'apiVersion',
        'spec.installModes',
      ),
    }),
    repository: 'etcd',
    valid: false,
    info: { errors: ['csv apiVersion not defined.', 'csv spec.installModes not defined'], warnings: [] },
    message: INVALID,
  },
  {
    courier: 'test_invalid_flat_bundles[invalid_yamls_multiple_packages] (repository oneagent)',
    files: filesOf({
      'oneagent.package.yaml': pkg('oneagent', MARKET_CSV),
      'oneagent.package2.yaml': pkg('oneagent', MARKET_CSV),
      'csv.yaml': marketCsv(),
      'crd0.yaml': SOURCES,
      'crd1.yaml': CONFIGS,
    }),
    repository: 'oneagent',
    valid: false,
    info: { errors: ['Only 1 package is expected to exist in source root folder.'], warnings: [] },
    message: 'Failed to push manifest: Only 1 package is expected to exist in source root folder.',
  },
];

// test_nest.py's inputs (courier checks the nested tree it makes of them; here, the verdict).
const nestInputs: CourierCase[] = [
  {
    courier: 'test_nest.py input nest/flat_bundle1 (three CSVs at the root, folders without CSVs)',
    files: filesOf({
      'op.package.yaml': opPkg('op.v3'),
      'op.v1.csv.yaml': csv('op.v1', [owned('monitors', 'Monitor')]),
      'op.v2.csv.yaml': csv('op.v2', [owned('monitors', 'Monitor')]),
      'op.v3.csv.yaml': csv('op.v3', [owned('monitors', 'Monitor'), owned('rules', 'Rule')]),
      'monitors.crd.yaml': crd('monitors', 'Monitor'),
      'rules.crd.yaml': crd('rules', 'Rule'),
      'random_folder1/package.yaml': pkg('other', 'other.v1'),
      'random_folder1/random_file.txt': 'text',
      'random_folder2/random_file.txt': 'text',
    }),
    valid: true,
    info: { errors: [], warnings: [] },
  },
  {
    courier: 'test_nest.py input nest/flat_bundle2_without_crds',
    files: svcat(null),
    valid: true,
    info: { errors: [], warnings: [ICON, 'csv spec.maturity not defined'] },
  },
  {
    courier: 'test_nest.py input nest/nested_bundle1 (random files and folders beside the versions)',
    files: filesOf({
      'op.package.yaml': opPkg('op.v0.22.2'),
      'random_file1.txt': 'text',
      'random_folder/package.yaml': pkg('other', 'other.v1'),
      ...version('0.14.0', ['monitors']),
      '0.14.0/random_file1.txt': 'text',
      '0.14.0/random_folder/package.yaml': pkg('other', 'other.v1'),
      ...version('0.22.2', ['monitors', 'rules']),
    }),
    valid: true,
    info: { errors: [], warnings: [IGNORED('random_folder')] },
  },
];

function verdict(files: FileEntry[], repository?: string) {
  try {
    const prepared = prepare(files, { repository });
    return { valid: true, info: prepared.validationInfo, layout: prepared.layout, files: prepared.files };
  } catch (error) {
    if (!(error instanceof PackageValidationError)) throw error;
    return { valid: false, info: error.validationInfo, message: error.message };
  }
}

describe.each([
  ['tests/test_validate.py', verificationCases],
  ['tests/test_api.py', apiCases],
  ['tests/test_nest.py', nestInputs],
])('operator-courier 2.1.11 %s', (_file, cases) => {
  it.each(cases)('$courier', (c) => {
    const result = verdict(c.files, c.repository);
    expect(result.valid).toBe(c.valid);
    expect(result.info).toEqual(c.info);
    if (!c.valid) expect(result.message?.startsWith(c.message ?? INVALID)).toBe(true);
  });
});

describe('the 2.1.11 rule: a CSV that owns no CRDs is valid, whatever its section looks like', () => {
  it.each([
    ['absent', null],
    ['null', { section: null }],
    ['{}', { section: {} }],
    ['without owned', { section: { required: [{ name: 'x.example.com', kind: 'X', version: 'v1' }] } }],
    ['owned: []', { section: { owned: [] } }],
  ])('customresourcedefinitions %s', (_label, section) => {
    expect(verdict(svcat(section)).valid).toBe(true);
  });
});

describe('test_make_bundle: the flat bundle holds the three manifests unchanged', () => {
  it.each([
    ['valid_flat_bundle', apiCases[0]],
    ['valid_flat_bundle_with_random_folder', apiCases[1]],
    ['yaml list', apiCases[2]],
  ])('%s', (_label, c) => {
    const result = verdict((c as CourierCase).files);
    expect(result.layout).toBe('flat');
    const bundle = load(decode(result.files?.[0]?.data)) as { data: Record<string, string> };
    expect(load(bundle.data.customResourceDefinitions as string)).toEqual([CONFIGS]);
    expect(load(bundle.data.clusterServiceVersions as string)).toEqual([FLAT_CSV]);
    expect(load(bundle.data.packages as string)).toEqual([marketPkg()]);
  });

  it('nested bundles are nested', () => {
    for (const c of apiCases.slice(4, 8)) expect(verdict(c.files).layout).toBe('nested');
  });
});
