/**
 * Registers the caller's Authorization value as a secret for as long as the
 * request runs, so that the logger scrubs it from every line written
 * meanwhile (src/infrastructure/log-secrets.ts). It wraps everything else,
 * the request log line and the error hook included.
 */
import type { MiddlewareHandler } from 'hono';
import type { AppEnv } from './app-env.js';

export interface RequestSecrets {
  /** Scrubbed from log lines until the returned release is called. */
  hold(value: string): () => void;
  /** A copy of `value` with every held secret scrubbed from its strings. */
  scrubValue(value: unknown): unknown;
}

export function holdSecrets(secrets: RequestSecrets): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const authorization = c.req.header('authorization');
    const release = authorization?.trim() ? secrets.hold(authorization) : undefined;
    try {
      await next();
    } finally {
      release?.();
    }
  };
}
