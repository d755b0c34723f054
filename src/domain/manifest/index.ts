/**
 * The manifest bundle engine (SPEC §6), in two steps so the use case can pick
 * the release version between them:
 *   loadBundle    — identify files, find the package at the root, apply the
 *                   package-name suffix (and replace_registry), parse once;
 *   prepareBundle — csv_annotations, validate (operator-courier 2.1.11 rules),
 *                   build the push-ready files.
 */
import { PackageValidationError, type ValidationInfo } from '../errors.js';
import type { FileEntry } from '../files.js';
import type { CsvAnnotation, OrganizationPolicy } from '../organization-policy.js';
import { COURIER_FAILED, INVALID_BUNDLE, NO_PACKAGE_NAME } from '../original-messages.js';
import { unsafeSegmentReason } from '../path-segment.js';
import { type TextCodec, webTextCodec } from '../text-codec.js';
import { flatBundleParts, withLiterals } from './flat-bundle.js';
import { type BundleFile, identifyFiles, type Manifest } from './identify.js';
import { detectLayout, ignoredFolderWarning, type Layout, NO_VALID_CSV_MESSAGE } from './layout.js';
import { annotateCsv, rewritePackageName, withSuffix } from './policies.js';
import { NO_PACKAGES, validateBundle } from './validate.js';
import { emitYamlParts } from './yaml-emit.js';

/** The operator-courier release whose bundle format and validation rules this engine implements. */
export const OPERATOR_COURIER_VERSION = '2.1.11';

export interface LoadedBundle {
  /** packageName after the organization's suffix. */
  readonly packageName: string;
  /** The identified files (YAML parsed once, replace_registry applied), in upload order, dropped files excluded. */
  readonly files: readonly BundleFile[];
  /** The root package file, its packageName already suffixed (object and bytes). */
  readonly packageFile: BundleFile & { readonly manifest: Manifest };
  readonly csvAnnotations: readonly CsvAnnotation[];
  /** How its files were decoded and how what is pushed is encoded. */
  readonly codec: TextCodec;
}

export interface PreparedBundle {
  readonly layout: 'flat' | 'nested';
  /** What is pushed: `bundle.yaml` (flat) or the tree (nested), paths relative to the bundle root. */
  readonly files: FileEntry[];
  readonly validationInfo: ValidationInfo;
}

/** Files never pushed, wherever they are (build-system metadata). */
const DROPPED_NAMES: ReadonlySet<string> = new Set(['art.yaml', 'image-references']);

/**
 * Throws PackageValidationError (bad YAML naming the file, no package file, no packageName).
 * `codec`: UTF-8 both ways (Node passes a native one).
 */
export function loadBundle(
  files: readonly FileEntry[],
  policy: OrganizationPolicy,
  codec: TextCodec = webTextCodec,
): LoadedBundle {
  // Dropped files are never parsed, bundled or pushed (operator-courier never saw them).
  const kept = files.filter((f) => !DROPPED_NAMES.has(f.path.slice(f.path.lastIndexOf('/') + 1)));
  const identified = identifyFiles(kept, policy.replaceRegistry, codec);
  const packages = identified.filter((f) => f.kind === 'package' && f.dir === '');
  if (packages.length === 0) {
    // The original OMPS refuses before validating; validating anyway tells the caller everything at once.
    const info = validateLayout(detectLayout(identified), undefined, {});
    const others = info.errors.length - 1;
    const more = others > 0 ? ` (and ${others} more)` : '';
    throw new PackageValidationError(`${NO_PACKAGE_NAME} ${NO_PACKAGES}${more}`, info);
  }
  if (packages.length > 1) {
    const message = 'Only 1 package is expected to exist in source root folder.';
    throw new PackageValidationError(`${COURIER_FAILED} ${message}`, { errors: [message], warnings: [] });
  }
  const original = packages[0] as BundleFile & { manifest: Manifest; text: string };
  const name = original.manifest.packageName;
  if (typeof name !== 'string' || name.trim() === '') {
    const message = `${NO_PACKAGE_NAME} The package file "${original.path}" must define packageName as a non-empty string.`;
    throw new PackageValidationError(message, { errors: [message], warnings: [] });
  }

  const packageName = withSuffix(name, policy.packageNameSuffix);
  // The name becomes a folder and a URL segment downstream: a bad one is the bundle's fault, not ours.
  const unsafe = unsafeSegmentReason(packageName);
  if (unsafe !== undefined) {
    const message = `The packageName ${JSON.stringify(packageName)} cannot name a repository: ${unsafe}.`;
    throw new PackageValidationError(message, { errors: [message], warnings: [] });
  }
  let packageFile = original;
  if (packageName !== name) {
    const text = rewritePackageName(original.path, original.text, packageName);
    const manifest = { ...original.manifest, packageName };
    packageFile = { ...original, text, manifest, data: codec.encode(text) };
  }
  return {
    packageName,
    files: identified.map((f) => (f === original ? packageFile : f)),
    packageFile,
    csvAnnotations: policy.csvAnnotations,
    codec,
  };
}

/**
 * Throws PackageValidationError with the full validation_info when the bundle
 * has errors. `repository` (v1) must equal the package name.
 */
export function prepareBundle(
  loaded: LoadedBundle,
  options: { repository?: string; uiValidateIo?: boolean },
): PreparedBundle {
  const { packageFile } = loaded;

  const csvOf = annotatedCsvs(loaded);
  const csv = (file: BundleFile) => csvOf.get(file) as Manifest;
  const crd = (file: BundleFile) => file.manifest as Manifest;

  const layout = detectLayout(loaded.files);
  if (layout.kind === 'none') {
    throw new PackageValidationError(`${COURIER_FAILED} ${NO_VALID_CSV_MESSAGE}`, {
      errors: [NO_VALID_CSV_MESSAGE],
      warnings: [],
    });
  }

  const validationInfo = validateLayout(layout, packageFile.manifest, options, csv);
  if (validationInfo.errors.length > 0) throw invalidBundle(validationInfo);

  if (layout.kind === 'flat') {
    const parts = flatBundleParts({
      crds: layout.crds.map(crd),
      csvs: layout.csvs.map(csv),
      packages: [packageFile.manifest],
    });
    return {
      layout: 'flat',
      files: [{ path: 'bundle.yaml', data: loaded.codec.encodeParts(parts) }],
      validationInfo,
    };
  }

  const files = loaded.files.map((file) => ({
    path: file.path,
    data: pushedData(file, csvOf.get(file), loaded.codec),
  }));
  return { layout: 'nested', files, validationInfo };
}

/** csv_annotations applied: an annotated copy of every CSV, by file; the loaded objects stay untouched. */
export function annotatedCsvs(loaded: LoadedBundle): Map<BundleFile, Manifest> {
  const csvOf = new Map<BundleFile, Manifest>();
  for (const file of loaded.files) {
    if (file.kind === 'csv' && file.manifest) {
      csvOf.set(file, annotateCsv(file.manifest, loaded.csvAnnotations, loaded.packageName));
    }
  }
  return csvOf;
}

/** The bytes pushed for a file: an annotated CSV is re-emitted (comments are not kept; long lines never fold). */
export function pushedData(
  file: BundleFile,
  annotated: Manifest | undefined,
  codec: TextCodec = webTextCodec,
): Uint8Array {
  return annotated && annotated !== file.manifest
    ? codec.encodeParts(emitYamlParts(withLiterals(annotated)))
    : file.data;
}

/** operator-courier's rules over a layout; `pkg` is absent when the bundle has no package file. */
function validateLayout(
  layout: Layout,
  pkg: Manifest | undefined,
  options: { repository?: string; uiValidateIo?: boolean },
  csv: (file: BundleFile) => Manifest = (file) => file.manifest as Manifest,
): ValidationInfo {
  const crd = (file: BundleFile) => file.manifest as Manifest;
  const { repository, uiValidateIo } = options;
  switch (layout.kind) {
    case 'none':
      return validateBundle({ pkg, sets: [{ csvs: [], crds: [] }], nested: false, repository });
    case 'flat':
      return validateBundle({
        pkg,
        sets: [{ csvs: layout.csvs.map(csv), crds: layout.crds.map(crd) }],
        nested: false,
        repository,
        uiValidateIo,
      });
    case 'nested':
      return validateBundle({
        pkg,
        sets: layout.versions.map((v) => ({ csvs: v.csvs.map(csv), crds: v.crds.map(crd) })),
        nested: true,
        repository,
        uiValidateIo,
        warnings: layout.ignoredFolders.map(ignoredFolderWarning),
      });
  }
}

/** The original OMPS's message (operator-courier's, prefixed), then the first error and a count. */
function invalidBundle(info: ValidationInfo): PackageValidationError {
  const [first, ...rest] = info.errors;
  const more = rest.length > 0 ? ` (and ${rest.length} more)` : '';
  return new PackageValidationError(`${INVALID_BUNDLE} ${first}${more}`, info);
}
