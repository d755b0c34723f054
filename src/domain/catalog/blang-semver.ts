/**
 * Semantic versions and ranges as operator-registry reads them (Go's
 * blang/semver v4): `Parse` is strict (MAJOR.MINOR.PATCH, no `v`, no leading
 * zeroes, 64-bit numbers) and its error texts are the ones opm prints;
 * `ParseRange` takes blang's range syntax (`>=1.0.0 <2.0.0 || 3.x`, `!=`,
 * wildcards), which is not npm's. Build metadata is kept but never compared.
 */

export interface PreRelease {
  num?: bigint;
  str?: string;
}

export interface Version {
  major: bigint;
  minor: bigint;
  patch: bigint;
  pre: PreRelease[];
  build: string[];
}

const MAX_UINT64 = (1n << 64n) - 1n;
const NUMBERS = /^[0-9]*$/;
const ALPHANUM = /^[0-9A-Za-z-]*$/;

export class SemverError extends Error {}

function uint(text: string): bigint {
  if (text === '' || !NUMBERS.test(text))
    throw new SemverError(`strconv.ParseUint: parsing "${text}": invalid syntax`);
  const n = BigInt(text);
  if (n > MAX_UINT64) throw new SemverError(`strconv.ParseUint: parsing "${text}": value out of range`);
  return n;
}

const leadingZero = (s: string) => s.length > 1 && s.startsWith('0');

export function parsePreRelease(s: string): PreRelease {
  if (s.length === 0) throw new SemverError('Prerelease is empty');
  if (NUMBERS.test(s)) {
    if (leadingZero(s))
      throw new SemverError(`Numeric PreRelease version must not contain leading zeroes "${s}"`);
    return { num: uint(s) };
  }
  if (ALPHANUM.test(s)) return { str: s };
  throw new SemverError(`Invalid character(s) found in prerelease ${JSON.stringify(s)}`);
}

/** blang's Parse; throws SemverError with its message. */
export function parseVersion(s: string): Version {
  if (s.length === 0) throw new SemverError('Version string empty');
  const first = s.indexOf('.');
  const second = first < 0 ? -1 : s.indexOf('.', first + 1);
  if (second < 0) throw new SemverError('No Major.Minor.Patch elements found');
  const majorText = s.slice(0, first);
  const minorText = s.slice(first + 1, second);
  let patchText = s.slice(second + 1);
  const number = (text: string, what: string): bigint => {
    if (!NUMBERS.test(text))
      throw new SemverError(`Invalid character(s) found in ${what} number ${JSON.stringify(text)}`);
    if (leadingZero(text))
      throw new SemverError(
        `${what[0]?.toUpperCase()}${what.slice(1)} number must not contain leading zeroes ${JSON.stringify(text)}`,
      );
    return uint(text);
  };
  const major = number(majorText, 'major');
  const minor = number(minorText, 'minor');
  let build: string[] = [];
  let prerelease: string[] = [];
  const plus = patchText.indexOf('+');
  if (plus >= 0) {
    build = patchText.slice(plus + 1).split('.');
    patchText = patchText.slice(0, plus);
  }
  const dash = patchText.indexOf('-');
  if (dash >= 0) {
    prerelease = patchText.slice(dash + 1).split('.');
    patchText = patchText.slice(0, dash);
  }
  const patch = number(patchText, 'patch');
  const pre = prerelease.map(parsePreRelease);
  for (const b of build) {
    if (b.length === 0) throw new SemverError('Build meta data is empty');
    if (!ALPHANUM.test(b))
      throw new SemverError(`Invalid character(s) found in build meta data ${JSON.stringify(b)}`);
  }
  return { major, minor, patch, pre, build };
}

export function tryParseVersion(s: string): Version | undefined {
  try {
    return parseVersion(s);
  } catch {
    return undefined;
  }
}

export function preReleaseString(p: PreRelease): string {
  return p.num !== undefined ? p.num.toString() : (p.str ?? '');
}

export function versionString(v: Version): string {
  let s = `${v.major}.${v.minor}.${v.patch}`;
  if (v.pre.length > 0) s += `-${v.pre.map(preReleaseString).join('.')}`;
  if (v.build.length > 0) s += `+${v.build.join('.')}`;
  return s;
}

function cmp<T>(a: T, b: T): number {
  return a === b ? 0 : a > b ? 1 : -1;
}

export function comparePreRelease(a: PreRelease, b: PreRelease): number {
  if (a.num !== undefined && b.num === undefined) return -1;
  if (a.num === undefined && b.num !== undefined) return 1;
  if (a.num !== undefined && b.num !== undefined) return cmp(a.num, b.num);
  return cmp(a.str ?? '', b.str ?? '');
}

/** blang's Compare: precedence without build metadata. */
export function compareVersions(a: Version, b: Version): number {
  const core = cmp(a.major, b.major) || cmp(a.minor, b.minor) || cmp(a.patch, b.patch);
  if (core !== 0) return core;
  if (a.pre.length === 0 && b.pre.length === 0) return 0;
  if (a.pre.length === 0) return 1;
  if (b.pre.length === 0) return -1;
  for (let i = 0; i < a.pre.length && i < b.pre.length; i++) {
    const c = comparePreRelease(a.pre[i] as PreRelease, b.pre[i] as PreRelease);
    if (c !== 0) return c;
  }
  return cmp(a.pre.length, b.pre.length);
}

export type Range = (v: Version) => boolean;

/** blang's ParseRange; throws SemverError with its message. */
export function parseRange(s: string): Range {
  const parts = splitAndTrim(s);
  const orParts = splitOrParts(parts);
  const expanded = expandWildcards(orParts);
  const ors: Range[] = [];
  for (const group of expanded) {
    const ands: Range[] = [];
    for (const part of group) {
      const [op, text] = splitComparatorVersion(part);
      ands.push(versionRange(op, text, part));
    }
    ors.push((v) => ands.every((r) => r(v)));
  }
  return (v) => ors.some((r) => r(v));
}

function splitAndTrim(s: string): string[] {
  const result: string[] = [];
  let last = 0;
  let lastChar = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charAt(i);
    if (c === ' ' && !'><='.includes(lastChar === '' ? '\u0000' : lastChar)) {
      if (last < i - 1) result.push(s.slice(last, i));
      last = i + 1;
    } else if (c !== ' ') lastChar = c;
  }
  if (last < s.length - 1) result.push(s.slice(last));
  return result.map((p) => p.replaceAll(' ', ''));
}

function splitOrParts(parts: string[]): string[][] {
  const out: string[][] = [];
  let last = 0;
  parts.forEach((p, i) => {
    if (p === '||') {
      if (i === 0) throw new SemverError("First element in range is '||'");
      out.push(parts.slice(last, i));
      last = i + 1;
    }
  });
  if (last === parts.length) throw new SemverError("Last element in range is '||'");
  out.push(parts.slice(last));
  return out;
}

function splitComparatorVersion(s: string): [string, string] {
  const i = s.search(/\p{Nd}/u);
  if (i < 0) throw new SemverError(`Could not get version from string: ${JSON.stringify(s)}`);
  return [s.slice(0, i).trim(), s.slice(i)];
}

function expandWildcards(groups: string[][]): string[][] {
  return groups.map((group) => {
    const out: string[] = [];
    for (let part of group) {
      if (part.includes('x')) {
        const [op, text] = splitComparatorVersion(part);
        const pieces = text.split('.');
        const wildcard = pieces[pieces.length - 1] === 'x' ? pieces.length : 0;
        let flat = text.replace('.x.x', '.x').replace('.x', '.0');
        if (flat.split('.').length === 2) flat = `${flat}.0`;
        let resultOp = '';
        let increment = false;
        switch (op) {
          case '>':
            resultOp = '>=';
            increment = true;
            break;
          case '>=':
            resultOp = '>=';
            break;
          case '<':
            resultOp = '<';
            break;
          case '<=':
            resultOp = '<';
            increment = true;
            break;
          case '':
          case '=':
          case '==':
            out.push(`>=${flat}`);
            resultOp = '<';
            increment = true;
            break;
          case '!=':
          case '!':
            out.push(`<${flat}`);
            resultOp = '>=';
            increment = true;
            break;
        }
        let resultVersion = '';
        if (increment) {
          if (wildcard === 3) resultVersion = bump(flat, 1);
          else if (wildcard === 2) resultVersion = bump(flat, 0);
        } else resultVersion = flat;
        part = resultOp + resultVersion;
      }
      out.push(part);
    }
    return out;
  });
}

/** strconv.Atoi + 1 on one dot-separated part (blang ignores the error: "" on failure). */
function bump(text: string, index: number): string {
  const parts = text.split('.');
  const n = parts[index] ?? '';
  if (!/^[+-]?[0-9]+$/.test(n)) return '';
  parts[index] = String(Number.parseInt(n, 10) + 1);
  return parts.join('.');
}

const COMPARATORS: Record<string, (c: number) => boolean> = {
  '': (c) => c === 0,
  '=': (c) => c === 0,
  '==': (c) => c === 0,
  '>': (c) => c === 1,
  '>=': (c) => c >= 0,
  '<': (c) => c === -1,
  '<=': (c) => c <= 0,
  '!': (c) => c !== 0,
  '!=': (c) => c !== 0,
};

function versionRange(op: string, text: string, part: string): Range {
  const test = COMPARATORS[op];
  if (!test)
    throw new SemverError(
      `Could not parse Range ${JSON.stringify(part)}: Could not parse comparator ${JSON.stringify(op)} in ${JSON.stringify(op + text)}`,
    );
  let v: Version;
  try {
    v = parseVersion(text);
  } catch (error) {
    throw new SemverError(
      `Could not parse Range ${JSON.stringify(part)}: Could not parse version ${JSON.stringify(text)} in ${JSON.stringify(op + text)}: ${(error as Error).message}`,
    );
  }
  return (candidate) => test(compareVersions(candidate, v));
}
