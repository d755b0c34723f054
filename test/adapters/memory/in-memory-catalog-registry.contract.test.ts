import { InMemoryImageRegistry } from '../../../src/adapters/memory/in-memory-image-registry.js';
import { catalogRegistryContract } from '../../contracts/catalog-registry-contract.js';

catalogRegistryContract('InMemoryImageRegistry.catalogRegistry()', async () => {
  const imageRegistry = new InMemoryImageRegistry({ authorize: (token) => token === 'Basic good' });
  const registry = 'https://registry.example.com';
  return {
    catalogRegistry: imageRegistry.catalogRegistry(),
    imageRegistry,
    registry,
    token: 'Basic good',
    badToken: 'Basic bad',
    seed: async (repository, blobs, manifests, tag) =>
      imageRegistry.put(registry, repository, blobs, manifests, tag),
    manifest: async (repository, reference) => imageRegistry.manifest(registry, repository, reference)?.data,
    blob: async (_repository, digest) => imageRegistry.blob(digest)?.data,
    cleanup: () => {},
  };
});
