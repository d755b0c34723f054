/**
 * A nested operator with several versions, for bundle-image tests: version
 * folders `<v>/` each holding `widget.v<v>.clusterserviceversion.yaml` (a
 * replaces chain, oldest first) and the CRD, plus the package file.
 */
import type { FileEntry } from '../../src/domain/files.js';
import { aCrd, aCsv, aPackage, filesOf, type Obj, withValue } from './manifest-builders.js';

export const csvNameOf = (version: string) => `widget-operator.v${version}`;

export function versionCsv(version: string, replaces?: string, extra: Obj = {}): Obj {
  let csv = withValue(aCsv(), 'metadata.name', csvNameOf(version));
  csv = withValue(csv, 'spec.version', version);
  if (replaces) csv = withValue(csv, 'spec.replaces', csvNameOf(replaces));
  for (const [path, value] of Object.entries(extra)) csv = withValue(csv, path, value);
  return csv;
}

/** `versions` oldest first, each replacing the one before; one channel `stable` on the newest unless given. */
export function nestedOperator(
  versions: readonly string[],
  options: { channels?: Obj[]; defaultChannel?: string; extra?: Record<string, Obj | string> } = {},
): FileEntry[] {
  const files: Record<string, Obj | string> = {
    'widget.package.yaml': aPackage({
      channels: options.channels ?? [{ name: 'stable', currentCSV: csvNameOf(versions.at(-1)!) }],
      defaultChannel: options.defaultChannel ?? 'stable',
    }),
  };
  versions.forEach((version, i) => {
    files[`${version}/widget.v${version}.clusterserviceversion.yaml`] = versionCsv(version, versions[i - 1]);
    files[`${version}/widgets.crd.yaml`] = aCrd();
  });
  return filesOf({ ...files, ...options.extra });
}
