/**
 * An OCI distribution registry emulator, with the habits of the CNCF
 * distribution registry that clients trip over: manifests GET answers only
 * the media types in Accept, the upload Location is relative and already
 * carries a query (`_state`), DELETE works by digest and not by tag, errors
 * are `{"errors": [{"code", "message"}]}`, blobs belong to repositories (a
 * blob pushed to one is not in another until mounted: `POST
 * …/blobs/uploads/?mount=<digest>&from=<repo>`), image indexes (OCI and
 * Docker lists) need their manifests first, tag lists come in pages with a
 * `Link` header when `tagPageSize` is set. Auth: none, Basic, or Bearer (a
 * `401` challenge naming its own `/token` realm, which wants Basic credentials).
 * Every request is recorded, with the host it reached; `hang` makes chosen calls never answer.
 *
 * A registry that names another host (OciEmulatorOptions): a second emulator
 * on the same state is that host — the upload Location, the tag list's `Link`,
 * blob reads (a 307, as registries send them to their storage) and the Bearer
 * realm can each point at it.
 */
import { createHash, randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { EmulatorServer } from './serve.js';

export type OciAuth =
  | { kind: 'none' }
  /** `Authorization: Basic base64(user:password)` on every call. */
  | { kind: 'basic'; user: string; password: string }
  /** Bearer tokens from `GET /token`, which wants Basic user:password. */
  | { kind: 'bearer'; user: string; password: string };

export interface RecordedOciRequest {
  /** `127.0.0.1:<port>`: which emulator the request reached. */
  host: string;
  method: string;
  path: string;
  query: string;
  authorization: string | undefined;
}

export interface StoredManifest {
  mediaType: string;
  data: Uint8Array;
}

export class OciRegistryState {
  readonly blobs = new Map<string, Uint8Array>();
  /** Which repositories hold which blobs. */
  readonly repositoryBlobs = new Map<string, Set<string>>();
  readonly manifests = new Map<string, Map<string, StoredManifest>>();
  readonly tags = new Map<string, Map<string, string>>();
  readonly requests: RecordedOciRequest[] = [];
  readonly issuedTokens = new Set<string>();
  /** Uploads started and not finished (shared by emulators on one state). */
  readonly uploads = new Set<string>();
  /** Requests whose `METHOD path` matches never get an answer (until close). */
  hang: RegExp | undefined;
  /** Answers DELETE with 405, as a registry without `storage.delete.enabled` does. */
  deleteDisabled = false;
  /** Answers a mount with 202 (an upload started instead), as a registry may. */
  mountDeclined = false;
  /** Tags per page of `tags/list` (with a `Link` to the next); all at once when unset. */
  tagPageSize: number | undefined;

  hasBlob(name: string, digest: string): boolean {
    return this.repositoryBlobs.get(name)?.has(digest) === true && this.blobs.has(digest);
  }

  addBlob(name: string, digest: string, data: Uint8Array): void {
    this.blobs.set(digest, data);
    if (!this.repositoryBlobs.has(name)) this.repositoryBlobs.set(name, new Set());
    this.repositoryBlobs.get(name)!.add(digest);
  }

  /** Stores blobs and manifests (by digest) in `name`, the last manifest under `tag` when given: seeding. */
  seed(
    name: string,
    blobs: readonly { digest: string; data: Uint8Array }[],
    manifests: readonly { mediaType: string; digest: string; data: Uint8Array }[],
    tag?: string,
  ): void {
    for (const blob of blobs) this.addBlob(name, blob.digest, blob.data);
    if (!this.manifests.has(name)) this.manifests.set(name, new Map());
    if (!this.tags.has(name)) this.tags.set(name, new Map());
    for (const m of manifests)
      this.manifests.get(name)!.set(m.digest, { mediaType: m.mediaType, data: m.data });
    const last = manifests.at(-1);
    if (tag !== undefined && last) this.tags.get(name)!.set(tag, last.digest);
  }

  /** The mounts asked for: `{digest, from, into}`. */
  mounts(): { digest: string; from: string; into: string }[] {
    return this.requests.flatMap((r) => {
      const query = new URLSearchParams(r.query);
      const digest = query.get('mount');
      const into = /^\/v2\/(.+)\/blobs\/uploads\/$/.exec(r.path)?.[1];
      return r.method === 'POST' && digest && into ? [{ digest, from: query.get('from') ?? '', into }] : [];
    });
  }

  constructor(readonly auth: OciAuth) {}

  tagsOf(name: string): string[] {
    return [...(this.tags.get(name)?.keys() ?? [])].sort();
  }

  manifestOf(name: string, tag: string): StoredManifest | undefined {
    const digest = this.tags.get(name)?.get(tag);
    return digest ? this.manifests.get(name)?.get(digest) : undefined;
  }

  tokenRequests(): RecordedOciRequest[] {
    return this.requests.filter((r) => r.path === '/token');
  }

  /** The requests that reached the emulator at `url` (its base URL). */
  requestsTo(url: string): RecordedOciRequest[] {
    const host = new URL(url).host;
    return this.requests.filter((r) => r.host === host);
  }
}

/** Where this emulator sends clients on another host (base URLs of other emulators). */
export interface OciEmulatorOptions {
  /** Serve this state (another emulator's): a second host in front of the same storage. */
  state?: OciRegistryState;
  /** The upload Location names this base URL instead of being relative. */
  uploadsAt?: string;
  /** The Bearer challenge's realm is `<realmAt>/token`. */
  realmAt?: string;
  /** Blob HEAD/GET answer 307 to the same path on this base URL. */
  blobsAt?: string;
  /** Tag lists come in pages of this many tags, with a `Link` to the next page. */
  tagPageSize?: number;
  /** The `Link` to the next page names this base URL instead of being relative. */
  linksAt?: string;
}

export interface OciRegistryEmulator {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  url: string;
  state: OciRegistryState;
  close(): Promise<void>;
}

const ROUTE = /^\/v2\/(.+?)\/(blobs\/uploads\/[^/]*|blobs\/[^/]+|manifests\/[^/]+|tags\/list)$/;

export function sha256(data: Uint8Array): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export async function startOciRegistryEmulator(
  auth: OciAuth = { kind: 'none' },
  options: OciEmulatorOptions = {},
): Promise<OciRegistryEmulator> {
  const state = options.state ?? new OciRegistryState(auth);
  const server = new EmulatorServer();
  const uploads = state.uploads;
  const app = new Hono();
  const basic = auth.kind === 'none' ? '' : `Basic ${btoa(`${auth.user}:${auth.password}`)}`;
  let base = '';

  const error = (status: number, code: string, message: string, headers: Record<string, string> = {}) =>
    new Response(JSON.stringify({ errors: [{ code, message, detail: null }] }), {
      status,
      headers: { 'Content-Type': 'application/json', ...headers },
    });

  const unauthorized = (name?: string) => {
    const challenge =
      auth.kind === 'bearer'
        ? `Bearer realm="${options.realmAt ?? base}/token",service="emulator",scope="repository:${name ?? ''}:pull,push"`
        : 'Basic realm="emulator"';
    return error(401, 'UNAUTHORIZED', 'authentication required', { 'WWW-Authenticate': challenge });
  };

  const authorized = (header: string | undefined) => {
    if (auth.kind === 'none') return true;
    if (auth.kind === 'basic') return header === basic;
    return header?.startsWith('Bearer ') === true && state.issuedTokens.has(header.slice(7));
  };

  app.use('*', async (c, next) => {
    const url = new URL(c.req.url);
    state.requests.push({
      host: url.host,
      method: c.req.method,
      path: url.pathname,
      query: url.search,
      authorization: c.req.header('authorization'),
    });
    if (state.hang?.test(`${c.req.method} ${url.pathname}`)) {
      await server.wait(60_000);
      return c.body(null, 503);
    }
    await next();
  });

  app.get('/token', (c) => {
    if (auth.kind !== 'bearer' || c.req.header('authorization') !== basic) {
      return error(401, 'UNAUTHORIZED', 'bad credentials');
    }
    const token = randomUUID();
    state.issuedTokens.add(token);
    return c.json({ token, access_token: token, expires_in: 300 });
  });

  app.get('/v2/', (c) => (authorized(c.req.header('authorization')) ? c.json({}) : unauthorized()));

  app.all('/v2/*', async (c) => {
    const url = new URL(c.req.url);
    const match = ROUTE.exec(url.pathname);
    if (!match) return error(404, 'NOT_FOUND', 'no such route');
    const name = match[1]!;
    const [kind, ...rest] = match[2]!.split('/');
    const reference = decodeURIComponent(rest.at(-1) ?? '');
    if (!authorized(c.req.header('authorization'))) return unauthorized(name);
    const method = c.req.method;

    if (kind === 'blobs' && rest[0] === 'uploads') {
      if (method === 'POST' && reference === '') {
        const mount = url.searchParams.get('mount');
        const from = url.searchParams.get('from');
        if (mount && from && !state.mountDeclined && state.hasBlob(from, mount)) {
          state.addBlob(name, mount, state.blobs.get(mount)!);
          return c.body(null, 201, {
            Location: `/v2/${name}/blobs/${mount}`,
            'Docker-Content-Digest': mount,
          });
        }
        const id = randomUUID();
        uploads.add(id);
        // Relative, with the upload's state already in the query, like distribution.
        const location = `/v2/${name}/blobs/uploads/${id}?_state=${btoa(id)}%3D%3D`;
        return c.body(null, 202, { Location: `${options.uploadsAt ?? ''}${location}` });
      }
      if (method === 'PUT' && uploads.has(reference)) {
        if (url.searchParams.get('_state') !== `${btoa(reference)}==`)
          return error(400, 'BLOB_UPLOAD_INVALID', 'bad state');
        const digest = url.searchParams.get('digest');
        const data = new Uint8Array(await c.req.arrayBuffer());
        if (!digest || sha256(data) !== digest) return error(400, 'DIGEST_INVALID', 'digest does not match');
        uploads.delete(reference);
        state.addBlob(name, digest, data);
        return c.body(null, 201, {
          Location: `/v2/${name}/blobs/${digest}`,
          'Docker-Content-Digest': digest,
        });
      }
      return error(404, 'BLOB_UPLOAD_UNKNOWN', 'upload unknown');
    }

    if (kind === 'blobs') {
      if (options.blobsAt) return c.body(null, 307, { Location: `${options.blobsAt}${url.pathname}` });
      const data = state.hasBlob(name, reference) ? state.blobs.get(reference) : undefined;
      if (method !== 'HEAD' && method !== 'GET') return error(405, 'UNSUPPORTED', 'unsupported');
      if (!data) return method === 'HEAD' ? c.body(null, 404) : error(404, 'BLOB_UNKNOWN', 'blob unknown');
      const headers = { 'Content-Length': String(data.byteLength), 'Docker-Content-Digest': reference };
      return method === 'HEAD'
        ? c.body(null, 200, headers)
        : c.body(data as Uint8Array<ArrayBuffer>, 200, headers);
    }

    if (kind === 'tags') {
      if (!state.tags.has(name)) return error(404, 'NAME_UNKNOWN', 'repository name not known to registry');
      const all = state.tagsOf(name);
      const size = options.tagPageSize ?? state.tagPageSize;
      if (!size) return c.json({ name, tags: all });
      const last = url.searchParams.get('last');
      const page = all.filter((t) => last === null || t > last).slice(0, size);
      const more = page.length > 0 && page.at(-1) !== all.at(-1);
      const next = `${options.linksAt ?? ''}/v2/${name}/tags/list?n=${size}&last=${encodeURIComponent(page.at(-1) ?? '')}`;
      return c.json({ name, tags: page }, 200, more ? { Link: `<${next}>; rel="next"` } : {});
    }

    // manifests
    if (method === 'PUT') {
      const mediaType = c.req.header('content-type') ?? '';
      const data = new Uint8Array(await c.req.arrayBuffer());
      let parsed: {
        mediaType?: string;
        config?: { digest?: string };
        layers?: { digest?: string }[];
        manifests?: { digest?: string }[];
      };
      try {
        parsed = JSON.parse(new TextDecoder().decode(data));
      } catch {
        return error(400, 'MANIFEST_INVALID', 'manifest invalid');
      }
      if (mediaType !== parsed.mediaType) return error(400, 'MANIFEST_INVALID', 'media type mismatch');
      if (parsed.manifests) {
        if (parsed.manifests.some((m) => !m.digest || !state.manifests.get(name)?.has(m.digest)))
          return error(400, 'MANIFEST_UNKNOWN', 'an index names a manifest the repository does not have');
      } else {
        const referenced = [parsed.config?.digest, ...(parsed.layers ?? []).map((l) => l.digest)];
        if (referenced.some((d) => !d || !state.hasBlob(name, d)))
          return error(400, 'MANIFEST_BLOB_UNKNOWN', 'blob unknown');
      }
      const digest = sha256(data);
      if (reference.startsWith('sha256:') && reference !== digest)
        return error(400, 'DIGEST_INVALID', 'the manifest does not match its digest');
      if (!state.manifests.has(name)) state.manifests.set(name, new Map());
      if (!state.tags.has(name)) state.tags.set(name, new Map());
      state.manifests.get(name)!.set(digest, { mediaType, data });
      if (!reference.startsWith('sha256:')) state.tags.get(name)!.set(reference, digest);
      return c.body(null, 201, {
        'Docker-Content-Digest': digest,
        Location: `/v2/${name}/manifests/${digest}`,
      });
    }
    const digest = reference.startsWith('sha256:') ? reference : state.tags.get(name)?.get(reference);
    const stored = digest ? state.manifests.get(name)?.get(digest) : undefined;
    if (method === 'GET' || method === 'HEAD') {
      const accept = c.req.header('accept') ?? '';
      if (!stored || !accept.includes(stored.mediaType))
        return error(404, 'MANIFEST_UNKNOWN', 'manifest unknown');
      const headers = { 'Content-Type': stored.mediaType, 'Docker-Content-Digest': digest! };
      return method === 'HEAD'
        ? c.body(null, 200, headers)
        : c.body(stored.data as Uint8Array<ArrayBuffer>, 200, headers);
    }
    if (method === 'DELETE') {
      if (state.deleteDisabled) return error(405, 'UNSUPPORTED', 'The operation is unsupported.');
      if (!reference.startsWith('sha256:')) return error(400, 'UNSUPPORTED', 'delete by digest only');
      if (!stored) return error(404, 'MANIFEST_UNKNOWN', 'manifest unknown');
      state.manifests.get(name)!.delete(reference);
      const tags = state.tags.get(name)!;
      for (const [tag, target] of tags) if (target === reference) tags.delete(tag);
      return c.body(null, 202);
    }
    return error(405, 'UNSUPPORTED', 'unsupported');
  });

  const port = await server.listen(app.fetch);
  base = `http://127.0.0.1:${port}`;
  return { url: base, state, close: () => server.close() };
}
