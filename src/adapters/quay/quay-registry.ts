/**
 * The Registry port over Quay's CNR "app registry" API (SPEC §7, Quay).
 *
 * Web APIs only (our tar writer; the gzip is injected), so it runs on edge runtimes too.
 *
 * Timeouts: `timeoutMs` is a deadline for the WHOLE call — every attempt, the
 * pauses between retries and reading the answer's body: an AbortSignal
 * carries the deadline (a per-attempt timeout would stop at the headers). A timeout is reported like a
 * connection failure of that call.
 *
 * Retries: only the idempotent reads (listing: 2 retries, ping: 1) on a
 * connection failure or 408/429/500/502/503/504, within the deadline. Push,
 * delete and changevisibility are sent once (a retried DELETE whose first try
 * was applied would answer 404; the use case retries changevisibility itself).
 *
 * Secrets: the caller's token and the oauth token go only into the
 * Authorization header; they never appear in messages, logs or error causes.
 */
import type { BundlePacker, PushRequest, Registry, Token } from '../../application/ports.js';
import { toBase64 } from '../../domain/base64.js';
import {
  QuayAuthorizationError,
  QuayCourierError,
  QuayPackageError,
  QuayPackageNotFoundError,
  ReleaseAlreadyExistsError,
} from '../../domain/errors.js';
import { COURIER_FAILED, cannotRetrievePackage, pushFailed } from '../../domain/original-messages.js';
import { capitalize, isRecord } from '../../domain/values.js';
import {
  type Exchange,
  UpstreamExchanger,
  type UpstreamIdentity,
  type UpstreamOptions,
} from '../upstream/exchange.js';
import { parseJson } from '../upstream/json.js';
import { QuayBundlePacker } from './bundle-blob.js';

export interface QuayRegistryOptions extends UpstreamOptions {
  /** Quay's base URL, e.g. https://quay.io (a path prefix is kept; trailing slashes are ignored). */
  baseUrl: string;
  /** Packs a push's bundle when it comes unpacked; the Web-standard QuayBundlePacker by default. */
  packer?: BundlePacker;
}

type Operation = 'releases' | 'push' | 'delete' | 'make_public' | 'ping';

/** What came back from one call: an HTTP answer (its body parsed as JSON where it is), or why there was none. */
type Outcome =
  | { kind: 'answer'; status: number; json: unknown; isJson: boolean }
  | { kind: 'failed'; reason: string };

/** Quay for the shared exchange: answers outside 2xx are logged; 429 and 503 may say when to retry. */
const QUAY: UpstreamIdentity = {
  name: 'Quay',
  logName: 'quay',
  defaultMaxAnswerBytes: 32 * 1024 * 1024,
  retryAfterStatuses: [429, 503],
  failedStatus: (status) => status < 200 || status >= 300,
};

const fromUtf8 = new TextDecoder();

class UnaddressableError extends Error {}

export class QuayRegistry implements Registry {
  private readonly base: string;
  private readonly upstream: UpstreamExchanger;
  private readonly packer: BundlePacker;

  constructor(options: QuayRegistryOptions) {
    const base = options.baseUrl.replace(/\/+$/, '');
    try {
      new URL(base);
    } catch {
      throw new TypeError(`Quay base URL "${options.baseUrl}" is not a valid URL.`);
    }
    this.upstream = new UpstreamExchanger(QUAY, options);
    this.base = base;
    this.packer = options.packer ?? new QuayBundlePacker();
  }

  async releases(organization: string, repository: string, token: Token): Promise<string[] | undefined> {
    const name = `${organization}/${repository}`;
    const cannot = cannotRetrievePackage(organization, repository);
    const url = `${this.base}/cnr/api/v1/packages?namespace=${encodeURIComponent(organization)}`;
    const started = Date.now();
    const outcome = await this.call('releases', url, {
      method: 'get',
      headers: { Authorization: token },
      retries: 2,
    });
    if (outcome.kind === 'failed') throw new QuayPackageError(`${cannot}${outcome.reason}.`);
    if (outcome.status === 403) {
      throw new QuayAuthorizationError(
        `${cannot}Quay refused to list its releases (403)${quayDetail(outcome.json)}`,
        quayResponse(outcome.json),
      );
    }
    if (outcome.status !== 200) {
      throw new QuayPackageError(`${cannot}Quay answered ${outcome.status}${quayDetail(outcome.json)}`);
    }
    const fail = (reason: string): never => {
      this.upstream.logFailure('releases', started, outcome.status, reason);
      throw new QuayPackageError(`${cannot}${reason}.`);
    };
    if (!outcome.isJson) return fail('Quay answered 200 with a body that is not JSON');
    if (!Array.isArray(outcome.json)) return fail("Quay's package list is not a JSON list");
    const entry = outcome.json.find((item: unknown) => isRecord(item) && item.name === name);
    if (entry === undefined) return undefined;
    const releases = (entry as Record<string, unknown>).releases;
    if (!Array.isArray(releases) || !releases.every((r): r is string => typeof r === 'string')) {
      return fail(`Quay's entry for ${name} has no list of release names`);
    }
    return [...releases];
  }

  async push(request: PushRequest): Promise<void> {
    const { organization, repository, version } = request;
    const what = `release ${version} of ${organization}/${repository}`;
    let url: string;
    let blob: string;
    try {
      url = `${this.base}/cnr/api/v1/packages/${segment(organization)}/${segment(repository)}`;
      blob = toBase64(request.packed ?? (await this.packer.pack(request.bundle, repository)));
    } catch (error) {
      const reason = error instanceof Error ? error.message : 'the bundle could not be packed';
      throw new QuayCourierError(`${COURIER_FAILED} could not push ${what} to Quay: ${reason}`);
    }
    const outcome = await this.call('push', url, {
      method: 'post',
      headers: { Authorization: request.token, 'Content-Type': 'application/json' },
      body: pushBody(blob, version),
      retries: 0,
    });
    if (outcome.kind === 'failed') {
      throw new QuayCourierError(
        `${COURIER_FAILED} could not push ${what} to Quay: ${outcome.reason} (the release may or may not have been created).`,
      );
    }
    if (outcome.status >= 200 && outcome.status < 300) return;
    const response = quayResponse(outcome.json);
    const quaySaid = pushFailed(quayMessage(outcome.json) ?? `Quay answered ${outcome.status}`);
    if (outcome.status === 403) {
      throw new QuayAuthorizationError(`${quaySaid} (Quay refused to push ${what}: 403)`, response);
    }
    if (outcome.status === 409 || quayErrorCode(outcome.json) === 'package-exists') {
      throw new ReleaseAlreadyExistsError(
        version,
        `${quaySaid} (release ${version} of ${organization}/${repository} already exists in Quay; releases cannot be overwritten)`,
        response,
      );
    }
    throw new QuayCourierError(`${quaySaid} (pushing ${what}: Quay answered ${outcome.status})`, response);
  }

  async deleteRelease(
    organization: string,
    repository: string,
    version: string,
    token: Token,
  ): Promise<void> {
    const what = `release ${version} of ${organization}/${repository}`;
    let url: string;
    try {
      url = `${this.base}/cnr/api/v1/packages/${segment(organization)}/${segment(repository)}/${segment(version)}/helm`;
    } catch (error) {
      throw new QuayPackageError(`Could not delete ${what} in Quay: ${(error as Error).message}`);
    }
    const outcome = await this.call('delete', url, {
      method: 'delete',
      headers: { Authorization: token },
      retries: 0,
    });
    if (outcome.kind === 'failed')
      throw new QuayPackageError(`Could not delete ${what} in Quay: ${outcome.reason}.`);
    if (outcome.status >= 200 && outcome.status < 300) return;
    if (outcome.status === 404) {
      throw new QuayPackageNotFoundError(`Quay has no ${what}${quayDetail(outcome.json)}`);
    }
    if (outcome.status === 403) {
      throw new QuayPackageError(`Quay refused to delete ${what} (403)${quayDetail(outcome.json)}`);
    }
    throw new QuayPackageError(
      `Could not delete ${what} in Quay: Quay answered ${outcome.status}${quayDetail(outcome.json)}`,
    );
  }

  async makePublic(organization: string, repository: string, oauthToken: string): Promise<void> {
    const what = `${organization}/${repository}`;
    let url: string;
    try {
      url = `${this.base}/api/v1/repository/${segment(organization)}/${segment(repository)}/changevisibility`;
    } catch (error) {
      throw new QuayPackageError(`Could not make ${what} public in Quay: ${(error as Error).message}`);
    }
    const outcome = await this.call('make_public', url, {
      method: 'post',
      headers: { Authorization: `Bearer ${oauthToken}` },
      json: { visibility: 'public' },
      retries: 0,
    });
    if (outcome.kind === 'failed') {
      throw new QuayPackageError(`Could not make ${what} public in Quay: ${outcome.reason}.`);
    }
    if (outcome.status >= 200 && outcome.status < 300) return;
    throw new QuayPackageError(
      `Could not make ${what} public in Quay: Quay answered ${outcome.status}${quayDetail(outcome.json)}`,
    );
  }

  async ping(signal?: AbortSignal): Promise<void> {
    const started = Date.now();
    const outcome = await this.call('ping', `${this.base}/cnr/version`, {
      method: 'get',
      retries: 1,
      ...(signal ? { signal } : {}),
    });
    if (outcome.kind === 'failed') throw new Error(capitalize(outcome.reason));
    if (outcome.status !== 200) throw new Error(`Quay answered ${outcome.status}`);
    let reason: string | undefined;
    if (!outcome.isJson) reason = "Quay's /cnr/version is not JSON";
    else if (!isRecord(outcome.json) || !('cnr-api' in outcome.json))
      reason = "Quay's /cnr/version has no cnr-api";
    if (reason) {
      this.upstream.logFailure('ping', started, outcome.status, reason);
      throw new Error(reason);
    }
  }

  /** One call to Quay: never throws; the answer (any status, JSON-parsed if possible) or why there was none. */
  private async call(operation: Operation, url: string, exchange: Exchange): Promise<Outcome> {
    const outcome = await this.upstream.send(operation, url, exchange);
    if (outcome.kind === 'failed') return outcome;
    const json = parseJson(fromUtf8.decode(outcome.body));
    return { kind: 'answer', status: outcome.status, json, isJson: json !== undefined };
  }

  private logFailure(operation: Operation, started: number, status: number, reason: string): void {
    this.upstream.logFailure(operation, started, status, reason);
  }
}

const utf8 = new TextEncoder();

/**
 * CNR's push body, `{"blob": …, "release": …, "media_type": "helm"}`, written
 * straight into one byte buffer: base64 needs no JSON escaping, and a
 * multi-megabyte blob is neither copied by JSON.stringify nor joined into a
 * second big string (a fresh multi-MB string costs its copy and its page faults).
 */
function pushBody(blob: string, version: string): Uint8Array {
  const head = utf8.encode('{"blob":"');
  const tail = utf8.encode(`","release":${JSON.stringify(version)},"media_type":"helm"}`);
  const body = new Uint8Array(head.length + blob.length + tail.length);
  body.set(head, 0);
  utf8.encodeInto(blob, body.subarray(head.length));
  body.set(tail, head.length + blob.length);
  return body;
}

/** A URL path segment; `.`/`..`/empty would be resolved away by URL parsing, so they are refused. */
function segment(value: string): string {
  if (value === '' || value === '.' || value === '..') {
    throw new UnaddressableError(`"${value}" cannot be used in a Quay URL.`);
  }
  return encodeURIComponent(value);
}

/** Quay's error text: CNR `{"error": {"message"}}`, API v1 `{"error_message"}`/`{"detail"}`, or `{"message"}`. */
function quayMessage(json: unknown): string | undefined {
  if (!isRecord(json)) return undefined;
  const candidates = [
    isRecord(json.error) ? json.error.message : json.error,
    json.error_message,
    json.message,
    json.detail,
  ];
  for (const candidate of candidates) {
    if (typeof candidate === 'string' && candidate.trim()) return candidate.trim();
  }
  return undefined;
}

/** `quay_response`: Quay's answer when it is a JSON object, else `{}`. */
function quayResponse(json: unknown): Record<string, unknown> {
  return isRecord(json) ? json : {};
}

function quayErrorCode(json: unknown): string | undefined {
  if (!isRecord(json) || !isRecord(json.error)) return undefined;
  return typeof json.error.code === 'string' ? json.error.code : undefined;
}

/** `: <Quay's message>.` or `.` */
function quayDetail(json: unknown): string {
  const message = quayMessage(json);
  return message ? `: ${message.replace(/\.$/, '')}.` : '.';
}
