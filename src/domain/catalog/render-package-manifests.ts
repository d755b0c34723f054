/**
 * A package-manifests folder (the App Registry format: a package file with
 * `packageName`, `channels[{name, currentCSV}]`, `defaultChannel`, and version
 * folders or flat CSVs + CRDs) → the whole package as FBC blobs (SPEC §11.1):
 *
 * - `olm.package`: `defaultChannel` (or the only channel), icon and
 *   description from the default channel's head CSV;
 * - one `olm.channel` per channel: its `currentCSV` and every CSV reachable
 *   from it through `spec.replaces` / `spec.skips` (operator-registry's
 *   `DirGraphLoader`), each entry with its `replaces`, `skips` and `skipRange`;
 * - one `olm.bundle` per CSV, rendered by `buildBundle` from the manifests our
 *   bundle images would hold (the CSV, the CRDs it owns, the rest of its
 *   version folder) with the package and the channels it is in as its
 *   annotations; `image` from the template, else "".
 *
 * Blobs in opm's order (`declcfg.ConvertFromModel`): channels and bundles
 * sorted by name, entries sorted by name. Refused (RenderError): no package
 * file, a `currentCSV` with no CSV, a version folder without exactly one CSV,
 * two CSVs with one name.
 */
import { manifestsOf } from '../bundle-image/registry-bundles.js';
import { PackageValidationError } from '../errors.js';
import type { FileEntry } from '../files.js';
import { type BundleFile, identifyFiles, type Manifest } from '../manifest/identify.js';
import { detectLayout } from '../manifest/layout.js';
import { webTextCodec } from '../text-codec.js';
import { isRecord } from '../values.js';
import { compareStrings } from './declcfg-write.js';
import type { ChannelEntry, DeclarativeConfig, FbcBundle, FbcChannel, FbcPackage } from './fbc.js';
import type { ImageRefTemplate } from './image-ref-template.js';
import { KUBE_YAML_SCHEMA } from './kube-yaml.js';
import {
  type BundleManifest,
  buildBundle,
  goString,
  imageRefFacts,
  type MigrateLevel,
  type ParsedBundle,
} from './render-bundle.js';
import { RenderError, yamlReason } from './render-error.js';

export interface PackageManifestsOptions {
  readonly imageRefTemplate?: ImageRefTemplate;
  readonly migrateLevel?: MigrateLevel;
}

interface PackageChannel {
  readonly name: string;
  readonly currentCSV: string;
}

interface Csv {
  readonly name: string;
  readonly file: BundleFile;
  /** The version folder ('' in a flat layout). */
  readonly folder?: string;
}

/** `files`: the folder's files, paths relative to it. Throws RenderError. */
export function renderPackageManifests(
  files: readonly FileEntry[],
  options: PackageManifestsOptions = {},
): DeclarativeConfig {
  const identified = identify(files);
  const pkg = packageFile(identified);
  const csvs = csvsOf(identified);
  const byName = new Map<string, Csv>();
  for (const csv of csvs) {
    const other = byName.get(csv.name);
    if (other) {
      throw new RenderError(`Two CSVs are named ${csv.name}: ${other.file.path} and ${csv.file.path}.`);
    }
    byName.set(csv.name, csv);
  }

  const channels = pkg.channels.map((channel): FbcChannel => {
    if (!byName.has(channel.currentCSV)) {
      throw new RenderError(
        `The channel ${channel.name} has currentCSV ${channel.currentCSV}, but no CSV has that name.`,
      );
    }
    const entries = reachable(channel.currentCSV, byName).map((name) =>
      entryOf(byName.get(name)!.file.manifest!),
    );
    entries.sort((a, b) => compareStrings(a.name, b.name));
    return { schema: 'olm.channel', name: channel.name, package: pkg.packageName, entries };
  });
  channels.sort((a, b) => compareStrings(a.name, b.name));

  const defaultChannel = pkg.defaultChannel || (pkg.channels.length === 1 ? pkg.channels[0]!.name : '');
  const channelsOf = (name: string) =>
    channels.filter((c) => c.entries.some((e) => e.name === name)).map((c) => c.name);
  const crds = identified.filter((f) => f.kind === 'crd' && isRecord(f.manifest?.metadata));
  const rendered = new Map(
    csvs.map((csv) => {
      const parsed: ParsedBundle = {
        manifests: bundleManifests(csv, identified, crds),
        csv: csv.file.manifest!,
        annotations: { package: pkg.packageName, channels: channelsOf(csv.name).join(','), defaultChannel },
        properties: [],
        dependencies: [],
      };
      const image = options.imageRefTemplate ? options.imageRefTemplate(imageRefFacts(parsed)) : '';
      const migrateLevel = options.migrateLevel ? { migrateLevel: options.migrateLevel } : {};
      return [csv.name, buildBundle(parsed, { image, ...migrateLevel })];
    }),
  );

  const packageBlob: FbcPackage = { schema: 'olm.package', name: pkg.packageName };
  if (defaultChannel !== '') packageBlob.defaultChannel = defaultChannel;
  const head = pkg.channels.find((c) => c.name === defaultChannel)?.currentCSV;
  const headBundle = head === undefined ? undefined : rendered.get(head);
  if (headBundle?.icon) packageBlob.icon = headBundle.icon;
  if (headBundle?.description) packageBlob.description = headBundle.description;

  const bundles: FbcBundle[] = [...rendered.values()].map((r) => r.bundle);
  bundles.sort((a, b) => compareStrings(a.name, b.name));
  return { packages: [packageBlob], channels, bundles, others: [] };
}

function identify(files: readonly FileEntry[]): BundleFile[] {
  try {
    return identifyFiles(files, [], webTextCodec, KUBE_YAML_SCHEMA);
  } catch (error) {
    if (error instanceof PackageValidationError) throw new RenderError(yamlReason(error), { cause: error });
    throw error;
  }
}

/** The first file at the root (by name) with a packageName, decoded as opm's PackageManifest. */
function packageFile(files: readonly BundleFile[]): {
  packageName: string;
  channels: PackageChannel[];
  defaultChannel: string;
} {
  const candidates = files
    .filter((f) => f.dir === '' && f.kind === 'package')
    .sort((a, b) => compareStrings(a.name, b.name));
  const found = candidates.find(
    (f) => typeof f.manifest?.packageName === 'string' && f.manifest.packageName !== '',
  );
  if (!found)
    throw new RenderError('The folder has no package file (a YAML file with packageName) at its root.');
  const pkg = found.manifest!;
  const bad = (what: string) => new RenderError(`The package file ${found.path}: ${what}.`);
  const defaultChannel = goString(pkg.defaultChannel);
  if (defaultChannel === undefined) throw bad('defaultChannel must be a string');
  if (!Array.isArray(pkg.channels) || pkg.channels.length === 0)
    throw bad('channels must list at least one channel');
  const channels = pkg.channels.map((c, i): PackageChannel => {
    const name = isRecord(c) ? goString(c.name) : undefined;
    const currentCSV = isRecord(c) ? goString(c.currentCSV) : undefined;
    if (!name || currentCSV === undefined) throw bad(`channels[${i}] must have a name and a currentCSV`);
    return { name, currentCSV };
  });
  const seen = new Set<string>();
  for (const { name } of channels) {
    if (seen.has(name)) throw bad(`the channel ${name} is listed twice`);
    seen.add(name);
  }
  return { packageName: pkg.packageName as string, channels, defaultChannel };
}

/** The CSVs of the flat or nested layout; every version folder must hold exactly one. */
function csvsOf(files: readonly BundleFile[]): Csv[] {
  const layout = detectLayout(files);
  const named = (file: BundleFile, folder?: string): Csv => {
    const metadata = file.manifest?.metadata;
    const name = isRecord(metadata) ? metadata.name : undefined;
    if (typeof name !== 'string' || name === '')
      throw new RenderError(`The CSV ${file.path} has no metadata.name.`);
    return folder === undefined ? { name, file } : { name, file, folder };
  };
  switch (layout.kind) {
    case 'none':
      throw new RenderError('The folder holds no ClusterServiceVersion, at its root or in version folders.');
    case 'flat':
      return layout.csvs.map((f) => named(f));
    case 'nested': {
      const [empty] = layout.ignoredFolders;
      if (empty !== undefined)
        throw new RenderError(`The version folder ${empty} holds no ClusterServiceVersion.`);
      return layout.versions.map((v) => {
        if (v.csvs.length > 1) {
          throw new RenderError(`The version folder ${v.name} holds more than one ClusterServiceVersion.`);
        }
        return named(v.csvs[0]!, v.name);
      });
    }
  }
}

/** The head and every CSV reachable from it by spec.replaces / spec.skips (names of existing CSVs only). */
function reachable(head: string, csvs: ReadonlyMap<string, Csv>): string[] {
  const seen = new Set<string>([head]);
  const queue = [head];
  while (queue.length > 0) {
    const spec = csvs.get(queue.pop()!)?.file.manifest?.spec;
    if (!isRecord(spec)) continue;
    for (const next of [spec.replaces, ...(Array.isArray(spec.skips) ? spec.skips : [])]) {
      if (typeof next !== 'string' || seen.has(next) || !csvs.has(next)) continue;
      seen.add(next);
      queue.push(next);
    }
  }
  return [...seen];
}

function entryOf(csv: Manifest): ChannelEntry {
  const metadata = isRecord(csv.metadata) ? csv.metadata : {};
  const spec = isRecord(csv.spec) ? csv.spec : {};
  const entry: ChannelEntry = { name: metadata.name as string };
  if (typeof spec.replaces === 'string' && spec.replaces !== '') entry.replaces = spec.replaces;
  const skips = Array.isArray(spec.skips) ? spec.skips.filter((s): s is string => typeof s === 'string') : [];
  if (skips.length > 0) entry.skips = skips;
  const annotations = isRecord(metadata.annotations) ? metadata.annotations : {};
  const skipRange = annotations['olm.skipRange'];
  if (typeof skipRange === 'string' && skipRange !== '') entry.skipRange = skipRange;
  return entry;
}

/** What our bundle image of this CSV holds (registry-bundles' rule), named as in its manifests/ folder. */
function bundleManifests(
  csv: Csv,
  files: readonly BundleFile[],
  crds: readonly BundleFile[],
): BundleManifest[] {
  const used = new Set<string>();
  const out: BundleManifest[] = [];
  for (const file of manifestsOf(csv.file, csv.folder, files, crds)) {
    let name = file.name;
    if (used.has(name)) name = `${file.dir.replaceAll('/', '-')}-${file.name}`;
    used.add(name);
    const object = file.manifest;
    if (!object || typeof object.kind !== 'string' || object.kind === '') continue;
    out.push({ file: name, object });
  }
  return out.sort((a, b) => compareStrings(a.file, b.file));
}
