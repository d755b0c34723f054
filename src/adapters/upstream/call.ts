/**
 * One HTTP exchange with an upstream through ky, bounded by a Deadline's
 * signal (ky's per-attempt `timeout` is off): the request, its retries and
 * the pauses between them all stop when the signal aborts.
 *
 * Retries (only when a RetryPolicy is given, so only for idempotent calls):
 * failures without an answer and answers with one of the policy's statuses,
 * after `delayMs`, then twice that, and so on; never once the deadline has
 * passed. The body of an answer that is retried is dropped. The answer to the
 * last attempt is returned even when its status was worth retrying.
 */
import ky, { isHTTPError, type Options } from 'ky';
import { discard } from './read-body.js';

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
  /** Told of each retry, after the pause and before it is sent (e.g. to log it). */
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
  fetch?: typeof fetch;
  /** Sent once without one. */
  retry?: RetryPolicy;
}

/**
 * The upstream's answer, whatever its status; its body is left to the caller.
 * Rejects when there is none: the connection failed, or the signal aborted.
 */
export async function callUpstream(url: string, request: UpstreamRequest): Promise<Response> {
  const { retry, signal } = request;
  try {
    return await ky(url, {
      method: request.method,
      headers: request.headers,
      ...(request.json === undefined ? {} : { json: request.json }),
      ...(request.body === undefined ? {} : { body: request.body as BodyInit }),
      signal,
      timeout: false,
      ...(request.fetch ? { fetch: request.fetch } : {}),
      ...(retry ? retrying(retry, request.method, signal) : { retry: 0, throwHttpErrors: false }),
    });
  } catch (error) {
    // After the last retry ky throws the retryable answer: it is still the answer.
    if (!isHTTPError(error)) throw error;
    return error.response;
  }
}

/** ky's options for a RetryPolicy: only the retryable statuses throw, so that ky retries them. */
function retrying(
  policy: RetryPolicy,
  method: UpstreamRequest['method'],
  signal: AbortSignal,
): Pick<Options, 'retry' | 'throwHttpErrors' | 'hooks'> {
  const { retryFailure, onRetry } = policy;
  return {
    throwHttpErrors: (status: number) => policy.statuses.includes(status),
    retry: {
      limit: policy.limit,
      methods: [method],
      statusCodes: [...policy.statuses],
      afterStatusCodes: [...(policy.retryAfter?.statuses ?? [])],
      ...(policy.retryAfter ? { maxRetryAfter: policy.retryAfter.maxMs } : {}),
      delay: (attempt: number) => policy.delayMs * 2 ** (attempt - 1),
      shouldRetry: ({ error }) => {
        if (signal.aborted) return false;
        if (retryFailure && !isHTTPError(error) && !retryFailure(error)) return false;
        return undefined; // ky decides by statusCodes and afterStatusCodes
      },
    },
    hooks: {
      beforeRetry: [
        ({ error, retryCount }) => {
          if (isHTTPError(error)) discard(error.response.body);
          onRetry?.(error, retryCount);
        },
      ],
    },
  };
}
