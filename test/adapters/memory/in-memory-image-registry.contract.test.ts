import { InMemoryImageRegistry } from '../../../src/adapters/memory/in-memory-image-registry.js';
import { imageRegistryContract } from '../../contracts/image-registry-contract.js';

imageRegistryContract('InMemoryImageRegistry', async () => {
  const imageRegistry = new InMemoryImageRegistry({ authorize: (token) => token === 'Basic good' });
  const registry = 'https://registry.example.com';
  return {
    imageRegistry,
    registry,
    token: 'Basic good',
    badToken: 'Basic bad',
    stored: async (repository, tag) => {
      const image = imageRegistry.image(registry, repository, tag);
      return image && { digest: image.manifest.digest, layers: image.layers.map((l) => l.data) };
    },
    cleanup: () => {},
  };
});
