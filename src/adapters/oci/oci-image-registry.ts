/**
 * The ImageRegistry port over the OCI distribution API (SPEC §10), for any
 * registry: blob HEAD, monolithic upload (POST, then PUT to the Location with
 * `digest=`), manifest PUT/GET/DELETE, tags/list, `GET /v2/`.
 *
 * Web APIs + ky only (runs on edge runtimes); the shared upstream plumbing
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
import { isValidTag } from '../../domain/bundle-image/image-name.js';
import { OCI_MEDIA_TYPE, type OciBlob, type OciImage, sha256 } from '../../domain/bundle-image/oci-image.js';
import {
  QuayAuthorizationError,
  QuayCourierError,
  QuayPackageError,
  QuayPackageNotFoundError,
} from '../../domain/errors.js';
import { callUpstream, type UpstreamRequest } from '../upstream/call.js';
import { Deadline } from '../upstream/deadline.js';
import { errorCode } from '../upstream/error-code.js';
import { logUpstreamFailure } from '../upstream/failure-log.js';
import { isRecord, parseJson } from '../upstream/json.js';
import { readAtMost } from '../upstream/read-body.js';
import { parseBearerChallenge, tokenUrl } from './auth-challenge.js';

export interface OciImageRegistryOptions {
  /** `request_timeout` in milliseconds, for every HTTP exchange; none by default. */
  timeoutMs?: number;
  logger?: Logger;
  fetch?: typeof fetch;
  /** Extra headers sent with every call (e.g. a request id); Authorization cannot be overridden. */
  requestHeaders?: () => Record<string, string>;
  /** Pause before the first retry of an idempotent read; it doubles after. Default 250 ms. */
  retryDelayMs?: number;
  /** Answers larger than this are refused (a failed call), never held whole. Default 4 MiB. */
  maxAnswerBytes?: number;
}

type Operation = 'manifest' | 'push' | 'tags' | 'delete' | 'token' | 'ping';

type Outcome =
  | { kind: 'answer'; status: number; headers: Headers; body: Uint8Array }
  | { kind: 'failed'; reason: string };

interface Exchange {
  method: UpstreamRequest['method'];
  headers?: Record<string, string>;
  body?: Uint8Array;
  /** Retries for idempotent reads; 0 = sent once. */
  retries: number;
  /** Overrides the configured deadline (health pings). */
  timeoutMs?: number;
}

const RETRY_STATUSES = [408, 429, 500, 502, 503, 504];
const PING_TIMEOUT_MS = 10_000;
const MAX_TAG_PAGES = 100;
/** Whatever a tag may point at, so that any tag can be resolved (and deleted). */
const MANIFEST_ACCEPT = [
  OCI_MEDIA_TYPE.manifest,
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

class AnswerTooLarge extends Error {}

export class OciImageRegistry implements ImageRegistry {
  private readonly timeoutMs: number | undefined;
  readonly logger: Logger;
  private readonly extraHeaders: () => Record<string, string>;
  private readonly retryDelayMs: number;
  private readonly maxAnswerBytes: number;
  private readonly fetch: typeof fetch | undefined;

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
    return new OciSession(this, baseUrl(registry), token);
  }

  async ping(registry: string): Promise<void> {
    const timeoutMs = Math.min(this.timeoutMs ?? PING_TIMEOUT_MS, PING_TIMEOUT_MS);
    const outcome = await this.call('ping', `${baseUrl(registry)}/v2/`, {
      method: 'get',
      retries: 1,
      timeoutMs,
    });
    if (outcome.kind === 'failed') throw new Error(capitalize(outcome.reason));
    // 401: the registry is up and wants credentials, which a health check has none of.
    if (outcome.status !== 200 && outcome.status !== 401)
      throw new Error(`The registry answered ${outcome.status}`);
  }

  /** One HTTP exchange: never throws; the answer (any status, body read within the cap) or why there was none. */
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
    const timeoutMs = exchange.timeoutMs ?? this.timeoutMs;
    const deadline = new Deadline(timeoutMs);
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
        ? `the registry did not answer within ${timeoutMs} ms`
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

class OciSession implements ImageRegistrySession {
  /** What goes in Authorization: the caller's value, until a challenge trades it for a bearer token. */
  private authorization: string;

  constructor(
    private readonly http: OciImageRegistry,
    private readonly base: string,
    private readonly callerToken: Token,
  ) {
    this.authorization = callerToken;
  }

  async manifestDigest(repository: string, tag: string): Promise<string | undefined> {
    const what = `${repository}:${tag}`;
    const outcome = await this.send('manifest', this.url(repository, 'manifests', tag), {
      method: 'get',
      headers: { Accept: MANIFEST_ACCEPT },
      retries: 2,
    });
    if (outcome.kind === 'failed')
      throw new QuayCourierError(`Failed to push manifest: could not read ${what}: ${outcome.reason}.`);
    if (outcome.status === 404) return undefined;
    if (outcome.status === 200) return sha256(outcome.body);
    throw pushError(`could not read ${what}`, outcome);
  }

  async pushImage(repository: string, tag: string, image: OciImage): Promise<void> {
    for (const blob of [image.config, ...image.layers]) await this.ensureBlob(repository, blob);
    const outcome = await this.send('push', this.url(repository, 'manifests', tag), {
      method: 'put',
      headers: { 'Content-Type': image.manifest.mediaType },
      body: image.manifest.data,
      retries: 0,
    });
    const what = `the manifest of ${repository}:${tag}`;
    if (outcome.kind === 'failed')
      throw new QuayCourierError(`Failed to push manifest: could not put ${what}: ${outcome.reason}.`);
    if (outcome.status !== 201 && outcome.status !== 200) throw pushError(`could not put ${what}`, outcome);
  }

  async tags(repository: string): Promise<string[] | undefined> {
    const tags: string[] = [];
    let url: string | undefined = `${this.url(repository, 'tags', 'list')}`;
    for (let page = 0; url && page < MAX_TAG_PAGES; page++) {
      const outcome = await this.send('tags', url, {
        method: 'get',
        headers: { Accept: 'application/json' },
        retries: 2,
      });
      const what = `the tags of ${repository}`;
      if (outcome.kind === 'failed')
        throw new QuayPackageError(`Cannot retrieve ${what}: ${outcome.reason}.`);
      if (outcome.status === 404) return page === 0 ? undefined : tags;
      if (outcome.status === 401 || outcome.status === 403) {
        throw new QuayAuthorizationError(
          `The registry refused to list ${what} (${outcome.status})${detail(outcome)}`,
          errorJson(outcome),
        );
      }
      const json = parseJson(new TextDecoder().decode(outcome.body));
      if (outcome.status !== 200 || !isRecord(json)) {
        throw new QuayPackageError(
          `Cannot retrieve ${what}: the registry answered ${outcome.status}${detail(outcome)}`,
        );
      }
      const listed = Array.isArray(json.tags) ? json.tags : [];
      tags.push(...listed.filter((t): t is string => typeof t === 'string'));
      url = nextPage(outcome.headers.get('link'), url);
    }
    return tags;
  }

  async deleteTag(repository: string, tag: string): Promise<void> {
    const what = `${repository}:${tag}`;
    if (!isValidTag(tag)) throw new QuayPackageNotFoundError(`The registry has no image ${what}.`);
    const found = await this.send('delete', this.url(repository, 'manifests', tag), {
      method: 'get',
      headers: { Accept: MANIFEST_ACCEPT },
      retries: 2,
    });
    if (found.kind === 'failed') throw new QuayPackageError(`Could not delete ${what}: ${found.reason}.`);
    if (found.status === 404) throw new QuayPackageNotFoundError(`The registry has no image ${what}.`);
    if (found.status !== 200)
      throw new QuayPackageError(
        `Could not delete ${what}: the registry answered ${found.status}${detail(found)}`,
      );
    const digest = found.headers.get('docker-content-digest') ?? (await sha256(found.body));
    const outcome = await this.send('delete', this.url(repository, 'manifests', digest), {
      method: 'delete',
      retries: 0,
    });
    if (outcome.kind === 'failed') throw new QuayPackageError(`Could not delete ${what}: ${outcome.reason}.`);
    if (outcome.status === 202 || outcome.status === 200) return;
    if (outcome.status === 404) throw new QuayPackageNotFoundError(`The registry has no image ${what}.`);
    const refused = outcome.status === 405 ? ' (deleting is disabled in this registry)' : '';
    throw new QuayPackageError(
      `Could not delete ${what}: the registry answered ${outcome.status}${refused}${detail(outcome)}`,
    );
  }

  /** HEAD first: a blob the registry has is never sent again. */
  private async ensureBlob(repository: string, blob: OciBlob): Promise<void> {
    const what = `blob ${blob.digest} of ${repository}`;
    const head = await this.send('push', this.url(repository, 'blobs', blob.digest), {
      method: 'head',
      retries: 2,
    });
    if (head.kind === 'failed')
      throw new QuayCourierError(`Failed to push manifest: could not check ${what}: ${head.reason}.`);
    if (head.status === 200) return;
    if (head.status !== 404) throw pushError(`could not check ${what}`, head);

    const started = await this.send('push', `${this.base}/v2/${repository}/blobs/uploads/`, {
      method: 'post',
      retries: 0,
    });
    if (started.kind === 'failed')
      throw new QuayCourierError(`Failed to push manifest: could not upload ${what}: ${started.reason}.`);
    const location = started.headers.get('location');
    if (started.status !== 202 || !location) throw pushError(`could not start uploading ${what}`, started);
    let target: string;
    try {
      // Location may be relative and may already carry a query (the upload's state).
      const resolved = new URL(location, `${this.base}/v2/${repository}/blobs/uploads/`).href;
      target = `${resolved}${resolved.includes('?') ? '&' : '?'}digest=${encodeURIComponent(blob.digest)}`;
    } catch {
      throw new QuayCourierError(
        `Failed to push manifest: the registry's upload location for ${what} is not a URL.`,
      );
    }
    const put = await this.send('push', target, {
      method: 'put',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: blob.data,
      retries: 0,
    });
    if (put.kind === 'failed')
      throw new QuayCourierError(`Failed to push manifest: could not upload ${what}: ${put.reason}.`);
    if (put.status !== 201) throw pushError(`could not upload ${what}`, put);
  }

  /** A call with the session's credentials; a Bearer challenge is answered once, then the call is repeated. */
  private async send(operation: Operation, url: string, exchange: Exchange): Promise<Outcome> {
    const withAuth = (authorization: string) => ({
      ...exchange,
      headers: { ...exchange.headers, Authorization: authorization },
    });
    const first = await this.http.call(operation, url, withAuth(this.authorization));
    if (first.kind === 'failed' || first.status !== 401) return first;
    const challenge = parseBearerChallenge(first.headers.get('www-authenticate'));
    const realm = challenge && tokenUrl(challenge);
    if (!realm) return first;
    const basic = /^basic\s/i.test(this.callerToken) ? { Authorization: this.callerToken } : undefined;
    const answer = await this.http.call('token', realm, {
      method: 'get',
      ...(basic ? { headers: basic } : {}),
      retries: 1,
    });
    if (answer.kind === 'failed')
      return { kind: 'failed', reason: `the registry's token service failed: ${answer.reason}` };
    const json = answer.status === 200 ? parseJson(new TextDecoder().decode(answer.body)) : undefined;
    const token = isRecord(json) ? (json.token ?? json.access_token) : undefined;
    // No token: the registry's own 401 is the answer (refused credentials).
    if (typeof token !== 'string' || token === '') return first;
    this.authorization = `Bearer ${token}`;
    return this.http.call(operation, url, withAuth(this.authorization));
  }

  private url(repository: string, kind: 'manifests' | 'blobs' | 'tags', reference: string): string {
    return `${this.base}/v2/${repository}/${kind}/${kind === 'tags' ? reference : encodeURIComponent(reference)}`;
  }
}

/** A push step that got an answer it did not want: 401/403 → QuayAuthorizationError, else QuayCourierError. */
function pushError(step: string, outcome: Extract<Outcome, { kind: 'answer' }>) {
  const message = `Failed to push manifest: ${step}: the registry answered ${outcome.status}${detail(outcome)}`;
  return outcome.status === 401 || outcome.status === 403
    ? new QuayAuthorizationError(message, errorJson(outcome))
    : new QuayCourierError(message, errorJson(outcome));
}

function errorJson(outcome: Extract<Outcome, { kind: 'answer' }>): unknown {
  const json = parseJson(new TextDecoder().decode(outcome.body));
  return isRecord(json) ? json : {};
}

/** `: <the registry's first error message>.` (`{"errors": [{"code", "message"}]}`) or `.` */
function detail(outcome: Extract<Outcome, { kind: 'answer' }>): string {
  const json = errorJson(outcome);
  const first = isRecord(json) && Array.isArray(json.errors) ? json.errors[0] : undefined;
  const message = isRecord(first) && typeof first.message === 'string' ? first.message.trim() : '';
  const code = isRecord(first) && typeof first.code === 'string' ? `${first.code}: ` : '';
  return message ? `: ${code}${message.replace(/\.$/, '')}.` : '.';
}

/** The `rel="next"` target of a Link header, resolved against the current page. */
function nextPage(link: string | null, current: string): string | undefined {
  const match = link ? /<([^>]+)>\s*;\s*rel="?next"?/i.exec(link) : null;
  if (!match) return undefined;
  try {
    return new URL(match[1]!, current).href;
  } catch {
    return undefined;
  }
}

function baseUrl(registry: string): string {
  return registry.replace(/\/+$/, '');
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
