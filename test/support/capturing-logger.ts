/**
 * The service's real JSON logger (scrubbing included once the container wraps
 * it), at DEBUG, with the request context that stamps request ids: every line
 * it writes is appended to each of `sinks`.
 */
import { createLogger } from '../../src/infrastructure/logger.js';
import { nodeRequestContext } from '../../src/infrastructure/node-request-context.js';

export function capturingLogger(...sinks: string[][]) {
  const requestContext = nodeRequestContext();
  const logger = createLogger(
    'DEBUG',
    (line) => {
      for (const sink of sinks) sink.push(line);
    },
    () => requestContext.current(),
  );
  return { logger, requestContext };
}
