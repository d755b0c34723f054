import { describe, expect, it } from 'vitest';
import { InvalidVersionFormatError } from '../../src/domain/errors.js';
import {
  assertValidVersion,
  compareVersions,
  isValidVersion,
  latestVersion,
  nextVersion,
  parseVersion,
} from '../../src/domain/release-version.js';

describe('release versions', () => {
  it.each(['0.0.0', '1.0.0', '10.20.30', '123456789012345678901234567890.0.1'])('accepts %s', (v) => {
    expect(isValidVersion(v)).toBe(true);
  });

  it.each([
    '1.0',
    '1.0.0.0',
    '01.0.0',
    '1.00.0',
    'v1.0.0',
    '1.0.0-rc1',
    '',
    ' 1.0.0',
    '1.0.0\n',
    'a.b.c',
    '-1.0.0',
  ])('refuses %j with OMPSInvalidVersionFormat naming the format', (v) => {
    expect(isValidVersion(v)).toBe(false);
    expect(() => assertValidVersion(v)).toThrow(InvalidVersionFormatError);
    try {
      assertValidVersion(v);
    } catch (e) {
      expect((e as InvalidVersionFormatError).id).toBe('OMPSInvalidVersionFormat');
      expect((e as Error).message).toContain('<int>.<int>.<int>');
    }
  });

  it('compares numerically per part', () => {
    expect(compareVersions(parseVersion('10.0.0')!, parseVersion('9.9.9')!)).toBe(1);
    expect(compareVersions(parseVersion('1.10.0')!, parseVersion('1.9.0')!)).toBe(1);
    expect(compareVersions(parseVersion('1.0.0')!, parseVersion('1.0.0')!)).toBe(0);
  });

  it('finds the latest conforming release and ignores the rest', () => {
    expect(latestVersion(['1.0.0', '9.9.9', '10.0.0', 'latest', '11.0', '012.0.0'])).toEqual([10n, 0n, 0n]);
    expect(latestVersion(['beta', '1.0'])).toBeUndefined();
  });

  it('bumps the major part of the latest release, or uses the default', () => {
    expect(nextVersion(['2.5.1', '1.9.9'], '1.0.0')).toBe('3.0.0');
    expect(nextVersion(['9.9.9', '10.0.0'], '1.0.0')).toBe('11.0.0');
    expect(nextVersion(undefined, '0.1.0')).toBe('0.1.0');
    expect(nextVersion([], '1.0.0')).toBe('1.0.0');
    expect(nextVersion(['not-a-version'], '4.0.0')).toBe('4.0.0');
  });
});
