/**
 * `omps catalog push DIR IMAGE [--plain-http]` (SPEC §11.1): the FBC folder
 * DIR, validated first (nothing is pushed when it is invalid), as the catalog
 * image of SPEC §11 — one deterministic `/configs` layer with the configs
 * label — pushed to IMAGE (`host[:port]/repository[:tag]`, tag `latest` by
 * default) through the service's own catalog adapter. Credentials from
 * OMPS_REGISTRY_AUTH: `user:password` is sent as Basic, anything else as a
 * Bearer token; none is anonymous.
 */
import { Buffer } from 'node:buffer';
import { createNodeHttpFetch } from '../../adapters/node-native/node-http-fetch.js';
import { zlibLayerCodec } from '../../adapters/node-native/zlib-layer-codec.js';
import { OciCatalogRegistry } from '../../adapters/oci/oci-catalog-registry.js';
import { loadConfig } from '../../domain/catalog/declcfg-load.js';
import { validateConfig } from '../../domain/catalog/validate.js';
import { parseImageReference } from '../../domain/catalog-image/image-reference.js';
import { CatalogValidationError } from '../../domain/errors.js';
import type { FileEntry } from '../../domain/files.js';
import { parseConfig } from '../config.js';
import { type Command, parseCommand } from './args.js';
import { CliError, EXIT_OK, EXIT_REFUSED, EXIT_USAGE, usageError } from './cli-error.js';
import { readBundle } from './files.js';

const usage = `Usage: omps catalog push DIR IMAGE [--plain-http]

Validate the File-Based Catalog in the folder DIR (as 'opm validate' does),
then push it as a catalog image to IMAGE (host[:port]/repository[:tag], tag
"latest" when left out): one layer holding DIR as /configs, with the label
operators.operatorframework.io.index.configs.v1=/configs, which OLM v1
ClusterCatalogs (and OLM v0 CatalogSources with extractContent) read.
Prints the pushed reference and its digest.

Environment:
  OMPS_REGISTRY_AUTH   "user:password" (sent as Basic) or a token (sent as Bearer)

Options:
  --plain-http         talk to the registry over http instead of https
  -h, --help           show this help

Exit status: 0 pushed, 1 invalid catalog or refused by the registry, 2 usage or I/O error.
`;

export const catalogCommand: Command = {
  name: 'catalog',
  usage,
  async run(argv) {
    const args = parseCommand(argv, {
      options: { 'plain-http': { type: 'boolean' } },
      positionals: ['SUBCOMMAND', 'DIR', 'IMAGE'] as const,
    });
    if (args.help) {
      process.stdout.write(usage);
      return EXIT_OK;
    }
    const [subcommand, dir, image] = args.positionals;
    if (subcommand !== 'push') throw usageError(`unknown subcommand '${subcommand}' (only 'push')`);
    const target = imageTarget(image);
    const files = await readBundle(dir);
    if (files.length === 0) throw new CliError(`${dir} holds no files`, EXIT_USAGE);
    try {
      validateCatalogFolder(files);
    } catch (error) {
      if (!(error instanceof CatalogValidationError)) throw error;
      for (const message of error.validationInfo.errors) process.stderr.write(`ERROR: ${message}\n`);
      process.stderr.write('The catalog is invalid; nothing was pushed.\n');
      return EXIT_REFUSED;
    }
    const registry = `${args.values['plain-http'] === true ? 'http' : 'https'}://${target.host}`;
    const catalogs = new OciCatalogRegistry({
      timeoutMs: parseConfig({}).requestTimeoutMs,
      codec: zlibLayerCodec,
      fetch: createNodeHttpFetch(),
    });
    const session = catalogs.session(registry, authorization(process.env.OMPS_REGISTRY_AUTH));
    const digest = await session.pushCatalog(target.repository, target.tag, files);
    process.stdout.write(`Pushed ${target.host}/${target.repository}:${target.tag}\nDigest: ${digest}\n`);
    return EXIT_OK;
  },
};

/**
 * SPEC §11.1: the folder is validated before anything is pushed, by
 * operator-registry's rules (`declcfg.LoadFS`, then the model's rules).
 * Throws CatalogValidationError naming each broken rule.
 */
export function validateCatalogFolder(files: readonly FileEntry[]): void {
  const errors = validateConfig(loadConfig(files));
  if (errors.length > 0)
    throw new CatalogValidationError('The catalog is invalid.', { errors, warnings: [] });
}

function imageTarget(image: string): { host: string; repository: string; tag: string } {
  const withTag = /:[^/]*$/.test(image.slice(image.indexOf('/') + 1)) ? image : `${image}:latest`;
  const ref = parseImageReference(withTag);
  if (typeof ref === 'string') throw usageError(`IMAGE ${image} is not host[:port]/repository[:tag]: ${ref}`);
  if (ref.digest) throw usageError(`IMAGE ${image} must name a tag, not a digest`);
  return { host: ref.host, repository: ref.repository, tag: ref.tag! };
}

/** OMPS_REGISTRY_AUTH as an Authorization value: `user:password` → Basic, a token → Bearer, none → anonymous. */
function authorization(value: string | undefined): string {
  if (!value) return '';
  return value.includes(':') ? `Basic ${Buffer.from(value).toString('base64')}` : `Bearer ${value}`;
}
