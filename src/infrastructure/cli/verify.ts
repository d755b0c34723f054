/** `omps verify`: operator-courier's `verify` on the service's engine. */
import { type Command, parseCommand, stringOption } from './args.js';
import { checkBundle, reportChecked } from './check.js';
import { EXIT_OK, EXIT_REFUSED } from './cli-error.js';
import { readBundle } from './files.js';

const usage = `Usage: omps verify SOURCE_DIR [--ui_validate_io] [--validation-output FILE]

Build an operator bundle from SOURCE_DIR (a folder, flat or nested, or a .zip)
and check it with operator-courier's rules, as the service does.

Options:
  --ui_validate_io           also check the CSVs for the operatorhub.io UI
  --validation-output FILE   write {"warnings": [...], "errors": [...]} as JSON to FILE
  -h, --help                 show this help

Exit status: 0 valid, 1 invalid, 2 usage or I/O error.
`;

export const verifyCommand: Command = {
  name: 'verify',
  usage,
  async run(argv) {
    const args = parseCommand(argv, {
      options: { ui_validate_io: { type: 'boolean' }, 'validation-output': { type: 'string' } },
      positionals: ['SOURCE_DIR'] as const,
    });
    if (args.help) {
      process.stdout.write(usage);
      return EXIT_OK;
    }
    const [source] = args.positionals;
    const checked = checkBundle(await readBundle(source), {
      uiValidateIo: args.values.ui_validate_io === true,
    });
    await reportChecked(checked, stringOption(args.values, 'validation-output'));
    if (!checked.valid) return EXIT_REFUSED;
    const { layout } = checked.prepared;
    const warnings = checked.info.warnings.length;
    process.stdout.write(
      `${source}: valid ${layout} bundle (${warnings} warning${warnings === 1 ? '' : 's'})\n`,
    );
    return EXIT_OK;
  },
};
