/**
 * OCI registries kept in memory, with the distribution API's semantics as the
 * ImageRegistry port sees them: content-addressed manifests and blobs, tags
 * pointing at manifests, deleting a tag deletes its manifest (and every tag
 * pointing at it), unknown repositories have no tags. Tests and the demo.
 *
 * The same store serves the CatalogRegistry port (`catalogRegistry()`), so
 * bundle images pushed through one are read back through the other; it reads
 * and builds images with the domain's own readers and builder, as the OCI
 * adapter does, so the two cannot drift apart.
 */
import type { CatalogRegistry, ImageRegistry, ImageRegistrySession, Token } from '../../application/ports.js';
import type { OciBlob, OciImage } from '../../domain/bundle-image/oci-image.js';
import { QuayPackageNotFoundError, RegistryAuthorizationError } from '../../domain/errors.js';
import { InMemoryCatalogRegistry } from './in-memory-catalog-registry.js';

interface StoredRepository {
  tags: Map<string, string>;
  manifests: Map<string, OciBlob>;
}

export interface InMemoryImageRegistryOptions {
  /** Who may read and write; the default accepts any non-empty token. */
  authorize?: (token: Token, registry: string) => boolean;
}

export class InMemoryImageRegistry implements ImageRegistry {
  private readonly repositories = new Map<string, StoredRepository>();
  private readonly blobs = new Map<string, OciBlob>();
  readonly authorize: (token: Token, registry: string) => boolean;
  private catalogs: InMemoryCatalogRegistry | undefined;
  /** Set to a reason to make ping fail, as an unreachable registry would. */
  unavailable: string | undefined;

  constructor(options: InMemoryImageRegistryOptions = {}) {
    this.authorize = options.authorize ?? ((token) => token.length > 0);
  }

  session(registry: string, token: Token): ImageRegistrySession {
    const allowed = () => this.authorize(token, registry);
    const key = (repository: string) => `${registry.replace(/\/+$/, '')}|${repository}`;
    const refused = (what: string) =>
      new RegistryAuthorizationError(`The registry refused to ${what} (401).`, {
        errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }],
      });
    return {
      manifestDigest: async (repository, tag) => {
        if (!allowed()) throw refused(`read ${repository}:${tag}`);
        return this.repositories.get(key(repository))?.tags.get(tag);
      },
      pushImage: async (repository, tag, image) => {
        if (!allowed()) throw refused(`push ${repository}:${tag}`);
        this.store(key(repository), tag, image);
      },
      tags: async (repository) => {
        if (!allowed()) throw refused(`list the tags of ${repository}`);
        return this.tagsOf(registry, repository);
      },
      deleteTag: async (repository, tag) => {
        if (!allowed()) throw refused(`delete ${repository}:${tag}`);
        const stored = this.repositories.get(key(repository));
        const digest = stored?.tags.get(tag);
        if (!stored || digest === undefined) {
          throw new QuayPackageNotFoundError(`The registry has no image ${repository}:${tag}.`);
        }
        stored.manifests.delete(digest);
        for (const [name, target] of stored.tags) if (target === digest) stored.tags.delete(name);
      },
    };
  }

  /** The CatalogRegistry port over this same store. */
  catalogRegistry(): CatalogRegistry {
    this.catalogs ??= new InMemoryCatalogRegistry(this);
    return this.catalogs;
  }

  async authenticate(registry: string, token: Token): Promise<void> {
    if (!this.authorize(token, registry)) {
      throw new RegistryAuthorizationError(
        'The registry refused the credentials (401): authentication required.',
        {
          errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }],
        },
      );
    }
  }

  async ping(registry: string, _signal?: AbortSignal): Promise<void> {
    if (this.unavailable) throw new Error(`${this.unavailable} (${registry})`);
  }

  /** What `repository:tag` holds in `registry`: the manifest and the blobs it names. */
  image(registry: string, repository: string, tag: string): OciImage | undefined {
    const stored = this.repositories.get(`${registry.replace(/\/+$/, '')}|${repository}`);
    const digest = stored?.tags.get(tag);
    const manifest = digest === undefined ? undefined : stored?.manifests.get(digest);
    if (!manifest) return undefined;
    const parsed = JSON.parse(new TextDecoder().decode(manifest.data)) as {
      config: { digest: string };
      layers: { digest: string }[];
    };
    return {
      manifest,
      config: this.blobs.get(parsed.config.digest)!,
      layers: parsed.layers.map((l) => this.blobs.get(l.digest)!),
    };
  }

  /**
   * Stores blobs, then manifests (by digest) and the last one under `tag`
   * when given: how the catalog fake pushes, and how tests seed base images
   * or foreign images (`registry` is the base URL the sessions are opened with).
   */
  put(
    registry: string,
    repository: string,
    blobs: readonly OciBlob[],
    manifests: readonly OciBlob[],
    tag?: string,
  ): void {
    for (const blob of blobs) this.blobs.set(blob.digest, blob);
    const key = `${registry.replace(/\/+$/, '')}|${repository}`;
    let stored = this.repositories.get(key);
    if (!stored) {
      stored = { tags: new Map(), manifests: new Map() };
      this.repositories.set(key, stored);
    }
    for (const manifest of manifests) stored.manifests.set(manifest.digest, manifest);
    const last = manifests.at(-1);
    if (tag !== undefined && last) stored.tags.set(tag, last.digest);
  }

  /** The manifest `reference` (tag or digest) names in `repository`, and blobs by digest: what the catalog fake reads. */
  manifest(registry: string, repository: string, reference: string): OciBlob | undefined {
    const stored = this.repositories.get(`${registry.replace(/\/+$/, '')}|${repository}`);
    const digest = reference.startsWith('sha256:') ? reference : stored?.tags.get(reference);
    return digest === undefined ? undefined : stored?.manifests.get(digest);
  }

  blob(digest: string): OciBlob | undefined {
    return this.blobs.get(digest);
  }

  /** The registries (base URLs) the store holds repositories of. */
  registries(): string[] {
    return [...new Set([...this.repositories.keys()].map((key) => key.slice(0, key.indexOf('|'))))];
  }

  /** The repository's tags, sorted; undefined when the store has no such repository. */
  tagsOf(registry: string, repository: string): string[] | undefined {
    const stored = this.repositories.get(`${registry.replace(/\/+$/, '')}|${repository}`);
    return stored ? [...stored.tags.keys()].sort() : undefined;
  }

  private store(key: string, tag: string, image: OciImage): void {
    const [registry, repository] = [key.slice(0, key.indexOf('|')), key.slice(key.indexOf('|') + 1)];
    this.put(registry, repository, [image.config, ...image.layers], [image.manifest], tag);
  }
}
