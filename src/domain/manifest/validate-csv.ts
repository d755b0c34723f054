/** ClusterServiceVersion rules of operator-courier 2.1.11 (messages verbatim, typos included). */
import { crdVersionNames } from './validate-crd.js';
import { get, has, type Obj, type ValidationLog } from './validation-log.js';

/** The CRDs an owned-CRD entry may refer to, by `metadata.name`. */
export interface CrdIndex {
  has(name: unknown): boolean;
  get(name: unknown): readonly Obj[] | undefined;
}

const SPEC_WARNINGS = ['displayName', 'description', 'icon', 'version', 'provider', 'maturity'];
const ANNOTATION_WARNINGS = ['categories', 'description', 'containerImage', 'createdAt', 'support'];

export function validateCsv(csv: unknown, crds: CrdIndex, log: ValidationLog): void {
  if (has(csv, 'metadata')) validateMetadata(csv.metadata, log);
  else log.error('csv metadata not defined.');

  if (!has(csv, 'apiVersion')) log.error('csv apiVersion not defined.');

  if (has(csv, 'spec')) validateSpec(csv.spec, crds, log);
  else log.error('csv spec not defined.');
}

function validateMetadata(metadata: unknown, log: ValidationLog): void {
  if (!has(metadata, 'name')) log.error('csv metadata.name not defined.');

  if (!has(metadata, 'annotations')) {
    log.warning('csv metadata.annotations not defined.');
    return;
  }
  const annotations = metadata.annotations;
  for (const item of ANNOTATION_WARNINGS) {
    if (!has(annotations, item)) log.warning(`csv metadata.annotations.${item} not defined`);
  }
  if (!has(annotations, 'certified')) {
    log.warning('csv metadata.annotations.certified not defined.');
  } else if (typeof annotations.certified !== 'string') {
    log.error('metadata.annotations.certified is not of typestring');
  }
  if (has(annotations, 'alm-examples') && !isJson(annotations['alm-examples'])) {
    log.error('metadata.annotations.alm-examples contains invalid json string');
  }
}

function isJson(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    JSON.parse(value);
    return true;
  } catch {
    return false;
  }
}

function validateSpec(spec: unknown, crds: CrdIndex, log: ValidationLog): void {
  for (const item of SPEC_WARNINGS) {
    if (!has(spec, item)) log.warning(`csv spec.${item} not defined`);
  }
  if (!has(spec, 'installModes')) log.error('csv spec.installModes not defined');

  if (has(spec, 'install')) validateInstall(spec.install, log);
  else log.error('csv spec.install not defined');

  if (has(spec, 'customresourcedefinitions')) validateOwnedCrds(spec.customresourcedefinitions, crds, log);
}

function validateInstall(install: unknown, log: ValidationLog): void {
  if (has(install, 'strategy')) {
    if (install.strategy !== 'deployment')
      log.error("csv spec.install.strategy must be one of ['deployment']");
  } else {
    log.error('csv spec.install.strategy not defined');
  }

  if (!has(install, 'spec')) {
    log.error('csv spec.install.spec not defined');
    return;
  }
  const spec = install.spec;
  if (has(spec, 'deployments')) {
    if (!Array.isArray(spec.deployments)) log.error('csv spec.install.spec.deployments should be a list');
  } else {
    log.error('csv spec.install.spec.deployments not defined');
  }
  if (has(spec, 'permissions') && !Array.isArray(spec.permissions)) {
    log.error('csv spec.install.spec.permissions should be a list');
  }
  if (has(spec, 'clusterPermissions') && !Array.isArray(spec.clusterPermissions)) {
    log.error('csv spec.install.spec.clusterPermissions should be a list');
  }
}

function validateOwnedCrds(definitions: unknown, crds: CrdIndex, log: ValidationLog): void {
  // 2.1.11: a CSV that owns no CRDs (section absent, null, empty or without `owned`) is valid.
  if (!has(definitions, 'owned')) return;
  const owned = Array.isArray(definitions.owned) ? definitions.owned : [];
  // Per owned name: whether each matching CRD's spec.version equals the owned version.
  const versionMatches = new Map<unknown, boolean[]>();

  for (const item of owned) {
    const named = has(item, 'name');
    const name = get(item, 'name');
    if (!named) {
      log.error('name not defined for item in spec.customresourcedefinitions.');
    } else if (!crds.has(name)) {
      log.error(
        `custom resource definition ${String(name)} referenced in csv not defined in root list of crds`,
      );
    }
    if (!has(item, 'kind')) log.error('kind not defined for item in spec.customresourcedefinitions.');
    if (!has(item, 'version')) log.error('version not defined for item in spec.customresourcedefinitions.');
    if (!named) continue;

    for (const crd of crds.get(name) ?? []) {
      const spec = get(crd, 'spec');
      if (has(item, 'kind')) {
        const names = get(spec, 'names');
        if (has(names, 'kind') && item.kind !== names.kind) {
          log.error('CRD.spec.names.kind does not match CSV.spec.crd.owned.kind');
        }
      }
      if (has(item, 'version')) {
        const versionNames = crdVersionNames(crd);
        if (versionNames !== undefined && !versionNames.includes(item.version)) {
          log.error('CSV.spec.crd.owned.version is not in CRD.spec.versions list');
        }
        if (has(spec, 'version')) {
          const list = versionMatches.get(name) ?? [];
          list.push(item.version === spec.version);
          versionMatches.set(name, list);
        }
      }
      const names = get(spec, 'names');
      if (has(spec, 'group') && has(names, 'plural')) {
        if (name !== `${String(names.plural)}.${String(spec.group)}`) {
          log.error('`CRD.spec.names.plural`.`CRD.spec.group` does not match CSV.spec.crd.owned.name');
        }
      }
    }
  }

  for (const matches of versionMatches.values()) {
    if (!matches.some(Boolean)) log.error('CRD.spec.version does not match CSV.spec.crd.owned.version');
  }
}

/** Indexes CRDs by `metadata.name`. */
export function indexCrds(crds: readonly Obj[]): Map<unknown, Obj[]> {
  const index = new Map<unknown, Obj[]>();
  for (const crd of crds) {
    const metadata = get(crd, 'metadata');
    if (!has(metadata, 'name')) continue;
    const list = index.get(metadata.name);
    if (list) list.push(crd);
    else index.set(metadata.name, [crd]);
  }
  return index;
}
