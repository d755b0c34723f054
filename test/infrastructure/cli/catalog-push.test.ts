/**
 * `omps catalog push` as a process against the OCI registry emulator: the FBC
 * folder validated first, pushed as the one-layer catalog image (label, layer,
 * deterministic digest), credentials from OMPS_REGISTRY_AUTH, and nothing
 * pushed for an invalid folder or a bad IMAGE.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildCatalogImage, CATALOG_CONFIGS_LABEL } from '../../../src/domain/catalog-image/catalog-image.js';
import { webGzipCodec } from '../../../src/domain/catalog-image/gzip-codec.js';
import { readTar } from '../../../src/domain/catalog-image/tar-read.js';
import { type OciRegistryEmulator, startOciRegistryEmulator } from '../../emulators/oci-registry-emulator.js';
import { buildCli, omps, writeFiles } from '../../support/cli.js';

const text = (s: string) => new TextEncoder().encode(s);
const parse = (data: Uint8Array | undefined) => JSON.parse(new TextDecoder().decode(data));
const CATALOG = [
  {
    path: 'widget/catalog.json',
    data: text(
      [
        '{"schema":"olm.package","name":"widget","defaultChannel":"stable"}',
        '{"schema":"olm.channel","package":"widget","name":"stable","entries":[{"name":"widget.v1.0.0"}]}',
        '{"schema":"olm.bundle","package":"widget","name":"widget.v1.0.0","image":"example.com/widget@sha256:' +
          `${'a'.repeat(64)}","properties":[{"type":"olm.package","value":{"packageName":"widget","version":"1.0.0"}}]}`,
      ].join('\n'),
    ),
  },
];

let dir: string;
let valid: string;
let invalid: string;
let broken: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'omps-catalog-push-'));
  valid = writeFiles(join(dir, 'valid'), CATALOG);
  invalid = writeFiles(join(dir, 'invalid'), [{ path: 'widget/catalog.json', data: text('{"schema": ') }]);
  // Loads, but breaks a rule: the default channel does not exist.
  const noChannel = new TextDecoder()
    .decode(CATALOG[0]!.data)
    .replace('"defaultChannel":"stable"', '"defaultChannel":"fast"');
  broken = writeFiles(join(dir, 'broken'), [{ path: 'widget/catalog.json', data: text(noChannel) }]);
  await buildCli();
}, 180_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('omps catalog push', { timeout: 60_000 }, () => {
  let registry: OciRegistryEmulator;
  let host: string;

  beforeEach(async () => {
    registry = await startOciRegistryEmulator({ kind: 'bearer', user: 'alice', password: 's3cret' });
    host = new URL(registry.url).host;
    return () => registry.close();
  });

  it('pushes the folder as a one-layer catalog image and prints the reference and digest', async () => {
    const run = await omps(['catalog', 'push', valid, `${host}/acme/catalog:v1`, '--plain-http'], {
      OMPS_REGISTRY_AUTH: 'alice:s3cret',
    });
    const expected = (await buildCatalogImage(CATALOG, webGzipCodec)).top.digest;
    expect(run).toEqual({
      code: 0,
      stdout: `Pushed ${host}/acme/catalog:v1\nDigest: ${expected}\n`,
      stderr: '',
    });
    const manifest = registry.state.manifestOf('acme/catalog', 'v1')!;
    const json = parse(manifest.data);
    const config = parse(registry.state.blobs.get(json.config.digest));
    expect(config.config.Labels).toEqual({ [CATALOG_CONFIGS_LABEL]: '/configs' });
    const files = readTar(gunzipSync(registry.state.blobs.get(json.layers[0].digest)!), { maxEntries: 10 });
    expect(files.map((f) => f.path)).toEqual(['configs/widget/catalog.json']);
    expect(registry.state.tokenRequests()[0]?.authorization).toBe(`Basic ${btoa('alice:s3cret')}`);
  });

  it('tags latest when IMAGE names no tag', async () => {
    const run = await omps(['catalog', 'push', valid, `${host}/acme/catalog`, '--plain-http'], {
      OMPS_REGISTRY_AUTH: 'alice:s3cret',
    });
    expect(run.code).toBe(0);
    expect(registry.state.tagsOf('acme/catalog')).toEqual(['latest']);
  });

  it('validates first: an unreadable or rule-breaking folder exits 1 and pushes nothing', async () => {
    const run = await omps(['catalog', 'push', invalid, `${host}/acme/catalog:v1`, '--plain-http'], {
      OMPS_REGISTRY_AUTH: 'alice:s3cret',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^ERROR: widget\/catalog\.json: .*\nThe catalog is invalid; nothing was pushed\.\n$/,
    );
    const rule = await omps(['catalog', 'push', broken, `${host}/acme/catalog:v1`, '--plain-http'], {
      OMPS_REGISTRY_AUTH: 'alice:s3cret',
    });
    expect(rule.code).toBe(1);
    expect(rule.stderr).toMatch(/^ERROR: .*widget.*fast.*\nThe catalog is invalid; nothing was pushed\.\n$/);
    expect(registry.state.requests).toEqual([]);
  });

  it('reports refused credentials (exit 1) without echoing them', async () => {
    const run = await omps(['catalog', 'push', valid, `${host}/acme/catalog:v1`, '--plain-http'], {
      OMPS_REGISTRY_AUTH: 'alice:wrong-secret',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /^RegistryAuthorizationError: The registry refused to .*acme\/catalog.*\(401\)/,
    );
    expect(run.stderr).not.toContain('wrong-secret');
    expect(registry.state.tagsOf('acme/catalog')).toEqual([]);
  });

  it('refuses an IMAGE that is not host[:port]/repository[:tag] (exit 2)', async () => {
    for (const image of [
      'catalog:latest',
      `${host}/acme/catalog@sha256:${'0'.repeat(64)}`,
      `${host}/Acme/Catalog`,
    ]) {
      const run = await omps(['catalog', 'push', valid, image, '--plain-http']);
      expect(run.code, image).toBe(2);
      expect(run.stderr, image).toContain(`IMAGE ${image}`);
    }
    const unknown = await omps(['catalog', 'pull', valid, `${host}/acme/catalog`]);
    expect(unknown.code).toBe(2);
    expect(registry.state.requests).toEqual([]);
  });
});
