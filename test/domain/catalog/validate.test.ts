import { describe, expect, it } from 'vitest';
import type {
  ChannelEntry,
  DeclarativeConfig,
  FbcBundle,
  FbcChannel,
  FbcMeta,
  FbcPackage,
} from '../../../src/domain/catalog/fbc.js';
import { validateConfig } from '../../../src/domain/catalog/validate.js';
import { bundle, pkgProp } from './fixtures.js';

const pkg = (name: string, defaultChannel = 'stable'): FbcPackage => ({
  schema: 'olm.package',
  name,
  defaultChannel,
});
const channel = (pkgName: string, name: string, ...entries: ChannelEntry[]): FbcChannel => ({
  schema: 'olm.channel',
  package: pkgName,
  name,
  entries,
});
const cfg = (parts: Partial<DeclarativeConfig>): DeclarativeConfig => ({
  packages: [],
  channels: [],
  bundles: [],
  others: [],
  ...parts,
});
/** parrot: one channel "stable" of these entries, one bundle per entry (version from the name). */
const parrotChannel = (...entries: ChannelEntry[]): DeclarativeConfig =>
  cfg({
    packages: [pkg('parrot')],
    channels: [channel('parrot', 'stable', ...entries)],
    bundles: entries.map((e) => bundle('parrot', e.name.replace('parrot.v', ''))),
  });
const deprecation = (pkgName: string, entries: unknown[]): FbcMeta => ({
  schema: 'olm.deprecations',
  package: pkgName,
  blob: { schema: 'olm.deprecations', package: pkgName, entries },
});
const SHA = 'abcd1234'.repeat(8);
const one = cfg({
  packages: [pkg('parrot')],
  channels: [channel('parrot', 'stable', { name: 'parrot.v0.1.0' })],
  bundles: [bundle('parrot', '0.1.0')],
});
const withBundle = (change: (b: FbcBundle) => void): DeclarativeConfig => {
  const b = bundle('parrot', '0.1.0');
  change(b);
  return { ...one, bundles: [b] };
};
const INVALID = (rest: string) => `invalid package "parrot": ${rest}`;
const IN_STABLE = (rest: string) => INVALID(`invalid channel "stable": ${rest}`);

// Mirrors operator-registry alpha/declcfg/declcfg_to_model_test.go TestConvertToModel, with our data.
describe('validateConfig: ConvertToModel rules', () => {
  it.each<[string, DeclarativeConfig, string[]]>([
    ['Success/ValidModel', one, []],
    ['Error/PackageNoName', { ...one, packages: [pkg('')] }, ['config contains package with no name']],
    [
      'Error/BundleMissingPackageName',
      withBundle((b) => {
        b.package = '';
      }),
      ['package name must be set for bundle "parrot.v0.1.0"'],
    ],
    [
      'Error/BundleUnknownPackage',
      { ...one, bundles: [bundle('parrot', '0.1.0'), bundle('walrus', '0.1.0')] },
      ['unknown package "walrus" for bundle "walrus.v0.1.0"'],
    ],
    [
      'Error/BundleMissingChannel',
      { ...one, bundles: [bundle('parrot', '0.1.0'), bundle('parrot', '0.2.0')] },
      ['package "parrot", bundle "parrot.v0.2.0" not found in any channel entries'],
    ],
    [
      'Error/BundleInvalidProperties',
      withBundle((b) => {
        b.properties.push({ type: 'olm.gvk', value: 'not an object' });
      }),
      [
        'parse properties for bundle "parrot.v0.1.0": parse property[1] of type "olm.gvk": json: cannot unmarshal string into Go value of type property.GVK',
      ],
    ],
    [
      'Error/BundleInvalidCsvMetadata',
      withBundle((b) => {
        b.properties.push({ type: 'olm.csv.metadata', value: { displayName: 'Parrot', keywords: 'birds' } });
      }),
      [
        'parse properties for bundle "parrot.v0.1.0": parse property[1] of type "olm.csv.metadata": json: cannot unmarshal string into Go struct field CSVMetadata.keywords of type []string',
      ],
    ],
    [
      'Error/BundlePackageMismatch',
      withBundle((b) => {
        b.properties = [pkgProp('parrotoperator', '0.1.0')];
      }),
      ['package "parrot" does not match "olm.package" property "parrotoperator"'],
    ],
    [
      'Error/BundleInvalidVersion',
      withBundle((b) => {
        b.properties = [pkgProp('parrot', '0.1.0.1')];
      }),
      [
        'error parsing bundle "parrot.v0.1.0" version "0.1.0.1": Invalid character(s) found in patch number "0.1"',
      ],
    ],
    [
      'Error/BundleMissingVersion',
      withBundle((b) => {
        b.properties = [pkgProp('parrot', '')];
      }),
      ['error parsing bundle "parrot.v0.1.0" version "": Version string empty'],
    ],
    [
      'Error/PackageMissingDefaultChannel',
      { ...one, packages: [pkg('parrot', '')] },
      [INVALID('default channel must be set')],
    ],
    [
      'Error/PackageNonExistentDefaultChannel',
      { ...one, packages: [pkg('parrot', 'bar')] },
      [INVALID('invalid channel "bar": channel must contain at least one bundle')],
    ],
    [
      'Error/BundleMissingPackageProperty',
      withBundle((b) => {
        b.properties = [];
      }),
      ['package "parrot" bundle "parrot.v0.1.0" must have exactly 1 "olm.package" property, found 0'],
    ],
    [
      'Error/BundleMultiplePackageProperty',
      withBundle((b) => {
        b.properties = [pkgProp('parrot', '0.1.0'), pkgProp('parrot', '0.2.0')];
      }),
      ['package "parrot" bundle "parrot.v0.1.0" must have exactly 1 "olm.package" property, found 2'],
    ],
    [
      'Success/BundleWithDataButMissingImage',
      withBundle((b) => {
        b.image = '';
        b.properties.push({ type: 'olm.bundle.object', value: { data: 'e30=' } });
      }),
      [],
    ],
    [
      'Error/ChannelEntryWithoutBundle',
      { ...one, bundles: [] },
      ['no olm.bundle blobs found in package "parrot" for olm.channel entries [parrot.v0.1.0]'],
    ],
    [
      'Error/ChannelMissingName',
      { ...one, channels: [...one.channels, channel('parrot', '', { name: 'parrot.v0.1.0' })] },
      ['package "parrot" contains channel with no name'],
    ],
    [
      'Error/ChannelMissingPackageName',
      { ...one, channels: [...one.channels, channel('', 'alpha')] },
      ['unknown package "" for channel "alpha"'],
    ],
    [
      'Error/ChannelNonExistentPackage',
      { ...one, channels: [...one.channels, channel('walrus', 'alpha')] },
      ['unknown package "walrus" for channel "alpha"'],
    ],
    [
      'Error/ChannelDuplicateEntry',
      {
        ...one,
        channels: [channel('parrot', 'stable', { name: 'parrot.v0.1.0' }, { name: 'parrot.v0.1.0' })],
      },
      ['invalid package "parrot", channel "stable": duplicate entry "parrot.v0.1.0"'],
    ],
    [
      'Error/DuplicatePackage',
      { ...one, packages: [pkg('parrot'), pkg('parrot')] },
      ['duplicate package "parrot"'],
    ],
    [
      'Error/PackageBreaksRFC1123',
      cfg({ packages: [pkg('parrot.bird')] }),
      ['invalid package name "parrot.bird": [must not contain dots]'],
    ],
    [
      'Error/PackageNotALabel',
      cfg({ packages: [pkg('Parrot')] }),
      [
        "invalid package name \"Parrot\": [a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')]",
      ],
    ],
    [
      'Error/DuplicateChannel',
      { ...one, channels: [...one.channels, channel('parrot', 'stable', { name: 'parrot.v0.1.0' })] },
      ['package "parrot" has duplicate channel "stable"'],
    ],
    [
      'Error/DuplicateBundle',
      { ...one, bundles: [bundle('parrot', '0.1.0'), bundle('parrot', '0.1.0')] },
      ['package "parrot" has duplicate bundle "parrot.v0.1.0"'],
    ],
    [
      'Error/InvalidReleaseVersion',
      withBundle((b) => {
        b.properties = [
          { type: 'olm.package', value: { packageName: 'parrot', version: '0.1.0', release: '!!!' } },
        ];
      }),
      [
        'error parsing bundle "parrot.v0.1.0" release version "!!!": invalid release "!!!": segment 0: Invalid character(s) found in prerelease "!!!"',
      ],
    ],
    [
      'Error/InvalidBundleNormalizedName',
      cfg({
        packages: [pkg('parrot')],
        channels: [channel('parrot', 'stable', { name: 'parrot.v0.1.0-alpha.1.0.0' })],
        bundles: [
          {
            ...bundle('parrot', '0.1.0'),
            name: 'parrot.v0.1.0-alpha.1.0.0',
            properties: [
              {
                type: 'olm.package',
                value: { packageName: 'parrot', version: '0.1.0', release: 'alpha.1.0.0' },
              },
            ],
          },
        ],
      }),
      [
        IN_STABLE(
          'invalid bundle "parrot.v0.1.0-alpha.1.0.0": name "parrot.v0.1.0-alpha.1.0.0" does not match normalized name "parrot-v0.1.0-alpha.1.0.0"',
        ),
      ],
    ],
    [
      'Success/ValidBundleReleaseVersion',
      cfg({
        packages: [pkg('parrot')],
        channels: [channel('parrot', 'stable', { name: 'parrot-v0.1.0-alpha.1.0.0' })],
        bundles: [
          {
            ...bundle('parrot', '0.1.0'),
            name: 'parrot-v0.1.0-alpha.1.0.0',
            properties: [
              {
                type: 'olm.package',
                value: { packageName: 'parrot', version: '0.1.0', release: 'alpha.1.0.0' },
              },
            ],
          },
        ],
      }),
      [],
    ],
    [
      'Error/BundleReleaseWithBuildMetadata',
      cfg({
        packages: [pkg('parrot')],
        channels: [channel('parrot', 'stable', { name: 'parrot.v0.1.0+alpha.1.0.0-0.0.1' })],
        bundles: [
          {
            ...bundle('parrot', '0.1.0'),
            name: 'parrot.v0.1.0+alpha.1.0.0-0.0.1',
            properties: [
              {
                type: 'olm.package',
                value: { packageName: 'parrot', version: '0.1.0+alpha.1.0.0', release: '0.0.1' },
              },
            ],
          },
        ],
      }),
      [
        IN_STABLE(
          'invalid bundle "parrot.v0.1.0+alpha.1.0.0-0.0.1": name "parrot.v0.1.0+alpha.1.0.0-0.0.1" does not match normalized name "parrot-v0.1.0+alpha.1.0.0-0.0.1"',
        ),
        IN_STABLE(
          'invalid bundle "parrot.v0.1.0+alpha.1.0.0-0.0.1": cannot use build metadata in version with a release version',
        ),
      ],
    ],
    [
      'Error/BundleImageInvalidPullSpecUnsupportedDigestSsha256',
      withBundle((b) => {
        b.image = `quay.example/parrot-bundle@ssha256:${SHA}`;
      }),
      [
        `package "parrot" bundle "parrot.v0.1.0" image: invalid image pull spec "quay.example/parrot-bundle@ssha256:${SHA}": unsupported digest algorithm`,
      ],
    ],
    [
      'Error/BundleImageInvalidPullSpecUnsupportedDigestMd5',
      withBundle((b) => {
        b.image = 'quay.example/parrot-bundle@md5:abcd1234abcd1234abcd1234abcd1234';
      }),
      [
        'package "parrot" bundle "parrot.v0.1.0" image: invalid image pull spec "quay.example/parrot-bundle@md5:abcd1234abcd1234abcd1234abcd1234": unsupported digest algorithm',
      ],
    ],
    [
      'Error/BundleRelatedImageInvalidPullSpecSsha256',
      withBundle((b) => {
        b.relatedImages = [
          { name: 'bundle', image: b.image },
          { name: 'operator', image: `quay.example/parrot@ssha256:${SHA}` },
        ];
      }),
      [
        `package "parrot" bundle "parrot.v0.1.0" relatedImages[1].image: invalid image pull spec "quay.example/parrot@ssha256:${SHA}": unsupported digest algorithm`,
      ],
    ],
    [
      'Error/BundleImageUpperCase',
      withBundle((b) => {
        b.image = 'quay.example/Parrot:1';
      }),
      [
        'package "parrot" bundle "parrot.v0.1.0" image: invalid image pull spec "quay.example/Parrot:1": invalid reference format: repository name (Parrot) must be lowercase',
      ],
    ],
    [
      'Success/BundleImageValidSha256Digest',
      withBundle((b) => {
        b.image = `quay.example/parrot-bundle@sha256:${SHA}`;
        b.relatedImages = [{ name: 'bundle', image: b.image }];
      }),
      [],
    ],
    [
      'Success/BundleImageValidTagWithDigest',
      withBundle((b) => {
        b.image = `quay.example/parrot-bundle:v0.1.0@sha256:${SHA}`;
      }),
      [],
    ],
    [
      'Error/Deprecation/UnspecifiedPackage',
      { ...one, others: [deprecation('', [])] },
      ['package name must be set for deprecation item 0'],
    ],
    [
      'Error/Deprecation/OutOfBoundsBundle',
      {
        ...one,
        others: [
          deprecation('parrot', [
            { reference: { schema: 'olm.bundle', name: 'parrot.v2.0.0' }, message: 'old' },
          ]),
        ],
      },
      ['cannot deprecate bundle "parrot.v2.0.0" for package "parrot": bundle not found'],
    ],
    [
      'Error/Deprecation/OutOfBoundsPackage',
      { ...one, others: [deprecation('walrus', [])] },
      ['cannot apply deprecations to an unknown package "walrus"'],
    ],
    [
      'Error/Deprecation/MultiplePerPackage',
      { ...one, others: [deprecation('parrot', []), deprecation('parrot', [])] },
      ['expected a maximum of one deprecation per package: "parrot"'],
    ],
    [
      'Error/Deprecation/BadRefSchema',
      {
        ...one,
        others: [deprecation('parrot', [{ reference: { schema: 'badschema', name: 'x' }, message: 'm' }])],
      },
      [
        'cannot deprecate object declcfg.PackageScopedReference{Schema:"badschema", Name:"x"} referenced by entry 0 for package "parrot": object schema unknown',
      ],
    ],
    [
      'Error/Deprecation/DuplicateRef',
      {
        ...one,
        others: [
          deprecation('parrot', [
            { reference: { schema: 'olm.bundle', name: 'parrot.v0.1.0' }, message: 'a' },
            { reference: { schema: 'olm.bundle', name: 'parrot.v0.1.0' }, message: 'b' },
          ]),
        ],
      },
      [
        'duplicate deprecation entry declcfg.PackageScopedReference{Schema:"olm.bundle", Name:"parrot.v0.1.0"} for package "parrot"',
      ],
    ],
    [
      'Error/Deprecation/EmptyMessage',
      {
        ...one,
        others: [
          deprecation('parrot', [{ reference: { schema: 'olm.channel', name: 'stable' }, message: '' }]),
        ],
      },
      [IN_STABLE('invalid deprecation: message must be set')],
    ],
  ])('%s', (_name, config, errors) => {
    expect(validateConfig(config)).toEqual(errors);
  });

  it('reports every conversion error of the first stage with errors (opm stops at the first error)', () => {
    const config = cfg({
      packages: [pkg('parrot')],
      channels: [channel('parrot', 'stable', { name: 'parrot.v0.1.0' }, { name: 'parrot.v0.2.0' })],
      bundles: [
        bundle('orca', '1.0.0'),
        { ...bundle('parrot', '0.1.0'), properties: [] },
        { ...bundle('parrot', '0.2.0'), properties: [pkgProp('parrot', 'v0.2.0')] },
      ],
    });
    expect(validateConfig(config)).toEqual([
      'unknown package "orca" for bundle "orca.v1.0.0"',
      'package "parrot" bundle "parrot.v0.1.0" must have exactly 1 "olm.package" property, found 0',
      'error parsing bundle "parrot.v0.2.0" version "v0.2.0": Invalid character(s) found in major number "v0"',
    ]);
  });
});

// Mirrors alpha/model/model_test.go TestChannelHead, TestValidReplacesChain and TestValidators.
describe('validateConfig: model rules', () => {
  it.each<[string, ChannelEntry[], string[]]>([
    [
      'Head/Success/Valid',
      [
        { name: 'parrot.v0.0.1' },
        { name: 'parrot.v0.0.2' },
        { name: 'parrot.v0.0.3', replaces: 'parrot.v0.0.1', skips: ['parrot.v0.0.2'] },
      ],
      [],
    ],
    [
      'Head/Error/NoChannelHead',
      [
        { name: 'parrot.v0.0.1', replaces: 'parrot.v0.0.3' },
        { name: 'parrot.v0.0.3', replaces: 'parrot.v0.0.1' },
      ],
      [IN_STABLE('no channel head found in graph')],
    ],
    [
      'Head/Error/MultipleChannelHeads',
      [
        { name: 'parrot.v0.0.1' },
        { name: 'parrot.v0.0.3', replaces: 'parrot.v0.0.1', skips: ['parrot.v0.0.2'] },
        { name: 'parrot.v0.0.4', replaces: 'parrot.v0.0.1' },
      ],
      [IN_STABLE('multiple channel heads found in graph: parrot.v0.0.3, parrot.v0.0.4')],
    ],
    [
      'Chain/Success/Valid',
      [
        { name: 'parrot.v0.0.1' },
        { name: 'parrot.v0.0.2', skips: ['parrot.v0.0.1'] },
        { name: 'parrot.v0.0.3', skips: ['parrot.v0.0.2'] },
        { name: 'parrot.v0.0.4', replaces: 'parrot.v0.0.3' },
      ],
      [],
    ],
    [
      'Chain/Error/CycleNoHops',
      [
        { name: 'parrot.v0.0.4', replaces: 'parrot.v0.0.4' },
        { name: 'parrot.v0.0.5', replaces: 'parrot.v0.0.4' },
      ],
      [IN_STABLE('detected cycle in replaces chain of upgrade graph: parrot.v0.0.4 -> parrot.v0.0.4')],
    ],
    [
      'Chain/Error/CycleMultipleHops',
      [
        { name: 'parrot.v0.0.1', replaces: 'parrot.v0.0.3' },
        { name: 'parrot.v0.0.2', replaces: 'parrot.v0.0.1' },
        { name: 'parrot.v0.0.3', replaces: 'parrot.v0.0.2' },
        { name: 'parrot.v0.0.4', replaces: 'parrot.v0.0.3' },
      ],
      [
        IN_STABLE(
          'detected cycle in replaces chain of upgrade graph: parrot.v0.0.3 -> parrot.v0.0.2 -> parrot.v0.0.1 -> parrot.v0.0.3',
        ),
      ],
    ],
    [
      'Chain/Error/Stranded',
      [
        { name: 'parrot.v0.0.1' },
        { name: 'parrot.v0.0.2', replaces: 'parrot.v0.0.1' },
        { name: 'parrot.v0.0.3', skips: ['parrot.v0.0.2'] },
      ],
      [IN_STABLE('channel contains one or more stranded bundles: parrot.v0.0.1')],
    ],
    [
      'Chain/Error/SkippedReplacesStranded',
      [
        { name: 'parrot.v0.0.1' },
        { name: 'parrot.v0.0.2', replaces: 'parrot.v0.0.1' },
        { name: 'parrot.v0.0.3', replaces: 'parrot.v0.0.2', skips: ['parrot.v0.0.2'] },
      ],
      [IN_STABLE('channel contains one or more stranded bundles: parrot.v0.0.1')],
    ],
    ['Bundle/Success/ReplacesNotInChannel', [{ name: 'parrot.v0.0.2', replaces: 'parrot.v0.0.1' }], []],
    [
      'Bundle/Error/EmptySkipsValue',
      [{ name: 'parrot.v0.0.2', skips: [''] }],
      [IN_STABLE('invalid bundle "parrot.v0.0.2": skip[0] is empty')],
    ],
    ['Bundle/Success/ValidSkipRange', [{ name: 'parrot.v0.1.0', skipRange: '>=0.0.1 <0.1.0 || 0.0.x' }], []],
    [
      'Bundle/Error/InvalidSkipRange/LeadingV',
      [{ name: 'parrot.v0.1.0', skipRange: '>v0.1.0' }],
      [
        IN_STABLE(
          'invalid bundle "parrot.v0.1.0": invalid skipRange ">v0.1.0": Could not parse Range ">v0.1.0": Could not parse comparator ">v" in ">v0.1.0"',
        ),
      ],
    ],
    [
      'Bundle/Error/InvalidSkipRange/LeadingZero',
      [{ name: 'parrot.v0.1.0', skipRange: '>1.00.1' }],
      [
        IN_STABLE(
          'invalid bundle "parrot.v0.1.0": invalid skipRange ">1.00.1": Could not parse Range ">1.00.1": Could not parse version "1.00.1" in ">1.00.1": Minor number must not contain leading zeroes "00"',
        ),
      ],
    ],
  ])('%s', (_name, entries, errors) => {
    expect(validateConfig(parrotChannel(...entries))).toEqual(errors);
  });

  it.each<[string, DeclarativeConfig, string[]]>([
    [
      'Package/Error/DuplicateBundleVersions',
      cfg({
        packages: [pkg('parrot')],
        channels: [
          channel(
            'parrot',
            'stable',
            { name: 'parrot.a' },
            { name: 'parrot.b', replaces: 'parrot.a' },
            { name: 'parrot.c', replaces: 'parrot.b' },
            { name: 'parrot.d', replaces: 'parrot.c' },
          ),
        ],
        bundles: [
          { ...bundle('parrot', '0.0.1'), name: 'parrot.a' },
          { ...bundle('parrot', '0.0.1'), name: 'parrot.b' },
          { ...bundle('parrot', '1.0.1'), name: 'parrot.c' },
          { ...bundle('parrot', '1.0.1'), name: 'parrot.d' },
        ],
      }),
      [
        INVALID(
          'duplicate versions found in bundles: [{0.0.1: [parrot.a, parrot.b]} {1.0.1: [parrot.c, parrot.d]}]',
        ),
      ],
    ],
    [
      'Bundle/Error/NoBundleImage',
      withBundle((b) => {
        b.image = '';
      }),
      [IN_STABLE('invalid bundle "parrot.v0.1.0": bundle image must be set')],
    ],
    [
      'every broken rule of every package, packages and channels in name order',
      cfg({
        packages: [pkg('walrus'), pkg('parrot')],
        channels: [
          channel('walrus', 'stable', { name: 'walrus.v1.0.0' }, { name: 'walrus.v2.0.0' }),
          channel('parrot', 'stable', { name: 'parrot.v0.1.0' }, { name: 'parrot.v0.2.0' }),
          channel('parrot', 'beta', { name: 'parrot.v0.1.0', skipRange: '>x' }),
        ],
        bundles: [
          bundle('walrus', '1.0.0'),
          bundle('walrus', '2.0.0'),
          bundle('parrot', '0.1.0'),
          bundle('parrot', '0.2.0'),
        ],
      }),
      [
        INVALID(
          'invalid channel "beta": invalid bundle "parrot.v0.1.0": invalid skipRange ">x": Could not get version from string: ">x"',
        ),
        IN_STABLE('multiple channel heads found in graph: parrot.v0.1.0, parrot.v0.2.0'),
        'invalid package "walrus": invalid channel "stable": multiple channel heads found in graph: walrus.v1.0.0, walrus.v2.0.0',
      ],
    ],
  ])('%s', (_name, config, errors) => {
    expect(validateConfig(config)).toEqual(errors);
  });
});

describe('validateConfig cost', () => {
  it('validates 100 packages × 10 bundles quickly (measured and printed; SPEC §11 speed goal)', () => {
    const config = cfg({});
    for (let p = 0; p < 100; p++) {
      const name = `pkg${p}`;
      config.packages.push(pkg(name));
      const entries: ChannelEntry[] = [];
      for (let v = 0; v < 10; v++) {
        const b = bundle(name, `1.${v}.0`);
        config.bundles.push(b);
        entries.push(
          v === 0
            ? { name: b.name }
            : { name: b.name, replaces: `${name}.v1.${v - 1}.0`, skipRange: `<1.${v}.0` },
        );
      }
      config.channels.push(channel(name, 'stable', ...entries));
    }
    const start = performance.now();
    const errors = validateConfig(config);
    const ms = performance.now() - start;
    console.info(`validateConfig: 100 packages × 10 bundles in ${ms.toFixed(1)} ms`);
    expect(errors).toEqual([]);
    expect(ms).toBeLessThan(5000);
  });
});
