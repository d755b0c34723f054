/**
 * organizations.<org>.catalog (SPEC §11): defaults filled, and every mistake
 * stops start-up with a message naming the key, as README "Catalogs" says.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, parseConfigText } from '../../src/infrastructure/config.js';

const REGISTRY = { registry: 'https://registry.example.com' };
const BASE = `quay.io/operator-framework/opm@sha256:${'a'.repeat(64)}`;
const withCatalog = (catalog: unknown, bundleImages: unknown = REGISTRY) => ({
  organizations: { myorg: { bundle_images: bundleImages, catalog } },
});

/** The message start-up would print, or undefined when the configuration is accepted. */
function refusal(raw: unknown): string | undefined {
  try {
    parseConfig(raw);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
}

describe('configuration: organizations.<org>.catalog', () => {
  it('fills the documented defaults: {organization}/catalog, latest, replaces, no base image', () => {
    const c = parseConfig(withCatalog({}));
    expect(c.organizations.get('myorg')?.catalog).toEqual({
      repository: '{organization}/catalog',
      tag: 'latest',
      channels: 'replaces',
    });
    expect(parseConfig(withCatalog(undefined)).organizations.get('myorg')?.catalog).toBeUndefined();
  });

  it('reads every key from YAML', () => {
    const c = parseConfigText(`
organizations:
  myorg:
    bundle_images: {registry: "http://127.0.0.1:5000"}
    catalog:
      repository: "operators/{organization}-index"
      tag: v4.18
      channels: semver
      base_image: "${BASE}"
`);
    expect(c.organizations.get('myorg')?.catalog).toEqual({
      repository: 'operators/{organization}-index',
      tag: 'v4.18',
      channels: 'semver',
      baseImage: BASE,
    });
  });

  it('accepts a base image by tag, by digest, or both, on a registry with a port', () => {
    for (const base of [
      'registry.example.com:5000/opm:v1.40.0',
      BASE,
      `registry.example.com/operator-framework/opm:v1.40.0@sha256:${'b'.repeat(64)}`,
    ]) {
      expect(refusal(withCatalog({ base_image: base })), base).toBeUndefined();
    }
  });

  it('refuses a catalog without bundle_images, naming organizations.<org>.catalog', () => {
    const message = refusal({ organizations: { myorg: { catalog: {} } } });
    expect(message).toContain('organizations.myorg.catalog');
    expect(message).toContain('needs bundle_images');
  });

  it.each([
    ['repositry', { repositry: 'x/catalog' }, 'did you mean repository?'],
    ['channel', { channel: 'semver' }, 'did you mean channels?'],
    ['baseimage', { baseimage: BASE }, 'did you mean base_image?'],
  ])('refuses the unknown key %s, suggesting the closest known one', (key, catalog, suggestion) => {
    const message = refusal(withCatalog(catalog));
    expect(message).toContain(`organizations.myorg.catalog.${key}: unknown key; ${suggestion}`);
  });

  it.each(['stable', 'Semver', 'replace', ''])('refuses channels %j: must be replaces or semver', (mode) => {
    const message = refusal(withCatalog({ channels: mode }));
    expect(message).toContain('organizations.myorg.catalog.channels');
    expect(message).toContain('must be replaces or semver');
  });

  it.each([
    ['no registry host', 'operator-framework/opm@sha256:abc'],
    ['a Docker Hub shorthand', 'opm:latest'],
    ['a short digest', 'quay.io/operator-framework/opm@sha256:abc'],
    ['neither tag nor digest', 'quay.io/operator-framework/opm'],
    ['an upper-case repository', 'quay.io/Operator-Framework/opm:latest'],
    ['an empty string', ''],
  ])(
    'refuses a malformed base_image (%s) at start-up, naming organizations.<org>.catalog.base_image',
    (_, base) => {
      const message = refusal(withCatalog({ base_image: base }));
      expect(message).toContain('organizations.myorg.catalog.base_image');
      expect(message).toContain('is not a valid image reference');
    },
  );

  it.each([
    [
      { repository: '{org}/catalog' },
      'organizations.myorg.catalog.repository',
      'may use only the placeholder',
    ],
    [
      { repository: '{organization}/{package_name}' },
      'organizations.myorg.catalog.repository',
      'may use only the placeholder',
    ],
    [{ repository: '' }, 'organizations.myorg.catalog.repository', 'must be a non-empty string'],
    [
      { repository: 'bad name!/catalog' },
      'organizations.myorg.catalog.repository',
      'gives "bad name!/catalog", which is not a valid image repository name',
    ],
    [{ tag: 'has space' }, 'organizations.myorg.catalog.tag', 'must be an image tag'],
    [{ tag: '-leading-dash' }, 'organizations.myorg.catalog.tag', 'must be an image tag'],
  ])('refuses %j naming the key', (catalog, key, why) => {
    const message = refusal(withCatalog(catalog));
    expect(message).toContain(key);
    expect(message).toContain(why);
  });
});
