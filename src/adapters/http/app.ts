/**
 * The HTTP edge (SPEC §2): parses input, calls one use case, shapes the JSON.
 * Every failure goes through the single error hook below.
 */
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import type { CheckHealth } from '../../application/check-health.js';
import type { DeleteReleases } from '../../application/delete-releases.js';
import type { Logger } from '../../application/ports.js';
import type { PublishRelease, PublishSource } from '../../application/publish-release.js';
import type { ReadCatalog } from '../../application/read-catalog.js';
import { AuthorizationHeaderRequiredError, OmpsError, ServiceBusyError } from '../../domain/errors.js';
import type { AppEnv } from './app-env.js';
import type { DocsAssets } from './docs-assets.js';
import { asOmpsError, errorBody } from './error-table.js';
import { holdSecrets, type RequestSecrets } from './hold-secrets.js';
import { registerApiDocs } from './openapi.js';
import { validateCatalogParams, validateDeleteParams, validatePublishParams } from './params.js';
import { publishAnswer } from './publish-answer.js';
import { type RequestObservation, requestLog } from './request-log.js';
import { type ApiVersion, allowedMethods, allRoutes, routePaths } from './routes.js';
import { readUpload } from './upload.js';

export interface AppDeps {
  publishRelease: PublishRelease;
  deleteReleases: DeleteReleases;
  checkHealth: CheckHealth;
  /** SPEC §11: what organizations' catalogs hold (GET /v2/<org>/catalog[/<package>]). */
  readCatalog?: ReadCatalog;
  about: { version: string; operatorcourier: string };
  maxContentLength: number;
  logger: Logger;
  /** Runs the rest of a request knowing its id (request-scoped logs and upstream headers). */
  runInContext?: <T>(requestId: string, fn: () => T) => T;
  /** The API viewer's files for /docs (read once by the entry point; /docs links the JSON without them). */
  docsAssets?: DocsAssets;
  /** Secrets kept out of log lines and error bodies: the caller's Authorization value while its request runs. */
  secrets?: RequestSecrets;
  /** Request metrics, and the Prometheus text served at /metrics (Node entry only). */
  metrics?: { observe(o: RequestObservation): void; render(): Promise<string> };
}

export type { AppEnv };

export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const routes = allRoutes({ viewer: deps.docsAssets !== undefined });

  if (deps.secrets) app.use('*', holdSecrets(deps.secrets));
  app.use('*', requestLog(deps.logger, deps.runInContext, deps.metrics && ((o) => deps.metrics?.observe(o))));

  const metrics = deps.metrics;
  if (metrics) {
    app.get('/metrics', async (c) =>
      c.body(await metrics.render(), 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }),
    );
  }

  for (const v of ['v1', 'v2'] as const) registerVersion(app, v, deps);
  registerApiDocs(app, deps.about.version, deps.docsAssets);

  app.notFound((c) => {
    const allowed = allowedMethods(routes, c.req.path);
    if (allowed.length > 0) {
      c.header('Allow', allowed.join(', '));
      return respondError(
        c,
        new OmpsError('MethodNotAllowed', `The method ${c.req.method} is not allowed for this URL.`),
      );
    }
    return respondError(c, new OmpsError('NotFound', 'The requested URL was not found on the server.'));
  });

  app.onError((error, c) => {
    const omps = asOmpsError(error);
    if (!(error instanceof OmpsError)) {
      deps.logger.error('unexpected error', {
        request_id: c.get('requestId'),
        error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
        stack: error instanceof Error ? error.stack : undefined,
      });
    }
    return respondError(c, omps, deps.secrets);
  });

  return app;
}

function registerVersion(app: Hono<AppEnv>, v: ApiVersion, deps: AppDeps): void {
  const paths = routePaths(v);

  const publish = async (c: Context<AppEnv>, source: PublishSource) => {
    const { org, repo, version } = c.req.param() as Record<string, string | undefined>;
    const result = await deps.publishRelease.execute({
      organization: org!,
      ...(v === 'v1' ? { repository: repo! } : {}),
      ...(version !== undefined ? { version } : {}),
      source,
      token: c.get('token'),
      ...(isDryRun(c.req.query('dry_run')) ? { dryRun: true } : {}),
    });
    return c.json(publishAnswer(result), 200);
  };

  for (const path of paths.zipfile) {
    app.post(path, requireToken, validatePublishParams, async (c) => {
      const upload = await readUpload(c.req.raw, deps.maxContentLength);
      return publish(c, { kind: 'upload', bytes: upload.bytes });
    });
  }

  for (const path of paths.koji) {
    app.post(path, requireToken, validatePublishParams, (c) =>
      publish(c, { kind: 'koji', nvr: c.req.param('nvr')! }),
    );
  }

  for (const path of paths.delete) {
    app.delete(path, requireToken, validateDeleteParams, async (c) => {
      const { org, repo, version } = c.req.param() as Record<string, string | undefined>;
      const result = await deps.deleteReleases.execute({
        organization: org!,
        repository: repo!,
        ...(version !== undefined ? { version } : {}),
        token: c.get('token'),
      });
      return c.json(result, 200);
    });
  }

  app.get(paths.health, async (c) => {
    const report = await deps.checkHealth.execute();
    return c.json(report, report.status);
  });

  // A probe's route: an upstream outage must not take every replica out of service (ping is for that).
  app.get(paths.live, (c) => c.json({ ok: true, status: 200 }, 200));

  app.get(paths.about, (c) => c.json(deps.about, 200));

  const [catalogPath, catalogPackagePath] = paths.catalog;
  const { readCatalog } = deps;
  if (catalogPath && catalogPackagePath) {
    const noCatalog = () => new OmpsError('NotFound', 'No organization keeps a catalog here.');
    // The caller's Authorization (optional here) goes to the registry; none reads anonymously.
    const token = (c: Context<AppEnv>) => c.req.header('authorization')?.trim() ?? '';
    app.get(catalogPath, validateCatalogParams, async (c) => {
      if (!readCatalog) throw noCatalog();
      return c.json(await readCatalog.summary(c.req.param('org')!, token(c)), 200);
    });
    app.get(catalogPackagePath, validateCatalogParams, async (c) => {
      if (!readCatalog) throw noCatalog();
      const lines = await readCatalog.packageLines(c.req.param('org')!, c.req.param('package')!, token(c));
      return c.body(lines, 200, { 'Content-Type': 'application/jsonl; charset=utf-8' });
    });
  }
}

/** SPEC §2: no (or an empty) Authorization header → 403 before anything else is read or asked. */
const requireToken: MiddlewareHandler<AppEnv> = async (c, next) => {
  const token = c.req.header('authorization');
  if (!token?.trim()) throw new AuthorizationHeaderRequiredError();
  c.set('token', token);
  await next();
};

/** `?dry_run=true` (or 1/yes) on a publish route: every step but the push. */
function isDryRun(value: string | undefined): boolean {
  return value !== undefined && ['true', '1', 'yes'].includes(value.toLowerCase());
}

/** An upstream's answer quoted in an error (Quay echoing the token) loses the caller's secrets too. */
function respondError(c: Context<AppEnv>, error: OmpsError, secrets?: RequestSecrets) {
  c.set('errorId', error.id);
  if (error instanceof ServiceBusyError) c.header('Retry-After', String(error.retryAfterSeconds));
  const plain = errorBody(error);
  const body = secrets ? (secrets.scrubValue(plain) as typeof plain) : plain;
  return c.json(body, body.status as 400);
}
