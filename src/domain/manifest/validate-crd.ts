/** CustomResourceDefinition rules of operator-courier 2.1.11 (messages verbatim). */
import { get, has, isObj, type ValidationLog } from './validation-log.js';

export function validateCrd(crd: unknown, log: ValidationLog): void {
  if (has(crd, 'metadata')) {
    if (!has(crd.metadata, 'name')) log.error('crd metadata.name not defined.');
  } else {
    log.error('crd metadata not defined.');
  }

  if (!has(crd, 'apiVersion')) log.error('crd apiVersion not defined.');

  if (!has(crd, 'spec')) {
    log.error('crd spec not defined.');
    return;
  }
  const spec = crd.spec;
  if (has(spec, 'names')) {
    if (!has(spec.names, 'kind')) log.error('crd spec.names.kind not defined.');
    if (!has(spec.names, 'plural')) log.error('crd spec.names.plural not defined.');
  } else {
    log.error('crd spec.names not defined.');
  }
  if (!has(spec, 'group')) log.error('crd spec.group not defined.');
  if (!has(spec, 'versions') && !has(spec, 'version')) {
    log.error('crd spec.version or spec.versions not defined.');
  }
  if (has(spec, 'versions')) {
    const versions = Array.isArray(spec.versions) ? spec.versions : [];
    if (versions.length === 0) {
      log.error('crd spec.versions is empty.');
      return;
    }
    for (const version of versions) {
      if (!has(version, 'name') || !has(version, 'served') || !has(version, 'storage')) {
        log.error('crd spec.versions contains an invalid CustomResourceDefinitionVersion.');
      }
    }
    const storage = versions.filter((v) => isObj(v) && v.storage === true).length;
    if (storage !== 1) {
      log.error('crd spec.version should contain exactly one version flagged as storage version.');
    }
  }
}

/** The names of a CRD's versions: `spec.versions[].name`, for the CSV agreement rules. */
export function crdVersionNames(crd: unknown): unknown[] | undefined {
  const versions = get(get(crd, 'spec'), 'versions');
  if (versions === undefined) return undefined;
  return Array.isArray(versions) ? versions.filter((v) => has(v, 'name')).map((v) => get(v, 'name')) : [];
}
