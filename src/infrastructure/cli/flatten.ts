/** `omps flatten`: operator-courier's flatten (version folders → one flat folder). */
import { flattenBundle } from '../../domain/manifest/flatten.js';
import { treeCommand } from './tree-command.js';

export const flattenCommand = treeCommand(
  'flatten',
  `Usage: omps flatten SOURCE_DIR DEST_DIR

From a bundle with one folder per version (or a .zip of one), write to DEST_DIR
the package file, every CSV (renamed <name>-v<folder>.yaml) and the latest
version of each CRD. A bundle that is already flat is copied as it is.
DEST_DIR is created if needed.

Exit status: 0 done, 1 the bundle cannot be flattened, 2 usage or I/O error.
`,
  'DEST_DIR',
  flattenBundle,
);
