/** Release versions of SPEC §4: exactly <int>.<int>.<int>, no leading zeros, compared numerically. */
import { InvalidVersionFormatError } from './errors.js';

/** The accepted format, as a pattern string (also published in the OpenAPI document). */
export const VERSION_PATTERN = '^(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)\\.(0|[1-9][0-9]*)$';
const VERSION_RE = new RegExp(VERSION_PATTERN);

export type ReleaseVersion = readonly [bigint, bigint, bigint];

export function parseVersion(text: string): ReleaseVersion | undefined {
  const m = VERSION_RE.exec(text);
  if (!m) return undefined;
  return [BigInt(m[1]!), BigInt(m[2]!), BigInt(m[3]!)];
}

export function isValidVersion(text: string): boolean {
  return VERSION_RE.test(text);
}

/** Throws OMPSInvalidVersionFormat when `text` is not a valid release version. */
export function assertValidVersion(text: string): string {
  if (!isValidVersion(text)) throw new InvalidVersionFormatError(text);
  return text;
}

export function compareVersions(a: ReleaseVersion, b: ReleaseVersion): number {
  for (let i = 0; i < 3; i++) {
    if (a[i]! !== b[i]!) return a[i]! < b[i]! ? -1 : 1;
  }
  return 0;
}

export function formatVersion(v: ReleaseVersion): string {
  return `${v[0]}.${v[1]}.${v[2]}`;
}

/** The highest conforming release, or undefined when none conforms. */
export function latestVersion(releases: readonly string[]): ReleaseVersion | undefined {
  let best: ReleaseVersion | undefined;
  for (const r of releases) {
    const v = parseVersion(r);
    if (v && (!best || compareVersions(v, best) > 0)) best = v;
  }
  return best;
}

/** `2.5.1` → `3.0.0`. */
export function bumpMajor(v: ReleaseVersion): ReleaseVersion {
  return [v[0] + 1n, 0n, 0n];
}

/** The version a new auto-versioned release gets: latest major + 1, or the default for a new repository. */
export function nextVersion(releases: readonly string[] | undefined, defaultVersion: string): string {
  const latest = releases ? latestVersion(releases) : undefined;
  return latest ? formatVersion(bumpMajor(latest)) : defaultVersion;
}
