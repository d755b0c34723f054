/** What nest and flatten share: the result, and how they refuse a bundle. */
import { PackageValidationError } from '../errors.js';
import { byPath, type FileEntry } from '../files.js';
import { DEFAULT_POLICY } from '../organization-policy.js';
import { unsafePathReason } from '../path-segment.js';
import { type LoadedBundle, loadBundle } from './index.js';

export interface TransformedTree {
  /** The new tree, paths relative to its root, sorted. */
  readonly files: FileEntry[];
  readonly warnings: string[];
}

export function refuse(errors: readonly string[], warnings: readonly string[] = []): PackageValidationError {
  return new PackageValidationError(errors[0] ?? 'Invalid bundle', {
    errors: [...errors],
    warnings: [...warnings],
  });
}

/** Identifies the files and finds the one root package (operator-courier's rules, no organization policy). */
export function load(files: readonly FileEntry[]): LoadedBundle {
  return loadBundle(files, DEFAULT_POLICY);
}

/**
 * Sorted by path; a later file wins a path taken twice (as a later copy overwrote an earlier one).
 * Paths are built from names inside the manifests, and the tree is written to disk: a path that
 * would not stay inside its folder refuses the bundle.
 */
export function tree(files: readonly FileEntry[]): FileEntry[] {
  const latest = new Map<string, FileEntry>();
  for (const file of files) {
    const unsafe = unsafePathReason(file.path);
    if (unsafe !== undefined) throw refuse([`Cannot write ${JSON.stringify(file.path)}: ${unsafe}.`]);
    latest.set(file.path, file);
  }
  return [...latest.values()].sort(byPath);
}
