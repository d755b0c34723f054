/**
 * The BuildSystem port on Koji: XML-RPC calls to the hub, archive downloads
 * from the files root (SPEC §7). Web APIs + ky only, so it runs on edge runtimes.
 *
 * Timeouts: `timeoutMs` bounds each upstream operation as a whole — one hub
 * call (every attempt, the pauses between them and reading the answer) or one
 * download (every attempt and the whole body). Without it nothing is bounded
 * in time (SPEC §9: `request_timeout` has no default).
 *
 * Retries: both operations are idempotent, so connection failures and HTTP
 * 502/503/504 are retried up to twice (100 ms, then 200 ms later), and only
 * while the operation's time budget lasts. Faults, other statuses, malformed
 * answers and timeouts are not retried.
 */
import ky, { HTTPError } from 'ky';
import type { BuildSystem, Logger, ManifestsLocation } from '../../application/ports.js';
import { silentLogger } from '../../application/ports.js';
import {
  KojiError,
  KojiManifestsArchiveNotFoundError,
  KojiNotAnOperatorImageError,
  KojiNVRBuildNotFoundError,
  UploadedFileError,
} from '../../domain/errors.js';
import {
  decodeResponse,
  encodeCall,
  isXmlRpcStruct,
  isXmlSafe,
  XmlRpcFault,
  XmlRpcParseError,
  type XmlRpcStruct,
  type XmlRpcValue,
} from './xmlrpc.js';

export interface KojiBuildSystemOptions {
  /** XML-RPC endpoint, e.g. https://koji.fedoraproject.org/kojihub */
  hubUrl: string;
  /** Files root, e.g. https://kojipkgs.fedoraproject.org/ */
  rootUrl: string;
  /** Budget of each hub call and each download, retries and body included. */
  timeoutMs?: number;
  logger?: Logger;
  fetch?: typeof fetch;
  /** Extra headers for every request (e.g. tracing); read once per operation. */
  requestHeaders?: () => Record<string, string>;
}

const RETRY_LIMIT = 2;
const RETRY_STATUSES = [502, 503, 504];
/** Hub answers are small (a build, a list of logs); anything bigger is not Koji. */
const MAX_HUB_ANSWER_BYTES = 32 * 1024 * 1024;

export class KojiBuildSystem implements BuildSystem {
  private readonly hubUrl: string;
  private readonly rootUrl: string;
  private readonly timeoutMs: number | undefined;
  private readonly logger: Logger;
  private readonly fetchImpl: typeof fetch | undefined;
  private readonly requestHeaders: () => Record<string, string>;

  constructor(options: KojiBuildSystemOptions) {
    this.hubUrl = options.hubUrl;
    this.rootUrl = options.rootUrl;
    this.timeoutMs = options.timeoutMs;
    this.logger = options.logger ?? silentLogger;
    this.fetchImpl = options.fetch;
    this.requestHeaders = options.requestHeaders ?? (() => ({}));
  }

  async locateManifests(nvr: string): Promise<ManifestsLocation> {
    // Koji NVRs never hold characters XML cannot carry; such a build cannot exist.
    if (!isXmlSafe(nvr)) throw new KojiNVRBuildNotFoundError(nvr);
    const build = await this.call('getBuild', [nvr], { nvr });
    if (build === null) throw new KojiNVRBuildNotFoundError(nvr);
    if (!isXmlRpcStruct(build)) throw this.unexpected('getBuild', nvr, 'not a build');

    const extra = build.extra;
    if (!isXmlRpcStruct(extra)) throw new KojiNotAnOperatorImageError(nvr);

    const typeinfo = isXmlRpcStruct(extra.typeinfo) ? extra.typeinfo['operator-manifests'] : undefined;
    if (isXmlRpcStruct(typeinfo)) {
      const archive = typeinfo.archive;
      if (typeof archive !== 'string')
        throw this.unexpected('getBuild', nvr, 'operator-manifests without archive');
      const segments = [build.name, build.version, build.release, archive];
      if (!segments.every(isPathSegment))
        throw this.unexpected('getBuild', nvr, 'unusable name/version/release');
      const [name, version, release] = segments.map((s) => encodeURIComponent(s));
      const path = `packages/${name}/${version}/${release}/files/operator-manifests/${encodeURIComponent(archive)}`;
      return { nvr, url: joinUrl(this.rootUrl, path) };
    }

    const legacyArchive = extra.operator_manifests_archive;
    if (typeof legacyArchive !== 'string' || legacyArchive === '') throw new KojiNotAnOperatorImageError(nvr);
    return { nvr, url: joinUrl(this.rootUrl, await this.legacyArchivePath(build, nvr, legacyArchive)) };
  }

  async download(location: ManifestsLocation, maxBytes: number): Promise<Uint8Array> {
    const deadline = new Deadline(this.timeoutMs);
    const tooLarge = () =>
      new UploadedFileError(
        `The operator manifests archive of ${location.nvr} is larger than ${maxBytes} bytes.`,
      );
    try {
      const response = await this.send(location.url, { method: 'get' }, 'download', deadline);
      if (response.status !== 200) {
        cancel(response.body);
        throw new UnexpectedStatus(response.status);
      }
      const declared = Number(response.headers.get('content-length') ?? Number.NaN);
      if (declared > maxBytes) {
        cancel(response.body);
        throw tooLarge();
      }
      return await readAtMost(response.body, maxBytes, deadline.signal, tooLarge);
    } catch (error) {
      if (error instanceof UploadedFileError) throw error;
      const failure = describe(error, deadline);
      this.logger.warn('upstream call failed', {
        upstream: 'koji',
        operation: 'download',
        nvr: location.nvr,
        url: redact(location.url),
        ...failure,
      });
      throw new KojiError(
        `Downloading the operator manifests archive of ${location.nvr} from Koji failed: ${failure.reason}.`,
        { cause: error },
      );
    } finally {
      deadline.clear();
    }
  }

  async ping(): Promise<void> {
    await this.call('getAPIVersion', [], {});
  }

  private async legacyArchivePath(build: XmlRpcStruct, nvr: string, archive: string): Promise<string> {
    const buildId = build.id ?? build.build_id;
    if (typeof buildId !== 'number') throw this.unexpected('getBuild', nvr, 'a build without id');
    const logs = await this.call('getBuildLogs', [buildId], { nvr });
    if (!Array.isArray(logs)) throw this.unexpected('getBuildLogs', nvr, 'not a list');
    const entry = logs.find((log) => isXmlRpcStruct(log) && log.name === archive);
    const path = isXmlRpcStruct(entry) ? entry.path : undefined;
    if (typeof path !== 'string' || path === '') throw new KojiManifestsArchiveNotFoundError(nvr, archive);
    return path;
  }

  /** One XML-RPC call; every failure becomes a KojiError naming the call. */
  private async call(
    method: string,
    params: XmlRpcValue[],
    fields: Record<string, unknown>,
  ): Promise<XmlRpcValue> {
    const deadline = new Deadline(this.timeoutMs);
    try {
      const response = await this.send(
        this.hubUrl,
        { method: 'post', body: encodeCall(method, params), contentType: 'text/xml' },
        method,
        deadline,
      );
      if (response.status !== 200) {
        cancel(response.body);
        throw new UnexpectedStatus(response.status);
      }
      const tooBig = () => new Unusable(`answered more than ${MAX_HUB_ANSWER_BYTES} bytes`);
      const body = await readAtMost(response.body, MAX_HUB_ANSWER_BYTES, deadline.signal, tooBig);
      return decodeResponse(new TextDecoder().decode(body));
    } catch (error) {
      const failure = describe(error, deadline);
      this.logger.warn('upstream call failed', {
        upstream: 'koji',
        operation: method,
        ...fields,
        ...failure,
      });
      throw new KojiError(`Koji hub call ${method} failed: ${failure.reason}.`, { cause: error });
    } finally {
      deadline.clear();
    }
  }

  private send(
    url: string,
    request: { method: 'get' | 'post'; body?: string; contentType?: string },
    operation: string,
    deadline: Deadline,
  ): Promise<Response> {
    const headers: Record<string, string> = { ...this.requestHeaders() };
    if (request.contentType) headers['content-type'] = request.contentType;
    return ky(url, {
      method: request.method,
      body: request.body,
      headers,
      signal: deadline.signal,
      timeout: false, // the deadline bounds the whole operation, body included
      throwHttpErrors: (status) => RETRY_STATUSES.includes(status),
      ...(this.fetchImpl ? { fetch: this.fetchImpl } : {}),
      retry: {
        limit: RETRY_LIMIT,
        methods: ['get', 'post'],
        delay: (attempt) => 100 * 2 ** (attempt - 1),
        shouldRetry: ({ error }) =>
          !deadline.signal.aborted &&
          ((error instanceof HTTPError && RETRY_STATUSES.includes(error.response.status)) ||
            error instanceof TypeError),
      },
      hooks: {
        beforeRetry: [
          ({ error, retryCount }) => {
            this.logger.warn('upstream call failed', {
              upstream: 'koji',
              operation,
              attempt: retryCount,
              retrying: true,
              ...describe(error, deadline),
            });
          },
        ],
      },
    });
  }

  private unexpected(method: string, nvr: string, what: string): KojiError {
    this.logger.warn('upstream call failed', { upstream: 'koji', operation: method, nvr, reason: what });
    return new KojiError(`Koji hub call ${method} answered something unusable for ${nvr}: ${what}.`);
  }
}

/** An AbortSignal that fires after `ms` (never, without `ms`); clear() releases the timer. */
class Deadline {
  private readonly controller = new AbortController();
  private readonly timer: ReturnType<typeof setTimeout> | undefined;

  constructor(readonly ms: number | undefined) {
    if (ms !== undefined) {
      this.timer = setTimeout(() => this.controller.abort(new DeadlineExceeded(ms)), ms);
    }
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  clear(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
  }
}

class DeadlineExceeded extends Error {
  constructor(ms: number) {
    super(`timed out after ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

/** An answer this adapter cannot use; the message is the reason. */
class Unusable extends Error {}

class UnexpectedStatus extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

interface Failure {
  reason: string;
  status?: number;
}

function describe(error: unknown, deadline: Deadline): Failure {
  if (deadline.signal.aborted && deadline.ms !== undefined)
    return { reason: `timed out after ${deadline.ms} ms` };
  if (error instanceof HTTPError) {
    cancel(error.response.body);
    return { reason: `answered HTTP ${error.response.status}`, status: error.response.status };
  }
  if (error instanceof UnexpectedStatus)
    return { reason: `answered HTTP ${error.status}`, status: error.status };
  if (error instanceof XmlRpcFault)
    return { reason: `answered fault ${error.faultCode}: ${error.faultString}` };
  if (error instanceof XmlRpcParseError) return { reason: `answered a ${error.message}` };
  if (error instanceof Unusable) return { reason: error.message };
  if (error instanceof TypeError) return { reason: `could not connect (${networkCode(error)})` };
  if (error instanceof RangeError) return { reason: `could not encode the request (${error.message})` };
  const name = error instanceof Error ? error.name : typeof error;
  return { reason: `failed unexpectedly (${name})` };
}

/** `ECONNREFUSED` and friends when the runtime says, else its short message. */
function networkCode(error: TypeError): string {
  const cause = error.cause as { code?: unknown; message?: unknown } | undefined;
  if (cause && typeof cause.code === 'string') return cause.code;
  if (cause && typeof cause.message === 'string') return cause.message;
  return error.message;
}

/** Resolves like `promise`, or rejects with the signal's reason as soon as it aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * Reads a body, refusing it (tooLarge) as soon as it passes `maxBytes`: never
 * holds more than `maxBytes` plus one chunk. The stream is cancelled on any
 * failure, including the deadline, so the transfer stops.
 */
async function readAtMost(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  signal: AbortSignal,
  tooLarge: () => Error,
): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await untilAborted(reader.read(), signal);
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) throw tooLarge();
      chunks.push(value);
    }
  } catch (error) {
    // Not awaited: a stalled stream may never settle its cancellation.
    reader.cancel().catch(() => {});
    throw error;
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function cancel(body: ReadableStream | null): void {
  body?.cancel().catch(() => {});
}

/** Joins a base URL and a relative path with exactly one slash between them. */
function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

function isPathSegment(value: XmlRpcValue | undefined): value is string {
  return typeof value === 'string' && value !== '' && value !== '.' && value !== '..';
}

/** A URL without credentials, for logs. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.toString();
  } catch {
    return '<invalid URL>';
  }
}
