/**
 * operator-courier's `nest` (nest.py, 2.1.11) on in-memory files: a flat
 * bundle becomes one folder per CSV `spec.version`, holding the CSV and the
 * CRDs it owns, beside `<packageName>.package.yaml`; an already nested bundle
 * keeps its package and version folders' CSVs and CRDs, nothing else.
 * Messages are courier's, missing spaces included.
 */
import type { FileEntry } from '../files.js';
import { unsafeSegmentReason } from '../path-segment.js';
import { withLiterals } from './flat-bundle.js';
import type { BundleFile } from './identify.js';
import { detectLayout, ignoredFolderWarning, NO_VALID_CSV_MESSAGE } from './layout.js';
import { load, refuse, type TransformedTree, tree } from './tree-transform.js';
import { get, has, type Obj } from './validation-log.js';
import { emitYaml } from './yaml-emit.js';

export const ALREADY_NESTED_WARNING = 'The source directory is already nested.';

const encoder = new TextEncoder();
const yamlFile = (path: string, value: unknown): FileEntry => ({
  path,
  data: encoder.encode(emitYaml(value)),
});
const copy = (file: BundleFile): FileEntry => ({ path: file.path, data: file.data });

/** The names nest turns into folders and files must each be one safe path segment. */
function unsafeName(what: string, name: string): string | undefined {
  const reason = unsafeSegmentReason(name);
  return reason && `The ${what}: ${JSON.stringify(name)} (${reason}).`;
}

export function nestBundle(files: readonly FileEntry[]): TransformedTree {
  const loaded = load(files);
  const layout = detectLayout(loaded.files);
  if (layout.kind === 'none') throw refuse([NO_VALID_CSV_MESSAGE]);

  if (layout.kind === 'nested') {
    const warnings = [...layout.ignoredFolders.map(ignoredFolderWarning), ALREADY_NESTED_WARNING];
    const kept = [loaded.packageFile, ...layout.versions.flatMap((v) => [...v.crds, ...v.csvs])];
    return { files: tree(kept.map(copy)), warnings };
  }

  const errors: string[] = [];
  const crds = new Map<unknown, Obj>();
  for (const file of layout.crds) {
    const name = get(get(file.manifest, 'metadata'), 'name');
    if (name === undefined) errors.push('CRD has no `metadata.name` field defined');
    else crds.set(name, file.manifest as Obj);
  }

  const pkg = loaded.packageFile.manifest;
  const out: FileEntry[] = [yamlFile(`${loaded.packageName}.package.yaml`, pkg)];
  for (const file of layout.csvs) {
    const csv = file.manifest as Obj;
    if (!has(csv, 'metadata')) {
      errors.push('CSV has no `metadata` field defined');
      continue;
    }
    if (!has(csv.metadata, 'name')) {
      errors.push('CSV has no `metadata.name` field defined');
      continue;
    }
    const csvName = String(csv.metadata.name);
    if (!has(csv, 'spec')) {
      errors.push(`CSV ${csvName} has no \`spec\` field defined`);
      continue;
    }
    if (!has(csv.spec, 'version')) {
      errors.push(`CSV ${csvName} has no \`spec.version\` field defined`);
      continue;
    }
    const folder = String(csv.spec.version);
    const unsafe =
      unsafeName('CSV name cannot name a file', csvName) ??
      unsafeName(`spec.version of CSV ${csvName} cannot name a folder`, folder);
    if (unsafe !== undefined) {
      errors.push(unsafe);
      continue;
    }
    out.push(yamlFile(`${folder}/${csvName}.clusterserviceversion.yaml`, withLiterals(csv)));

    const owned = get(get(csv.spec, 'customresourcedefinitions'), 'owned');
    for (const entry of Array.isArray(owned) ? owned : []) {
      if (!has(entry, 'name')) {
        errors.push(`CSV ${csvName} has an owned CRD without a \`name\`field defined`);
        continue;
      }
      const crd = crds.get(entry.name);
      const unsafeCrd =
        crd && unsafeName(`CRD owned by CSV ${csvName} cannot name a file`, String(entry.name));
      if (unsafeCrd) errors.push(unsafeCrd);
      else if (crd) out.push(yamlFile(`${folder}/${String(entry.name)}.crd.yaml`, crd));
      else errors.push(`CRD ${String(entry.name)} mentioned in CSV ${csvName} was not foundin directory.`);
    }
  }
  if (errors.length > 0) throw refuse(errors);
  return { files: tree(out), warnings: [] };
}
