import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/infrastructure/config.js';

const withImages = (bundleImages: unknown) => ({ organizations: { myorg: { bundle_images: bundleImages } } });

describe('configuration: organizations.<org>.bundle_images', () => {
  it('reads the registry, with the default repository template', () => {
    const c = parseConfig(withImages({ registry: 'http://127.0.0.1:5000' }));
    expect(c.organizations.get('myorg')?.bundleImages).toEqual({
      registry: 'http://127.0.0.1:5000',
      repository: '{organization}/{package_name}-bundle',
    });
    expect(
      parseConfig({ organizations: { other: {} } }).organizations.get('other')?.bundleImages,
    ).toBeUndefined();
  });

  it('takes a repository template of its own', () => {
    const c = parseConfig(
      withImages({ registry: 'https://r.example.com', repository: 'operators/{package_name}' }),
    );
    expect(c.organizations.get('myorg')?.bundleImages?.repository).toBe('operators/{package_name}');
  });

  it.each([
    [{}, 'organizations.myorg.bundle_images.registry'],
    [
      { registry: 'ftp://r.example.com' },
      'organizations.myorg.bundle_images.registry: must be an http(s) URL',
    ],
    [{ registry: 'https://r.example.com', repository: '{org}/x' }, 'may use only the placeholders'],
    [{ registry: 'https://r.example.com', repositry: 'x' }, 'organizations.myorg.bundle_images'],
  ])('refuses %j naming the key', (value, message) => {
    expect(() => parseConfig(withImages(value))).toThrow(ConfigError);
    expect(() => parseConfig(withImages(value))).toThrow(message);
  });
});
