import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig, parseConfigText } from '../../src/infrastructure/config.js';

describe('configuration', () => {
  it('has the documented defaults', () => {
    const c = parseConfig({});
    expect(c).toMatchObject({
      quayUrl: 'https://quay.io',
      kojihubUrl: 'https://koji.fedoraproject.org/kojihub',
      kojirootUrl: 'https://kojipkgs.fedoraproject.org/',
      defaultReleaseVersion: '1.0.0',
      zipfileMaxUncompressedSize: 20971520,
      maxContentLength: 2097152,
      logLevel: 'INFO',
      organizations: new Map(),
    });
    expect(c.requestTimeoutMs).toBe(60_000);
    expect(c.clientLimits).toEqual({
      headersTimeoutMs: 20_000,
      requestTimeoutMs: 120_000,
      maxConnections: 256,
    });
    expect(c.bundleJobTimeoutMs).toBe(60_000);
    expect(c.greenwave).toBeUndefined();
  });

  it('reads the limits on clients and bundle jobs', () => {
    const c = parseConfig({
      client_headers_timeout: 0.5,
      client_request_timeout: 30,
      max_connections: 64,
      bundle_job_timeout: 2.5,
    });
    expect(c.clientLimits).toEqual({ headersTimeoutMs: 500, requestTimeoutMs: 30_000, maxConnections: 64 });
    expect(c.bundleJobTimeoutMs).toBe(2500);
  });

  it('refuses a headers timeout longer than the whole request may take', () => {
    expect(() => parseConfig({ client_headers_timeout: 30, client_request_timeout: 10 })).toThrow(
      'Invalid configuration: client_headers_timeout: must not be longer than client_request_timeout',
    );
    expect(() => parseConfig({ client_headers_timeout: 200 })).toThrow('client_headers_timeout');
  });

  it('reads every key from YAML', () => {
    const c = parseConfigText(`
quay_url: http://127.0.0.1:9000
kojihub_url: http://127.0.0.1:9001/kojihub
kojiroot_url: http://127.0.0.1:9001/root
request_timeout: 2.5
default_release_version: 0.1.0
zipfile_max_uncompressed_size: 1000
max_content_length: 500
log_level: debug
greenwave: {url: "http://127.0.0.1:9002", context: osbs_push, product_version: cvp}
organizations:
  myorg:
    public: true
    oauth_token: secret
    package_name_suffix: "-suffix"
    replace_registry:
      - {old: "quay.io", new: "registry.example.com"}
      - {old: "^image: (.*)$", new: "image: x/$1", regexp: true}
    csv_annotations:
      - {name: "omps/package", value: "{package_name}"}
`);
    expect(c.requestTimeoutMs).toBe(2500);
    expect(c.logLevel).toBe('DEBUG');
    expect(c.greenwave).toEqual({
      url: 'http://127.0.0.1:9002',
      context: 'osbs_push',
      productVersion: 'cvp',
    });
    expect(c.organizations.get('myorg')).toEqual({
      public: true,
      oauthToken: 'secret',
      packageNameSuffix: '-suffix',
      replaceRegistry: [
        { old: 'quay.io', new: 'registry.example.com', regexp: false },
        { old: '^image: (.*)$', new: 'image: x/$1', regexp: true },
      ],
      csvAnnotations: [{ name: 'omps/package', value: '{package_name}' }],
    });
  });

  it('reads JSON too, and an empty file is all defaults', () => {
    expect(parseConfigText('{"max_content_length": 10}').maxContentLength).toBe(10);
    expect(parseConfigText('').maxContentLength).toBe(2097152);
  });

  it.each([
    [{ quay_url: 'not a url' }, 'quay_url'],
    [{ kojihub_url: 'ftp://x' }, 'kojihub_url'],
    [{ kojiroot_url: 5 }, 'kojiroot_url'],
    [{ request_timeout: -1 }, 'request_timeout'],
    [{ request_timeout: 'soon' }, 'request_timeout'],
    [{ default_release_version: '1.0' }, 'default_release_version'],
    [{ zipfile_max_uncompressed_size: 0 }, 'zipfile_max_uncompressed_size'],
    [{ zipfile_max_uncompressed_size: 1.5 }, 'zipfile_max_uncompressed_size'],
    [{ max_content_length: -5 }, 'max_content_length'],
    [{ log_level: 'LOUD' }, 'log_level'],
    [{ client_headers_timeout: 0 }, 'client_headers_timeout'],
    [{ client_request_timeout: '2m' }, 'client_request_timeout'],
    [{ client_request_timeout: 100_000 }, 'client_request_timeout'],
    [{ max_connections: 0 }, 'max_connections'],
    [{ max_connections: 10.5 }, 'max_connections'],
    [{ bundle_job_timeout: -1 }, 'bundle_job_timeout'],
    [{ organizations: [] }, 'organizations'],
    [{ organizations: { 'bad org!': {} } }, 'organizations'],
    [{ organizations: { myorg: { public: 'yes' } } }, 'organizations.myorg.public'],
    [{ organizations: { myorg: { oauth_token: 3 } } }, 'organizations.myorg.oauth_token'],
    [
      { organizations: { myorg: { replace_registry: [{ old: 'a' }] } } },
      'organizations.myorg.replace_registry.0.new',
    ],
    [
      { organizations: { myorg: { replace_registry: [{ old: '(', new: 'b', regexp: true }] } } },
      'organizations.myorg.replace_registry.0.old',
    ],
    [{ organizations: { myorg: { package_name_suffix: 7 } } }, 'organizations.myorg.package_name_suffix'],
    [
      { organizations: { myorg: { csv_annotations: [{ name: 'a' }] } } },
      'organizations.myorg.csv_annotations.0.value',
    ],
    [{ organizations: { myorg: { unknown_policy: true } } }, 'organizations.myorg'],
    [{ greenwave: { url: 'http://g' } }, 'greenwave.context'],
    [{ greenwave: { context: 'c', product_version: 'p' } }, 'greenwave.url'],
  ])('refuses %j naming %s', (raw, key) => {
    expect(() => parseConfig(raw)).toThrow(ConfigError);
    expect(() => parseConfig(raw)).toThrow(key);
  });

  it.each([
    ['request_timout: 5', 'request_timout: unknown key; did you mean request_timeout?'],
    ['Quay_URL: http://q', 'Quay_URL: unknown key; did you mean quay_url?'],
    [
      'organizations: {myorg: {replace_regsitry: []}}',
      'organizations.myorg.replace_regsitry: unknown key; did you mean replace_registry?',
    ],
    [
      'organizations: {myorg: {replace_registry: [{old: a, new: b, regex: true}]}}',
      'organizations.myorg.replace_registry.0.regex: unknown key; did you mean regexp?',
    ],
    [
      'organizations: {myorg: {csv_annotations: [{name: a, value: b, vaule: c}]}}',
      'organizations.myorg.csv_annotations.0.vaule: unknown key; did you mean value?',
    ],
    [
      'greenwave: {url: "http://g", context: c, product_version: p, prodcut_version: p}',
      'greenwave.prodcut_version: unknown key; did you mean product_version?',
    ],
    ['colour: blue', 'colour: unknown key'],
  ])('refuses the unknown key in %s, suggesting the closest known one', (text, message) => {
    expect(() => parseConfigText(text)).toThrow(ConfigError);
    expect(() => parseConfigText(text)).toThrow(`Invalid configuration: ${message}`);
  });

  it.each([
    [{ quay_url: 'https://robot:s3cr3t@quay.example' }, 'quay_url'],
    [{ kojihub_url: 'https://koji:s3cr3t@koji.example/kojihub' }, 'kojihub_url'],
    [{ kojiroot_url: 'http://s3cr3t@koji.example/' }, 'kojiroot_url'],
    [
      { greenwave: { url: 'https://gw:s3cr3t@gw.example', context: 'c', product_version: 'p' } },
      'greenwave.url',
    ],
    [
      { organizations: { o: { bundle_images: { registry: 'https://u:s3cr3t@registry.example' } } } },
      'organizations.o.bundle_images.registry',
    ],
  ])('refuses credentials in a configured URL (%j), naming %s, never quoting them', (raw, key) => {
    const error = (() => {
      try {
        parseConfig(raw);
      } catch (e) {
        return e as Error;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.message).toBe(
      `Invalid configuration: ${key}: must not hold credentials (user:password@); credentials belong in their own keys`,
    );
  });

  it('takes a URL whose path or query holds an @', () => {
    expect(parseConfig({ quay_url: 'https://quay.example/a@b?c=@' }).quayUrl).toBe(
      'https://quay.example/a@b?c=@',
    );
  });

  it('suggests nothing when no known key is close', () => {
    expect(() => parseConfigText('colour: blue')).toThrow(/colour: unknown key$/);
    expect(() => parseConfigText('organizations: {o: {zzz: 1}}')).toThrow(
      /organizations\.o\.zzz: unknown key$/,
    );
  });

  it('names unknown keys and invalid values together', () => {
    expect(() => parseConfig({ request_timout: 5, max_content_length: -1 })).toThrow(
      /request_timout: unknown key; did you mean request_timeout\?; max_content_length: /,
    );
  });

  it('accepts every documented key at every level', () => {
    const text = `
quay_url: http://q
kojihub_url: http://k/hub
kojiroot_url: http://k/root
request_timeout: 1
default_release_version: 2.0.0
zipfile_max_uncompressed_size: 1
max_content_length: 1
log_level: DEBUG
client_headers_timeout: 5
client_request_timeout: 60
max_connections: 100
bundle_job_timeout: 30
organizations:
  o:
    public: true
    oauth_token: t
    replace_registry: [{old: a, new: b, regexp: false}]
    package_name_suffix: -x
    csv_annotations: [{name: n, value: v}]
greenwave: {url: "http://g", context: c, product_version: p}
`;
    expect(() => parseConfigText(text)).not.toThrow();
  });

  it('refuses a file that is not YAML or not a mapping', () => {
    expect(() => parseConfigText('a: [1, 2', 'omps.yaml')).toThrow(/omps.yaml/);
    expect(() => parseConfigText('- 1\n- 2\n', 'omps.yaml')).toThrow(ConfigError);
  });
});
