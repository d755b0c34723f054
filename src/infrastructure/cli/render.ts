/**
 * `omps render`: `opm render` for local folders (SPEC §11.1). Each PATH is a
 * registry+v1 bundle folder (`manifests/` and `metadata/`, as opm tells
 * one), else a package-manifests folder (a package file at its root), else an
 * FBC folder, printed again (with opm render's finish: bundle objects last,
 * relatedImages sorted, the migration). Everything is read and rendered before anything
 * is printed, so a PATH that cannot be rendered leaves stdout empty.
 */
import { readdir } from 'node:fs/promises';
import { loadConfig } from '../../domain/catalog/declcfg-load.js';
import { writeJson, writeYaml } from '../../domain/catalog/declcfg-write.js';
import { type DeclarativeConfig, emptyConfig } from '../../domain/catalog/fbc.js';
import { type ImageRefTemplate, parseImageRefTemplate } from '../../domain/catalog/image-ref-template.js';
import {
  buildBundle,
  CSV_METADATA_MIGRATION,
  imageRefFacts,
  type MigrateLevel,
  RenderError,
  readBundle as readBundleFiles,
} from '../../domain/catalog/render-bundle.js';
import { finishRendered } from '../../domain/catalog/render-config.js';
import { renderPackageManifests } from '../../domain/catalog/render-package-manifests.js';
import { OmpsError } from '../../domain/errors.js';
import type { FileEntry } from '../../domain/files.js';
import { type Command, parseCommand, stringOption } from './args.js';
import { CliError, EXIT_OK, EXIT_REFUSED, EXIT_USAGE, usageError } from './cli-error.js';
import { readBundle } from './files.js';

const usage = `Usage: omps render PATH... [--output json|yaml] [--image-ref-template TEMPLATE]
                   [--migrate-level bundle-object-to-csv-metadata]

Render operator folders as File-Based Catalog blobs on stdout, as 'opm render'
does. Each PATH is a registry+v1 bundle folder (manifests/ and metadata/), a
package-manifests folder (a package file with packageName and channels, and
version folders or flat CSVs and CRDs), or an FBC folder (printed again).

Options:
  -o, --output json|yaml         json: one JSON object per blob (default);
                                 yaml: documents separated by '---'
  --image-ref-template TEMPLATE  each bundle's image, from {{.Package}},
                                 {{.Name}} and {{.Version}}, e.g.
                                 quay.io/org/{{.Package}}-bundle:v{{.Version}}
                                 (without it, image is "")
  --migrate-level LEVEL          bundle-object-to-csv-metadata (or all): one
                                 olm.csv.metadata instead of olm.bundle.object
                                 properties, for bundles with an image; none
  -h, --help                     show this help

Exit status: 0 rendered, 1 a PATH cannot be rendered, 2 usage or I/O error.
`;

const MIGRATE_LEVELS: Readonly<Record<string, MigrateLevel | undefined>> = {
  none: undefined,
  [CSV_METADATA_MIGRATION]: CSV_METADATA_MIGRATION,
  all: CSV_METADATA_MIGRATION,
};

interface RenderSettings {
  readonly imageRefTemplate?: ImageRefTemplate;
  readonly migrateLevel?: MigrateLevel;
}

export const renderCommand: Command = {
  name: 'render',
  usage,
  async run(argv) {
    const args = parseCommand(argv, {
      options: {
        output: { type: 'string', short: 'o' },
        'image-ref-template': { type: 'string' },
        'migrate-level': { type: 'string' },
      },
      positionals: ['PATH'] as const,
      variadic: true,
    });
    if (args.help) {
      process.stdout.write(usage);
      return EXIT_OK;
    }
    const output = stringOption(args.values, 'output') ?? 'json';
    if (output !== 'json' && output !== 'yaml')
      throw usageError(`--output must be json or yaml, not '${output}'`);
    const settings = renderSettings(args.values);

    const combined = emptyConfig();
    for (const path of [...args.positionals, ...args.rest]) {
      const config = await renderPath(path, settings);
      combined.packages.push(...config.packages);
      combined.channels.push(...config.channels);
      combined.bundles.push(...config.bundles);
      combined.others.push(...config.others);
    }
    process.stdout.write(output === 'json' ? writeJson(combined) : writeYaml(combined));
    return EXIT_OK;
  },
};

function renderSettings(values: Record<string, string | boolean | undefined>): RenderSettings {
  const level = stringOption(values, 'migrate-level');
  if (level !== undefined && !Object.hasOwn(MIGRATE_LEVELS, level)) {
    throw usageError(`unknown --migrate-level '${level}' (known: ${Object.keys(MIGRATE_LEVELS).join(', ')})`);
  }
  const migrateLevel = level === undefined ? undefined : MIGRATE_LEVELS[level];
  const template = stringOption(values, 'image-ref-template');
  let imageRefTemplate: ImageRefTemplate | undefined;
  if (template !== undefined) {
    try {
      imageRefTemplate = parseImageRefTemplate(template);
    } catch (error) {
      throw usageError((error as Error).message);
    }
  }
  return { ...(imageRefTemplate ? { imageRefTemplate } : {}), ...(migrateLevel ? { migrateLevel } : {}) };
}

async function renderPath(path: string, settings: RenderSettings): Promise<DeclarativeConfig> {
  const bundleFolder = await isBundleFolder(path);
  const files = await readBundle(path);
  try {
    if (bundleFolder) return renderBundleFolder(files, settings);
    if (hasPackageFile(files)) return renderPackageManifests(files, settings);
    const config = loadConfig(files);
    const blobs =
      config.packages.length + config.channels.length + config.bundles.length + config.others.length;
    if (blobs === 0) {
      throw new RenderError(
        'neither a bundle (manifests/ and metadata/), a package-manifests folder (a package file) nor a catalog (FBC blobs)',
      );
    }
    return finishRendered(config, settings.migrateLevel);
  } catch (error) {
    if (error instanceof RenderError || error instanceof OmpsError) {
      throw new CliError(`${path}: ${error.message}`, EXIT_REFUSED);
    }
    throw error;
  }
}

function renderBundleFolder(files: readonly FileEntry[], settings: RenderSettings): DeclarativeConfig {
  const parsed = readBundleFiles(files);
  const image = settings.imageRefTemplate ? settings.imageRefTemplate(imageRefFacts(parsed)) : '';
  const migrateLevel = settings.migrateLevel ? { migrateLevel: settings.migrateLevel } : {};
  const { bundle } = buildBundle(parsed, { image, ...migrateLevel });
  return { ...emptyConfig(), bundles: [bundle] };
}

/** opm's test: the folder has both a `manifests` and a `metadata` sub-folder. */
async function isBundleFolder(path: string): Promise<boolean> {
  try {
    const folders = new Set(
      (await readdir(path, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name),
    );
    return folders.has('manifests') && folders.has('metadata');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === 'ENOENT'
        ? 'no such file or directory'
        : code === 'ENOTDIR'
          ? 'not a folder'
          : (error as Error).message;
    throw new CliError(`cannot read ${path}: ${reason}`, EXIT_USAGE);
  }
}

/** A YAML file at the root with a top-level `packageName` (FBC files never have one at the top). */
function hasPackageFile(files: readonly FileEntry[]): boolean {
  const decoder = new TextDecoder();
  return files.some(
    (f) =>
      !f.path.includes('/') && /\.ya?ml$/i.test(f.path) && /^packageName\s*:/m.test(decoder.decode(f.data)),
  );
}
