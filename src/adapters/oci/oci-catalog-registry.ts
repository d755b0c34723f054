/**
 * The CatalogRegistry port over the OCI distribution API (SPEC §11), beside
 * OciImageRegistry and on the same sessions (credentials, Bearer handshake,
 * the shared exchange's `request_timeout`): bundle images read back tag by
 * tag (4 at a time), the catalog image read and pushed, a base image resolved.
 *
 * What is read from blobs is kept by digest (content-addressed, so never
 * stale) within a byte bound: a publish re-reads only new bundle tags, and the
 * catalog's configs only when its layer changed. Layers are unpacked by the
 * bounded tar reader with the injected gzip codec (node:zlib on Node).
 *
 * Base image blobs: mounted from the base's repository when it is in the same
 * registry (copied when the registry answers a mount with an upload), else
 * read anonymously from the base's registry and uploaded. The caller's
 * credentials never go to another registry.
 */
import type {
  CatalogBase,
  CatalogRegistry,
  CatalogSession,
  StoredBundle,
  StoredBundles,
  StoredCatalog,
  Token,
} from '../../application/ports.js';
import { settleLimited } from '../../application/settle-limited.js';
import { buildCatalogImage, readCatalogLayer } from '../../domain/catalog-image/catalog-image.js';
import { type GzipCodec, webGzipCodec } from '../../domain/catalog-image/gzip-codec.js';
import type { Descriptor } from '../../domain/catalog-image/image-json.js';
import {
  type BundleRead,
  type BundleReadLimits,
  baseImageError,
  catalogLayerOf,
  type ImageSource,
  readBundleImage,
  resolveBase,
} from '../../domain/catalog-image/stored-images.js';
import { TarReadError } from '../../domain/catalog-image/tar-read.js';
import { CatalogValidationError, RegistryError } from '../../domain/errors.js';
import type { FileEntry } from '../../domain/files.js';
import type { UpstreamOptions } from '../upstream/exchange.js';
import { DigestCache } from './digest-cache.js';
import { OciImageRegistry } from './oci-image-registry.js';
import { OciRegistryClient } from './oci-registry-client.js';
import { OciSession } from './oci-session.js';

export interface CatalogReadLimits {
  bundle: BundleReadLimits;
  /** Bytes of the unpacked catalog layer, and its entries. */
  catalogBytes: number;
  catalogEntries: number;
}

export const DEFAULT_CATALOG_READ_LIMITS: CatalogReadLimits = {
  bundle: { layerBytes: 16 * 1024 * 1024, bytes: 64 * 1024 * 1024, entries: 10_000, layers: 16 },
  catalogBytes: 512 * 1024 * 1024,
  catalogEntries: 100_000,
};

export interface OciCatalogRegistryOptions extends UpstreamOptions {
  /** gzip for layers; Web streams by default (Node passes node:zlib's). */
  codec?: GzipCodec;
  limits?: CatalogReadLimits;
  /** Hosts (`host[:port]`) of base images in other registries reached over plain http; https otherwise. */
  plainHttpHosts?: readonly string[];
  /** Bytes of unpacked bundles, and of catalog configs, kept by digest (each; default 64 MiB). */
  cacheBytes?: number;
  /** Bundle images read at once (default 4). */
  concurrency?: number;
}

/** Answers (blobs included) are held whole: this bounds the largest blob read or copied. */
const DEFAULT_MAX_ANSWER_BYTES = 256 * 1024 * 1024;
/** Digest-pinned base images kept resolved. */
const RESOLVED_BASES = 16;

export class OciCatalogRegistry implements CatalogRegistry {
  private readonly images: OciImageRegistry;
  readonly codec: GzipCodec;
  readonly limits: CatalogReadLimits;
  readonly concurrency: number;
  readonly bundleCache: DigestCache<BundleRead>;
  readonly catalogCache: DigestCache<FileEntry[]>;
  readonly baseCache = new DigestCache<CatalogBase>(RESOLVED_BASES);
  private readonly plainHttpHosts: ReadonlySet<string>;

  constructor(options: OciCatalogRegistryOptions = {}) {
    this.images = new OciImageRegistry({
      ...options,
      maxAnswerBytes: options.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES,
    });
    this.codec = options.codec ?? webGzipCodec;
    this.limits = options.limits ?? DEFAULT_CATALOG_READ_LIMITS;
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.bundleCache = new DigestCache(options.cacheBytes ?? 64 * 1024 * 1024);
    this.catalogCache = new DigestCache(options.cacheBytes ?? 64 * 1024 * 1024);
    this.plainHttpHosts = new Set((options.plainHttpHosts ?? []).map((h) => h.toLowerCase()));
  }

  session(registry: string, token: Token): CatalogSession {
    return new OciCatalogSession(this, this.client(registry.replace(/\/+$/, ''), token));
  }

  /** A client for the registry at `base` (URL) with `token` ('' = anonymous). */
  client(base: string, token: Token): OciRegistryClient {
    const call = this.images.call.bind(this.images);
    return new OciRegistryClient(new OciSession(call, base, token), base, call);
  }

  /** The base URL of a registry an image reference names by host. */
  baseUrlOf(host: string): string {
    return `${this.plainHttpHosts.has(host) ? 'http' : 'https'}://${host}`;
  }
}

class OciCatalogSession implements CatalogSession {
  constructor(
    private readonly registry: OciCatalogRegistry,
    private readonly client: OciRegistryClient,
  ) {}

  async bundles(repository: string): Promise<StoredBundles | undefined> {
    const tags = await this.client.tags(repository);
    if (tags === undefined) return undefined;
    const sorted = [...tags].sort();
    const results = await settleLimited(sorted, this.registry.concurrency, (tag) =>
      this.bundle(repository, tag),
    );
    const stored: StoredBundles = { bundles: [], skipped: [] };
    for (const [i, result] of results.entries()) {
      if (result.status === 'rejected') throw result.reason;
      const read = result.value;
      if ('reason' in read) stored.skipped.push({ tag: sorted[i]!, reason: read.reason });
      else stored.bundles.push(read);
    }
    return stored;
  }

  async catalogDigest(repository: string, tag: string): Promise<string | undefined> {
    return (await this.client.manifest(repository, tag))?.digest;
  }

  async readCatalog(repository: string, tag: string): Promise<StoredCatalog | undefined> {
    const top = await this.client.manifest(repository, tag);
    if (!top) return undefined;
    const unreadable = (reason: string) =>
      new RegistryError(`The catalog image ${repository}:${tag} cannot be read: ${reason}.`);
    const source = this.source(this.client, repository);
    const where = await catalogLayerOf(source, top);
    if (typeof where === 'string') throw unreadable(where);
    const key = `${this.client.host}|${where.layer.digest}|${where.folder}`;
    let configs = this.registry.catalogCache.get(key);
    if (!configs) {
      const data = await source.blob(where.layer.digest);
      if (!data) throw unreadable(`its layer ${where.layer.digest} is missing`);
      const { catalogBytes: maxBytes, catalogEntries: maxEntries } = this.registry.limits;
      try {
        configs = await readCatalogLayer(data, this.registry.codec, { maxBytes, maxEntries }, where.folder);
      } catch (error) {
        if (error instanceof TarReadError) throw unreadable(error.message);
        throw error;
      }
      this.registry.catalogCache.set(key, configs, bytesOf(configs));
    }
    return { digest: top.digest, configs };
  }

  async resolveBase(reference: string): Promise<CatalogBase> {
    const pinned = reference.includes('@sha256:');
    const cached = pinned ? this.registry.baseCache.get(reference) : undefined;
    if (cached) return cached;
    let own = true;
    try {
      const base = await resolveBase(reference, (ref) => {
        // The caller's credentials only for their own registry; another registry is read anonymously.
        own = ref.host === this.client.host;
        const client = own ? this.client : this.registry.client(this.registry.baseUrlOf(ref.host), '');
        return this.source(client, ref.repository);
      });
      if (pinned) this.registry.baseCache.set(reference, base, 1);
      return base;
    } catch (error) {
      if (own || error instanceof CatalogValidationError) throw error;
      // Another registry's failure is the configured reference's problem, not the caller's.
      throw baseImageError(reference, `cannot be read: ${(error as Error).message}`);
    }
  }

  async pushCatalog(
    repository: string,
    tag: string,
    configs: readonly FileEntry[],
    base?: CatalogBase,
    expected?: string | null,
  ): Promise<string | undefined> {
    const image = await buildCatalogImage(configs, this.registry.codec, base?.image);
    if (base) {
      const other =
        base.host === this.client.host
          ? undefined
          : this.registry.client(this.registry.baseUrlOf(base.host), '');
      for (const layer of image.baseLayers) await this.baseLayer(repository, layer, base, other);
    }
    for (const blob of image.blobs) {
      if (!(await this.client.hasBlob(repository, blob.digest)))
        await this.client.upload(repository, blob.digest, blob.data);
    }
    for (const manifest of image.manifests)
      await this.client.putManifest(repository, manifest.digest, manifest);
    // Everything but the tag is up: the last look at it, as close to the PUT as a client can get.
    if (expected !== undefined && ((await this.catalogDigest(repository, tag)) ?? null) !== expected) {
      return undefined;
    }
    await this.client.putManifest(repository, tag, image.top);
    return image.top.digest;
  }

  /** A base layer into `repository`: there already, mounted (same registry), else copied. */
  private async baseLayer(
    repository: string,
    layer: Descriptor,
    base: CatalogBase,
    other: OciRegistryClient | undefined,
  ): Promise<void> {
    if (await this.client.hasBlob(repository, layer.digest)) return;
    let location: string | undefined;
    if (!other) {
      const mounted = await this.client.mount(repository, layer.digest, base.repository);
      if (mounted === true) return;
      location = mounted.location;
    }
    const data = await (other ?? this.client).blob(base.repository, layer.digest);
    if (!data)
      throw new RegistryError(
        `Could not copy the layer ${layer.digest} of the base image ${base.reference}: the registry no longer has it.`,
      );
    await this.client.upload(repository, layer.digest, data, location);
  }

  /** One tag as a bundle image; what its manifest's layers hold is read once per manifest digest. */
  private async bundle(repository: string, tag: string): Promise<StoredBundle | { reason: string }> {
    const manifest = await this.client.manifest(repository, tag);
    if (!manifest) return { reason: 'the tag no longer exists' };
    const key = `${this.client.host}|${manifest.digest}`;
    let read = this.registry.bundleCache.get(key);
    if (!read) {
      const source = this.source(this.client, repository);
      read = await readBundleImage(source, manifest, this.registry.codec, this.registry.limits.bundle);
      this.registry.bundleCache.set(key, read, 'files' in read ? bytesOf(read.files) : 256);
    }
    return 'files' in read ? { tag, digest: manifest.digest, files: read.files } : read;
  }

  private source(client: OciRegistryClient, repository: string): ImageSource {
    return {
      manifest: (reference) => client.manifest(repository, reference),
      blob: (digest) => client.blob(repository, digest),
    };
  }
}

function bytesOf(files: readonly FileEntry[]): number {
  return files.reduce((sum, f) => sum + f.path.length + f.data.byteLength, 64);
}
