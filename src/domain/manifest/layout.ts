/**
 * Flat or nested (SPEC §6). Nested when at least one direct sub-folder of the
 * root holds a CSV directly; each such folder is one version of the operator.
 */
import type { BundleFile } from './identify.js';

export interface VersionFolder {
  readonly name: string;
  readonly csvs: readonly BundleFile[];
  readonly crds: readonly BundleFile[];
}

export type Layout =
  | { readonly kind: 'flat'; readonly csvs: readonly BundleFile[]; readonly crds: readonly BundleFile[] }
  | {
      readonly kind: 'nested';
      readonly versions: readonly VersionFolder[];
      readonly ignoredFolders: readonly string[];
    }
  | { readonly kind: 'none' };

/** operator-courier's message when neither layout applies (its missing space included). */
export const NO_VALID_CSV_MESSAGE =
  'The source directory structure is not in valid flat or nested format,because no valid CSV file is found in root or manifest directories.';

export function ignoredFolderWarning(folder: string): string {
  return `Ignoring folder "${folder}" as it is not a valid manifest folder`;
}

export function detectLayout(files: readonly BundleFile[]): Layout {
  const rootCsvs: BundleFile[] = [];
  const rootCrds: BundleFile[] = [];
  /** Direct sub-folders of the root, in first-seen order, with the manifests directly inside them. */
  const folders = new Map<string, { csvs: BundleFile[]; crds: BundleFile[] }>();

  for (const file of files) {
    const slash = file.path.indexOf('/');
    const top = slash < 0 ? '' : file.path.slice(0, slash);
    if (top !== '' && !folders.has(top)) folders.set(top, { csvs: [], crds: [] });
    const bucket =
      file.dir === '' ? { csvs: rootCsvs, crds: rootCrds } : file.dir === top ? folders.get(top) : undefined;
    if (!bucket) continue;
    if (file.kind === 'csv') bucket.csvs.push(file);
    else if (file.kind === 'crd') bucket.crds.push(file);
  }

  const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  const names = [...folders.keys()].sort(byName);
  const versions: VersionFolder[] = [];
  const ignoredFolders: string[] = [];
  for (const name of names) {
    const folder = folders.get(name)!;
    if (folder.csvs.length > 0) versions.push({ name, csvs: folder.csvs, crds: folder.crds });
    else ignoredFolders.push(name);
  }
  if (versions.length > 0) return { kind: 'nested', versions, ignoredFolders };
  if (rootCsvs.length > 0) return { kind: 'flat', csvs: rootCsvs, crds: rootCrds };
  return { kind: 'none' };
}
