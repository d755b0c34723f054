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
import type { BuildSystem, LogFields, ManifestsLocation } from '../../application/ports.js';
import {
  KojiError,
  KojiManifestsArchiveNotFoundError,
  KojiNotAnOperatorImageError,
  KojiNVRBuildNotFoundError,
  UploadedFileError,
} from '../../domain/errors.js';
import {
  type Outcome,
  UpstreamExchanger,
  type UpstreamIdentity,
  type UpstreamOptions,
} from '../upstream/exchange.js';
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

/** `timeoutMs` is the budget of each hub call and each download, retries and body included. */
export interface KojiBuildSystemOptions extends UpstreamOptions {
  /** XML-RPC endpoint, e.g. https://koji.fedoraproject.org/kojihub */
  hubUrl: string;
  /** Files root, e.g. https://kojipkgs.fedoraproject.org/ */
  rootUrl: string;
}

const RETRY_LIMIT = 2;

/**
 * Koji for the shared exchange: hub answers are small (a build, a list of
 * logs; anything bigger is not Koji); only connection failures and 502/503/504
 * are retried, each retry logged; this adapter logs the answers it cannot use.
 */
const KOJI: UpstreamIdentity = {
  name: 'Koji',
  logName: 'koji',
  reasons: 'plain',
  defaultMaxAnswerBytes: 32 * 1024 * 1024,
  retryStatuses: [502, 503, 504],
  retryDelayMs: 100,
  retryFailure: (error) => error instanceof TypeError,
  logRetries: true,
};

export class KojiBuildSystem implements BuildSystem {
  private readonly hubUrl: string;
  private readonly rootUrl: string;
  private readonly upstream: UpstreamExchanger;

  constructor(options: KojiBuildSystemOptions) {
    this.hubUrl = options.hubUrl;
    this.rootUrl = options.rootUrl;
    this.upstream = new UpstreamExchanger(KOJI, options);
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
    const fields = { nvr: location.nvr, url: redact(location.url) };
    const started = Date.now();
    const outcome = await this.upstream.send('download', location.url, {
      method: 'get',
      retries: RETRY_LIMIT,
      maxAnswerBytes: maxBytes,
      logFields: fields,
    });
    if (outcome.kind === 'failed' && outcome.tooLarge) {
      throw new UploadedFileError(
        `The operator manifests archive of ${location.nvr} is larger than ${maxBytes} bytes.`,
      );
    }
    const failed = `Downloading the operator manifests archive of ${location.nvr} from Koji failed`;
    return this.answered(
      'download',
      outcome,
      started,
      fields,
      (reason) => new KojiError(`${failed}: ${reason}.`),
    );
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
    fields: LogFields,
    signal?: AbortSignal,
  ): Promise<XmlRpcValue> {
    const failed = (reason: string) => new KojiError(`Koji hub call ${method} failed: ${reason}.`);
    const started = Date.now();
    let body: string;
    try {
      body = encodeCall(method, params);
    } catch (error) {
      throw this.logged(method, started, undefined, reasonOf(error), fields, failed);
    }
    const outcome = await this.upstream.send(method, this.hubUrl, {
      method: 'post',
      headers: { 'content-type': 'text/xml' },
      body,
      retries: RETRY_LIMIT,
      ...(signal ? { signal } : {}),
      logFields: fields,
    });
    const answer = this.answered(method, outcome, started, fields, failed);
    try {
      return decodeResponse(new TextDecoder().decode(answer));
    } catch (error) {
      throw this.logged(method, started, 200, reasonOf(error), fields, failed);
    }
  }

  /** The body of a 200; anything else becomes `failed(reason)` (the exchange has logged a call with no answer). */
  private answered(
    operation: string,
    outcome: Outcome,
    started: number,
    fields: LogFields,
    failed: (reason: string) => KojiError,
  ): Uint8Array {
    if (outcome.kind === 'failed') throw failed(outcome.reason);
    if (outcome.status !== 200) {
      throw this.logged(
        operation,
        started,
        outcome.status,
        `answered HTTP ${outcome.status}`,
        fields,
        failed,
      );
    }
    return outcome.body;
  }

  private logged(
    operation: string,
    started: number,
    status: number | undefined,
    reason: string,
    fields: LogFields,
    failed: (reason: string) => KojiError,
  ): KojiError {
    this.upstream.logFailure(operation, started, status, reason, fields);
    return failed(reason);
  }

  private unexpected(method: string, nvr: string, what: string): KojiError {
    this.upstream.logFailure(method, undefined, 200, what, { nvr });
    return new KojiError(`Koji hub call ${method} answered something unusable for ${nvr}: ${what}.`);
  }
}

/** Why an XML-RPC call could not be encoded or its answer not decoded. */
function reasonOf(error: unknown): string {
  if (error instanceof XmlRpcFault) return `answered fault ${error.faultCode}: ${error.faultString}`;
  if (error instanceof XmlRpcParseError) return `answered a ${error.message}`;
  if (error instanceof RangeError) return `could not encode the request (${error.message})`;
  return `failed unexpectedly (${error instanceof Error ? error.name : typeof error})`;
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
