/**
 * One HTTP exchange with an upstream, as every upstream adapter (Quay, OCI
 * registries, Koji, Greenwave) uses it: the headers built without echoing a
 * bad value, a whole-call Deadline (every attempt, the pauses between retries
 * and the reading of the answer), retries of idempotent calls, the answer read
 * within a size cap (refused at once when its Content-Length says it is
 * over), and every failure turned into a reason and logged once. It never
 * throws: the answer (any status) or why there was none.
 */
import type { LogFields, Logger } from '../../application/ports.js';
import { silentLogger } from '../../application/ports.js';
import { formatDuration } from '../../domain/values.js';
import {
  callUpstream,
  type FetchLike,
  RedirectRefused,
  RetriedStatus,
  type UpstreamRequest,
} from './call.js';
import { Deadline } from './deadline.js';
import { errorCode } from './error-code.js';
import { logUpstreamFailure } from './failure-log.js';
import { discard, readAtMost } from './read-body.js';

/** What the service configures for an upstream adapter. */
export interface UpstreamOptions {
  /** `request_timeout` in milliseconds, for every call; none by default (the service always passes one). */
  timeoutMs?: number;
  logger?: Logger;
  /** The fetch to use (tests, the Node transport); globalThis.fetch by default. */
  fetch?: FetchLike;
  /** Extra headers sent with every call (e.g. a request id); Authorization cannot be overridden. */
  requestHeaders?: () => Record<string, string>;
  /** Pause before the first retry of an idempotent call; it doubles after. The upstream's default otherwise. */
  retryDelayMs?: number;
  /** Answers larger than this are refused (a failed call), never held whole. */
  maxAnswerBytes?: number;
}

/** Who the upstream is, for messages and logs, and what its adapter wants by default. */
export interface UpstreamIdentity {
  /** How messages name it: `Quay`, `the registry`, `Koji`, `Greenwave`. */
  name: string;
  /** How the timeout check names it: `Quay`, `Registry`; `name` by default. */
  title?: string;
  /** The `upstream` field of its failure log lines. */
  logName: string;
  /**
   * How a failure's reason reads. `named` (the default): it names the upstream
   * (`could not connect to Quay`). `plain`: the adapter's message names it before
   * the reason (`Koji hub call getBuild failed: could not connect`).
   */
  reasons?: 'named' | 'plain';
  defaultMaxAnswerBytes: number;
  /** Answers worth another attempt; 408, 429, 500, 502, 503, 504 by default. */
  retryStatuses?: readonly number[];
  /** The first pause before a retry when the options set none; 250 ms by default. */
  retryDelayMs?: number;
  /** Which failures without an answer are retried; all by default. */
  retryFailure?: (error: Error) => boolean;
  /** Log each retry (`retrying: true`) as well as the failure. */
  logRetries?: boolean;
  /** Statuses whose Retry-After replaces the pause before a retry (up to 4 pauses); none by default. */
  retryAfterStatuses?: readonly number[];
  /** Answers logged as failed calls; none by default (the adapter logs the answers it cannot use). */
  failedStatus?(status: number): boolean;
}

export interface Exchange {
  method: UpstreamRequest['method'];
  headers?: Record<string, string>;
  /** A JSON body (sent as application/json). */
  json?: unknown;
  /** A body already written (its Content-Type in `headers`). */
  body?: string | Uint8Array;
  /** Retries for idempotent calls; 0 = sent once. */
  retries: number;
  /** Ends the exchange early (health checks cut pings off at their own limit). */
  signal?: AbortSignal;
  /**
   * This exchange's own cap on the answer (e.g. a download's limit) instead of the
   * adapter's. Passing it is the caller's to report: the outcome says `tooLarge`, unlogged.
   */
  maxAnswerBytes?: number;
  /** Added to this exchange's log lines (e.g. the build it is about). */
  logFields?: LogFields;
  /** `answer`: a 3xx comes back as an answer, for the caller to follow; by default it is a failure. */
  redirects?: 'answer';
}

export type Answer = { kind: 'answer'; status: number; headers: Headers; body: Uint8Array };

/** What came back: an answer (any status, body read within the cap), or why there was none. */
export type Outcome = Answer | { kind: 'failed'; reason: string; tooLarge?: true };

const RETRY_STATUSES = [408, 429, 500, 502, 503, 504];

class AnswerTooLarge extends Error {}

/** The words of a failure's reason (UpstreamIdentity.reasons). */
interface Reasons {
  timedOut(limitMs: number): string;
  tooLarge(bytes: number): string;
  connect(code: string): string;
  reading(code: string): string;
  status(status: number): string;
  /** A 3xx that is not followed (RedirectRefused's words). */
  redirect(why: string): string;
}

function reasonsOf({ name, reasons }: UpstreamIdentity): Reasons {
  return reasons === 'plain'
    ? {
        timedOut: (limitMs) => `timed out after ${limitMs} ms`,
        tooLarge: (bytes) => `answered more than ${bytes} bytes`,
        connect: (code) => `could not connect${code}`,
        reading: (code) => `could not connect${code}`,
        status: (status) => `answered HTTP ${status}`,
        redirect: (why) => why,
      }
    : {
        timedOut: (limitMs) => `${name} did not answer within ${formatDuration(limitMs)}`,
        tooLarge: (bytes) => `${name} answered more than ${bytes} bytes`,
        connect: (code) => `could not connect to ${name}${code}`,
        reading: (code) => `the connection to ${name} failed while reading its answer${code}`,
        status: (status) => `${name} answered ${status}`,
        redirect: (why) => `${name} ${why}`,
      };
}

export class UpstreamExchanger {
  readonly maxAnswerBytes: number;
  private readonly timeoutMs: number | undefined;
  private readonly logger: Logger;
  private readonly extraHeaders: () => Record<string, string>;
  private readonly retryDelayMs: number;
  private readonly fetch: FetchLike | undefined;
  private readonly reasons: Reasons;

  constructor(
    private readonly upstream: UpstreamIdentity,
    options: UpstreamOptions,
  ) {
    if (options.timeoutMs !== undefined && !(Number.isFinite(options.timeoutMs) && options.timeoutMs > 0)) {
      throw new TypeError(
        `${upstream.title ?? upstream.name} timeout must be a positive number of milliseconds, not ${options.timeoutMs}.`,
      );
    }
    this.timeoutMs = options.timeoutMs;
    this.logger = options.logger ?? silentLogger;
    this.extraHeaders = options.requestHeaders ?? (() => ({}));
    this.retryDelayMs = options.retryDelayMs ?? upstream.retryDelayMs ?? 250;
    this.maxAnswerBytes = options.maxAnswerBytes ?? upstream.defaultMaxAnswerBytes;
    this.fetch = options.fetch;
    this.reasons = reasonsOf(upstream);
  }

  async send(operation: string, url: string, exchange: Exchange): Promise<Outcome> {
    const started = Date.now();
    const fields = exchange.logFields ?? {};
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
        fields,
      );
    }
    const cap = exchange.maxAnswerBytes ?? this.maxAnswerBytes;
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
        retry: exchange.retries > 0 ? this.retryPolicy(exchange.retries, operation, fields) : undefined,
        ...(exchange.redirects ? { redirects: exchange.redirects } : {}),
      });
      phase = 'response';
      // A HEAD's Content-Length is the size of what a GET would answer, not of its (empty) answer.
      const declared = exchange.method === 'head' ? 0 : Number(response.headers.get('content-length'));
      if (declared > cap) {
        discard(response.body);
        throw new AnswerTooLarge();
      }
      const body = await readAtMost(response.body, cap, deadline.signal, () => new AnswerTooLarge());
      if (this.upstream.failedStatus?.(response.status))
        this.logFailure(operation, started, response.status, undefined, fields);
      return { kind: 'answer', status: response.status, headers: response.headers, body };
    } catch (error) {
      if (!deadline.expired && error instanceof AnswerTooLarge) {
        const reason = this.reasons.tooLarge(cap);
        // A cap the caller chose is the caller's to report.
        if (exchange.maxAnswerBytes === undefined)
          this.logFailure(operation, started, undefined, reason, fields);
        return { kind: 'failed', reason, tooLarge: true };
      }
      const reason = deadline.expired
        ? this.reasons.timedOut(deadline.limitMs)
        : error instanceof RedirectRefused
          ? this.reasons.redirect(error.message)
          : phase === 'request'
            ? this.reasons.connect(errorCode(error))
            : this.reasons.reading(errorCode(error));
      return this.failed(operation, started, reason, fields);
    } finally {
      deadline.clear();
    }
  }

  /** The failure log line of a call (an answer the adapter could not use has its status; `started`, its duration). */
  logFailure(
    operation: string,
    started: number | undefined,
    status: number | undefined,
    reason?: string,
    fields: LogFields = {},
  ): void {
    logUpstreamFailure(this.logger, this.upstream.logName, operation, {
      ...fields,
      status: status ?? null,
      ...(started !== undefined ? { duration_ms: Date.now() - started } : {}),
      ...(reason ? { reason } : {}),
    });
  }

  private failed(operation: string, started: number, reason: string, fields: LogFields): Outcome {
    this.logFailure(operation, started, undefined, reason, fields);
    return { kind: 'failed', reason };
  }

  private retryPolicy(
    limit: number,
    operation: string,
    fields: LogFields,
  ): NonNullable<UpstreamRequest['retry']> {
    const { retryAfterStatuses, retryStatuses, retryFailure, logRetries, logName } = this.upstream;
    return {
      limit,
      statuses: retryStatuses ?? RETRY_STATUSES,
      delayMs: this.retryDelayMs,
      ...(retryAfterStatuses
        ? { retryAfter: { statuses: retryAfterStatuses, maxMs: 4 * this.retryDelayMs } }
        : {}),
      ...(retryFailure ? { retryFailure } : {}),
      ...(logRetries
        ? {
            onRetry: (error: Error, attempt: number) =>
              logUpstreamFailure(this.logger, logName, operation, {
                ...fields,
                attempt,
                retrying: true,
                ...(error instanceof RetriedStatus
                  ? { status: error.status, reason: this.reasons.status(error.status) }
                  : { reason: this.reasons.connect(errorCode(error)) }),
              }),
          }
        : {}),
    };
  }
}
