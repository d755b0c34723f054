/** What `omps nest` and `omps flatten` share: read a bundle, transform its tree in the domain, write it. */
import type { FileEntry } from '../../domain/files.js';
import type { TransformedTree } from '../../domain/manifest/tree-transform.js';
import { type Command, parseCommand } from './args.js';
import { EXIT_OK } from './cli-error.js';
import { readBundle, writeTree } from './files.js';

export function treeCommand(
  name: string,
  usage: string,
  destination: string,
  transform: (files: readonly FileEntry[]) => TransformedTree,
): Command {
  return {
    name,
    usage,
    async run(argv) {
      const args = parseCommand(argv, { options: {}, positionals: ['SOURCE_DIR', destination] as const });
      if (args.help) {
        process.stdout.write(usage);
        return EXIT_OK;
      }
      const [source, target] = args.positionals;
      const result = transform(await readBundle(source));
      for (const warning of result.warnings) process.stderr.write(`WARNING: ${warning}\n`);
      await writeTree(target, result.files);
      process.stdout.write(`${result.files.length} files written to ${target}\n`);
      return EXIT_OK;
    },
  };
}
