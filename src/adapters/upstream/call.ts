/**
 * One HTTP exchange with an upstream, bounded by a Deadline's signal: the
 * request, its retries and the pauses between them all stop when the signal
 * aborts.
 *
 * Retries (only when a RetryPolicy is given, so only for idempotent calls):
 * failures without an answer and answers with one of the policy's statuses,
 * after `delayMs`, then twice that, and so on; never once the deadline has
 * passed. The body of an answer that is retried is dropped. The answer to the
 * last attempt is returned even when its status was worth retrying.
 *
 * Our own loop rather than ky: ky always builds (and, to retry, clones) undici
 * Request objects, about 0.2 ms of CPU per call on top of fetch's own; here
 * fetch is called with the URL and a plain init, which any fetch-shaped
 * function (the Node transport, a test's fake) can serve.
 */
import { discard } from './read-body.js';

/** What callUpstream needs of fetch: always called as `fetch(url, init)`, never with a Request. */
export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface RetryPolicy {
  /** Attempts after the first one. */
  limit: number;
  /** Answers worth another attempt (e.g. 502, 503, 504). */
  statuses: readonly number[];
  /** The pause before the first retry; it doubles before each next one. */
  delayMs: number;
  /** Statuses on which the upstream's Retry-After replaces the pause, up to `maxMs`; none by default. */
  retryAfter?: { statuses: readonly number[]; maxMs: number };
  /** Which failures without an answer are worth another attempt; all by default. */
  retryFailure?: (error: Error) => boolean;
  /** Told of each retry, after the pause and before it is sent (e.g. to log it); an answer is a RetriedStatus. */
  onRetry?: (error: Error, attempt: number) => void;
}

export interface UpstreamRequest {
  method: 'get' | 'head' | 'post' | 'put' | 'delete';
  headers: HeadersInit;
  /** A JSON body (sent as application/json). */
  json?: unknown;
  /** A text or binary body; its content type goes in `headers`. */
  body?: string | Uint8Array;
  /** The deadline: aborting it ends the call, whatever it is doing. */
  signal: AbortSignal;
  /** The fetch to use; globalThis.fetch by default. */
  fetch?: FetchLike;
  /** Sent once without one. */
  retry?: RetryPolicy;
  /**
   * A 3xx answer is refused (RedirectRefused) unless the caller takes it as an answer to follow
   * itself under its own rules for credentials (the OCI session). Never followed by fetch.
   */
  redirects?: 'refuse' | 'answer';
}

/**
 * An upstream answered a redirect. fetch never follows one here (`redirect: 'manual'`, and the
 * Node transport follows none): where a call's credentials go is decided by the adapter, not by
 * whichever host a 3xx names. The message names the status and the target's host only.
 */
export class RedirectRefused extends Error {
  constructor(
    readonly status: number,
    to: string | undefined,
  ) {
    super(
      `answered a redirect (${status ? `HTTP ${status}` : 'opaque'}${to ? ` to ${to}` : ''}), which is not followed`,
    );
    this.name = 'RedirectRefused';
  }
}

/** A 3xx (304 aside: it answers a conditional request, which is never sent), or a browser's opaque redirect. */
export function isRedirect(response: Response): boolean {
  return (
    response.type === 'opaqueredirect' ||
    (response.status >= 300 && response.status < 400 && response.status !== 304)
  );
}

/** The host a redirect points at, or undefined when it names none that parses. */
export function redirectHost(response: Response, from: string): string | undefined {
  const location = response.headers.get('location');
  if (!location) return undefined;
  try {
    return new URL(location, from).host;
  } catch {
    return undefined;
  }
}

/** An answer that was retried, as onRetry is told of it (its body is already dropped). */
export class RetriedStatus extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
    this.name = 'RetriedStatus';
  }
}

/** setTimeout's largest delay; a longer Retry-After would fire at once. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * The upstream's answer, whatever its status (a redirect only when `redirects: 'answer'`); its
 * body is left to the caller. Rejects when there is none: the connection failed, the signal
 * aborted, or the answer was a redirect (RedirectRefused).
 */
export async function callUpstream(url: string, request: UpstreamRequest): Promise<Response> {
  const response = await attempts(url, request);
  if (!isRedirect(response)) return response;
  // An opaque redirect (browsers) hides where it points: nobody can follow it.
  if (request.redirects === 'answer' && response.type !== 'opaqueredirect') return response;
  discard(response.body);
  throw new RedirectRefused(response.status, redirectHost(response, url));
}

async function attempts(url: string, request: UpstreamRequest): Promise<Response> {
  const fetchImpl: FetchLike = request.fetch ?? globalThis.fetch;
  const init = requestInit(request);
  const policy = request.retry;
  if (!policy) return fetchImpl(url, init);
  const { signal } = request;
  for (let attempt = 1; ; attempt++) {
    let pauseMs: number;
    let reason: Error;
    try {
      const response = await fetchImpl(url, init);
      if (!policy.statuses.includes(response.status) || attempt > policy.limit || signal.aborted)
        return response;
      pauseMs = retryAfterMs(response, policy) ?? backoffMs(policy, attempt);
      reason = new RetriedStatus(response.status);
      discard(response.body);
    } catch (error) {
      if (attempt > policy.limit || signal.aborted) throw error;
      reason = error instanceof Error ? error : new Error(String(error));
      if (policy.retryFailure && !policy.retryFailure(reason)) throw error;
      pauseMs = backoffMs(policy, attempt);
    }
    await pause(Math.min(Math.max(pauseMs, 0), MAX_TIMER_MS), signal);
    policy.onRetry?.(reason, attempt);
  }
}

function requestInit(request: UpstreamRequest): RequestInit {
  const init: RequestInit = {
    method: request.method.toUpperCase(),
    headers: request.headers,
    signal: request.signal,
    redirect: 'manual',
  };
  if (request.json !== undefined) {
    const headers = new Headers(request.headers);
    if (!headers.has('content-type')) headers.set('content-type', 'application/json');
    init.headers = headers;
    init.body = JSON.stringify(request.json);
  } else if (request.body !== undefined) {
    init.body = request.body as BodyInit;
  }
  return init;
}

function backoffMs(policy: RetryPolicy, attempt: number): number {
  return policy.delayMs * 2 ** (attempt - 1);
}

/**
 * The answer's Retry-After (seconds or an HTTP date) when its status is one
 * that honours it, capped; one that cannot be read waits the cap.
 */
function retryAfterMs(response: Response, policy: RetryPolicy): number | undefined {
  const honoured = policy.retryAfter;
  if (!honoured?.statuses.includes(response.status)) return undefined;
  const header = response.headers.get('retry-after');
  if (!header) return undefined;
  let ms = Number(header) * 1000;
  if (Number.isNaN(ms)) ms = Date.parse(header) - Date.now();
  return Number.isNaN(ms) ? honoured.maxMs : Math.min(ms, honoured.maxMs);
}

/** Waits `ms`, or rejects with the signal's reason as soon as it aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
