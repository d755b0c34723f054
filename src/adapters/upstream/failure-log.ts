/**
 * The one log line every upstream adapter writes when a call to its upstream
 * fails (or is retried): `upstream call failed`, naming the upstream and the
 * operation first, then the adapter's own fields (reason, status, …).
 */
import type { LogFields, Logger } from '../../application/ports.js';

export function logUpstreamFailure(
  logger: Logger,
  upstream: string,
  operation: string,
  fields: LogFields,
): void {
  logger.warn('upstream call failed', { upstream, operation, ...fields });
}
