/**
 * OCI registries kept in memory, with the distribution API's semantics as the
 * ImageRegistry port sees them: content-addressed manifests and blobs, tags
 * pointing at manifests, deleting a tag deletes its manifest (and every tag
 * pointing at it), unknown repositories have no tags. Tests and the demo.
 */
import type { ImageRegistry, ImageRegistrySession, Token } from '../../application/ports.js';
import type { OciBlob, OciImage } from '../../domain/bundle-image/oci-image.js';
import { QuayAuthorizationError, QuayPackageError, QuayPackageNotFoundError } from '../../domain/errors.js';

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
  private readonly authorize: (token: Token, registry: string) => boolean;
  /** Set to a reason to make ping fail, as an unreachable registry would. */
  unavailable: string | undefined;

  constructor(options: InMemoryImageRegistryOptions = {}) {
    this.authorize = options.authorize ?? ((token) => token.length > 0);
  }

  session(registry: string, token: Token): ImageRegistrySession {
    const allowed = () => this.authorize(token, registry);
    const key = (repository: string) => `${registry.replace(/\/+$/, '')}|${repository}`;
    const refused = (what: string) =>
      new QuayAuthorizationError(`The registry refused to ${what} (401).`, {
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
        const stored = this.repositories.get(key(repository));
        return stored ? [...stored.tags.keys()].sort() : undefined;
      },
      deleteTag: async (repository, tag) => {
        if (!allowed())
          throw new QuayPackageError(`Could not delete ${repository}:${tag}: the registry answered 401.`);
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

  async authenticate(registry: string, token: Token): Promise<void> {
    if (!this.authorize(token, registry)) {
      throw new QuayAuthorizationError(
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

  private store(key: string, tag: string, image: OciImage): void {
    for (const blob of [image.config, ...image.layers]) this.blobs.set(blob.digest, blob);
    let stored = this.repositories.get(key);
    if (!stored) {
      stored = { tags: new Map(), manifests: new Map() };
      this.repositories.set(key, stored);
    }
    stored.manifests.set(image.manifest.digest, image.manifest);
    stored.tags.set(tag, image.manifest.digest);
  }
}
