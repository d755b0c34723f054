/** A file as the service handles it: a `/`-separated relative path and its bytes. */
export interface FileEntry {
  path: string;
  data: Uint8Array;
}

/** Sorts files by path, in code-unit order (the same on every runtime, unlike localeCompare). */
export function byPath(a: { readonly path: string }, b: { readonly path: string }): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

/** What macOS's archiver adds beside the real files (resource forks): never part of a bundle. */
const MACOS_METADATA = /^__MACOSX(\/|$)/;

/**
 * SPEC §5: when an archive has no files at its root and exactly one top-level
 * folder, that folder is the root (people often zip a folder). macOS resource
 * forks (`__MACOSX/`) are left out first, so a folder zipped on a Mac works too.
 */
export function rootedFiles(all: readonly FileEntry[]): FileEntry[] {
  const files = all.filter((f) => !MACOS_METADATA.test(f.path));
  if (files.length === 0) return [];
  let top: string | undefined;
  for (const f of files) {
    const slash = f.path.indexOf('/');
    if (slash < 0) return [...files];
    const first = f.path.slice(0, slash);
    if (top === undefined) top = first;
    else if (top !== first) return [...files];
  }
  const cut = (top as string).length + 1;
  return files.map((f) => ({ path: f.path.slice(cut), data: f.data }));
}
