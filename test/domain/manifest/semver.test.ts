/**
 * Where npm's `semver` package (7.x) and courier's python-semver 2.x disagree, ours answers as
 * python-semver does. npm's answers are written beside each case (semver.valid / semver.compare).
 */
import { describe, expect, it } from 'vitest';
import { compareSemver, isSemver } from '../../../src/domain/manifest/semver.js';

describe('CSV versions follow python-semver 2.x, not npm semver', () => {
  it.each([
    ['v1.2.3', false], // npm: '1.2.3' (a leading v is read in strict mode too)
    [' 1.2.3 ', false], // npm: '1.2.3' (trimmed)
    ['\t1.2.3', false], // npm: '1.2.3'
    ['9007199254740993.0.0', true], // npm: null (past Number.MAX_SAFE_INTEGER); Python ints have no bound
    ['1.99999999999999999999.0', true], // npm: null
    [`1.0.0-${'a'.repeat(300)}`, true], // npm: null (longer than 256 characters)
    ['1.2.3\n', true], // npm: '1.2.3' too, but by trimming; Python's `$` matches before one final newline
    ['1.2.3\n\n', false], // npm: '1.2.3'
  ])('takes %j as semver: %s', (version, valid) => {
    expect(isSemver(version)).toBe(valid);
  });

  it('compares numeric pre-release parts past 2^53 exactly (npm: equal, both read as the same double)', () => {
    expect(compareSemver('1.0.0-9007199254740993', '1.0.0-9007199254740992')).toBe(1);
    expect(compareSemver('1.0.0-rc.18446744073709551617', '1.0.0-rc.18446744073709551616')).toBe(1);
    expect(compareSemver('9007199254740993.0.0', '9007199254740992.0.0')).toBe(1); // npm: throws
  });

  it('agrees with both where they agree: precedence of pre-releases, build ignored', () => {
    expect(compareSemver('1.0.0-alpha', '1.0.0-alpha.1')).toBe(-1);
    expect(compareSemver('1.0.0-alpha.beta', '1.0.0-beta')).toBe(-1);
    expect(compareSemver('1.0.0-2', '1.0.0-10')).toBe(-1);
    expect(compareSemver('1.0.0-10', '1.0.0-a')).toBe(-1);
    expect(compareSemver('1.0.0-rc.1', '1.0.0')).toBe(-1);
    expect(compareSemver('1.0.0+a', '1.0.0+b')).toBe(0);
    expect(compareSemver('1.2.3', 'v1.2.3')).toBeUndefined();
  });
});
