import { OciImageRegistry } from '../../../src/adapters/oci/oci-image-registry.js';
import { imageRegistryContract } from '../../contracts/image-registry-contract.js';
import { type OciAuth, sha256, startOciRegistryEmulator } from '../../emulators/oci-registry-emulator.js';
import { transports } from '../../support/transports.js';

const basic = (user: string, password: string) => `Basic ${btoa(`${user}:${password}`)}`;

for (const [name, fetch] of transports)
  for (const kind of ['basic', 'bearer'] as const) {
    imageRegistryContract(
      `OciImageRegistry + OCI registry emulator (${kind} auth), over ${name}`,
      async () => {
        const auth: OciAuth = { kind, user: 'alice', password: 's3cret' };
        const emulator = await startOciRegistryEmulator(auth);
        return {
          imageRegistry: new OciImageRegistry({ timeoutMs: 5_000, fetch }),
          registry: emulator.url,
          token: basic('alice', 's3cret'),
          badToken: basic('alice', 'wrong'),
          stored: async (repository, tag) => {
            const manifest = emulator.state.manifestOf(repository, tag);
            if (!manifest) return undefined;
            const parsed = JSON.parse(new TextDecoder().decode(manifest.data)) as {
              layers: { digest: string }[];
            };
            return {
              digest: sha256(manifest.data),
              layers: parsed.layers.map((l) => emulator.state.blobs.get(l.digest)!),
            };
          },
          cleanup: () => emulator.close(),
        };
      },
    );
  }
