/**
 * The route table of SPEC §2. v1 and v2 share every handler: they differ only
 * in where the repository comes from.
 */
export type ApiVersion = 'v1' | 'v2';

export interface RouteSpec {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
}

export function routePaths(v: ApiVersion) {
  const repo = v === 'v1' ? '/:repo' : '';
  return {
    zipfile: [`/${v}/:org${repo}/zipfile`, `/${v}/:org${repo}/zipfile/:version`],
    koji: [`/${v}/:org${repo}/koji/:nvr`, `/${v}/:org${repo}/koji/:nvr/:version`],
    delete: [`/${v}/:org/:repo`, `/${v}/:org/:repo/:version`],
    health: `/${v}/health/ping`,
    /** Answers from the process alone, never asking an upstream: for liveness and readiness probes. */
    live: `/${v}/health/live`,
    about: `/${v}/about`,
    /** SPEC §11: v2 only (catalogs came after v1 was frozen). */
    catalog: v === 'v2' ? [`/${v}/:org/catalog`, `/${v}/:org/catalog/:package`] : [],
  };
}

/** Where the API describes itself (openapi.ts); not part of the documented API. */
export const apiDocsPaths = {
  openapi: { v1: '/v1/openapi.json', v2: '/v2/openapi.json' },
  docs: '/docs',
  /** The viewer's own files (docs-assets.ts), served only when the app was given them. */
  viewer: { script: '/docs/assets/swagger-ui-bundle.js', styles: '/docs/assets/swagger-ui.css' },
} as const;

/** Every route; the viewer's files only when the app serves them (`viewer: false` otherwise). */
export function allRoutes(options: { viewer?: boolean } = {}): RouteSpec[] {
  const out: RouteSpec[] = [];
  for (const v of ['v1', 'v2'] as const) {
    const p = routePaths(v);
    for (const path of [...p.zipfile, ...p.koji]) out.push({ method: 'POST', path });
    for (const path of p.delete) out.push({ method: 'DELETE', path });
    out.push(
      { method: 'GET', path: p.health },
      { method: 'GET', path: p.live },
      { method: 'GET', path: p.about },
    );
    for (const path of p.catalog) out.push({ method: 'GET', path });
  }
  out.push(
    { method: 'GET', path: apiDocsPaths.openapi.v1 },
    { method: 'GET', path: apiDocsPaths.openapi.v2 },
    { method: 'GET', path: apiDocsPaths.docs },
  );
  if (options.viewer !== false) {
    out.push(
      { method: 'GET', path: apiDocsPaths.viewer.script },
      { method: 'GET', path: apiDocsPaths.viewer.styles },
    );
  }
  return out;
}

/** Methods that some route serves at `path`: used to answer 405 rather than 404. */
export function allowedMethods(routes: readonly RouteSpec[], path: string): string[] {
  const methods = new Set<string>();
  for (const r of routes) if (matches(r.path, path)) methods.add(r.method);
  return [...methods];
}

function matches(pattern: string, path: string): boolean {
  const want = pattern.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return false;
  return want.every((seg, i) => (seg.startsWith(':') ? got[i] !== '' : seg === got[i]));
}
