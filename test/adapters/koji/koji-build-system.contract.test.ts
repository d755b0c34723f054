import { KojiBuildSystem } from '../../../src/adapters/koji/koji-build-system.js';
import { buildSystemContract } from '../../contracts/build-system-contract.js';
import { startKojiEmulator } from '../../emulators/koji-emulator.js';
import { transports } from '../../support/transports.js';

for (const [name, fetch] of transports) {
  buildSystemContract(`KojiBuildSystem against the Koji emulator, over ${name}`, async (seed) => {
    const koji = await startKojiEmulator();
    koji.state.addOperatorBuild(seed.operator.nvr, seed.operator.archive);
    koji.state.addBuild(seed.notAnOperator, { source: 'git+https://src.example.com/rpms/x.git' });
    koji.state.addLegacyBuild(seed.archiveMissing.nvr, new Uint8Array(10), {
      archiveName: seed.archiveMissing.archiveName,
      listed: false,
    });
    return {
      buildSystem: new KojiBuildSystem({
        hubUrl: koji.hubUrl,
        rootUrl: koji.rootUrl,
        timeoutMs: 10_000,
        fetch,
      }),
      cleanup: () => koji.close(),
    };
  });
}
