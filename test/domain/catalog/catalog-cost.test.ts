import { describe, expect, it } from 'vitest';
import { assemblePackage } from '../../../src/domain/catalog/assemble.js';
import { replacePackage, sameFiles } from '../../../src/domain/catalog/catalog-folder.js';
import { loadConfig } from '../../../src/domain/catalog/declcfg-load.js';
import { writeJson } from '../../../src/domain/catalog/declcfg-write.js';
import type { RenderedBundle } from '../../../src/domain/catalog/fbc.js';
import { validateConfig } from '../../../src/domain/catalog/validate.js';
import type { FileEntry } from '../../../src/domain/files.js';

/** A bundle with an olm.csv.metadata of realistic size (a few KB of description). */
function rendered(pkg: string, minor: number): RenderedBundle {
  const version = `1.${minor}.0`;
  const name = `${pkg}.v${version}`;
  return {
    bundle: {
      schema: 'olm.bundle',
      name,
      package: pkg,
      image: `registry.example/${pkg}-bundle@sha256:${String(minor).padStart(64, '0')}`,
      properties: [
        { type: 'olm.gvk', value: { group: `${pkg}.example.com`, kind: 'Widget', version: 'v1' } },
        { type: 'olm.package', value: { packageName: pkg, version } },
        {
          type: 'olm.csv.metadata',
          value: {
            annotations: { capabilities: 'Basic Install', 'alm-examples': '[{"kind":"Widget"}]' },
            description: `## ${pkg}\n\n${'An operator that manages widgets. '.repeat(60)}\n`,
            displayName: pkg,
            installModes: [{ type: 'AllNamespaces', supported: true }],
            keywords: ['widgets'],
            provider: { name: 'Example' },
          },
        },
      ],
      relatedImages: [{ name: 'operator', image: `registry.example/${pkg}:${version}` }],
    },
    version,
    replaces: minor > 0 ? `${pkg}.v1.${minor - 1}.0` : undefined,
    skips: [],
    channels: ['stable'],
    defaultChannel: 'stable',
  };
}

describe('catalog update cost (SPEC §11: 100 packages × 10 bundles)', () => {
  it('assembles, replaces, reloads and validates one package of a 100 × 10 catalog; prints the time', () => {
    const enc = new TextEncoder();
    const configs: FileEntry[] = [];
    for (let p = 0; p < 100; p++) {
      const pkg = `operator-${p}`;
      const bundles = Array.from({ length: 10 }, (_, m) => rendered(pkg, m));
      configs.push({
        path: `${pkg}/catalog.json`,
        data: enc.encode(writeJson(assemblePackage(pkg, bundles, 'replaces'))),
      });
    }
    const start = performance.now();
    const bundles = Array.from({ length: 11 }, (_, m) => rendered('operator-42', m));
    const next = replacePackage(configs, 'operator-42', assemblePackage('operator-42', bundles, 'replaces'));
    const afterReplace = performance.now();
    const errors = validateConfig(loadConfig(next));
    const end = performance.now();
    const mb = next.reduce((n, f) => n + f.data.length, 0) / 1e6;
    console.info(
      `catalog of ${mb.toFixed(1)} MB: assemble+replace ${(afterReplace - start).toFixed(0)} ms, load+validate ${(end - afterReplace).toFixed(0)} ms`,
    );
    expect(errors).toEqual([]);
    const others = (files: FileEntry[]) => files.filter((f) => f.path !== 'operator-42/catalog.json');
    expect(sameFiles(others(next), others(configs))).toBe(true);
    expect(next.length).toBe(configs.length);
  });
});
