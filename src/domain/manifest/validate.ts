/**
 * Bundle validation (SPEC §6, operator-courier 2.1.11): CRD, CSV, then package
 * rules, collected into errors and warnings. Flat bundles are validated once;
 * nested bundles per version folder, the package rules once for the root package.
 */
import type { ValidationInfo } from '../errors.js';
import { validateCrd } from './validate-crd.js';
import { type CrdIndex, indexCrds, validateCsv } from './validate-csv.js';
import { validatePackage } from './validate-package.js';
import { validateUiIo } from './validate-ui.js';
import { get, type Obj, ValidationLog } from './validation-log.js';

export interface ManifestSet {
  readonly csvs: readonly Obj[];
  readonly crds: readonly Obj[];
}

export interface BundleToValidate {
  /** Absent when the bundle has no package file: validated anyway, so the caller gets every message. */
  readonly pkg?: Obj;
  /** One set for a flat bundle; one per version folder for a nested one. */
  readonly sets: readonly ManifestSet[];
  readonly nested: boolean;
  readonly repository?: string;
  /** Warnings found before validation (e.g. ignored folders), reported first. */
  readonly warnings?: readonly string[];
  /** Also run operator-courier's operatorhub.io UI checks (`verify --ui_validate_io`). */
  readonly uiValidateIo?: boolean;
}

export const NO_PACKAGES = 'Bundle does not contain any packages.';

export function validateBundle(bundle: BundleToValidate): ValidationInfo {
  const log = new ValidationLog();
  for (const warning of bundle.warnings ?? []) log.warning(warning);

  // Nested: an owned CRD missing from its version folder may live in another version's folder.
  const allCrds: CrdIndex = bundle.nested ? indexCrds(bundle.sets.flatMap((s) => s.crds)) : new Map();

  for (const set of bundle.sets) {
    for (const crd of set.crds) validateCrd(crd, log);
    if (set.csvs.length === 0) {
      log.error('Bundle does not contain any clusterServiceVersions.');
    } else {
      const own = indexCrds(set.crds);
      const index: CrdIndex = bundle.nested ? withFallback(own, allCrds) : own;
      for (const csv of set.csvs) validateCsv(csv, index, log);
    }
  }

  const csvNames = bundle.nested
    ? undefined
    : new Set(bundle.sets.flatMap((s) => s.csvs.map((csv) => get(get(csv, 'metadata'), 'name'))));
  if (bundle.pkg === undefined) log.error(NO_PACKAGES);
  else validatePackage(bundle.pkg, log, { csvNames, repository: bundle.repository });

  if (bundle.uiValidateIo) {
    for (const set of bundle.sets) {
      // courier runs these as one more required kind, so an empty kind is reported again.
      if (set.csvs.length === 0) log.error('Bundle does not contain any clusterServiceVersions.');
      else validateUiIo(set.csvs, log);
    }
  }

  return { errors: log.errors, warnings: log.warnings };
}

/** Looks a CRD name up in `first`, then in `fallback`. */
function withFallback(first: CrdIndex, fallback: CrdIndex): CrdIndex {
  return {
    has: (name) => first.has(name) || fallback.has(name),
    get: (name) => first.get(name) ?? fallback.get(name),
  };
}
