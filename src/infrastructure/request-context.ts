/**
 * Which request is being served, for log lines and upstream headers. On Node
 * it is carried by AsyncLocalStorage (node-request-context.ts); on runtimes
 * without it nothing is carried and the request-log line still has the id.
 */
export interface RequestContext {
  run<T>(requestId: string, fn: () => T): T;
  current(): string | undefined;
}

export const noRequestContext: RequestContext = {
  run: (_id, fn) => fn(),
  current: () => undefined,
};

/** The headers every upstream call carries so a push can be followed through Quay/Koji/Greenwave logs. */
export function upstreamHeaders(context: RequestContext): () => Record<string, string> {
  return (): Record<string, string> => {
    const id = context.current();
    return id ? { 'X-Request-Id': id } : {};
  };
}
