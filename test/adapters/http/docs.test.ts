/**
 * GET /docs and the viewer's files: everything the page loads comes from the
 * service itself (same origin, cacheable), so it renders with no internet.
 * npm run test:browser checks the page in a real headless Chromium.
 */
import { describe, expect, it } from 'vitest';
import { docsAssetsFrom } from '../../../src/adapters/http/docs-assets.js';
import { apiDocsPaths } from '../../../src/adapters/http/routes.js';
import { parseConfig } from '../../../src/infrastructure/config.js';
import { createService } from '../../../src/infrastructure/container.js';
import { createLogger } from '../../../src/infrastructure/logger.js';
import { readDocsAssets } from '../../../src/infrastructure/node-docs-assets.js';
import { RecordingLogger } from '../../support/recording-logger.js';

const SCRIPT = 'window.SwaggerUIBundle = function () {};\n//# sourceMappingURL=swagger-ui-bundle.js.map';
const STYLES = '.swagger-ui { color: black }\n/*# sourceMappingURL=swagger-ui.css.map*/';

function appWith(docsAssets = docsAssetsFrom(SCRIPT, STYLES)) {
  return createService(parseConfig({}), { logger: createLogger('ERROR', () => {}), docsAssets });
}

describe('GET /docs', () => {
  it('loads the viewer and its styles from the service itself, pointed at /v2/openapi.json', async () => {
    const res = await appWith().request('/docs');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain(`<script src="${apiDocsPaths.viewer.script}"></script>`);
    expect(html).toContain(`<link rel="stylesheet" href="${apiDocsPaths.viewer.styles}" />`);
    expect(html).toContain('SwaggerUIBundle({ url: "/v2/openapi.json"');
    // Nothing the page loads lives on another host.
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
  });

  it('without the viewer files, links the OpenAPI document instead', async () => {
    const app = createService(parseConfig({}), { logger: createLogger('ERROR', () => {}) });
    const html = await (await app.request('/docs')).text();
    expect(html).toContain('<a href="/v2/openapi.json">/v2/openapi.json</a>');
    expect(html).not.toContain('<script');
    expect((await app.request(apiDocsPaths.viewer.script)).status).toBe(404);
  });

  it('answers 405 to other methods', async () => {
    const res = await appWith().request('/docs', { method: 'POST' });
    expect(res.status).toBe(405);
    expect(await res.json()).toMatchObject({ status: 405, error: 'MethodNotAllowed' });
  });
});

describe('the viewer files', () => {
  it.each([
    [
      apiDocsPaths.viewer.script,
      'text/javascript; charset=utf-8',
      'window.SwaggerUIBundle = function () {};\n',
    ],
    [apiDocsPaths.viewer.styles, 'text/css; charset=utf-8', '.swagger-ui { color: black }\n'],
  ])(
    '%s: served with its type, an ETag and Cache-Control, without the source-map link',
    async (path, type, body) => {
      const res = await appWith().request(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe(type);
      expect(res.headers.get('cache-control')).toBe('public, max-age=3600');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('etag')).toMatch(/^"[0-9a-z]+-[0-9a-z]+"$/);
      expect(await res.text()).toBe(body);
    },
  );

  it('answers 304 with no body to a matching If-None-Match, 200 to a stale one', async () => {
    const app = appWith();
    const first = await app.request(apiDocsPaths.viewer.script);
    const etag = first.headers.get('etag')!;
    const again = await app.request(apiDocsPaths.viewer.script, {
      headers: { 'If-None-Match': `"old", ${etag}` },
    });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
    expect(await again.text()).toBe('');
    const weak = await app.request(apiDocsPaths.viewer.script, { headers: { 'If-None-Match': `W/${etag}` } });
    expect(weak.status).toBe(304);
    const stale = await app.request(apiDocsPaths.viewer.script, { headers: { 'If-None-Match': '"old"' } });
    expect(stale.status).toBe(200);
  });

  it('another version of a file gets another ETag', async () => {
    const etagOf = async (script: string) =>
      (await appWith(docsAssetsFrom(script, STYLES)).request(apiDocsPaths.viewer.script)).headers.get('etag');
    expect(await etagOf('a();')).not.toBe(await etagOf('b();'));
  });
});

describe('the Node entry reads the viewer from node_modules once', () => {
  it('gives the swagger-ui-dist script and styles', () => {
    const logger = new RecordingLogger();
    const assets = readDocsAssets(logger);
    expect(assets?.script).toContain('SwaggerUIBundle');
    expect(assets?.styles).toContain('.swagger-ui');
    expect(assets?.styles).not.toContain('sourceMappingURL');
    expect(logger.warnings).toEqual([]);
  });
});
