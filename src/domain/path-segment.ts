/**
 * A name that becomes one path segment: the package name is the top folder of
 * the pushed tar and a segment of Quay's URLs, so it must not escape either.
 */

/** Why `name` cannot be a single path segment, or undefined when it can. */
export function unsafeSegmentReason(name: string): string | undefined {
  if (name === '') return 'it is empty';
  if (name === '.' || name === '..') return `"${name}" is not a name but a reference to a folder`;
  if (name.includes('/')) return 'it contains "/"';
  if (name.includes('\\')) return 'it contains "\\"';
  for (const char of name) {
    const code = char.charCodeAt(0);
    if (code < 0x20 || code === 0x7f) return 'it contains a control character';
  }
  return undefined;
}

/**
 * Why a relative `/`-separated path cannot be written under a folder, or undefined when it can:
 * every segment one safe name (so no `..`, no absolute path, no backslash), no drive letter —
 * what zip entry names must satisfy too (SPEC §5).
 */
export function unsafePathReason(path: string): string | undefined {
  if (/^[A-Za-z]:/.test(path)) return 'it starts with a drive letter';
  for (const segment of path.split('/')) {
    const reason = unsafeSegmentReason(segment);
    if (reason !== undefined) return path.includes('/') ? `${JSON.stringify(segment)}: ${reason}` : reason;
  }
  return undefined;
}
