import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { BUNDLE_ANNOTATION, registryBundles } from '../../../src/domain/bundle-image/registry-bundles.js';
import { PackageValidationError } from '../../../src/domain/errors.js';
import type { FileEntry } from '../../../src/domain/files.js';
import { loadBundle } from '../../../src/domain/manifest/index.js';
import {
  aCrd,
  aPackage,
  decode,
  filesOf,
  flatBundle,
  policy,
  thrown,
  withValue,
} from '../../support/manifest-builders.js';
import { csvNameOf, nestedOperator, versionCsv } from '../../support/operator-versions.js';

const convert = (files: FileEntry[], over = policy()) => registryBundles(loadBundle(files, over));
const paths = (files: readonly FileEntry[]) => files.map((f) => f.path);
const textOf = (files: readonly FileEntry[], path: string) =>
  decode(files.find((f) => f.path === path)?.data);

describe('registryBundles', () => {
  it('makes one bundle per CSV of a nested operator, tagged with spec.version', () => {
    const { bundles, headTag, warnings } = convert(nestedOperator(['1.0.0', '1.1.0', '2.0.0']));
    expect(bundles.map((b) => b.tag)).toEqual(['1.0.0', '1.1.0', '2.0.0']);
    expect(bundles.map((b) => b.csvName)).toEqual(['1.0.0', '1.1.0', '2.0.0'].map(csvNameOf));
    expect(headTag).toBe('2.0.0');
    expect(warnings).toEqual([]);
    expect(paths(bundles[0]!.files)).toEqual([
      'manifests/widget.v1.0.0.clusterserviceversion.yaml',
      'manifests/widgets.crd.yaml',
      'metadata/annotations.yaml',
    ]);
  });

  it('writes the six annotations to metadata/annotations.yaml and returns them for the labels', () => {
    const { bundles } = convert(nestedOperator(['1.0.0']));
    const bundle = bundles[0]!;
    expect(bundle.annotations).toEqual({
      [BUNDLE_ANNOTATION.mediatype]: 'registry+v1',
      [BUNDLE_ANNOTATION.manifests]: 'manifests/',
      [BUNDLE_ANNOTATION.metadata]: 'metadata/',
      [BUNDLE_ANNOTATION.package]: 'widget',
      [BUNDLE_ANNOTATION.channels]: 'stable',
      [BUNDLE_ANNOTATION.defaultChannel]: 'stable',
    });
    expect(parse(textOf(bundle.files, 'metadata/annotations.yaml'))).toEqual({
      annotations: bundle.annotations,
    });
  });

  it('gives each CSV the channels from whose head it is reachable by replaces and skips', () => {
    const files = nestedOperator(['1.0.0', '1.1.0', '2.0.0'], {
      channels: [
        { name: 'stable', currentCSV: csvNameOf('2.0.0') },
        { name: 'alpha', currentCSV: csvNameOf('1.1.0') },
        { name: 'fast', currentCSV: csvNameOf('3.0.0') },
      ],
      extra: {
        // 3.0.0 skips 2.0.0 instead of replacing it.
        '3.0.0/widget.v3.0.0.clusterserviceversion.yaml': versionCsv('3.0.0', undefined, {
          'spec.skips': [csvNameOf('2.0.0')],
        }),
        '3.0.0/widgets.crd.yaml': aCrd(),
      },
    });
    const { bundles } = convert(files);
    const channels = Object.fromEntries(
      bundles.map((b) => [b.tag, b.annotations[BUNDLE_ANNOTATION.channels]]),
    );
    expect(channels).toEqual({
      '1.0.0': 'stable,alpha,fast',
      '1.1.0': 'stable,alpha,fast',
      '2.0.0': 'stable,fast',
      '3.0.0': 'fast',
    });
  });

  it('puts a CSV that no channel reaches in the default channel, with a warning', () => {
    const files = nestedOperator(['1.0.0', '2.0.0'], {
      channels: [
        { name: 'beta', currentCSV: csvNameOf('1.0.0') },
        { name: 'stable', currentCSV: csvNameOf('1.0.0') },
      ],
    });
    const { bundles, warnings, headTag } = convert(files);
    expect(bundles[1]!.annotations[BUNDLE_ANNOTATION.channels]).toBe('stable');
    expect(bundles[1]!.annotations[BUNDLE_ANNOTATION.defaultChannel]).toBe('stable');
    expect(warnings).toEqual([expect.stringContaining(`CSV ${csvNameOf('2.0.0')} is not reachable`)]);
    expect(headTag).toBe('1.0.0');
  });

  it('without defaultChannel, the default channel is the first one', () => {
    const pkg = aPackage({ channels: [{ name: 'only', currentCSV: csvNameOf('1.0.0') }] });
    delete pkg.defaultChannel;
    const files = [
      ...nestedOperator(['1.0.0']).filter((f) => f.path !== 'widget.package.yaml'),
      ...filesOf({ 'widget.package.yaml': pkg }),
    ];
    expect(convert(files).bundles[0]!.annotations[BUNDLE_ANNOTATION.defaultChannel]).toBe('only');
  });

  it('nested: brings the rest of the version folder along, never another CSV, never non-YAML files', () => {
    const files = nestedOperator(['1.0.0'], {
      extra: {
        '1.0.0/metrics.service.yaml': { apiVersion: 'v1', kind: 'Service', metadata: { name: 'metrics' } },
        '1.0.0/README.md': '# not a manifest',
        'other/notes.yaml': { kind: 'ConfigMap' },
      },
    });
    expect(paths(convert(files).bundles[0]!.files)).toEqual([
      'manifests/metrics.service.yaml',
      'manifests/widget.v1.0.0.clusterserviceversion.yaml',
      'manifests/widgets.crd.yaml',
      'metadata/annotations.yaml',
    ]);
  });

  it('flat: the CSV and only the CRDs it owns', () => {
    const other = withValue(aCrd(), 'metadata.name', 'gadgets.example.com');
    const files = [...flatBundle(), ...filesOf({ 'gadget.crd.yaml': other })];
    const { bundles } = convert(files);
    expect(bundles).toHaveLength(1);
    expect(paths(bundles[0]!.files)).toEqual([
      'manifests/crd.yaml',
      'manifests/csv.yaml',
      'metadata/annotations.yaml',
    ]);
  });

  it('ships the CSV with csv_annotations applied', () => {
    const annotated = policy({
      csvAnnotations: [{ name: 'example.com/owner', value: '{package_name}-team' }],
    });
    const { bundles } = convert(nestedOperator(['1.0.0']), annotated);
    const csv = parse(textOf(bundles[0]!.files, 'manifests/widget.v1.0.0.clusterserviceversion.yaml'));
    expect(csv.metadata.annotations['example.com/owner']).toBe('widget-team');
  });

  it('refuses CSVs without a usable spec.version, or two with the same one', () => {
    const noVersion = nestedOperator(['1.0.0']).map((f) =>
      f.path.endsWith('clusterserviceversion.yaml')
        ? filesOf({ [f.path]: withValue(versionCsv('1.0.0'), 'spec.version', undefined) })[0]!
        : f,
    );
    const error = thrown(() => convert(noVersion)) as PackageValidationError;
    expect(error).toBeInstanceOf(PackageValidationError);
    expect(error.validationInfo).toEqual({
      errors: [`CSV ${csvNameOf('1.0.0')} has no spec.version: its bundle image is tagged with it.`],
      warnings: [],
    });

    const badTag = filesOf({
      'widget.package.yaml': aPackage({ channels: [{ name: 'stable', currentCSV: csvNameOf('1.0.0') }] }),
      '1/csv.yaml': versionCsv('1.0.0', undefined, { 'spec.version': '1.0.0+build.1' }),
      '1/crd.yaml': aCrd(),
    });
    expect((thrown(() => convert(badTag)) as Error).message).toContain('not a valid image tag');

    const twice = filesOf({
      'widget.package.yaml': aPackage({ channels: [{ name: 'stable', currentCSV: csvNameOf('1.0.0') }] }),
      'a/csv.yaml': versionCsv('1.0.0'),
      'a/crd.yaml': aCrd(),
      'b/csv.yaml': withValue(versionCsv('1.0.0'), 'metadata.name', 'widget-operator.copy'),
      'b/crd.yaml': aCrd(),
    });
    expect((thrown(() => convert(twice)) as Error).message).toContain('have the same spec.version 1.0.0');
  });
});
