import { describe, expect, it } from 'vitest';
import { assemblePackage } from '../../../src/domain/catalog/assemble.js';
import type { ChannelEntry, RenderedBundle } from '../../../src/domain/catalog/fbc.js';
import { validateConfig } from '../../../src/domain/catalog/validate.js';
import { CatalogValidationError } from '../../../src/domain/errors.js';
import { bundle } from './fixtures.js';

function rendered(version: string, extra: Partial<RenderedBundle> = {}): RenderedBundle {
  return { bundle: bundle('parrot', version), version, skips: [], channels: ['stable'], ...extra };
}
const n = (version: string) => `parrot.v${version}`;
const channelsOf = (bundles: RenderedBundle[], mode: 'replaces' | 'semver') =>
  Object.fromEntries(assemblePackage('parrot', bundles, mode).channels.map((c) => [c.name, c.entries]));

// Mirrors operator-registry alpha/template/semver/semver_test.go TestGenerateChannels
// "Edges between minor channels" (minor channels, stable archetype), with our own data.
describe('assemblePackage semver mode (semver template, minor channels)', () => {
  const versions = [
    '0.1.0',
    '0.1.1',
    '1.1.0',
    '1.2.1',
    '1.3.1',
    '2.1.0',
    '1.3.1-beta',
    '2.1.1',
    '2.3.1',
    '2.3.2',
    '3.1.0',
    '3.1.1',
    '1.3.1-alpha',
    '1.4.1',
    '1.4.1-beta1',
    '1.4.1-beta2',
  ];
  const bundles = versions.map((v) => rendered(v));

  it('links minor channels as the template does', () => {
    const expected: Record<string, ChannelEntry[]> = {
      'stable-v0.1': [{ name: n('0.1.0') }, { name: n('0.1.1'), skips: [n('0.1.0')] }],
      'stable-v1.1': [{ name: n('1.1.0') }],
      'stable-v1.2': [{ name: n('1.2.1'), replaces: n('1.1.0') }],
      'stable-v1.3': [
        { name: n('1.3.1-alpha') },
        { name: n('1.3.1-beta') },
        { name: n('1.3.1'), replaces: n('1.2.1'), skips: [n('1.1.0'), n('1.3.1-alpha'), n('1.3.1-beta')] },
      ],
      'stable-v1.4': [
        { name: n('1.4.1-beta1') },
        { name: n('1.4.1-beta2') },
        {
          name: n('1.4.1'),
          replaces: n('1.3.1'),
          skips: [
            n('1.1.0'),
            n('1.2.1'),
            n('1.3.1-alpha'),
            n('1.3.1-beta'),
            n('1.4.1-beta1'),
            n('1.4.1-beta2'),
          ],
        },
      ],
      'stable-v2.1': [{ name: n('2.1.0') }, { name: n('2.1.1'), skips: [n('2.1.0')] }],
      'stable-v2.3': [
        { name: n('2.3.1') },
        { name: n('2.3.2'), replaces: n('2.1.1'), skips: [n('2.1.0'), n('2.3.1')] },
      ],
      'stable-v3.1': [{ name: n('3.1.0') }, { name: n('3.1.1'), skips: [n('3.1.0')] }],
    };
    expect(channelsOf(bundles, 'semver')).toEqual(expected);
  });

  it('defaults to the highest channel and passes validation', () => {
    const config = assemblePackage('parrot', bundles, 'semver');
    expect(config.packages[0]?.defaultChannel).toBe('stable-v3.1');
    expect(config.channels.map((c) => c.name)).toEqual([
      'stable-v0.1',
      'stable-v1.1',
      'stable-v1.2',
      'stable-v1.3',
      'stable-v1.4',
      'stable-v2.1',
      'stable-v2.3',
      'stable-v3.1',
    ]);
    expect(config.bundles.map((b) => b.name)).toEqual([...config.bundles.map((b) => b.name)].sort());
    expect(validateConfig(config)).toEqual([]);
  });

  it('ignores channel annotations and replaces in semver mode', () => {
    const config = assemblePackage(
      'parrot',
      [
        rendered('1.0.0', { channels: ['alpha'] }),
        rendered('1.0.1', { channels: ['beta'], replaces: n('0.9.0') }),
      ],
      'semver',
    );
    expect(config.channels).toEqual([
      {
        schema: 'olm.channel',
        name: 'stable-v1.0',
        package: 'parrot',
        entries: [{ name: n('1.0.0') }, { name: n('1.0.1'), skips: [n('1.0.0')] }],
      },
    ]);
  });

  it.each([
    [
      'an invalid version',
      [rendered('1.0')],
      'bundle "parrot.v1.0" has invalid version "1.0": No Major.Minor.Patch elements found',
    ],
    [
      'versions differing only by build metadata',
      [rendered('1.0.0+a'), rendered('1.0.0+b')],
      'encountered bundle versions which differ only by build metadata, which cannot be ordered: bundle version "1.0.0+b" cannot be compared to "1.0.0"',
    ],
  ])('refuses %s (CatalogValidationError)', (_name, bundles, message) => {
    expect(() => assemblePackage('parrot', bundles, 'semver')).toThrow(CatalogValidationError);
    expect(() => assemblePackage('parrot', bundles, 'semver')).toThrow(message);
  });
});

// Channels from annotations and CSV edges, as an index built in replaces mode has them
// (operator-registry pkg/lib/registry directory-graph cases), with our own data.
describe('assemblePackage replaces mode', () => {
  it.each<[string, RenderedBundle[], Record<string, ChannelEntry[]>, string]>([
    [
      'one channel, a replaces chain, entries by version',
      [
        rendered('0.2.0', { replaces: n('0.1.0') }),
        rendered('0.1.0'),
        rendered('0.3.0', { replaces: n('0.2.0') }),
      ],
      {
        stable: [
          { name: n('0.1.0') },
          { name: n('0.2.0'), replaces: n('0.1.0') },
          { name: n('0.3.0'), replaces: n('0.2.0') },
        ],
      },
      'stable',
    ],
    [
      'two channels from annotations; the highest version names the default',
      [
        rendered('0.1.0', { channels: ['alpha', 'stable'], defaultChannel: 'alpha' }),
        rendered('0.2.0', { channels: ['alpha'], replaces: n('0.1.0'), defaultChannel: 'stable' }),
      ],
      {
        alpha: [{ name: n('0.1.0') }, { name: n('0.2.0'), replaces: n('0.1.0') }],
        stable: [{ name: n('0.1.0') }],
      },
      'stable',
    ],
    [
      'a replaced bundle joins the channel of the bundle replacing it',
      [
        rendered('0.1.0', { channels: ['alpha'] }),
        rendered('0.2.0', { channels: ['beta'], replaces: n('0.1.0') }),
      ],
      {
        alpha: [{ name: n('0.1.0') }],
        beta: [{ name: n('0.1.0') }, { name: n('0.2.0'), replaces: n('0.1.0') }],
      },
      'alpha',
    ],
    [
      'skips, skipRange and a replaces of a bundle that is gone are kept as written',
      [rendered('1.0.0', { replaces: n('0.9.0'), skips: [n('0.9.5')], skipRange: '<1.0.0' })],
      { stable: [{ name: n('1.0.0'), replaces: n('0.9.0'), skips: [n('0.9.5')], skipRange: '<1.0.0' }] },
      'stable',
    ],
    [
      'a skipped bundle joins the channel as a leaf; what it replaces does not',
      [
        rendered('1.9.0-rc', { channels: ['fast'] }),
        rendered('2.0.0-rc', { channels: ['fast'], replaces: n('1.9.0-rc') }),
        rendered('2.0.0', { channels: ['stable'], skips: [n('2.0.0-rc')] }),
      ],
      {
        fast: [{ name: n('1.9.0-rc') }, { name: n('2.0.0-rc'), replaces: n('1.9.0-rc') }],
        stable: [
          { name: n('2.0.0-rc'), replaces: n('1.9.0-rc') },
          { name: n('2.0.0'), skips: [n('2.0.0-rc')] },
        ],
      },
      'fast',
    ],
    [
      'no default annotation: the only channel',
      [rendered('1.0.0', { channels: ['fast'] })],
      { fast: [{ name: n('1.0.0') }] },
      'fast',
    ],
    [
      'no default annotation, several channels: the first by name',
      [rendered('1.0.0', { channels: ['zeta', 'beta'] })],
      { beta: [{ name: n('1.0.0') }], zeta: [{ name: n('1.0.0') }] },
      'beta',
    ],
    [
      'the default from the highest version that has the annotation',
      [
        rendered('1.0.0', { channels: ['a', 'b'], defaultChannel: 'b' }),
        rendered('2.0.0', { channels: ['a', 'b'], replaces: n('1.0.0') }),
      ],
      {
        a: [{ name: n('1.0.0') }, { name: n('2.0.0'), replaces: n('1.0.0') }],
        b: [{ name: n('1.0.0') }, { name: n('2.0.0'), replaces: n('1.0.0') }],
      },
      'b',
    ],
  ])('%s', (_name, bundles, channels, defaultChannel) => {
    const config = assemblePackage('parrot', bundles, 'replaces');
    expect(channelsOf(bundles, 'replaces')).toEqual(channels);
    expect(config.packages[0]?.defaultChannel).toBe(defaultChannel);
  });

  it('takes icon and description from the head of the default channel', () => {
    const icon = { base64data: 'PHN2Zy8+', mediatype: 'image/svg+xml' };
    const config = assemblePackage(
      'parrot',
      [
        rendered('0.1.0', { description: 'old words' }),
        rendered('0.2.0', { replaces: n('0.1.0'), description: 'new words', icon }),
      ],
      'replaces',
    );
    expect(config.packages).toEqual([
      { schema: 'olm.package', name: 'parrot', defaultChannel: 'stable', icon, description: 'new words' },
    ]);
  });

  it('a bundle removed from the middle of a chain leaves two heads, which validation refuses', () => {
    const config = assemblePackage(
      'parrot',
      [rendered('0.1.0'), rendered('0.3.0', { replaces: n('0.2.0') })],
      'replaces',
    );
    expect(validateConfig(config)).toEqual([
      'invalid package "parrot": invalid channel "stable": multiple channel heads found in graph: parrot.v0.1.0, parrot.v0.3.0',
    ]);
  });

  it('no bundles: an empty config (the package leaves the catalog)', () => {
    expect(assemblePackage('parrot', [], 'replaces')).toEqual({
      packages: [],
      channels: [],
      bundles: [],
      others: [],
    });
    expect(assemblePackage('parrot', [], 'semver')).toEqual({
      packages: [],
      channels: [],
      bundles: [],
      others: [],
    });
  });
});
