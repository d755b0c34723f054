/**
 * The BuildSystem port on Koji: XML-RPC calls to the hub, archive downloads
 * from the files root (SPEC §7). Web APIs only, so it runs on edge runtimes.
 *
 * Timeouts: `timeoutMs` bounds each upstream operation as a whole — one hub
 * call (every attempt, the pauses between them and reading the answer) or one
 * download (every attempt and the whole body). Without it nothing is bounded
 * in time (the service always passes `request_timeout`, 60 s by default).
 *
 * Retries: both operations are idempotent, so connection failures and HTTP
 * 502/503/504 are retried up to twice (100 ms, then 200 ms later), and only
 * while the operation's time budget lasts. Faults, other statuses, malformed
 * answers and timeouts are not retried.
 */
import type { BuildSystem, Logger, ManifestsLocation } from '../../application/ports.js';
import { silentLogger } from '../../application/ports.js';
import {
  KojiError,
  KojiManifestsArchiveNotFoundError,
  KojiNotAnOperatorImageError,
  KojiNVRBuildNotFoundError,
  UploadedFileError,
} from '../../domain/errors.js';
import { callUpstream, type FetchLike, RedirectRefused, RetriedStatus } from '../upstream/call.js';
import { Deadline } from '../upstream/deadline.js';
import { errorCode } from '../upstream/error-code.js';
import { logUpstreamFailure } from '../upstream/failure-log.js';
import { discard, readAtMost, readTextAtMost } from '../upstream/read-body.js';
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
  fetch?: FetchLike;
  /** Extra headers for every request (e.g. tracing); read once per operation. */
  requestHeaders?: () => Record<string, string>;
}

const RETRY_LIMIT = 2;
const RETRY_DELAY_MS = 100;
const RETRY_STATUSES = [502, 503, 504];
/** Hub answers are small (a build, a list of logs); anything bigger is not Koji. */
const MAX_HUB_ANSWER_BYTES = 32 * 1024 * 1024;

export class KojiBuildSystem implements BuildSystem {
  private readonly hubUrl: string;
  private readonly rootUrl: string;
  private readonly timeoutMs: number | undefined;
  private readonly logger: Logger;
  private readonly fetchImpl: FetchLike | undefined;
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
        discard(response.body);
        throw new UnexpectedStatus(response.status);
      }
      const declared = Number(response.headers.get('content-length') ?? Number.NaN);
      if (declared > maxBytes) {
        discard(response.body);
        throw tooLarge();
      }
      return await readAtMost(response.body, maxBytes, deadline.signal, tooLarge);
    } catch (error) {
      if (error instanceof UploadedFileError) throw error;
      const failure = describe(error, deadline);
      logUpstreamFailure(this.logger, 'koji', 'download', {
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

  async ping(signal?: AbortSignal): Promise<void> {
    await this.call('getAPIVersion', [], {}, signal);
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
    signal?: AbortSignal,
  ): Promise<XmlRpcValue> {
    const deadline = new Deadline(this.timeoutMs, signal);
    try {
      const response = await this.send(
        this.hubUrl,
        { method: 'post', body: encodeCall(method, params), contentType: 'text/xml' },
        method,
        deadline,
      );
      if (response.status !== 200) {
        discard(response.body);
        throw new UnexpectedStatus(response.status);
      }
      const tooBig = () => new Unusable(`answered more than ${MAX_HUB_ANSWER_BYTES} bytes`);
      const text = await readTextAtMost(response.body, MAX_HUB_ANSWER_BYTES, deadline.signal, tooBig);
      return decodeResponse(text);
    } catch (error) {
      const failure = describe(error, deadline);
      logUpstreamFailure(this.logger, 'koji', method, { ...fields, ...failure });
      throw new KojiError(`Koji hub call ${method} failed: ${failure.reason}.`, { cause: error });
    } finally {
      deadline.clear();
    }
  }

  /** One request, retried on connection failures and 502/503/504 while the deadline lasts. */
  private send(
    url: string,
    request: { method: 'get' | 'post'; body?: string; contentType?: string },
    operation: string,
    deadline: Deadline,
  ): Promise<Response> {
    const headers: Record<string, string> = { ...this.requestHeaders() };
    if (request.contentType) headers['content-type'] = request.contentType;
    return callUpstream(url, {
      method: request.method,
      body: request.body,
      headers,
      signal: deadline.signal,
      fetch: this.fetchImpl,
      retry: {
        limit: RETRY_LIMIT,
        statuses: RETRY_STATUSES,
        delayMs: RETRY_DELAY_MS,
        // A connection failure, as describe() tells it; anything else without an answer is not retried.
        retryFailure: (error) => error instanceof TypeError,
        onRetry: (error, attempt) =>
          logUpstreamFailure(this.logger, 'koji', operation, {
            attempt,
            retrying: true,
            ...describe(error, deadline),
          }),
      },
    });
  }

  private unexpected(method: string, nvr: string, what: string): KojiError {
    logUpstreamFailure(this.logger, 'koji', method, { nvr, reason: what });
    return new KojiError(`Koji hub call ${method} answered something unusable for ${nvr}: ${what}.`);
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
  if (deadline.expired) return { reason: `timed out after ${deadline.limitMs} ms` };
  // A retried answer (onRetry); the answer to the last attempt comes back as an UnexpectedStatus.
  if (error instanceof RetriedStatus || error instanceof UnexpectedStatus)
    return { reason: `answered HTTP ${error.status}`, status: error.status };
  if (error instanceof RedirectRefused) return { reason: error.message, status: error.status };
  if (error instanceof XmlRpcFault)
    return { reason: `answered fault ${error.faultCode}: ${error.faultString}` };
  if (error instanceof XmlRpcParseError) return { reason: `answered a ${error.message}` };
  if (error instanceof Unusable) return { reason: error.message };
  if (error instanceof TypeError) return { reason: `could not connect${errorCode(error)}` };
  if (error instanceof RangeError) return { reason: `could not encode the request (${error.message})` };
  const name = error instanceof Error ? error.name : typeof error;
  return { reason: `failed unexpectedly (${name})` };
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
