import { QuayRegistry } from '../../../src/adapters/quay/quay-registry.js';
import { registryContract } from '../../contracts/registry-contract.js';
import { startQuayEmulator, unpackBlob } from '../../emulators/quay-emulator.js';
import { transports } from '../../support/transports.js';

for (const [name, fetch] of transports) {
  registryContract(`QuayRegistry + Quay emulator, over ${name}`, async () => {
    const quay = await startQuayEmulator({ tokens: ['good-token'], oauthTokens: ['oauth-token'] });
    const registry = new QuayRegistry({ baseUrl: quay.url, timeoutMs: 5_000, fetch });
    return {
      registry,
      token: 'good-token',
      badToken: 'bad-token',
      oauthToken: 'oauth-token',
      badOauthToken: 'bad-oauth-token',
      seed: (organization, repository, versions) => quay.state.seed(organization, repository, versions),
      storedBundle: async (organization, repository, version) => {
        const stored = quay.state.packages.get(`${organization}/${repository}`)?.releases.get(version);
        if (!stored) return undefined;
        // Seeded releases have no blob.
        if (stored.blob.length === 0) return [];
        return (await unpackBlob(stored.blob)).files;
      },
      visibility: async (organization, repository) => quay.state.visibility(organization, repository),
      cleanup: () => quay.close(),
    };
  });
}
