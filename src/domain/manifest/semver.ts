/**
 * Semantic versions as operator-courier reads them (python-semver 2.x
 * `parse`/`compare`): MAJOR.MINOR.PATCH, optional pre-release and build, no
 * leading `v`, no leading zeros. Used for CSV `spec.version`, not for release
 * versions (those are release-version.ts's stricter x.y.z).
 * Not npm's `semver` package: it reads a leading `v` and surrounding blanks, refuses numbers past 2^53
 * and versions past 256 characters, and compares big numeric pre-release parts as doubles, where
 * courier's python-semver does none of these (test/domain/manifest/semver.test.ts).
 */

const NUMBER = '0|[1-9]\\d*';
const PRERELEASE_ID = '(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)';
const SEMVER = new RegExp(
  `^(${NUMBER})\\.(${NUMBER})\\.(${NUMBER})` +
    `(?:-(${PRERELEASE_ID}(?:\\.${PRERELEASE_ID})*))?` +
    // Python's `$` also matches before one final newline.
    '(?:\\+([0-9a-zA-Z-]+(?:\\.[0-9a-zA-Z-]+)*))?\\n?$',
);

interface Semver {
  readonly core: readonly [bigint, bigint, bigint];
  readonly prerelease: readonly string[];
}

function parse(value: unknown): Semver | undefined {
  if (typeof value !== 'string') return undefined;
  const m = SEMVER.exec(value);
  if (!m) return undefined;
  return {
    core: [BigInt(m[1] as string), BigInt(m[2] as string), BigInt(m[3] as string)],
    prerelease: m[4] ? m[4].split('.') : [],
  };
}

export function isSemver(value: unknown): value is string {
  return parse(value) !== undefined;
}

/** Semver precedence (build metadata ignored); `undefined` when either is not a semver. */
export function compareSemver(a: unknown, b: unknown): number | undefined {
  const x = parse(a);
  const y = parse(b);
  if (!x || !y) return undefined;
  for (let i = 0; i < 3; i++) {
    const d = x.core[i]! - y.core[i]!;
    if (d !== 0n) return d > 0n ? 1 : -1;
  }
  // A pre-release sorts before its release; identifiers compare numerically when both are numbers.
  if (x.prerelease.length === 0 || y.prerelease.length === 0) {
    return Math.sign(y.prerelease.length - x.prerelease.length);
  }
  const n = Math.max(x.prerelease.length, y.prerelease.length);
  for (let i = 0; i < n; i++) {
    const p = x.prerelease[i];
    const q = y.prerelease[i];
    if (p === undefined) return -1;
    if (q === undefined) return 1;
    if (p === q) continue;
    const pn = /^\d+$/.test(p);
    const qn = /^\d+$/.test(q);
    if (pn && qn) return BigInt(p) > BigInt(q) ? 1 : -1;
    if (pn !== qn) return pn ? -1 : 1;
    return p > q ? 1 : -1;
  }
  return 0;
}
