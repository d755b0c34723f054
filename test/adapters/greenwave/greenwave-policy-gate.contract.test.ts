import { GreenwavePolicyGate } from '../../../src/adapters/greenwave/greenwave-policy-gate.js';
import { policyGateContract } from '../../contracts/policy-gate-contract.js';
import { startGreenwaveEmulator } from '../../emulators/greenwave-emulator.js';
import { transports } from '../../support/transports.js';

for (const [name, fetch] of transports) {
  policyGateContract(`GreenwavePolicyGate against the Greenwave emulator, over ${name}`, async (seed) => {
    const greenwave = await startGreenwaveEmulator({ context: 'osbs_push', productVersion: 'cvp' });
    greenwave.state.answer(seed.unsatisfied.nvr, { kind: 'unsatisfied', summary: seed.unsatisfied.summary });
    return {
      policyGate: new GreenwavePolicyGate({
        url: greenwave.url,
        context: 'osbs_push',
        productVersion: 'cvp',
        timeoutMs: 10_000,
        fetch,
      }),
      cleanup: () => greenwave.close(),
    };
  });
}
