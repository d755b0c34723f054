/** Our own FBC test data (a "parrot" and a "walrus" operator), shaped like operator-registry's helpers_test.go. */
import type { DeclarativeConfig, FbcBundle, Property } from '../../../src/domain/catalog/fbc.js';

export function pkgProp(packageName: string, version: string): Property {
  return { type: 'olm.package', value: { packageName, version } };
}

export function bundle(pkg: string, version: string, extra: Partial<FbcBundle> = {}): FbcBundle {
  return {
    schema: 'olm.bundle',
    name: `${pkg}.v${version}`,
    package: pkg,
    image: `quay.example/${pkg}-bundle:v${version}`,
    properties: [pkgProp(pkg, version)],
    ...extra,
  };
}

/** Two packages, two channels for parrot, a custom blob and a blob of no package. */
export function parrotAndWalrus(): DeclarativeConfig {
  return {
    packages: [
      { schema: 'olm.package', name: 'walrus', defaultChannel: 'stable' },
      {
        schema: 'olm.package',
        name: 'parrot',
        defaultChannel: 'fast',
        icon: { base64data: 'PHN2Zy8+', mediatype: 'image/svg+xml' },
        description: 'parrot operator',
      },
    ],
    channels: [
      { schema: 'olm.channel', name: 'stable', package: 'walrus', entries: [{ name: 'walrus.v1.0.0' }] },
      {
        schema: 'olm.channel',
        name: 'slow',
        package: 'parrot',
        entries: [{ name: 'parrot.v0.1.0' }, { name: 'parrot.v0.2.0', replaces: 'parrot.v0.1.0' }],
      },
      {
        schema: 'olm.channel',
        name: 'fast',
        package: 'parrot',
        entries: [
          { name: 'parrot.v0.1.0' },
          { name: 'parrot.v0.2.0', replaces: 'parrot.v0.1.0' },
          { name: 'parrot.v0.2.1', replaces: 'parrot.v0.1.0', skips: ['parrot.v0.2.0'], skipRange: '<0.2.1' },
        ],
      },
    ],
    bundles: [
      bundle('walrus', '1.0.0'),
      bundle('parrot', '0.2.1', {
        relatedImages: [{ name: 'operator', image: 'quay.example/parrot:0.2.1' }],
      }),
      bundle('parrot', '0.1.0'),
      bundle('parrot', '0.2.0'),
    ],
    others: [
      { schema: 'zz.custom', blob: { schema: 'zz.custom' } },
      {
        schema: 'custom.b',
        package: 'parrot',
        blob: { schema: 'custom.b', package: 'parrot', myField: 'x' },
      },
      { schema: 'custom.a', package: 'parrot', blob: { schema: 'custom.a', package: 'parrot', aField: 1 } },
    ],
  };
}
