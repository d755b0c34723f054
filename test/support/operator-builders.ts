/**
 * More object mothers, for the command line's operator-courier cases: a CSV
 * that passes the operatorhub.io UI checks with no warning, and a small
 * multi-version operator ("gizmo": CRDs gears, cogs, levers) to nest and flatten.
 */
import { aCsv, type Obj, withValue } from './manifest-builders.js';

/** aCsv() plus every field the operatorhub.io UI checks ask for, all well-formed. */
export function anOperatorHubCsv(): Obj {
  const csv = aCsv();
  const metadata = csv.metadata as Obj;
  metadata.annotations = {
    ...(metadata.annotations as Obj),
    capabilities: 'Seamless Upgrades',
    categories: 'Storage, Developer Tools',
    repository: 'https://github.com/example/widget-operator',
  };
  const spec = csv.spec as Obj;
  spec.links = [{ name: 'Source', url: 'https://github.com/example/widget-operator' }];
  spec.maintainers = [{ name: 'Widget team', email: 'widgets@example.com' }];
  return csv;
}

export const GIZMO_PACKAGE = 'gizmo';
const GROUP = 'gizmo.example.org';

/** `gears` → `Gear`. */
const kindOf = (plural: string) => plural[0]!.toUpperCase() + plural.slice(1, -1);

/** The CRD whose plural is `plural`; `marker` (an annotation) tells copies of one CRD apart. */
export function gizmoCrd(plural: string, marker = ''): Obj {
  const kind = kindOf(plural);
  return {
    apiVersion: 'apiextensions.k8s.io/v1beta1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.${GROUP}`, ...(marker ? { annotations: { marker } } : {}) },
    spec: { group: GROUP, names: { kind, plural }, scope: 'Namespaced', version: 'v1' },
  };
}

/** The CSV of version `version` (x.y.z), owning the CRDs named by their plurals. */
export function gizmoCsv(version: string, owned: readonly string[]): Obj {
  const ownedCrds = owned.map((plural) => ({
    name: `${plural}.${GROUP}`,
    kind: kindOf(plural),
    version: 'v1',
  }));
  let csv = withValue(aCsv(), 'metadata.name', `gizmo-operator.v${version}`);
  csv = withValue(csv, 'spec.version', version);
  csv = withValue(csv, 'spec.customresourcedefinitions', { owned: ownedCrds });
  return withValue(csv, 'metadata.annotations.alm-examples', '[]');
}

export function gizmoPackage(currentVersion: string): Obj {
  return {
    packageName: GIZMO_PACKAGE,
    channels: [{ name: 'stable', currentCSV: `gizmo-operator.v${currentVersion}` }],
    defaultChannel: 'stable',
  };
}
