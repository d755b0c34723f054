/**
 * operator-courier's `--ui_validate_io` checks (validate.py, 2.1.11), its
 * test_validate.py UI cases included, expressed with our own CSVs.
 */
import { describe, expect, it } from 'vitest';
import { PackageValidationError, type ValidationInfo } from '../../../src/domain/errors.js';
import type { FileEntry } from '../../../src/domain/files.js';
import { loadBundle, prepareBundle } from '../../../src/domain/manifest/index.js';
import { DEFAULT_POLICY } from '../../../src/domain/organization-policy.js';
import {
  aCrd,
  aPackage,
  CSV_NAME,
  filesOf,
  flatBundle,
  type Obj,
  without,
  withValue,
} from '../../support/manifest-builders.js';
import { anOperatorHubCsv } from '../../support/operator-builders.js';

function validation(files: readonly FileEntry[], uiValidateIo = true): ValidationInfo {
  try {
    return prepareBundle(loadBundle(files, DEFAULT_POLICY), { uiValidateIo }).validationInfo;
  } catch (error) {
    if (error instanceof PackageValidationError && 'errors' in error.validationInfo) {
      return error.validationInfo as ValidationInfo;
    }
    throw error;
  }
}

const ui = (csv: Obj) => validation(flatBundle({ csv }));
const FORMAT_FAILED =
  'UI validation failed to verify that required fields for operatorhub.io are properly formatted.';
const EXIST_FAILED = 'UI validation failed to verify required fields for operatorhub.io exist.';

/** The UI-invalid CSV of courier's ui.invalid.bundle.yaml, on our data: every format rule broken once. */
function uiInvalidCsv(): Obj {
  let csv = anOperatorHubCsv();
  csv = withValue(csv, 'spec.links', { name: 'Source', url: 'https://github.com/example/widget-operator' });
  csv = withValue(csv, 'spec.version', 'invalid');
  csv = withValue(csv, 'metadata.annotations.capabilities', 'invalid');
  csv = withValue(csv, 'spec.icon', [{ base64data: 'iVBORw0KGgo=', mediatype: 'image/invalid' }]);
  return withValue(csv, 'metadata.annotations.categories', 'invalid');
}

describe('operatorhub.io UI validation (--ui_validate_io)', () => {
  it('passes a CSV with every UI field well-formed, with no warning (test_ui_valid_bundle_io)', () => {
    expect(ui(anOperatorHubCsv())).toEqual({ errors: [], warnings: [] });
  });

  it('reports every malformed field, in courier order, then the summary (test_ui_invalid_bundle_io)', () => {
    expect(ui(uiInvalidCsv())).toEqual({
      errors: [
        'csv.spec.links must be a list of name & url pairs.',
        'spec.version invalid is not a valid semver (example of a valid semver is: 1.0.12)',
        'metadata.annotations.capabilities invalid is not a valid capabilities level',
        'spec.icon[0].mediatype image/invalid is not a valid mediatype. It must be one of "image/gif", "image/jpeg", "image/png", "image/svg+xml"',
        'category invalid is not a valid category',
        FORMAT_FAILED,
      ],
      warnings: [],
    });
  });

  it('is not run without the flag', () => {
    expect(validation(flatBundle({ csv: uiInvalidCsv() }), false)).toEqual({ errors: [], warnings: [] });
  });

  it('requires metadata.annotations, and stops there', () => {
    expect(ui(without(anOperatorHubCsv(), 'metadata.annotations'))).toEqual({
      errors: [
        'csv metadata.annotations not defined. Without this field, your operator will be missing essential data for the UI. Please add this field to the CSV and run validation again to see what subfields are required.',
        EXIST_FAILED,
      ],
      warnings: ['csv metadata.annotations not defined.'],
    });
  });

  it('warns about recommended fields, with courier spacing (none after "defined." for annotations)', () => {
    let csv = without(anOperatorHubCsv(), 'metadata.annotations.repository');
    csv = without(csv, 'spec.links');
    expect(ui(csv)).toEqual({
      errors: [],
      warnings: [
        'csv metadata.annotations.repository not defined.Without this field, the link to the operator source code will not be displayed in the UI.',
        'csv spec.links not defined. Without this field, no links will be displayed in the details page side panel. You can for example link to some additional Documentation, related Blogs or Repositories.',
      ],
    });
  });

  it('reports a missing required spec field and does not check formats', () => {
    const csv = withValue(without(anOperatorHubCsv(), 'spec.displayName'), 'spec.version', 'invalid');
    expect(ui(csv)).toEqual({
      errors: [
        'csv spec.displayName not defined. Without this field, the name of the operator for both the tile and the details view will default to metadata.name.',
        EXIST_FAILED,
      ],
      warnings: ['csv spec.displayName not defined'],
    });
  });

  it.each([
    ['a string', 'Example, Inc.', 'csv.spec.provider should contain a "name" field.'],
    [
      'two fields',
      { name: 'Example', url: 'https://example.com' },
      'csv.spec.provider should be a singleton list.',
    ],
    ['another field', { title: 'Example' }, 'csv.spec.provider element should have a single field "name".'],
  ])('checks spec.provider: %s', (_, provider, message) => {
    expect(ui(withValue(anOperatorHubCsv(), 'spec.provider', provider)).errors).toEqual([
      message,
      FORMAT_FAILED,
    ]);
  });

  it.each([
    ['not a list', { base64data: 'x', mediatype: 'image/png' }, 'spec.icon should be a list'],
    [
      'two icons',
      [
        { base64data: 'x', mediatype: 'image/png' },
        { base64data: 'y', mediatype: 'image/png' },
      ],
      'spec.icon should be a singleton list',
    ],
    [
      'three fields',
      [{ base64data: 'x', mediatype: 'image/png', size: 1 }],
      'spec.icon can only contain two fields: "base64data" and "mediatype"',
    ],
    [
      'other fields',
      [{ data: 'x', mediatype: 'image/png' }],
      'spec.icon[0] must contain the fields "base64data" and "mediatype".',
    ],
  ])('checks spec.icon: %s', (_, icon, message) => {
    expect(ui(withValue(anOperatorHubCsv(), 'spec.icon', icon)).errors).toEqual([message, FORMAT_FAILED]);
  });

  it.each([
    [[{ name: 'Source' }], 'csv.spec.links element should contain both name and url'],
    [[{ name: 'Source', url: 'not a url' }], 'not a url is not a valid url'],
    [[{ name: 'Local', url: 'http://localhost/docs' }], 'http://localhost/docs is not a valid url'],
  ])('checks spec.links %j', (links, message) => {
    expect(ui(withValue(anOperatorHubCsv(), 'spec.links', links)).errors).toEqual([message, FORMAT_FAILED]);
  });

  it('accepts URLs with ports, paths, queries and IP hosts', () => {
    const links = [
      { name: 'a', url: 'https://docs.example.com:8443/operators/widget?tab=1#top' },
      { name: 'b', url: 'http://10.0.0.1/readme' },
      { name: 'c', url: 'ftp://files.example.org/pub' },
    ];
    expect(ui(withValue(anOperatorHubCsv(), 'spec.links', links)).errors).toEqual([]);
  });

  it('checks maintainers only when a `maintainer` key is present, as courier does', () => {
    const bad = withValue(anOperatorHubCsv(), 'spec.maintainers', [{ name: 'Team', email: 'not-an-email' }]);
    expect(ui(bad).errors).toEqual([]);
    expect(ui(withValue(bad, 'spec.maintainer', 'Team')).errors).toEqual([
      'not-an-email is not a valid email',
      FORMAT_FAILED,
    ]);
    const noEmail = withValue(withValue(bad, 'spec.maintainer', 'Team'), 'spec.maintainers', [
      { name: 'Team' },
    ]);
    expect(ui(noEmail).errors).toEqual([
      'csv.spec.maintainers element should contain both name and email',
      FORMAT_FAILED,
    ]);
    const notList = withValue(withValue(bad, 'spec.maintainer', 'Team'), 'spec.maintainers', 'Team');
    expect(ui(notList).errors).toEqual([
      'csv.spec.maintainers must be a list of name & email pairs.',
      FORMAT_FAILED,
    ]);
  });

  it('warns about owned CRDs without an alm-examples entry', () => {
    const noExample = withValue(
      anOperatorHubCsv(),
      'metadata.annotations.alm-examples',
      '[{"kind": "Gadget"}]',
    );
    expect(ui(noExample)).toEqual({
      errors: [],
      warnings: ['Widget CRD does not have an entry in alm-examples - please add such an example CR.'],
    });
    expect(ui(without(anOperatorHubCsv(), 'metadata.annotations.alm-examples'))).toEqual({
      errors: [],
      warnings: [
        'csv metadata.annotations.alm-examples not defined.Without this field, users will not have examples of how to write Custom Resources for the operator.',
        'You should have alm-examples for every owned CRD',
      ],
    });
  });

  it('accepts comma-separated categories with spaces, and refuses an unknown one by name', () => {
    const csv = withValue(
      anOperatorHubCsv(),
      'metadata.annotations.categories',
      'Database,  Monitoring, Games',
    );
    expect(ui(csv).errors).toEqual(['category Games is not a valid category', FORMAT_FAILED]);
  });

  it.each([
    ['1.0.0-alpha.1+build.5', true],
    ['0.0.1', true],
    ['v1.0.0', false],
    ['1.0', false],
    ['01.0.0', false],
  ])('takes spec.version %s as semver: %s', (version, valid) => {
    const errors = ui(withValue(anOperatorHubCsv(), 'spec.version', version)).errors;
    expect(errors.length === 0).toBe(valid);
  });

  it('does not check the formats of later CSVs once one CSV failed', () => {
    const second = withValue(
      withValue(anOperatorHubCsv(), 'metadata.name', 'widget-operator.v2.0.0'),
      'spec.version',
      'bad',
    );
    const files = filesOf({
      'package.yaml': aPackage(),
      'a.csv.yaml': without(anOperatorHubCsv(), 'spec.provider'),
      'b.csv.yaml': second,
      'crd.yaml': aCrd(),
    });
    expect(validation(files).errors).toEqual([
      'csv spec.provider not defined. Without this field, users will not be able to filter for provider.',
      EXIST_FAILED,
    ]);
  });

  it('checks each version folder of a nested bundle', () => {
    const files = filesOf({
      'package.yaml': aPackage(),
      '1.0.0/csv.yaml': anOperatorHubCsv(),
      '1.0.0/crd.yaml': aCrd(),
      '2.0.0/csv.yaml': withValue(
        withValue(anOperatorHubCsv(), 'metadata.name', CSV_NAME),
        'spec.version',
        'two',
      ),
      '2.0.0/crd.yaml': aCrd(),
    });
    expect(validation(files).errors).toEqual([
      'spec.version two is not a valid semver (example of a valid semver is: 1.0.12)',
      FORMAT_FAILED,
    ]);
  });
});
