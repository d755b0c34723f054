/**
 * ReadCatalog (SPEC §11): what an organization's catalog holds now, read from
 * its registry: the image, its digest and packages, or one package's FBC blobs
 * as JSON lines (as catalogd serves `/api/v1/all`). The caller's
 * Authorization, when given, goes to the registry; none reads anonymously.
 */
import { packageConfig, packagesIn } from '../domain/catalog/catalog-folder.js';
import { writeJsonLines } from '../domain/catalog/declcfg-write.js';
import { OmpsError } from '../domain/errors.js';
import type { OrganizationPolicy } from '../domain/organization-policy.js';
import type { CatalogRegistry, Token } from './ports.js';
import { catalogLocation } from './update-catalog.js';

export interface CatalogSummary {
  /** `<registry host>/<repository>:<tag>`. */
  image: string;
  /** What the tag points at; null when there is no catalog yet. */
  digest: string | null;
  packages: string[];
}

export class ReadCatalog {
  constructor(
    private readonly deps: {
      catalogRegistry: CatalogRegistry;
      policyFor(organization: string): OrganizationPolicy | undefined;
    },
  ) {}

  async summary(organization: string, token: Token): Promise<CatalogSummary> {
    const { image, read } = await this.read(organization, token);
    return { image, digest: read?.digest ?? null, packages: read ? packagesIn(read.configs) : [] };
  }

  /** The package's blobs, one JSON object a line; NotFound when the catalog does not hold it. */
  async packageLines(organization: string, packageName: string, token: Token): Promise<string> {
    const { image, read } = await this.read(organization, token);
    const config = read ? packageConfig(read.configs, packageName) : undefined;
    if (!config || config.packages.length + config.bundles.length + config.channels.length === 0) {
      throw new OmpsError('NotFound', `The catalog ${image} has no package ${packageName}.`);
    }
    return writeJsonLines(config);
  }

  private async read(organization: string, token: Token) {
    const policy = this.deps.policyFor(organization);
    if (!policy?.catalog || !policy.bundleImages) {
      throw new OmpsError('NotFound', `Organization ${organization} keeps no catalog.`);
    }
    const { repository, image } = catalogLocation({
      organization,
      bundleImages: policy.bundleImages,
      catalog: policy.catalog,
    });
    const session = this.deps.catalogRegistry.session(policy.bundleImages.registry, token);
    const read = await session.readCatalog(repository, policy.catalog.tag);
    return { image, read };
  }
}
