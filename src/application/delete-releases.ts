/**
 * DeleteReleases (SPEC §3 "Deleting"): one release as given, or every raw
 * release of a repository. For organizations with bundle_images (SPEC §10) a
 * release is an image tag of the repository the package's images go to.
 *
 * An unknown package or release is QuayPackageNotFound (404) in both: SPEC §2
 * has no registry 404, and clients of a delete already handle that id and its
 * `Package <org>/<repo> not found`. Other failures keep their registry's ids.
 */
import { imageRepository } from '../domain/bundle-image/image-name.js';
import {
  AuthorizationHeaderRequiredError,
  OmpsError,
  QuayPackageError,
  QuayPackageNotFoundError,
  RegistryError,
} from '../domain/errors.js';
import type { OrganizationPolicy } from '../domain/organization-policy.js';
import { packageNotFound } from '../domain/original-messages.js';
import type { ImageRegistry, Registry, Token } from './ports.js';
import { settleLimited } from './settle-limited.js';
import type { CatalogResult, UpdateCatalog } from './update-catalog.js';

/** DELETEs in flight at once when deleting every release (Quay releases and image tags alike). */
export const MAX_PARALLEL_DELETES = 4;

export interface DeleteCommand {
  organization: string;
  repository: string;
  /** Omitted = every release, conforming or not. */
  version?: string;
  token: Token;
}

export interface DeleteResult {
  organization: string;
  repo: string;
  deleted: string[];
  /** Organizations with a catalog (SPEC §11): the catalog after the delete. */
  catalog?: CatalogResult;
}

export interface DeleteDeps {
  registry: Registry;
  imageRegistry?: ImageRegistry;
  /** Keeps the catalogs of organizations with `catalog` current (SPEC §11). */
  catalog?: UpdateCatalog;
  policyFor?(organization: string): OrganizationPolicy | undefined;
}

/** What one kind of registry offers for deleting: list a repository's releases, delete one. */
interface Releases {
  list(): Promise<string[] | undefined>;
  remove(version: string): Promise<void>;
  /** For messages: `org/repo` in Quay, the image repository in an OCI registry. */
  name: string;
  where: string;
  /**
   * Updates the catalog for the tags about to go (organizations with a
   * catalog): validated first, so a delete that would break it deletes nothing.
   */
  updateCatalog?(removed: readonly string[] | 'all'): Promise<CatalogResult>;
  /** The error for deletes that failed in part: QuayPackageError for Quay, RegistryError for an OCI registry. */
  failure(message: string): OmpsError;
}

export class DeleteReleases {
  constructor(private readonly deps: DeleteDeps) {}

  async execute(command: DeleteCommand): Promise<DeleteResult> {
    if (!command.token) throw new AuthorizationHeaderRequiredError();
    const { organization, repository } = command;
    const releases = this.releasesOf(command);
    const result = { organization, repo: repository };

    if (command.version !== undefined) {
      // The catalog first: it must never point at an image that is gone.
      const catalog = await releases.updateCatalog?.([command.version]);
      await releases.remove(command.version);
      return { ...result, deleted: [command.version], ...(catalog ? { catalog } : {}) };
    }

    const versions = await releases.list();
    if (versions === undefined) {
      const where = releases.name === `${organization}/${repository}` ? '' : ` as ${releases.name}`;
      throw new QuayPackageNotFoundError(
        `${packageNotFound(organization, repository)}${where} in ${releases.where}.`,
      );
    }
    const catalog = await releases.updateCatalog?.('all');
    const withCatalog = catalog ? { catalog } : {};
    // Every release is tried, even after a failure: the caller learns exactly what is left.
    const outcomes = await settleLimited(versions, MAX_PARALLEL_DELETES, (version) =>
      releases.remove(version),
    );
    const deleted: string[] = [];
    const failed: { version: string; error: unknown }[] = [];
    outcomes.forEach((outcome, i) => {
      const version = versions[i]!;
      if (outcome.status === 'fulfilled') deleted.push(version);
      else failed.push({ version, error: outcome.reason });
    });
    if (failed.length === 0) return { ...result, deleted, ...withCatalog };

    const only = failed[0]!.error;
    if (deleted.length === 0 && failed.length === 1 && only instanceof OmpsError) throw only;
    const reasons = failed
      .map((f) => `${f.version} (${f.error instanceof Error ? f.error.message : String(f.error)})`)
      .join(', ');
    throw releases.failure(
      `Deleting releases of ${releases.name} failed. Deleted: [${deleted.join(', ')}]. Not deleted: ${reasons}.`,
    );
  }

  private releasesOf({ organization, repository, token }: DeleteCommand): Releases {
    const { registry, imageRegistry, policyFor, catalog } = this.deps;
    const policy = policyFor?.(organization);
    const images = policy?.bundleImages;
    if (images && imageRegistry) {
      const name = imageRepository(images.repository, organization, repository);
      // One session: a bearer token from the registry's challenge serves every call of this request.
      const session = imageRegistry.session(images.registry, token);
      const target = policy.catalog && {
        organization,
        bundleImages: images,
        catalog: policy.catalog,
        packageName: repository,
        token,
      };
      return {
        list: () => session.tags(name),
        remove: (tag) => session.deleteTag(name, tag),
        name,
        where: images.registry,
        ...(target && catalog
          ? {
              updateCatalog: async (removed) => catalog.apply(await catalog.plan(target, { removed })),
            }
          : {}),
        failure: (message) => new RegistryError(message),
      };
    }
    return {
      list: () => registry.releases(organization, repository, token),
      remove: (version) => registry.deleteRelease(organization, repository, version, token),
      name: `${organization}/${repository}`,
      where: 'Quay',
      failure: (message) => new QuayPackageError(message),
    };
  }
}
