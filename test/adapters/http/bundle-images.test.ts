/** The HTTP edge for an organization with bundle_images: the answer's `images`, its schema, errors, health. */
import { describe, expect, it } from 'vitest';
import { COMPONENT_SCHEMAS } from '../../../src/adapters/http/schemas.js';
import { InMemoryBuildSystem } from '../../../src/adapters/memory/in-memory-build-system.js';
import { InMemoryImageRegistry } from '../../../src/adapters/memory/in-memory-image-registry.js';
import { InMemoryRegistry } from '../../../src/adapters/memory/in-memory-registry.js';
import { parseConfig } from '../../../src/infrastructure/config.js';
import { createService } from '../../../src/infrastructure/container.js';
import { multipart, zipOf } from '../../support/bundles.js';
import { json } from '../../support/http-app.js';
import { nestedOperator } from '../../support/operator-versions.js';

const AUTH = { Authorization: 'Basic dXNlcjpwYXNz' };

function makeApp() {
  const imageRegistry = new InMemoryImageRegistry();
  const config = parseConfig({
    organizations: { imgs: { bundle_images: { registry: 'http://127.0.0.1:5000' } } },
  });
  const app = createService(config, {
    registry: new InMemoryRegistry(),
    imageRegistry,
    buildSystem: new InMemoryBuildSystem(),
    policyGate: null,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  });
  return { app, imageRegistry };
}

const zip = () => zipOf(Object.fromEntries(nestedOperator(['1.0.0', '2.0.0']).map((f) => [f.path, f.data])));

describe('HTTP: bundle images', () => {
  it('v2 zipfile answers the usual body plus images, as the document says', async () => {
    const { app, imageRegistry } = makeApp();
    const res = await app.request('/v2/imgs/zipfile', {
      method: 'POST',
      headers: AUTH,
      body: multipart(zip()),
    });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(COMPONENT_SCHEMAS.ZipfileRelease.parse(body)).toMatchObject({ repo: 'widget', version: '2.0.0' });
    expect((body.images as { image: string }[]).map((i) => i.image)).toEqual([
      '127.0.0.1:5000/imgs/widget-bundle:1.0.0',
      '127.0.0.1:5000/imgs/widget-bundle:2.0.0',
    ]);
    expect(imageRegistry.image('http://127.0.0.1:5000', 'imgs/widget-bundle', '2.0.0')).toBeDefined();

    const dry = await app.request('/v2/imgs/zipfile?dry_run=true', {
      method: 'POST',
      headers: AUTH,
      body: multipart(zip()),
    });
    expect(COMPONENT_SCHEMAS.ZipfileDryRun.parse(await json(dry)).images).toEqual(body.images);
  });

  it('refuses a version in the URL with 400 OMPSInvalidVersionFormat', async () => {
    const { app } = makeApp();
    const res = await app.request('/v2/imgs/zipfile/1.0.0', {
      method: 'POST',
      headers: AUTH,
      body: multipart(zip()),
    });
    expect(res.status).toBe(400);
    expect(await json(res)).toMatchObject({ status: 400, error: 'OMPSInvalidVersionFormat' });
  });

  it('deletes tags through DELETE /v2/<org>/<package>[/<version>]', async () => {
    const { app } = makeApp();
    await app.request('/v2/imgs/zipfile', { method: 'POST', headers: AUTH, body: multipart(zip()) });
    const one = await app.request('/v2/imgs/widget/1.0.0', { method: 'DELETE', headers: AUTH });
    expect(await json(one)).toEqual({ organization: 'imgs', repo: 'widget', deleted: ['1.0.0'] });
    const all = await app.request('/v2/imgs/widget', { method: 'DELETE', headers: AUTH });
    expect(COMPONENT_SCHEMAS.DeleteResult.parse(await json(all)).deleted).toEqual(['2.0.0']);
    const again = await app.request('/v2/imgs/widget', { method: 'DELETE', headers: AUTH });
    expect(await json(again)).toMatchObject({ deleted: [] });
    const gone = await app.request('/v2/imgs/widget/1.0.0', { method: 'DELETE', headers: AUTH });
    expect(await json(gone)).toMatchObject({ status: 404, error: 'QuayPackageNotFound' });
  });

  it('health reports the bundle registry', async () => {
    const { app, imageRegistry } = makeApp();
    imageRegistry.unavailable = 'Could not connect to the registry';
    const res = await app.request('/v2/health/ping');
    expect(res.status).toBe(503);
    const body = COMPONENT_SCHEMAS.HealthReport.parse(await json(res));
    expect(body.services.bundle_registry?.ok).toBe(false);
  });
});
