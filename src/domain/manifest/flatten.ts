/**
 * operator-courier's `flatten` (flatten.py, 2.1.11) on in-memory files: from
 * a nested bundle, the package file, every CSV renamed `<name>-v<folder><ext>`
 * and, for each CRD (by `metadata.name`), the file from the folder whose CSV
 * has the highest `spec.version`. A bundle that is already flat is returned as
 * its root files. Courier kept the first folder's version when it replaced a
 * CRD, so its choice depended on directory order; here it is always the latest.
 */
import type { FileEntry } from '../files.js';
import type { BundleFile } from './identify.js';
import { detectLayout, ignoredFolderWarning, NO_VALID_CSV_MESSAGE } from './layout.js';
import { compareSemver } from './semver.js';
import { load, refuse, type TransformedTree, tree } from './tree-transform.js';
import { get, has } from './validation-log.js';

export function flattenBundle(files: readonly FileEntry[]): TransformedTree {
  const loaded = load(files);
  const layout = detectLayout(loaded.files);
  if (layout.kind === 'none') throw refuse([NO_VALID_CSV_MESSAGE]);
  if (layout.kind === 'flat')
    return { files: tree(files.filter((f) => !f.path.includes('/'))), warnings: [] };

  const latestCrd = new Map<unknown, { version: unknown; file: BundleFile }>();
  const csvs: FileEntry[] = [];
  for (const folder of layout.versions) {
    const first = folder.csvs[0] as BundleFile;
    const spec = get(first.manifest, 'spec');
    if (!has(spec, 'version')) {
      throw refuse([`${first.name} is not a valid CSV file as "spec.version" field is required`]);
    }
    const version = spec.version;
    for (const crd of folder.crds) {
      const name = get(get(crd.manifest, 'metadata'), 'name');
      if (name === undefined) {
        throw refuse([`${crd.name} is not a valid CRD file as "metadata.name" field is required`]);
      }
      const seen = latestCrd.get(name);
      if (!seen || newer(version, seen.version)) latestCrd.set(name, { version, file: crd });
    }
    for (const csv of folder.csvs) {
      const dot = csv.name.lastIndexOf('.');
      const [stem, ext] = dot > 0 ? [csv.name.slice(0, dot), csv.name.slice(dot)] : [csv.name, ''];
      csvs.push({ path: `${stem}-v${folder.name}${ext}`, data: csv.data });
    }
  }

  const pkg = loaded.packageFile;
  const out: FileEntry[] = [
    { path: pkg.name, data: pkg.data },
    ...[...latestCrd.values()].map(({ file }) => ({ path: file.name, data: file.data })),
    ...csvs,
  ];
  return { files: tree(out), warnings: layout.ignoredFolders.map(ignoredFolderWarning) };
}

function newer(version: unknown, than: unknown): boolean {
  const order = compareSemver(version, than);
  if (order === undefined) {
    const bad = compareSemver(version, version) === undefined ? version : than;
    throw refuse([`${String(bad)} is not valid SemVer string`]);
  }
  return order > 0;
}
