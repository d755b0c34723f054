/**
 * The real app (every real adapter) publishing bundle images to the OCI
 * registry emulator with Bearer token auth: what the caller sees and what
 * reached the registry (SPEC §10). The real registry is `npm run test:registry`.
 */
import { gunzipSync } from 'fflate';
import { unpackTar } from 'modern-tar';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/infrastructure/config.js';
import { createService } from '../../src/infrastructure/container.js';
import { createLogger } from '../../src/infrastructure/logger.js';
import { type OciRegistryEmulator, startOciRegistryEmulator } from '../emulators/oci-registry-emulator.js';
import { multipart, zipOf } from '../support/bundles.js';
import { nestedOperator } from '../support/operator-versions.js';

const BASIC = `Basic ${btoa('alice:s3cret')}`;
const REPOSITORY = 'acme/widget-bundle';

describe('bundle images through the real app and the OCI registry emulator', () => {
  let emulator: OciRegistryEmulator;
  let logLines: string[];
  let app: ReturnType<typeof createService>;

  beforeEach(async () => {
    emulator = await startOciRegistryEmulator({ kind: 'bearer', user: 'alice', password: 's3cret' });
    logLines = [];
    const config = parseConfig({
      request_timeout: 5,
      organizations: { acme: { bundle_images: { registry: emulator.url } } },
    });
    app = createService(config, { logger: createLogger('DEBUG', (line) => logLines.push(line)) });
  });

  afterEach(async () => {
    await emulator.close();
  });

  const upload = async (files = nestedOperator(['1.0.0', '1.1.0', '2.0.0'])) => {
    const zip = zipOf(Object.fromEntries(files.map((f) => [f.path, f.data])));
    const res = await app.request('/v2/acme/zipfile', {
      method: 'POST',
      headers: { Authorization: BASIC },
      body: multipart(zip),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  it('pushes three tags, then a second identical push writes nothing, then deletes remove them', async () => {
    const first = await upload();
    expect(first.status).toBe(200);
    expect(emulator.state.tagsOf(REPOSITORY)).toEqual(['1.0.0', '1.1.0', '2.0.0']);
    const layerDigest = JSON.parse(
      new TextDecoder().decode(emulator.state.manifestOf(REPOSITORY, '2.0.0')!.data),
    ).layers[0].digest as string;
    const entries = await unpackTar(gunzipSync(emulator.state.blobs.get(layerDigest)!));
    expect(entries.map((e) => e.header.name)).toContain('metadata/annotations.yaml');

    const writesBefore = emulator.state.requests.filter(
      (r) => r.method !== 'GET' && r.method !== 'HEAD',
    ).length;
    const second = await upload();
    expect(second).toEqual(first);
    const writesAfter = emulator.state.requests.filter(
      (r) => r.method !== 'GET' && r.method !== 'HEAD',
    ).length;
    expect(writesAfter).toBe(writesBefore);

    const one = await app.request('/v2/acme/widget/1.1.0', {
      method: 'DELETE',
      headers: { Authorization: BASIC },
    });
    expect(await one.json()).toEqual({ organization: 'acme', repo: 'widget', deleted: ['1.1.0'] });
    const all = await app.request('/v2/acme/widget', { method: 'DELETE', headers: { Authorization: BASIC } });
    expect(((await all.json()) as { deleted: string[] }).deleted.sort()).toEqual(['1.0.0', '2.0.0']);
    expect(emulator.state.tagsOf(REPOSITORY)).toEqual([]);
  });

  it('answers 403 RegistryAuthorizationError for credentials the registry refuses, tried before any bundle work', async () => {
    const zip = zipOf(Object.fromEntries(nestedOperator(['1.0.0']).map((f) => [f.path, f.data])));
    const res = await app.request('/v2/acme/zipfile', {
      method: 'POST',
      headers: { Authorization: `Basic ${btoa('alice:wrong')}` },
      body: multipart(zip),
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({
      error: 'RegistryAuthorizationError',
      message: 'The registry refused the credentials (401): UNAUTHORIZED: authentication required.',
      registry_response: { errors: [{ code: 'UNAUTHORIZED' }] },
    });
    // Nothing but the credentials check reached the registry: GET /v2/ and the token service.
    expect(emulator.state.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v2/', 'GET /token']);
    expect(emulator.state.tagsOf(REPOSITORY)).toEqual([]);
  });

  it('reports the registry in health, and never logs a credential', async () => {
    await upload();
    const health = (await (await app.request('/v2/health/ping')).json()) as {
      services: { bundle_registry?: { ok: boolean } };
    };
    expect(health.services.bundle_registry).toEqual({ ok: true, details: 'It works!' });
    const secrets = [BASIC.slice(6), ...emulator.state.issuedTokens];
    for (const line of logLines) for (const secret of secrets) expect(line).not.toContain(secret);
  });
});
