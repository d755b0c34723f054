import { InMemoryBuildSystem } from '../../../src/adapters/memory/in-memory-build-system.js';
import { buildSystemContract } from '../../contracts/build-system-contract.js';

buildSystemContract('InMemoryBuildSystem', async (seed) => ({
  buildSystem: new InMemoryBuildSystem()
    .add(seed.operator.nvr, { kind: 'operator', archive: seed.operator.archive })
    .add(seed.notAnOperator, { kind: 'not-an-operator' })
    .add(seed.archiveMissing.nvr, { kind: 'archive-missing', archiveName: seed.archiveMissing.archiveName }),
  cleanup() {},
}));
