import { zlibLayerCodec } from '../../../src/adapters/node-native/zlib-layer-codec.js';
import { OciCatalogRegistry } from '../../../src/adapters/oci/oci-catalog-registry.js';
import { OciImageRegistry } from '../../../src/adapters/oci/oci-image-registry.js';
import { catalogRegistryContract } from '../../contracts/catalog-registry-contract.js';
import { startOciRegistryEmulator } from '../../emulators/oci-registry-emulator.js';

const basic = (user: string, password: string) => `Basic ${btoa(`${user}:${password}`)}`;

for (const kind of ['basic', 'bearer'] as const) {
  catalogRegistryContract(
    `OciCatalogRegistry + OCI registry emulator (${kind} auth, node:zlib)`,
    async () => {
      const emulator = await startOciRegistryEmulator({ kind, user: 'alice', password: 's3cret' });
      // Two tags a page: every listing follows Link headers.
      emulator.state.tagPageSize = 2;
      return {
        catalogRegistry: new OciCatalogRegistry({ timeoutMs: 5_000, codec: zlibLayerCodec }),
        imageRegistry: new OciImageRegistry({ timeoutMs: 5_000 }),
        registry: emulator.url,
        token: basic('alice', 's3cret'),
        badToken: basic('alice', 'wrong'),
        seed: async (repository, blobs, manifests, tag) =>
          emulator.state.seed(repository, blobs, manifests, tag),
        manifest: async (repository, reference) => {
          const digest = reference.startsWith('sha256:')
            ? reference
            : emulator.state.tags.get(repository)?.get(reference);
          return digest ? emulator.state.manifests.get(repository)?.get(digest)?.data : undefined;
        },
        blob: async (repository, digest) =>
          emulator.state.hasBlob(repository, digest) ? emulator.state.blobs.get(digest) : undefined,
        mounts: () => emulator.state.mounts(),
        cleanup: () => emulator.close(),
      };
    },
  );
}
