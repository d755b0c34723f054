/** One HTTP exchange with an OCI registry, as the adapter's session sees it. */
import type { UpstreamRequest } from '../upstream/call.js';

export type Operation = 'manifest' | 'push' | 'tags' | 'delete' | 'token' | 'ping';

export type Answer = { kind: 'answer'; status: number; headers: Headers; body: Uint8Array };

/** What came back: an answer (any status, body read within the cap), or why there was none. */
export type Outcome = Answer | { kind: 'failed'; reason: string };

export interface Exchange {
  method: UpstreamRequest['method'];
  headers?: Record<string, string>;
  body?: Uint8Array;
  /** Retries for idempotent reads; 0 = sent once. */
  retries: number;
  /** Ends the exchange early (health checks cut pings off at their own limit). */
  signal?: AbortSignal;
}

/** Sends one exchange; never throws. */
export type Exchanger = (operation: Operation, url: string, exchange: Exchange) => Promise<Outcome>;
