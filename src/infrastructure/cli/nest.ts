/** `omps nest`: operator-courier's nest (flat bundle → version folders). */
import { nestBundle } from '../../domain/manifest/nest.js';
import { treeCommand } from './tree-command.js';

export const nestCommand = treeCommand(
  'nest',
  `Usage: omps nest SOURCE_DIR REGISTRY_DIR

Take a flat bundle (package, CSVs and CRDs in one folder, or a .zip) and write it
to REGISTRY_DIR nested: one folder per CSV spec.version with the CSV and the
CRDs it owns, and <packageName>.package.yaml. A bundle that is already nested
is copied without its non-manifest files. REGISTRY_DIR is created if needed.

Exit status: 0 done, 1 the bundle cannot be nested, 2 usage or I/O error.
`,
  'REGISTRY_DIR',
  nestBundle,
);
