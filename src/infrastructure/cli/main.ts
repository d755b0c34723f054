#!/usr/bin/env node
/**
 * The `omps` command line: operator-courier's verify, nest, flatten and push
 * on the service's own engine and adapters, and a client for a running
 * service (publish). Exit status: 0 ok, 1 invalid or refused, 2 usage or I/O.
 */
import { OmpsError, PackageValidationError, UploadedFileError } from '../../domain/errors.js';
import { OPERATOR_COURIER_VERSION } from '../../domain/manifest/index.js';
import { runtimeProblem } from '../runtime.js';
import { SERVICE_VERSION } from '../version.js';
import type { Command } from './args.js';
import { CliError, EXIT_OK, EXIT_REFUSED, EXIT_USAGE } from './cli-error.js';
import {
  isMalformedYaml,
  isValidationInfo,
  printFindings,
  printMalformedYaml,
  printUpstreamAnswer,
} from './report.js';

interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  /** Loaded on use: a command pays only for the adapters it needs (start-up time). */
  readonly load: () => Promise<Command>;
}

const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'verify',
    summary: 'Build a bundle and check it for correctness',
    load: async () => (await import('./verify.js')).verifyCommand,
  },
  {
    name: 'nest',
    summary: 'Turn a flat bundle into version folders',
    load: async () => (await import('./nest.js')).nestCommand,
  },
  {
    name: 'flatten',
    summary: 'Turn a nested bundle into one flat folder',
    load: async () => (await import('./flatten.js')).flattenCommand,
  },
  {
    name: 'push',
    summary: 'Build, verify and push a bundle to a Quay app registry',
    load: async () => (await import('./push.js')).pushCommand,
  },
  {
    name: 'render',
    summary: 'Render bundle, package-manifests or FBC folders as File-Based Catalog blobs',
    load: async () => (await import('./render.js')).renderCommand,
  },
  {
    name: 'validate-catalog',
    summary: 'Check a File-Based Catalog folder as opm validate does',
    load: async () => (await import('./validate-catalog.js')).validateCatalogCommand,
  },
  {
    name: 'catalog',
    summary: 'Push a File-Based Catalog folder as a catalog image (catalog push)',
    load: async () => (await import('./catalog.js')).catalogCommand,
  },
  {
    name: 'publish',
    summary: 'Publish a bundle through a running OMPS service',
    load: async () => (await import('./publish.js')).publishCommand,
  },
];

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `Usage: omps <command> [arguments]

Check, reshape and publish Kubernetes operator manifest bundles with the rules
of the Operator Manifests Push Service (operator-courier ${OPERATOR_COURIER_VERSION} rules).

Commands:
${lines.join('\n')}

Options:
  -h, --help     show this help ('omps <command> --help' for a command's)
  -v, --version  show the versions
`;
}

export async function main(argv: readonly string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    (first === undefined ? process.stderr : process.stdout).write(help());
    return first === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (first === '-v' || first === '--version') {
    process.stdout.write(`omps ${SERVICE_VERSION} (operator-courier ${OPERATOR_COURIER_VERSION} rules)\n`);
    return EXIT_OK;
  }
  const entry = COMMANDS.find((c) => c.name === first);
  if (!entry) {
    process.stderr.write(`omps: unknown command '${first}'\n\n${help()}`);
    return EXIT_USAGE;
  }
  const problem = runtimeProblem();
  if (problem) {
    process.stderr.write(`omps: ${problem}\n`);
    return EXIT_USAGE;
  }
  try {
    return await (await entry.load()).run(rest);
  } catch (error) {
    return reportFailure(entry.name, error);
  }
}

function reportFailure(command: string, error: unknown): number {
  if (error instanceof CliError) {
    const hint = error.badArguments ? `\nRun 'omps ${command} --help' for usage.` : '';
    process.stderr.write(`omps ${command}: ${error.message}${hint}\n`);
    return error.exitCode;
  }
  if (error instanceof PackageValidationError) {
    if (isMalformedYaml(error.message, error.validationInfo)) printMalformedYaml(error.validationInfo);
    else if (isValidationInfo(error.validationInfo)) printFindings(error.validationInfo);
    else process.stderr.write(`ERROR: ${error.message}\n`);
    return EXIT_REFUSED;
  }
  if (error instanceof OmpsError) {
    process.stderr.write(`${error.id}: ${error.message}\n`);
    if (error.extra) printUpstreamAnswer(error.extra.field, error.extra.value);
    // A source that cannot be read as a zip is an input error, like an unreadable folder.
    return error instanceof UploadedFileError ? EXIT_USAGE : EXIT_REFUSED;
  }
  process.stderr.write(`omps ${command}: unexpected error: ${(error as Error)?.message ?? String(error)}\n`);
  return EXIT_USAGE;
}

process.exitCode = await main(process.argv.slice(2));
