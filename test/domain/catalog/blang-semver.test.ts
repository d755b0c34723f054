import { describe, expect, it } from 'vitest';
import {
  compareVersions,
  parseRange,
  parseVersion,
  versionString,
} from '../../../src/domain/catalog/blang-semver.js';
import { imageReferenceError } from '../../../src/domain/catalog/image-reference.js';

// blang/semver v4 semver_test.go / range_test.go behaviour, which opm's skipRange and version checks use.
describe('blang semver Parse', () => {
  it.each([
    ['1.2.3', '1.2.3'],
    ['0.0.1-alpha.1+build.5', '0.0.1-alpha.1+build.5'],
    ['1.0.0-0', '1.0.0-0'],
  ])('parses %s', (text, back) => {
    expect(versionString(parseVersion(text))).toBe(back);
  });

  it.each([
    ['', 'Version string empty'],
    ['1.2', 'No Major.Minor.Patch elements found'],
    ['v1.2.3', 'Invalid character(s) found in major number "v1"'],
    ['01.2.3', 'Major number must not contain leading zeroes "01"'],
    ['1.2.03', 'Patch number must not contain leading zeroes "03"'],
    ['1.2.3-01', 'Numeric PreRelease version must not contain leading zeroes "01"'],
    ['1.2.3-a..b', 'Prerelease is empty'],
    ['1.2.3+', 'Build meta data is empty'],
    ['1.2.3-a_b', 'Invalid character(s) found in prerelease "a_b"'],
    ['18446744073709551616.0.0', 'strconv.ParseUint: parsing "18446744073709551616": value out of range'],
  ])('refuses %j: %s', (text, message) => {
    expect(() => parseVersion(text)).toThrow(message);
  });

  it.each([
    ['1.0.0-alpha', '1.0.0-alpha.1', -1],
    ['1.0.0-alpha.1', '1.0.0-alpha.beta', -1],
    ['1.0.0-rc.1', '1.0.0', -1],
    ['1.0.0+a', '1.0.0+b', 0],
    ['2.0.0', '10.0.0', -1],
  ])('compares %s with %s', (a, b, c) => {
    expect(compareVersions(parseVersion(a), parseVersion(b))).toBe(c);
  });
});

describe('blang semver ParseRange', () => {
  it.each([
    ['>=1.0.0 <2.0.0', ['1.0.0', '1.9.9'], ['0.9.0', '2.0.0']],
    ['<1.2.0 || >=3.0.0', ['1.1.0', '3.1.0'], ['1.2.0', '2.0.0']],
    ['1.x', ['1.0.0', '1.9.0'], ['2.0.0', '0.9.0']],
    ['>1.2.x', ['1.3.0'], ['1.2.9']],
    ['!=1.0.0', ['1.0.1'], ['1.0.0']],
    ['>= 1.0.0', ['1.0.0'], ['0.1.0']],
    ['<1.0.0', ['1.0.0-rc.1'], ['1.0.0']],
  ])('%s', (range, inside, outside) => {
    const r = parseRange(range);
    for (const v of inside) expect(r(parseVersion(v))).toBe(true);
    for (const v of outside) expect(r(parseVersion(v))).toBe(false);
  });

  it.each([
    ['>v1.0.0', 'Could not parse Range ">v1.0.0": Could not parse comparator ">v" in ">v1.0.0"'],
    ['|| 1.0.0', "First element in range is '||'"],
    ['1.0.0 ||', "Last element in range is '||'"],
    ['abc', 'Could not get version from string: "abc"'],
    [
      '>1.0',
      'Could not parse Range ">1.0": Could not parse version "1.0" in ">1.0": No Major.Minor.Patch elements found',
    ],
  ])('refuses %j', (range, message) => {
    expect(() => parseRange(range)).toThrow(message);
  });
});

// docker/distribution reference tests, as opm's validateImagePullSpec applies them.
describe('image pull specs', () => {
  it.each([
    ['quay.io/org/repo:v1', undefined],
    ['busybox', undefined],
    [`localhost:5000/a/b@sha256:${'a'.repeat(64)}`, undefined],
    ['quay.io/org/Repo:v1', 'invalid reference format: repository name (org/Repo) must be lowercase'],
    ['quay.io/org/repo:', 'invalid reference format'],
    [`quay.io/org/repo@sha256:${'a'.repeat(63)}`, 'invalid checksum digest length'],
    ['quay.io/org/repo@sha256:abc', 'invalid reference format'],
    [`quay.io/org/repo@sha256:${'a'.repeat(66)}`, 'invalid checksum digest length'],
    [`quay.io/org/repo@sha256:${'A'.repeat(64)}`, 'invalid checksum digest format'],
    [`quay.io/org/repo@md5:${'a'.repeat(32)}`, 'unsupported digest algorithm'],
    [
      'a'.repeat(64),
      `invalid repository name (${'a'.repeat(64)}), cannot specify 64-byte hexadecimal strings`,
    ],
  ])('%s', (spec, error) => {
    expect(imageReferenceError(spec)).toBe(error);
  });
});
