/** What nest and flatten share: the result, and how they refuse a bundle. */
import { PackageValidationError } from '../errors.js';
import { byPath, type FileEntry } from '../files.js';
import { DEFAULT_POLICY } from '../organization-policy.js';
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

/** Sorted by path; a later file wins a path taken twice (as a later copy overwrote an earlier one). */
export function tree(files: readonly FileEntry[]): FileEntry[] {
  const latest = new Map<string, FileEntry>();
  for (const file of files) latest.set(file.path, file);
  return [...latest.values()].sort(byPath);
}
