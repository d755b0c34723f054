/**
 * The distribution API calls the catalog needs (SPEC §11), over one
 * OciSession's credentials and Bearer handshake: manifests and blobs read
 * (blobs checked against their digest), tags listed page by page, blobs
 * checked, mounted across repositories and uploaded, manifests put.
 *
 * Failures are the registry ids: 401/403 → RegistryAuthorizationError, any
 * other unwanted answer or no answer → RegistryError, each message naming the
 * step and the repository, and `registry_response` the registry's JSON error.
 * Credentials go only to the registry's own origin: an upload Location on
 * another origin is sent to without them.
 */
import { sha256 } from '../../domain/bundle-image/oci-image.js';
import { MANIFEST_ACCEPT } from '../../domain/catalog-image/image-json.js';
import type { FetchedManifest } from '../../domain/catalog-image/stored-images.js';
import { RegistryAuthorizationError, RegistryError } from '../../domain/errors.js';
import type { Answer, Exchange, Exchanger, Operation, Outcome } from './oci-exchange.js';
import { detail, errorJson, type OciSession } from './oci-session.js';

export class OciRegistryClient {
  constructor(
    private readonly session: OciSession,
    /** The registry's base URL (`https://host[:port]`). */
    readonly base: string,
    /** The same exchanges, without credentials: for upload locations on another origin. */
    private readonly bare: Exchanger,
  ) {}

  get host(): string {
    return new URL(this.base).host;
  }

  /** What `repository` holds under `reference` (a tag or a digest); undefined when the registry has none. */
  async manifest(repository: string, reference: string): Promise<FetchedManifest | undefined> {
    const step = `read the manifest ${repository}${reference.startsWith('sha256:') ? '@' : ':'}${reference}`;
    const outcome = await this.send('manifest', this.url(repository, 'manifests', reference), step, {
      method: 'get',
      headers: { Accept: MANIFEST_ACCEPT },
      retries: 2,
    });
    if (outcome.status === 404) return undefined;
    if (outcome.status !== 200) throw failure(step, outcome);
    const digest = await sha256(outcome.body);
    if (reference.startsWith('sha256:') && digest !== reference)
      throw new RegistryError(`Could not ${step}: what the registry sent does not match its digest.`);
    return { data: outcome.body, contentType: outcome.headers.get('content-type') ?? '', digest };
  }

  /** The blob, checked against its digest; undefined when the registry has none. */
  async blob(repository: string, digest: string): Promise<Uint8Array | undefined> {
    const step = `read the blob ${digest} of ${repository}`;
    const outcome = await this.send('blob', this.url(repository, 'blobs', digest), step, {
      method: 'get',
      retries: 2,
    });
    if (outcome.status === 404) return undefined;
    if (outcome.status !== 200) throw failure(step, outcome);
    if ((await sha256(outcome.body)) !== digest)
      throw new RegistryError(`Could not ${step}: what the registry sent does not match its digest.`);
    return outcome.body;
  }

  /** The repository's tags, every page; undefined when the registry does not know it (the session's listing). */
  tags(repository: string): Promise<string[] | undefined> {
    return this.session.tags(repository);
  }

  async hasBlob(repository: string, digest: string): Promise<boolean> {
    const step = `check the blob ${digest} of ${repository}`;
    const head = await this.send('push', this.url(repository, 'blobs', digest), step, {
      method: 'head',
      retries: 2,
    });
    if (head.status === 200) return true;
    if (head.status === 404) return false;
    throw failure(step, head);
  }

  /**
   * Asks the registry to mount `digest` from `from` (same registry) into
   * `repository`. True when it did; otherwise the upload it started instead
   * (the distribution API lets it answer 202 with a Location), to be finished
   * by `upload`.
   */
  async mount(repository: string, digest: string, from: string): Promise<true | { location: string }> {
    const step = `mount the blob ${digest} from ${from} into ${repository}`;
    const query = `?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`;
    const outcome = await this.send('push', `${this.base}/v2/${repository}/blobs/uploads/${query}`, step, {
      method: 'post',
      retries: 0,
    });
    if (outcome.status === 201) return true;
    const location = outcome.headers.get('location');
    if (outcome.status !== 202 || !location) throw failure(step, outcome);
    return { location };
  }

  /** Uploads a blob in one PUT (monolithic upload), to `location` when an upload is already started. */
  async upload(repository: string, digest: string, data: Uint8Array, location?: string): Promise<void> {
    const step = `upload the blob ${digest} to ${repository}`;
    const uploads = `${this.base}/v2/${repository}/blobs/uploads/`;
    let started = location;
    if (started === undefined) {
      const outcome = await this.send('push', uploads, step, { method: 'post', retries: 0 });
      started = outcome.headers.get('location') ?? undefined;
      if (outcome.status !== 202 || !started) throw failure(step, outcome);
    }
    let target: URL;
    try {
      // Relative, and may already carry a query (the upload's state).
      target = new URL(started, uploads);
    } catch {
      throw new RegistryError(`Could not ${step}: the registry's upload location is not a URL.`);
    }
    target.searchParams.append('digest', digest);
    const put: Exchange = {
      method: 'put',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: data,
      retries: 0,
    };
    const outcome =
      target.origin === new URL(this.base).origin
        ? await this.send('push', target.href, step, put)
        : answered(step, await this.bare('push', target.href, put));
    if (outcome.status !== 201) throw failure(step, outcome);
  }

  /** Puts a manifest (or index) under `reference` (a tag, or its digest). */
  async putManifest(
    repository: string,
    reference: string,
    manifest: { mediaType: string; data: Uint8Array },
  ): Promise<void> {
    const step = `put the manifest ${repository}${reference.startsWith('sha256:') ? '@' : ':'}${reference}`;
    const outcome = await this.send('push', this.url(repository, 'manifests', reference), step, {
      method: 'put',
      headers: { 'Content-Type': manifest.mediaType },
      body: manifest.data,
      retries: 0,
    });
    if (outcome.status !== 201 && outcome.status !== 200) throw failure(step, outcome);
  }

  /** A call with the session's credentials; no answer at all is a RegistryError naming the step. */
  private async send(operation: Operation, url: string, step: string, exchange: Exchange): Promise<Answer> {
    return answered(step, await this.session.send(operation, url, exchange));
  }

  private url(repository: string, kind: 'manifests' | 'blobs' | 'tags', reference: string): string {
    return `${this.base}/v2/${repository}/${kind}/${kind === 'tags' ? reference : encodeURIComponent(reference)}`;
  }
}

function answered(step: string, outcome: Outcome): Answer {
  if (outcome.kind === 'failed') throw new RegistryError(`Could not ${step}: ${outcome.reason}.`);
  return outcome;
}

/** An answer the step did not want: 401/403 → RegistryAuthorizationError, else RegistryError. */
export function failure(step: string, outcome: Answer): RegistryError | RegistryAuthorizationError {
  return outcome.status === 401 || outcome.status === 403
    ? new RegistryAuthorizationError(
        `The registry refused to ${step} (${outcome.status})${detail(outcome)}`,
        errorJson(outcome),
      )
    : new RegistryError(
        `Could not ${step}: the registry answered ${outcome.status}${detail(outcome)}`,
        errorJson(outcome),
      );
}
