/**
 * The embedded default: the same app on in-memory upstreams, seeded so that
 * the README's curl examples work on a fresh machine with no network.
 */
import { strToU8, zipSync } from 'fflate';
import { InMemoryBuildSystem } from '../../adapters/memory/in-memory-build-system.js';
import { InMemoryImageRegistry } from '../../adapters/memory/in-memory-image-registry.js';
import { InMemoryPolicyGate } from '../../adapters/memory/in-memory-policy-gate.js';
import { InMemoryRegistry } from '../../adapters/memory/in-memory-registry.js';
import type { CatalogRegistry } from '../../application/ports.js';
import { type AppConfig, parseConfig } from '../config.js';
import type { AdapterOverrides } from '../container.js';
import { SAMPLE_NVR, SAMPLE_OPERATOR_FILES } from './sample-operator.js';

export const NOT_AN_OPERATOR_NVR = 'plain-container-1.0-1';

/** The sample operator as a zip, byte-for-byte reproducible (fixed timestamps). */
export function sampleOperatorZip(): Uint8Array {
  const entries: Record<string, [Uint8Array, { mtime: Date }]> = {};
  for (const [path, text] of Object.entries(SAMPLE_OPERATOR_FILES)) {
    entries[path] = [strToU8(text), { mtime: new Date('2026-01-01T00:00:00Z') }];
  }
  return zipSync(entries, { level: 6 });
}

export interface EmbeddedUpstreams extends AdapterOverrides {
  registry: InMemoryRegistry;
  buildSystem: InMemoryBuildSystem;
  policyGate: InMemoryPolicyGate;
  imageRegistry: InMemoryImageRegistry;
  catalogRegistry: CatalogRegistry;
}

export function embeddedUpstreams(): EmbeddedUpstreams {
  const buildSystem = new InMemoryBuildSystem()
    .add(SAMPLE_NVR, { kind: 'operator', archive: sampleOperatorZip() })
    .add(NOT_AN_OPERATOR_NVR, { kind: 'not-an-operator' });
  const imageRegistry = new InMemoryImageRegistry();
  return {
    registry: new InMemoryRegistry(),
    buildSystem,
    policyGate: new InMemoryPolicyGate(),
    imageRegistry,
    catalogRegistry: imageRegistry.catalogRegistry(),
  };
}

/** The demo configuration: defaults, plus an organization with every policy to try. */
export function embeddedConfig(): AppConfig {
  return parseConfig({
    organizations: {
      'demo-public': {
        public: true,
        oauth_token: 'demo-oauth-token',
        package_name_suffix: '-demo',
        replace_registry: [{ old: 'quay.io/example', new: 'registry.example.com/mirror' }],
        csv_annotations: [{ name: 'omps.example.com/package', value: '{package_name}' }],
      },
      // Bundle images (SPEC §10) to an in-memory OCI registry.
      'demo-images': { bundle_images: { registry: 'https://registry.demo.example' } },
      // ... and a File-Based Catalog kept current beside them (SPEC §11).
      'demo-catalog': {
        bundle_images: { registry: 'https://registry.demo.example' },
        catalog: { repository: '{organization}/catalog', tag: 'latest' },
      },
    },
  });
}
