/**
 * GET /v2/<org>/catalog[/<package>] as README "Catalogs" and docs/API.md
 * describe them: 404 NotFound in the error shape for an organization without
 * a catalog (no registry asked), an empty answer before the first publish,
 * and both routes in the v2 OpenAPI document only.
 */
import { describe, expect, it } from 'vitest';
import type { OpenApiDocument } from '../../../src/adapters/http/openapi.js';
import { ErrorBodySchema } from '../../../src/adapters/http/schemas.js';
import { createService } from '../../../src/infrastructure/container.js';
import { embeddedConfig, embeddedUpstreams } from '../../../src/infrastructure/demo/embedded.js';
import { AUTH, json, makeHttpApp } from '../../support/http-app.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe('GET /v2/<org>/catalog for an organization without a catalog', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['an organization that is not configured', {}],
    ['an organization with policies but no bundle_images', { organizations: { myorg: { public: true } } }],
    [
      'an organization with bundle_images but no catalog',
      // A registry nobody listens on: the answer must come before any registry call.
      { organizations: { myorg: { bundle_images: { registry: 'http://127.0.0.1:9' } } } },
    ],
  ];

  it.each(cases)('%s → 404 NotFound in the error shape, with or without Authorization', async (_, config) => {
    const { app } = makeHttpApp(config);
    for (const path of ['/v2/myorg/catalog', '/v2/myorg/catalog/hello-operator']) {
      for (const headers of [{}, AUTH]) {
        const res = await app.request(path, { headers });
        expect(res.status, path).toBe(404);
        const body = await json(res);
        expect(body).toEqual({
          status: 404,
          error: 'NotFound',
          message: 'Organization myorg keeps no catalog.',
        });
        expect(ErrorBodySchema.safeParse(body).success).toBe(true);
      }
    }
  });

  it('the catalog routes are v2 only: GET /v1/<org>/catalog is the v1 delete route of a repository "catalog"', async () => {
    const { app } = makeHttpApp();
    const res = await app.request('/v1/myorg/catalog');
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('DELETE');
    expect(await json(res)).toMatchObject({ error: 'MethodNotAllowed' });
  });
});

describe('GET /v2/<org>/catalog for an organization with a catalog (the demo, in memory)', () => {
  const demo = () =>
    createService(embeddedConfig(), { ...embeddedUpstreams(), logger: quiet }) as {
      request: (path: string, init?: RequestInit) => Promise<Response>;
    };

  it('before any publish: the image, digest null, no packages; a package → 404 NotFound', async () => {
    const app = demo();
    const summary = await app.request('/v2/demo-catalog/catalog', { headers: AUTH });
    expect(summary.status).toBe(200);
    expect(await json(summary)).toEqual({
      image: 'registry.demo.example/demo-catalog/catalog:latest',
      digest: null,
      packages: [],
    });
    const one = await app.request('/v2/demo-catalog/catalog/hello-operator', { headers: AUTH });
    expect(one.status).toBe(404);
    expect(await json(one)).toEqual({
      status: 404,
      error: 'NotFound',
      message: 'The catalog registry.demo.example/demo-catalog/catalog:latest has no package hello-operator.',
    });
  });
});

describe('the OpenAPI documents list the catalog routes', () => {
  const fetchDocument = async (v: 'v1' | 'v2') =>
    (await json(await makeHttpApp().app.request(`/${v}/openapi.json`))) as unknown as OpenApiDocument;

  it('v2 has both GET operations, with their answers and the NotFound of an organization without a catalog', async () => {
    const doc = await fetchDocument('v2');
    const summary = doc.paths['/v2/{org}/catalog']?.get as Record<string, unknown> | undefined;
    const onePackage = doc.paths['/v2/{org}/catalog/{package}']?.get as Record<string, unknown> | undefined;
    expect(summary?.operationId).toBe('v2Catalog');
    expect(onePackage?.operationId).toBe('v2CatalogPackage');
    const responses = (op: Record<string, unknown> | undefined) =>
      op?.responses as Record<string, { description: string; content: Record<string, unknown> }>;
    expect(JSON.stringify(responses(summary)['200']!.content)).toContain(
      '#/components/schemas/CatalogSummary',
    );
    expect(Object.keys(responses(onePackage)['200']!.content)).toEqual(['application/jsonl']);
    for (const op of [summary, onePackage]) {
      expect(responses(op)['404']!.description).toContain('`NotFound`');
      expect(responses(op)['403']!.description).toContain('`RegistryAuthorizationError`');
      // Authorization is optional here: no security requirement, unlike publish and delete.
      expect(op?.security ?? []).toEqual([]);
    }
  });

  it('v1 has none', async () => {
    const doc = await fetchDocument('v1');
    expect(Object.keys(doc.paths).filter((p) => p.includes('catalog'))).toEqual([]);
  });
});
