/** One HTTP exchange with an OCI registry, as the adapter's session sees it: the shared upstream exchange. */
import type { Exchange, Outcome } from '../upstream/exchange.js';

export type { Answer, Exchange, Outcome } from '../upstream/exchange.js';

export type Operation = 'manifest' | 'blob' | 'push' | 'tags' | 'delete' | 'token' | 'ping' | 'authenticate';

/** Sends one exchange; never throws. */
export type Exchanger = (operation: Operation, url: string, exchange: Exchange) => Promise<Outcome>;
