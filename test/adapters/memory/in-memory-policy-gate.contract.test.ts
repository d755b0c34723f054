import { InMemoryPolicyGate } from '../../../src/adapters/memory/in-memory-policy-gate.js';
import { policyGateContract } from '../../contracts/policy-gate-contract.js';

policyGateContract('InMemoryPolicyGate', async (seed) => ({
  policyGate: new InMemoryPolicyGate().refuse(seed.unsatisfied.nvr, seed.unsatisfied.summary),
  cleanup() {},
}));
