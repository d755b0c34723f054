/** One structured log line per request; the Authorization value is never read here (hold-secrets.ts is). */
import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../../application/ports.js';
import type { AppEnv } from './app-env.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** `runInContext` lets the rest of the request (use cases, adapters, logger) know its id. */
/** What a metrics collector learns of each request. */
export interface RequestObservation {
  method: string;
  /** The route pattern (`/v2/:org/zipfile`), or `unmatched`: never the raw path. */
  route: string;
  status: number;
  errorId?: string;
  organization?: string;
  seconds: number;
}

export function requestLog(
  logger: Logger,
  runInContext: <T>(requestId: string, fn: () => T) => T = (_id, fn) => fn(),
  observe?: (o: RequestObservation) => void,
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    const given = c.req.header('x-request-id');
    const requestId = given && REQUEST_ID.test(given) ? given : crypto.randomUUID();
    c.set('requestId', requestId);
    c.header('X-Request-Id', requestId);
    await runInContext(requestId, next);
    c.res.headers.set('X-Request-Id', requestId);
    const status = c.res.status;
    const fields = {
      request_id: requestId,
      method: c.req.method,
      path: c.req.path,
      status,
      duration_ms: Math.round((performance.now() - started) * 10) / 10,
      ...(c.get('errorId') ? { error: c.get('errorId') } : {}),
    };
    if (status >= 500) logger.error('request', fields);
    else logger.info('request', fields);
    if (observe) {
      const route = c.req.matchedRoutes.findLast((r) => r.method !== 'ALL')?.path ?? 'unmatched';
      const organization = route === 'unmatched' ? undefined : c.req.param('org');
      observe({
        method: c.req.method,
        route,
        status,
        ...(c.get('errorId') ? { errorId: c.get('errorId') } : {}),
        ...(organization ? { organization } : {}),
        seconds: (performance.now() - started) / 1000,
      });
    }
  };
}
