import { describe, expect, it } from 'vitest';
import { imageReference, imageRepository, isValidTag } from '../../../src/domain/bundle-image/image-name.js';
import { PackageValidationError } from '../../../src/domain/errors.js';
import { DEFAULT_BUNDLE_REPOSITORY } from '../../../src/domain/organization-policy.js';
import { thrown } from '../../support/manifest-builders.js';

describe('image names', () => {
  it('fills the repository template, lower-cased', () => {
    expect(imageRepository(DEFAULT_BUNDLE_REPOSITORY, 'MyOrg', 'etcd')).toBe('myorg/etcd-bundle');
    expect(imageRepository('operators/{package_name}', 'x', 'etcd-suffix')).toBe('operators/etcd-suffix');
  });

  it('refuses a result that is not a repository name', () => {
    const error = thrown(() => imageRepository('{organization}/{package_name}', 'org', 'bad name'));
    expect(error).toBeInstanceOf(PackageValidationError);
    expect((error as Error).message).toContain('"org/bad name"');
    expect(thrown(() => imageRepository('{organization}//x', 'org', 'p'))).toBeInstanceOf(
      PackageValidationError,
    );
  });

  it('names images by host, port included', () => {
    expect(imageReference('http://127.0.0.1:5000/', 'org/p-bundle', '1.0.0')).toBe(
      '127.0.0.1:5000/org/p-bundle:1.0.0',
    );
    expect(imageReference('https://registry.example.com', 'org/p', '2.0.0')).toBe(
      'registry.example.com/org/p:2.0.0',
    );
  });

  it('knows a tag when it sees one', () => {
    expect(isValidTag('1.0.0')).toBe(true);
    expect(isValidTag('v1.0.0-rc.1_2')).toBe(true);
    expect(isValidTag('1.0.0+build')).toBe(false);
    expect(isValidTag('.hidden')).toBe(false);
    expect(isValidTag('a'.repeat(129))).toBe(false);
  });
});
