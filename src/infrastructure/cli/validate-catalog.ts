/** `omps validate-catalog`: `opm validate` for a File-Based Catalog folder. */
import { CatalogLoadError, loadConfig } from '../../domain/catalog/declcfg-load.js';
import { validateConfig } from '../../domain/catalog/validate.js';
import { type Command, parseCommand } from './args.js';
import { EXIT_OK, EXIT_REFUSED } from './cli-error.js';
import { readFolderFiles } from './files.js';

const usage = `Usage: omps validate-catalog DIR

Check the File-Based Catalog in DIR (every file, .indexignore honoured) by
operator-registry's rules, as 'opm validate' does: one olm.package per
package, its default channel present, one head and no cycle per channel,
every bundle in a channel, no duplicate versions, valid versions and ranges.
Prints nothing when the catalog is valid, else one line per broken rule on
stderr.

Options:
  -h, --help   show this help

Exit status: 0 valid, 1 invalid, 2 usage or I/O error.
`;

export const validateCatalogCommand: Command = {
  name: 'validate-catalog',
  usage,
  async run(argv) {
    const args = parseCommand(argv, { options: {}, positionals: ['DIR'] as const });
    if (args.help) {
      process.stdout.write(usage);
      return EXIT_OK;
    }
    const [dir] = args.positionals;
    const files = await readFolderFiles(dir);
    let errors: string[];
    try {
      errors = validateConfig(loadConfig(files));
    } catch (error) {
      if (!(error instanceof CatalogLoadError)) throw error;
      errors = [error.message];
    }
    for (const line of errors) process.stderr.write(`${line}\n`);
    return errors.length === 0 ? EXIT_OK : EXIT_REFUSED;
  },
};
