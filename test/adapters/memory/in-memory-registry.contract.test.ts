import { InMemoryRegistry } from '../../../src/adapters/memory/in-memory-registry.js';
import { registryContract } from '../../contracts/registry-contract.js';

registryContract('InMemoryRegistry', async () => {
  const registry = new InMemoryRegistry({
    authorize: (token) => token === 'good-token',
    acceptOauthToken: (token) => token === 'oauth-token',
  });
  return {
    registry,
    token: 'good-token',
    badToken: 'bad-token',
    oauthToken: 'oauth-token',
    badOauthToken: 'bad-oauth-token',
    seed: (organization, repository, versions) => registry.seed(organization, repository, versions),
    storedBundle: async (organization, repository, version) =>
      registry
        .release(organization, repository, version)
        ?.bundle.map((f) => ({ path: f.path, data: f.data })),
    visibility: async (organization, repository) => registry.visibility(organization, repository),
    cleanup: () => {},
  };
});
