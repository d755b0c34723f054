/**
 * One caller's conversation with one OCI registry (the ImageRegistrySession
 * port): the distribution API's calls, and the Bearer handshake whose token
 * then serves the session's later calls.
 */
import type { ImageRegistrySession, Token } from '../../application/ports.js';
import { isValidTag } from '../../domain/bundle-image/image-name.js';
import { OCI_MEDIA_TYPE, type OciBlob, type OciImage, sha256 } from '../../domain/bundle-image/oci-image.js';
import { QuayPackageNotFoundError, RegistryAuthorizationError, RegistryError } from '../../domain/errors.js';
import { isRecord } from '../../domain/values.js';
import { parseJson } from '../upstream/json.js';
import { parseBearerChallenge, tokenUrl } from './auth-challenge.js';
import type { Answer, Exchange, Exchanger, Operation, Outcome } from './oci-exchange.js';

const MAX_TAG_PAGES = 100;
/** Whatever a tag may point at, so that any tag can be resolved (and deleted). */
const MANIFEST_ACCEPT = [
  OCI_MEDIA_TYPE.manifest,
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
].join(', ');

export class OciSession implements ImageRegistrySession {
  /** What goes in Authorization: the caller's value, until a challenge trades it for a bearer token. */
  private authorization: string;

  constructor(
    private readonly call: Exchanger,
    private readonly base: string,
    private readonly callerToken: Token,
  ) {
    this.authorization = callerToken;
  }

  /** The registry's verdict on the caller's credentials (ImageRegistry.authenticate). */
  async authenticate(): Promise<void> {
    const outcome = await this.send('authenticate', `${this.base}/v2/`, { method: 'get', retries: 1 });
    if (outcome.kind === 'answer' && (outcome.status === 401 || outcome.status === 403)) {
      throw new RegistryAuthorizationError(
        `The registry refused the credentials (${outcome.status})${detail(outcome)}`,
        errorJson(outcome),
      );
    }
  }

  async manifestDigest(repository: string, tag: string): Promise<string | undefined> {
    const what = `${repository}:${tag}`;
    const outcome = await this.send('manifest', this.url(repository, 'manifests', tag), {
      method: 'get',
      headers: { Accept: MANIFEST_ACCEPT },
      retries: 2,
    });
    if (outcome.kind === 'failed')
      throw new RegistryError(`Failed to push manifest: could not read ${what}: ${outcome.reason}.`);
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
      throw new RegistryError(`Failed to push manifest: could not put ${what}: ${outcome.reason}.`);
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
      if (outcome.kind === 'failed') throw new RegistryError(`Cannot retrieve ${what}: ${outcome.reason}.`);
      if (outcome.status === 404) return page === 0 ? undefined : tags;
      if (refused(outcome)) {
        throw new RegistryAuthorizationError(
          `The registry refused to list ${what} (${outcome.status})${detail(outcome)}`,
          errorJson(outcome),
        );
      }
      const json = parseJson(new TextDecoder().decode(outcome.body));
      if (outcome.status !== 200 || !isRecord(json)) {
        throw new RegistryError(
          `Cannot retrieve ${what}: the registry answered ${outcome.status}${detail(outcome)}`,
        );
      }
      const listed = Array.isArray(json.tags) ? json.tags : [];
      tags.push(...listed.filter((t): t is string => typeof t === 'string'));
      url = nextPage(outcome.headers.get('link'), this.base);
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
    if (found.kind === 'failed') throw new RegistryError(`Could not delete ${what}: ${found.reason}.`);
    if (found.status === 404) throw new QuayPackageNotFoundError(`The registry has no image ${what}.`);
    if (refused(found)) throw refusal(`Could not delete ${what}`, found);
    if (found.status !== 200)
      throw new RegistryError(
        `Could not delete ${what}: the registry answered ${found.status}${detail(found)}`,
      );
    const digest = found.headers.get('docker-content-digest') ?? (await sha256(found.body));
    const outcome = await this.send('delete', this.url(repository, 'manifests', digest), {
      method: 'delete',
      retries: 0,
    });
    if (outcome.kind === 'failed') throw new RegistryError(`Could not delete ${what}: ${outcome.reason}.`);
    if (outcome.status === 202 || outcome.status === 200) return;
    if (outcome.status === 404) throw new QuayPackageNotFoundError(`The registry has no image ${what}.`);
    if (refused(outcome)) throw refusal(`Could not delete ${what}`, outcome);
    const disabled = outcome.status === 405 ? ' (deleting is disabled in this registry)' : '';
    throw new RegistryError(
      `Could not delete ${what}: the registry answered ${outcome.status}${disabled}${detail(outcome)}`,
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
      throw new RegistryError(`Failed to push manifest: could not check ${what}: ${head.reason}.`);
    if (head.status === 200) return;
    if (head.status !== 404) throw pushError(`could not check ${what}`, head);

    const started = await this.send('push', `${this.base}/v2/${repository}/blobs/uploads/`, {
      method: 'post',
      retries: 0,
    });
    if (started.kind === 'failed')
      throw new RegistryError(`Failed to push manifest: could not upload ${what}: ${started.reason}.`);
    const location = started.headers.get('location');
    if (started.status !== 202 || !location) throw pushError(`could not start uploading ${what}`, started);
    let target: string;
    try {
      // Location may be relative and may already carry a query (the upload's state).
      const resolved = new URL(location, `${this.base}/v2/${repository}/blobs/uploads/`).href;
      target = `${resolved}${resolved.includes('?') ? '&' : '?'}digest=${encodeURIComponent(blob.digest)}`;
    } catch {
      throw new RegistryError(
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
      throw new RegistryError(`Failed to push manifest: could not upload ${what}: ${put.reason}.`);
    if (put.status !== 201) throw pushError(`could not upload ${what}`, put);
  }

  /**
   * A call with the session's credentials. GET and HEAD follow redirects (registries send blob
   * reads to their storage), up to MAX_REDIRECTS and never from https to http; for other methods
   * a redirect is a failure. fetch itself follows none (`redirect: 'manual'`). Public for the
   * catalog's registry client (oci-registry-client.ts).
   */
  async send(operation: Operation, url: string, exchange: Exchange): Promise<Outcome> {
    let target = url;
    for (let hops = 0; ; hops++) {
      const outcome = await this.sendTo(operation, target, exchange);
      if (outcome.kind === 'failed' || !isRedirectStatus(outcome.status)) return outcome;
      const next = redirectTarget(outcome, target, exchange.method, hops);
      if (next.kind === 'failed') return next;
      target = next.url;
    }
  }

  /**
   * Credentials go to the registry's own origin only (what containerd does: the authorizer is
   * dropped on a change of host or scheme): an upload Location, a tag-list Link or a redirect
   * naming another origin gets no Authorization, and a 401 from there is not answered. A Bearer
   * challenge of the registry itself is answered once, then the call is repeated.
   */
  private async sendTo(operation: Operation, url: string, exchange: Exchange): Promise<Outcome> {
    const own = sameOrigin(url, this.base);
    const withAuth = (authorization: string | undefined): Exchange => ({
      ...exchange,
      redirects: 'answer',
      headers: { ...exchange.headers, ...(authorization ? { Authorization: authorization } : {}) },
    });
    const first = await this.call(operation, url, withAuth(own ? this.authorization : undefined));
    if (!own || first.kind === 'failed' || first.status !== 401) return first;
    const challenge = parseBearerChallenge(first.headers.get('www-authenticate'));
    const realm = challenge && tokenUrl(challenge);
    if (!realm) return first;
    if (new URL(realm).protocol === 'http:' && this.base.startsWith('https:')) {
      return {
        kind: 'failed',
        reason:
          "the registry's token service is a plain-http URL, which an https registry's credentials never go to",
      };
    }
    const basic = /^basic\s/i.test(this.callerToken) ? { Authorization: this.callerToken } : undefined;
    const answer = await this.call('token', realm, {
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
    return this.call(operation, url, withAuth(this.authorization));
  }

  private url(repository: string, kind: 'manifests' | 'blobs' | 'tags', reference: string): string {
    return `${this.base}/v2/${repository}/${kind}/${kind === 'tags' ? reference : encodeURIComponent(reference)}`;
  }
}

/** A push step that got an answer it did not want: 401/403 → RegistryAuthorizationError, else RegistryError. */
function pushError(step: string, outcome: Answer) {
  const message = `Failed to push manifest: ${step}`;
  return refused(outcome)
    ? refusal(message, outcome)
    : new RegistryError(
        `${message}: the registry answered ${outcome.status}${detail(outcome)}`,
        errorJson(outcome),
      );
}

/** 401 (after the Bearer handshake) or 403: the registry refused the caller's credentials. */
function refused(outcome: Answer): boolean {
  return outcome.status === 401 || outcome.status === 403;
}

function refusal(step: string, outcome: Answer): RegistryAuthorizationError {
  return new RegistryAuthorizationError(
    `${step}: the registry answered ${outcome.status}${detail(outcome)}`,
    errorJson(outcome),
  );
}

export function errorJson(outcome: Answer): unknown {
  const json = parseJson(new TextDecoder().decode(outcome.body));
  return isRecord(json) ? json : {};
}

/** `: <the registry's first error message>.` (`{"errors": [{"code", "message"}]}`) or `.` */
export function detail(outcome: Answer): string {
  const json = errorJson(outcome);
  const first = isRecord(json) && Array.isArray(json.errors) ? json.errors[0] : undefined;
  const message = isRecord(first) && typeof first.message === 'string' ? first.message.trim() : '';
  const code = isRecord(first) && typeof first.code === 'string' ? `${first.code}: ` : '';
  return message ? `: ${code}${message.replace(/\.$/, '')}.` : '.';
}

/** The `rel="next"` target of a Link header, resolved against the registry's base (distribution's rule). */
function nextPage(link: string | null, base: string): string | undefined {
  const match = link ? /<([^>]+)>\s*;\s*rel="?next"?/i.exec(link) : null;
  if (!match) return undefined;
  try {
    return new URL(match[1]!, `${base}/`).href;
  } catch {
    return undefined;
  }
}

const MAX_REDIRECTS = 5;

function isRedirectStatus(status: number): boolean {
  return status >= 300 && status < 400 && status !== 304;
}

/** Whether `url` is on the origin (scheme, host and port) of the registry's base URL. */
function sameOrigin(url: string, base: string): boolean {
  try {
    return new URL(url).origin === new URL(base).origin;
  } catch {
    return false;
  }
}

/** Where a redirect may be followed to, or why not (naming the status and the target's host only). */
function redirectTarget(
  answer: Answer,
  from: string,
  method: Exchange['method'],
  hops: number,
): { kind: 'url'; url: string } | { kind: 'failed'; reason: string } {
  const refuse = (why: string, to?: URL) => ({
    kind: 'failed' as const,
    reason: `the registry answered a redirect (HTTP ${answer.status}${to ? ` to ${to.host}` : ''}), ${why}`,
  });
  const location = answer.headers.get('location');
  let to: URL;
  try {
    if (!location) throw new TypeError('no Location');
    to = new URL(location, from);
  } catch {
    return refuse('without a usable Location');
  }
  if (method !== 'get' && method !== 'head')
    return refuse(`which is not followed for ${method.toUpperCase()}`, to);
  if (to.protocol !== 'https:' && to.protocol !== 'http:') return refuse('to a URL that is not http(s)', to);
  if (to.protocol === 'http:' && from.startsWith('https:'))
    return refuse('from https to plain http, which is not followed', to);
  if (hops >= MAX_REDIRECTS)
    return refuse(`after ${MAX_REDIRECTS} redirects already, which is not followed`, to);
  return { kind: 'url', url: to.href };
}
