/** RequestContext on Node's AsyncLocalStorage. */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { RequestContext } from './request-context.js';

export function nodeRequestContext(): RequestContext {
  const storage = new AsyncLocalStorage<string>();
  return {
    run: (requestId, fn) => storage.run(requestId, fn),
    current: () => storage.getStore(),
  };
}
