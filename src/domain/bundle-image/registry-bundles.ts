/**
 * Package manifests → `registry+v1` bundles (SPEC §10), after policies and
 * validation: one bundle per CSV. `manifests/` holds the CSV (csv_annotations
 * applied), the CRDs it owns that the bundle defines and, in nested bundles,
 * the other manifests of its version folder; `metadata/annotations.yaml`
 * holds the six bundle annotations, which the image's labels repeat.
 */
import { PackageValidationError, type ValidationInfo } from '../errors.js';
import { byPath, type FileEntry } from '../files.js';
import { type BundleFile, isYamlPath, type Manifest } from '../manifest/identify.js';
import { annotatedCsvs, type LoadedBundle, pushedData } from '../manifest/index.js';
import { detectLayout } from '../manifest/layout.js';
import { emitYaml } from '../manifest/yaml-emit.js';
import { isRecord } from '../values.js';
import { channelsOf, packageChannels } from './channels.js';
import { isValidTag } from './image-name.js';

export const BUNDLE_ANNOTATION = {
  mediatype: 'operators.operatorframework.io.bundle.mediatype.v1',
  manifests: 'operators.operatorframework.io.bundle.manifests.v1',
  metadata: 'operators.operatorframework.io.bundle.metadata.v1',
  package: 'operators.operatorframework.io.bundle.package.v1',
  channels: 'operators.operatorframework.io.bundle.channels.v1',
  defaultChannel: 'operators.operatorframework.io.bundle.channel.default.v1',
} as const;

export interface RegistryBundle {
  /** The CSV's metadata.name. */
  readonly csvName: string;
  /** The CSV's spec.version: the image's tag. */
  readonly tag: string;
  /** `manifests/…` and `metadata/annotations.yaml`, sorted by path. */
  readonly files: readonly FileEntry[];
  /** The six bundle annotations (also the image config's labels). */
  readonly annotations: Readonly<Record<string, string>>;
}

export interface RegistryBundles {
  readonly bundles: readonly RegistryBundle[];
  /** The tag of the default channel's head, else of the last bundle: the answer's `version`. */
  readonly headTag: string;
  readonly warnings: readonly string[];
}

const encoder = new TextEncoder();

/** Throws PackageValidationError (validation_info) when a CSV cannot become an image. */
export function registryBundles(loaded: LoadedBundle): RegistryBundles {
  const layout = detectLayout(loaded.files);
  const groups: { csv: BundleFile; folder?: string }[] =
    layout.kind === 'flat'
      ? layout.csvs.map((csv) => ({ csv }))
      : layout.kind === 'nested'
        ? layout.versions.flatMap((v) => v.csvs.map((csv) => ({ csv, folder: v.name })))
        : [];
  const annotated = annotatedCsvs(loaded);
  const csvsByName = new Map<string, Manifest>();
  for (const { csv } of groups) {
    const name = csvName(csv);
    if (name !== undefined) csvsByName.set(name, csv.manifest!);
  }
  const crds = loaded.files.filter((f) => f.kind === 'crd' && isRecord(f.manifest?.metadata));
  const channels = packageChannels(loaded.packageFile.manifest, csvsByName);
  const defaultChannel = channels.defaultChannel ?? '';

  const errors: string[] = [];
  const warnings: string[] = [];
  const tags = new Map<string, string>();
  const bundles: RegistryBundle[] = [];
  for (const { csv, folder } of groups) {
    const name = csvName(csv) ?? csv.path;
    const tag = csvVersion(csv.manifest!);
    if (tag === undefined || !isValidTag(tag)) {
      errors.push(
        tag === undefined
          ? `CSV ${name} has no spec.version: its bundle image is tagged with it.`
          : `CSV ${name} has spec.version "${tag}", which is not a valid image tag.`,
      );
      continue;
    }
    const other = tags.get(tag);
    if (other !== undefined) {
      errors.push(
        `CSVs ${other} and ${name} have the same spec.version ${tag}: one image tag each is needed.`,
      );
      continue;
    }
    tags.set(tag, name);

    let csvChannels = channelsOf(name, channels);
    if (csvChannels.length === 0) {
      warnings.push(
        `CSV ${name} is not reachable from the head of any channel; its bundle is published in the default channel "${defaultChannel}".`,
      );
      csvChannels = [defaultChannel];
    }
    const annotations: Record<string, string> = {
      [BUNDLE_ANNOTATION.mediatype]: 'registry+v1',
      [BUNDLE_ANNOTATION.manifests]: 'manifests/',
      [BUNDLE_ANNOTATION.metadata]: 'metadata/',
      [BUNDLE_ANNOTATION.package]: loaded.packageName,
      [BUNDLE_ANNOTATION.channels]: csvChannels.join(','),
      [BUNDLE_ANNOTATION.defaultChannel]: defaultChannel,
    };
    const members = manifestsOf(csv, folder, loaded.files, crds);
    const files = manifestFiles(members, annotated);
    files.push({ path: 'metadata/annotations.yaml', data: encoder.encode(emitYaml({ annotations })) });
    files.sort(byPath);
    bundles.push({ csvName: name, tag, files, annotations });
  }
  if (errors.length > 0) {
    const info: ValidationInfo = { errors, warnings };
    throw new PackageValidationError(`Cannot make bundle images: ${errors[0]}`, info);
  }
  const head = headCsv(loaded.packageFile.manifest, defaultChannel);
  const headTag = bundles.find((b) => b.csvName === head)?.tag ?? bundles.at(-1)?.tag ?? '';
  return { bundles, headTag, warnings };
}

/** The CSV, then the owned CRDs the bundle defines, then (nested) the rest of its version folder. */
export function manifestsOf(
  csv: BundleFile,
  folder: string | undefined,
  files: readonly BundleFile[],
  crds: readonly BundleFile[],
): BundleFile[] {
  const owned = ownedCrdNames(csv.manifest!);
  const inFolder = folder === undefined ? [] : files.filter((f) => f.dir === folder && isYamlPath(f.path));
  // A CRD the version folder defines wins over one of the same name elsewhere.
  const ownedCrds = crds
    .filter((c) => owned.has((c.manifest!.metadata as Manifest).name as string))
    .sort((a, b) => Number(b.dir === folder) - Number(a.dir === folder));
  const members: BundleFile[] = [csv];
  const crdNames = new Set<string>();
  for (const crd of ownedCrds) {
    const crdName = (crd.manifest!.metadata as Manifest).name as string;
    if (crdNames.has(crdName)) continue;
    crdNames.add(crdName);
    members.push(crd);
  }
  for (const file of inFolder) {
    if (file.kind === 'csv' || members.includes(file)) continue;
    members.push(file);
  }
  return members;
}

/** `manifests/<file name>`; a name taken by an earlier member gets its folder as a prefix. */
function manifestFiles(members: readonly BundleFile[], annotated: Map<BundleFile, Manifest>): FileEntry[] {
  const used = new Set<string>();
  return members.map((file) => {
    let name = file.name;
    if (used.has(name)) name = `${file.dir.replaceAll('/', '-')}-${file.name}`;
    used.add(name);
    return { path: `manifests/${name}`, data: pushedData(file, annotated.get(file)) };
  });
}

function ownedCrdNames(csv: Manifest): Set<string> {
  const spec = csv.spec;
  const crds = isRecord(spec) ? spec.customresourcedefinitions : undefined;
  const owned = isRecord(crds) && Array.isArray(crds.owned) ? crds.owned : [];
  return new Set(owned.filter(isRecord).flatMap((o) => (typeof o.name === 'string' ? [o.name] : [])));
}

function csvName(csv: BundleFile): string | undefined {
  const metadata = csv.manifest?.metadata;
  return isRecord(metadata) && typeof metadata.name === 'string' ? metadata.name : undefined;
}

/** spec.version as written (a YAML number such as `1.0` reads as a number). */
function csvVersion(csv: Manifest): string | undefined {
  const spec = csv.spec;
  const version = isRecord(spec) ? spec.version : undefined;
  return typeof version === 'string' || typeof version === 'number' ? String(version) : undefined;
}

function headCsv(pkg: Manifest, channel: string): string | undefined {
  const channels = Array.isArray(pkg.channels) ? pkg.channels : [];
  const found = channels.find((c) => isRecord(c) && c.name === channel);
  return isRecord(found) && typeof found.currentCSV === 'string' ? found.currentCSV : undefined;
}
