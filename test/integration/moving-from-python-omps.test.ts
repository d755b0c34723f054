/**
 * The README's "Moving from the Python OMPS" section, statement by statement:
 * what a team bringing its configuration and pipelines from the original meets.
 * Statements backed by deeper tests elsewhere name them in the README table.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, parseConfigText } from '../../src/infrastructure/config.js';
import { multipart, zipOf } from '../support/bundles.js';
import { AUTH, json, makeHttpApp } from '../support/http-app.js';
import { aCrd, aCsv, aPackage, toYaml } from '../support/manifest-builders.js';
import { buildZip, UNIX_SYMLINK } from '../support/zip-builder.js';

const bundle = (prefix = '') => ({
  [`${prefix}package.yaml`]: toYaml(aPackage()),
  [`${prefix}csv.yaml`]: toYaml(aCsv()),
  [`${prefix}crd.yaml`]: toYaml(aCrd()),
});

describe('configuration: the original settings, as lowercase keys of a YAML file', () => {
  it("the original README's ProdConfig, keys lowercased, loads with the same meaning", () => {
    const config = parseConfigText(`
log_level: info
default_release_version: "1.0.0"
kojihub_url: https://koji.fedoraproject.org/kojihub
kojiroot_url: https://kojipkgs.fedoraproject.org/
request_timeout: 28
organizations:
  public-org:
    public: true
    oauth_token: application_access_token_goes_here
    replace_registry:
      - {old: quay.io, new: example.com}
greenwave:
  url: https://greenwave.example.com
  context: omps_push
  product_version: cvp
`);
    expect(config).toMatchObject({
      logLevel: 'INFO',
      defaultReleaseVersion: '1.0.0',
      requestTimeoutMs: 28_000,
      organizations: new Map([
        [
          'public-org',
          expect.objectContaining({
            public: true,
            oauthToken: 'application_access_token_goes_here',
            replaceRegistry: [{ old: 'quay.io', new: 'example.com', regexp: false }],
          }),
        ],
      ]),
      greenwave: { url: 'https://greenwave.example.com', context: 'omps_push', productVersion: 'cvp' },
    });
  });

  it("defaults are the original's (20 MiB unzipped, 2 MiB body, 1.0.0, INFO, Fedora's Koji) and Quay is quay.io", () => {
    expect(parseConfig({})).toMatchObject({
      zipfileMaxUncompressedSize: 20 * 1024 * 1024,
      maxContentLength: 2 * 1024 * 1024,
      defaultReleaseVersion: '1.0.0',
      logLevel: 'INFO',
      kojihubUrl: 'https://koji.fedoraproject.org/kojihub',
      kojirootUrl: 'https://kojipkgs.fedoraproject.org/',
      quayUrl: 'https://quay.io',
    });
  });

  it('default_release_version must be <int>.<int>.<int> (the original only counted three dot-separated parts)', () => {
    expect(() => parseConfig({ default_release_version: 'a.b.c' })).toThrow(ConfigError);
    expect(() => parseConfig({ default_release_version: 'a.b.c' })).toThrow('default_release_version');
  });

  it('greenwave needs url, context and product_version, as in the original', () => {
    expect(() => parseConfig({ greenwave: { url: 'https://g.example.com', context: 'c' } })).toThrow(
      'greenwave.product_version',
    );
  });
});

describe('archives', () => {
  it('zipfile_max_uncompressed_size counts the bytes actually inflated, not what the headers claim', async () => {
    const h = makeHttpApp({ zipfile_max_uncompressed_size: 4096 });
    // The header says 10 bytes (the original summed these); it inflates to 100 kB.
    const zip = buildZip([{ name: 'big.yaml', data: 'x'.repeat(100_000), uncompressedSize: 10 }]);
    const res = await h.app.request('/v2/myorg/zipfile', {
      method: 'POST',
      headers: AUTH,
      body: multipart(zip),
    });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.error).toBe('OMPSUploadedFileError');
    expect(body.message).toMatch(/^Uncompressed archive is larger than limit/);
  });

  it('a zip holding one folder is read from inside that folder (the original found no package)', async () => {
    const h = makeHttpApp();
    const res = await h.app.request('/v2/myorg/zipfile', {
      method: 'POST',
      headers: AUTH,
      body: multipart(zipOf(bundle('my-operator/'))),
    });
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ repo: 'widget', version: '1.0.0' });
  });

  it('a symbolic-link entry is refused (the original extracted it as a file)', async () => {
    const h = makeHttpApp();
    const zip = buildZip([
      { name: 'package.yaml', data: toYaml(aPackage()) },
      { name: 'csv.yaml', data: '/etc/passwd', externalAttributes: UNIX_SYMLINK },
    ]);
    const res = await h.app.request('/v2/myorg/zipfile', {
      method: 'POST',
      headers: AUTH,
      body: multipart(zip),
    });
    expect(res.status).toBe(400);
    expect((await json(res)).error).toBe('OMPSUploadedFileError');
    expect(h.registry.release('myorg', 'widget', '1.0.0')).toBeUndefined();
  });
});

describe('versions', () => {
  it('two publishes racing for the next version both succeed, with different versions (the original refused the second)', async () => {
    const h = makeHttpApp();
    h.registry.seed('myorg', 'widget', ['2.5.1']);
    const publish = () =>
      h.app.request('/v2/myorg/zipfile', { method: 'POST', headers: AUTH, body: multipart(zipOf(bundle())) });
    const answers = await Promise.all([publish(), publish()]);
    expect(answers.map((r) => r.status)).toEqual([200, 200]);
    const versions = await Promise.all(answers.map(async (r) => (await json(r)).version));
    expect(new Set(versions)).toEqual(new Set(['3.0.0', '4.0.0']));
  });
});
