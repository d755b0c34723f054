/**
 * The ImageRegistry port over the OCI distribution API (SPEC §10), for any
 * registry: blob HEAD, monolithic upload (POST, then PUT to the Location with
 * `digest=`), manifest PUT/GET/DELETE, tags/list, `GET /v2/`.
 *
 * Web APIs only (runs on edge runtimes); the shared upstream plumbing
 * gives every HTTP exchange a `request_timeout` deadline (attempts, pauses and
 * reading the answer), bounded reads and retries of idempotent reads only.
 *
 * Auth: the caller's Authorization goes to the registry as given. On a `401`
 * with a Bearer challenge the session asks the realm for a token (sending the
 * caller's credentials only when they are Basic ones) and retries once with
 * `Bearer <token>`, which then serves the session's later calls. Neither
 * credential ever appears in a message or a log line.
 */
import type { ImageRegistry, ImageRegistrySession, Logger, Token } from '../../application/ports.js';
import { silentLogger } from '../../application/ports.js';
import { capitalize, formatDuration } from '../../domain/values.js';
import { callUpstream, type FetchLike } from '../upstream/call.js';
import { Deadline } from '../upstream/deadline.js';
import { errorCode } from '../upstream/error-code.js';
import { logUpstreamFailure } from '../upstream/failure-log.js';
import { readAtMost } from '../upstream/read-body.js';
import type { Exchange, Operation, Outcome } from './oci-exchange.js';
import { OciSession } from './oci-session.js';

export interface OciImageRegistryOptions {
  /** `request_timeout` in milliseconds, for every HTTP exchange; none by default. */
  timeoutMs?: number;
  logger?: Logger;
  fetch?: FetchLike;
  /** Extra headers sent with every call (e.g. a request id); Authorization cannot be overridden. */
  requestHeaders?: () => Record<string, string>;
  /** Pause before the first retry of an idempotent read; it doubles after. Default 250 ms. */
  retryDelayMs?: number;
  /** Answers larger than this are refused (a failed call), never held whole. Default 4 MiB. */
  maxAnswerBytes?: number;
}

const RETRY_STATUSES = [408, 429, 500, 502, 503, 504];

class AnswerTooLarge extends Error {}

export class OciImageRegistry implements ImageRegistry {
  private readonly timeoutMs: number | undefined;
  private readonly logger: Logger;
  private readonly extraHeaders: () => Record<string, string>;
  private readonly retryDelayMs: number;
  private readonly maxAnswerBytes: number;
  private readonly fetch: FetchLike | undefined;

  constructor(options: OciImageRegistryOptions = {}) {
    if (options.timeoutMs !== undefined && !(Number.isFinite(options.timeoutMs) && options.timeoutMs > 0)) {
      throw new TypeError(
        `Registry timeout must be a positive number of milliseconds, not ${options.timeoutMs}.`,
      );
    }
    this.timeoutMs = options.timeoutMs;
    this.logger = options.logger ?? silentLogger;
    this.extraHeaders = options.requestHeaders ?? (() => ({}));
    this.retryDelayMs = options.retryDelayMs ?? 250;
    this.maxAnswerBytes = options.maxAnswerBytes ?? 4 * 1024 * 1024;
    this.fetch = options.fetch;
  }

  session(registry: string, token: Token): ImageRegistrySession {
    return new OciSession(
      (operation, url, exchange) => this.call(operation, url, exchange),
      baseUrl(registry),
      token,
    );
  }

  async ping(registry: string, signal?: AbortSignal): Promise<void> {
    const outcome = await this.call('ping', `${baseUrl(registry)}/v2/`, {
      method: 'get',
      retries: 1,
      ...(signal ? { signal } : {}),
    });
    if (outcome.kind === 'failed') throw new Error(capitalize(outcome.reason));
    // 401: the registry is up and wants credentials, which a health check has none of.
    if (outcome.status !== 200 && outcome.status !== 401)
      throw new Error(`The registry answered ${outcome.status}`);
  }

  /** One HTTP exchange (the sessions' Exchanger): never throws; the answer (any status, body read within the cap) or why there was none. */
  async call(operation: Operation, url: string, exchange: Exchange): Promise<Outcome> {
    const started = Date.now();
    let headers: Headers;
    try {
      headers = new Headers(this.extraHeaders());
      for (const [name, value] of Object.entries(exchange.headers ?? {})) headers.set(name, value);
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
        ...(exchange.body ? { body: exchange.body } : {}),
        signal: deadline.signal,
        fetch: this.fetch,
        retry:
          exchange.retries > 0
            ? { limit: exchange.retries, statuses: RETRY_STATUSES, delayMs: this.retryDelayMs }
            : undefined,
      });
      phase = 'response';
      const body = await readAtMost(
        response.body,
        this.maxAnswerBytes,
        deadline.signal,
        () => new AnswerTooLarge(),
      );
      if (response.status >= 400) {
        logUpstreamFailure(this.logger, 'oci_registry', operation, {
          status: response.status,
          duration_ms: Date.now() - started,
        });
      }
      return { kind: 'answer', status: response.status, headers: response.headers, body };
    } catch (error) {
      const reason = deadline.expired
        ? `the registry did not answer within ${formatDuration(deadline.limitMs)}`
        : error instanceof AnswerTooLarge
          ? `the registry answered more than ${this.maxAnswerBytes} bytes`
          : phase === 'request'
            ? `could not connect to the registry${errorCode(error)}`
            : `the connection to the registry failed while reading its answer${errorCode(error)}`;
      return this.failed(operation, started, reason);
    } finally {
      deadline.clear();
    }
  }

  private failed(operation: Operation, started: number, reason: string): Outcome {
    logUpstreamFailure(this.logger, 'oci_registry', operation, {
      status: null,
      duration_ms: Date.now() - started,
      reason,
    });
    return { kind: 'failed', reason };
  }
}

function baseUrl(registry: string): string {
  return registry.replace(/\/+$/, '');
}
