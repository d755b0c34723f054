/**
 * `omps push`: operator-courier's `push` — build, verify and push a bundle to
 * a Quay app registry directly, through the service's Quay adapter (same
 * packing, errors and timeouts). packageName must equal REPOSITORY, as courier required.
 */

import { createNodeHttpFetch } from '../../adapters/node-native/node-http-fetch.js';
import { zlibGzip } from '../../adapters/node-native/zlib-gzip.js';
import { QuayBundlePacker } from '../../adapters/quay/bundle-blob.js';
import { QuayRegistry } from '../../adapters/quay/quay-registry.js';
import { type ConfigError, parseConfig } from '../config.js';
import { type Command, parseCommand, stringOption } from './args.js';
import { checkBundle, reportChecked } from './check.js';
import { EXIT_OK, EXIT_REFUSED, usageError } from './cli-error.js';
import { readBundle } from './files.js';

const usage = `Usage: omps push SOURCE_DIR NAMESPACE REPOSITORY RELEASE TOKEN [--validation-output FILE] [--quay-url URL]

Build and verify the bundle in SOURCE_DIR (a folder or a .zip), then push it
as release RELEASE of NAMESPACE/REPOSITORY to Quay's app registry, with TOKEN
as the Authorization header (e.g. "basic ..." from Quay's CNR login).

Options:
  --validation-output FILE   write {"warnings": [...], "errors": [...]} as JSON to FILE
  --quay-url URL             the registry (default https://quay.io)
  -h, --help                 show this help

Exit status: 0 pushed, 1 invalid bundle or refused by Quay, 2 usage or I/O error.
`;

export const pushCommand: Command = {
  name: 'push',
  usage,
  async run(argv) {
    const args = parseCommand(argv, {
      options: { 'validation-output': { type: 'string' }, 'quay-url': { type: 'string' } },
      positionals: ['SOURCE_DIR', 'NAMESPACE', 'REPOSITORY', 'RELEASE', 'TOKEN'] as const,
    });
    if (args.help) {
      process.stdout.write(usage);
      return EXIT_OK;
    }
    const [source, namespace, repository, release, token] = args.positionals;
    if (!token) throw usageError('TOKEN must not be empty');
    const quayUrl = stringOption(args.values, 'quay-url');
    let config: ReturnType<typeof parseConfig>;
    try {
      config = parseConfig(quayUrl === undefined ? {} : { quay_url: quayUrl });
    } catch (error) {
      throw usageError(`--quay-url ${quayUrl}: ${(error as ConfigError).message}`);
    }

    const checked = checkBundle(await readBundle(source), { repository });
    await reportChecked(checked, stringOption(args.values, 'validation-output'));
    if (!checked.valid) return EXIT_REFUSED;

    const registry = new QuayRegistry({
      baseUrl: config.quayUrl,
      timeoutMs: config.requestTimeoutMs,
      packer: new QuayBundlePacker(zlibGzip),
      fetch: createNodeHttpFetch(),
    });
    await registry.push({
      organization: namespace,
      repository,
      version: release,
      bundle: checked.prepared.files,
      token,
    });
    process.stdout.write(`Pushed ${namespace}/${repository} release ${release} to ${config.quayUrl}\n`);
    return EXIT_OK;
  },
};
