/**
 * The CatalogRegistry port over InMemoryImageRegistry's store (tests, the
 * demo): bundle images read back with the domain's reader, catalog images
 * built with the domain's builder and read back the same way — the OCI
 * adapter's semantics without HTTP. Blobs are shared by the whole store, so a
 * base image's layers are "mounted" wherever they are. Refused credentials
 * (the store's `authorize`) are RegistryAuthorizationError; a base image's
 * credentials are not checked in another registry (read anonymously there).
 */
import type {
  CatalogBase,
  CatalogRegistry,
  CatalogSession,
  StoredBundles,
  StoredCatalog,
  Token,
} from '../../application/ports.js';
import type { OciBlob } from '../../domain/bundle-image/oci-image.js';
import { buildCatalogImage, readCatalogLayer } from '../../domain/catalog-image/catalog-image.js';
import { webGzipCodec } from '../../domain/catalog-image/gzip-codec.js';
import {
  catalogLayerOf,
  type ImageSource,
  readBundleImage,
  resolveBase,
} from '../../domain/catalog-image/stored-images.js';
import { RegistryAuthorizationError, RegistryError } from '../../domain/errors.js';

/** What this fake needs of InMemoryImageRegistry's store (an interface here, so neither file imports the other's class). */
export interface InMemoryOciStore {
  authorize(token: Token, registry: string): boolean;
  put(
    registry: string,
    repository: string,
    blobs: readonly OciBlob[],
    manifests: readonly OciBlob[],
    tag?: string,
  ): void;
  manifest(registry: string, repository: string, reference: string): OciBlob | undefined;
  blob(digest: string): OciBlob | undefined;
  registries(): string[];
  tagsOf(registry: string, repository: string): string[] | undefined;
}

const BUNDLE_LIMITS = { layerBytes: 16 * 1024 * 1024, bytes: 64 * 1024 * 1024, entries: 10_000, layers: 16 };
const CATALOG_LIMITS = { maxBytes: 512 * 1024 * 1024, maxEntries: 100_000 };

export class InMemoryCatalogRegistry implements CatalogRegistry {
  constructor(private readonly store: InMemoryOciStore) {}

  session(registry: string, token: Token): CatalogSession {
    const store = this.store;
    const base = registry.replace(/\/+$/, '');
    const check = (what: string) => {
      if (!store.authorize(token, registry))
        throw new RegistryAuthorizationError(`The registry refused to ${what} (401).`, {
          errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }],
        });
    };
    const source = (from: string, repository: string): ImageSource => ({
      manifest: async (reference) => {
        const manifest = store.manifest(from, repository, reference);
        return manifest && { data: manifest.data, contentType: manifest.mediaType, digest: manifest.digest };
      },
      blob: async (digest) => store.blob(digest)?.data,
    });

    return {
      async bundles(repository): Promise<StoredBundles | undefined> {
        check(`list the tags of ${repository}`);
        const tags = store.tagsOf(base, repository);
        if (!tags) return undefined;
        const stored: StoredBundles = { bundles: [], skipped: [] };
        for (const tag of tags) {
          const manifest = await source(base, repository).manifest(tag);
          if (!manifest) continue;
          const read = await readBundleImage(source(base, repository), manifest, webGzipCodec, BUNDLE_LIMITS);
          if ('files' in read) stored.bundles.push({ tag, digest: manifest.digest, files: read.files });
          else stored.skipped.push({ tag, reason: read.reason });
        }
        return stored;
      },

      async catalogDigest(repository, tag) {
        check(`read the manifest ${repository}:${tag}`);
        return store.manifest(base, repository, tag)?.digest;
      },

      async readCatalog(repository, tag): Promise<StoredCatalog | undefined> {
        check(`read the manifest ${repository}:${tag}`);
        const top = await source(base, repository).manifest(tag);
        if (!top) return undefined;
        const unreadable = (reason: string) =>
          new RegistryError(`The catalog image ${repository}:${tag} cannot be read: ${reason}.`);
        const where = await catalogLayerOf(source(base, repository), top);
        if (typeof where === 'string') throw unreadable(where);
        const layer = store.blob(where.layer.digest);
        if (!layer) throw unreadable(`its layer ${where.layer.digest} is missing`);
        const configs = await readCatalogLayer(layer.data, webGzipCodec, CATALOG_LIMITS, where.folder).catch(
          (error: Error) => {
            throw unreadable(error.message);
          },
        );
        return { digest: top.digest, configs };
      },

      resolveBase(reference): Promise<CatalogBase> {
        return resolveBase(reference, (ref) => {
          const from = store.registries().find((r) => new URL(r).host === ref.host) ?? `https://${ref.host}`;
          if (from === base) check(`read the manifest ${ref.repository}`);
          return source(from, ref.repository);
        });
      },

      async pushCatalog(repository, tag, configs, catalogBase, expected): Promise<string | undefined> {
        check(`push ${repository}:${tag}`);
        const image = await buildCatalogImage(configs, webGzipCodec, catalogBase?.image);
        for (const layer of image.baseLayers) {
          if (!store.blob(layer.digest))
            throw new RegistryError(
              `Could not copy the layer ${layer.digest} of the base image: it is missing.`,
            );
        }
        store.put(base, repository, image.blobs, image.manifests);
        if (expected !== undefined && (store.manifest(base, repository, tag)?.digest ?? null) !== expected) {
          return undefined;
        }
        store.put(base, repository, [], [image.top], tag);
        return image.top.digest;
      },
    };
  }
}
