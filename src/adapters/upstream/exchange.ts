/**
 * One HTTP exchange with an upstream, as the Quay and OCI registry adapters
 * use it: the headers built without echoing a bad value, a whole-call
 * Deadline (every attempt, the pauses between retries and the reading of the
 * answer), retries of idempotent reads, the answer read within a size cap,
 * and every failure turned into a reason that names the upstream and logged
 * once. It never throws: the answer (any status) or why there was none.
 */
import type { Logger } from '../../application/ports.js';
import { silentLogger } from '../../application/ports.js';
import { formatDuration } from '../../domain/values.js';
import { callUpstream, type FetchLike, RedirectRefused, type UpstreamRequest } from './call.js';
import { Deadline } from './deadline.js';
import { errorCode } from './error-code.js';
import { logUpstreamFailure } from './failure-log.js';
import { readAtMost } from './read-body.js';

/** What the service configures for an upstream adapter. */
export interface UpstreamOptions {
  /** `request_timeout` in milliseconds, for every call; none by default (the service always passes one). */
  timeoutMs?: number;
  logger?: Logger;
  /** The fetch to use (tests, the Node transport); globalThis.fetch by default. */
  fetch?: FetchLike;
  /** Extra headers sent with every call (e.g. a request id); Authorization cannot be overridden. */
  requestHeaders?: () => Record<string, string>;
  /** Pause before the first retry of an idempotent read; it doubles after. Default 250 ms. */
  retryDelayMs?: number;
  /** Answers larger than this are refused (a failed call), never held whole. */
  maxAnswerBytes?: number;
}

/** Who the upstream is, for messages and logs, and what its adapter wants by default. */
export interface UpstreamIdentity {
  /** How messages name it: `Quay`, `the registry`. */
  name: string;
  /** How the timeout check names it: `Quay`, `Registry`. */
  title: string;
  /** The `upstream` field of its failure log lines. */
  logName: string;
  defaultMaxAnswerBytes: number;
  /** Statuses whose Retry-After replaces the pause before a retry (up to 4 pauses); none by default. */
  retryAfterStatuses?: readonly number[];
  /** Answers logged as failed calls. */
  failedStatus(status: number): boolean;
}

export interface Exchange {
  method: UpstreamRequest['method'];
  headers?: Record<string, string>;
  /** A JSON body (sent as application/json). */
  json?: unknown;
  /** A body already written (its Content-Type in `headers`). */
  body?: string | Uint8Array;
  /** Retries for idempotent reads; 0 = sent once. */
  retries: number;
  /** Ends the exchange early (health checks cut pings off at their own limit). */
  signal?: AbortSignal;
  /** `answer`: a 3xx comes back as an answer, for the caller to follow; by default it is a failure. */
  redirects?: 'answer';
}

export type Answer = { kind: 'answer'; status: number; headers: Headers; body: Uint8Array };

/** What came back: an answer (any status, body read within the cap), or why there was none. */
export type Outcome = Answer | { kind: 'failed'; reason: string };

const RETRY_STATUSES = [408, 429, 500, 502, 503, 504];

class AnswerTooLarge extends Error {}

export class UpstreamExchanger {
  readonly maxAnswerBytes: number;
  private readonly timeoutMs: number | undefined;
  private readonly logger: Logger;
  private readonly extraHeaders: () => Record<string, string>;
  private readonly retryDelayMs: number;
  private readonly fetch: FetchLike | undefined;

  constructor(
    private readonly upstream: UpstreamIdentity,
    options: UpstreamOptions,
  ) {
    if (options.timeoutMs !== undefined && !(Number.isFinite(options.timeoutMs) && options.timeoutMs > 0)) {
      throw new TypeError(
        `${upstream.title} timeout must be a positive number of milliseconds, not ${options.timeoutMs}.`,
      );
    }
    this.timeoutMs = options.timeoutMs;
    this.logger = options.logger ?? silentLogger;
    this.extraHeaders = options.requestHeaders ?? (() => ({}));
    this.retryDelayMs = options.retryDelayMs ?? 250;
    this.maxAnswerBytes = options.maxAnswerBytes ?? upstream.defaultMaxAnswerBytes;
    this.fetch = options.fetch;
  }

  async send(operation: string, url: string, exchange: Exchange): Promise<Outcome> {
    const started = Date.now();
    const { name } = this.upstream;
    let headers: Headers;
    try {
      headers = new Headers(this.extraHeaders());
      for (const [header, value] of Object.entries(exchange.headers ?? {})) headers.set(header, value);
    } catch {
      // The platform's message would quote the offending value, possibly the token.
      return this.failed(
        operation,
        started,
        'the request could not be built (a header value is not valid in HTTP)',
      );
    }
    const deadline = new Deadline(this.timeoutMs, exchange.signal);
    let phase: 'request' | 'response' = 'request';
    try {
      const response = await callUpstream(url, {
        method: exchange.method,
        headers,
        ...(exchange.json !== undefined ? { json: exchange.json } : {}),
        ...(exchange.body !== undefined ? { body: exchange.body } : {}),
        signal: deadline.signal,
        fetch: this.fetch,
        retry: exchange.retries > 0 ? this.retryPolicy(exchange.retries) : undefined,
        ...(exchange.redirects ? { redirects: exchange.redirects } : {}),
      });
      phase = 'response';
      const body = await readAtMost(
        response.body,
        this.maxAnswerBytes,
        deadline.signal,
        () => new AnswerTooLarge(),
      );
      if (this.upstream.failedStatus(response.status)) this.logFailure(operation, started, response.status);
      return { kind: 'answer', status: response.status, headers: response.headers, body };
    } catch (error) {
      const reason = deadline.expired
        ? `${name} did not answer within ${formatDuration(deadline.limitMs)}`
        : error instanceof AnswerTooLarge
          ? `${name} answered more than ${this.maxAnswerBytes} bytes`
          : error instanceof RedirectRefused
            ? `${name} ${error.message}`
            : phase === 'request'
              ? `could not connect to ${name}${errorCode(error)}`
              : `the connection to ${name} failed while reading its answer${errorCode(error)}`;
      return this.failed(operation, started, reason);
    } finally {
      deadline.clear();
    }
  }

  /** The failure log line of a call (an answer the adapter could not use has its status). */
  logFailure(operation: string, started: number, status: number | undefined, reason?: string): void {
    logUpstreamFailure(this.logger, this.upstream.logName, operation, {
      status: status ?? null,
      duration_ms: Date.now() - started,
      ...(reason ? { reason } : {}),
    });
  }

  private failed(operation: string, started: number, reason: string): Outcome {
    this.logFailure(operation, started, undefined, reason);
    return { kind: 'failed', reason };
  }

  private retryPolicy(limit: number): NonNullable<UpstreamRequest['retry']> {
    const afterStatuses = this.upstream.retryAfterStatuses;
    return {
      limit,
      statuses: RETRY_STATUSES,
      delayMs: this.retryDelayMs,
      ...(afterStatuses ? { retryAfter: { statuses: afterStatuses, maxMs: 4 * this.retryDelayMs } } : {}),
    };
  }
}
