/**
 * PublishRelease (SPEC §3): one flow for zip uploads and Koji builds, for v1
 * (repository from the URL) and v2 (repository = packageName).
 */
import {
  AuthorizationHeaderRequiredError,
  BundleImageVersionError,
  QuayPackageError,
  ReleaseAlreadyExistsError,
  type ValidationInfo,
} from '../domain/errors.js';
import {
  type BundleImagesPolicy,
  DEFAULT_POLICY,
  type OrganizationPolicy,
} from '../domain/organization-policy.js';
import { assertValidVersion, nextVersion } from '../domain/release-version.js';
import { InlineBundleEngine } from './bundle-job.js';
import type {
  Archive,
  BuildSystem,
  BundleEngine,
  BundleWork,
  Logger,
  PolicyGate,
  PushRequest,
  Registry,
  Token,
} from './ports.js';
import type { PublishBundleImages, PublishedImage } from './publish-bundle-images.js';
import type { CatalogResult, UpdateCatalog } from './update-catalog.js';

export type PublishSource = { kind: 'upload'; bytes: Uint8Array } | { kind: 'koji'; nvr: string };

export interface PublishCommand {
  organization: string;
  /** v1: the repository named in the URL, which must equal the packageName. v2: omitted. */
  repository?: string;
  /** Explicit release version; omitted = auto-increment. */
  version?: string;
  source: PublishSource;
  token: Token;
  /** Run every step but the push and the publish (nothing is written to the registry). */
  dryRun?: boolean;
}

export interface PublishResult {
  organization: string;
  repo: string;
  version: string;
  nvr?: string;
  /** The archive's file paths, sorted (SPEC §2 `extracted_files`). */
  extractedFiles: string[];
  /** Dry runs only: what would have been pushed. */
  dryRun?: true;
  validationInfo?: ValidationInfo;
  filesToPush?: string[];
  /** Organizations with bundle_images (SPEC §10): the images published (or that would be). */
  images?: PublishedImage[];
  /** Organizations with a catalog (SPEC §11): the catalog image and what its tag points at. */
  catalog?: CatalogResult;
}

export interface PublishSettings {
  defaultReleaseVersion: string;
  maxUncompressedSize: number;
  policyFor(organization: string): OrganizationPolicy | undefined;
  /** How many times an auto-versioned push that lost a race is retried. */
  maxVersionRetries?: number;
  /** Attempts at making a public organization's repository public. */
  publishAttempts?: number;
  /** The pause before the second attempt at making it public (100 ms); it doubles before each next one. */
  publishRetryDelayMs?: number;
}

export interface PublishDeps {
  registry: Registry;
  archive: Archive;
  /** Where the bundle work runs; inline over `archive` by default. */
  engine?: BundleEngine;
  buildSystem: BuildSystem;
  policyGate?: PolicyGate;
  /** Publishes for organizations with bundle_images (SPEC §10). */
  bundleImages?: PublishBundleImages;
  /** Keeps the catalogs of organizations with `catalog` current (SPEC §11). */
  catalog?: UpdateCatalog;
  settings: PublishSettings;
  logger: Logger;
}

export class PublishRelease {
  private readonly engine: BundleEngine;

  constructor(private readonly deps: PublishDeps) {
    this.engine = deps.engine ?? new InlineBundleEngine(deps.archive);
  }

  async execute(command: PublishCommand): Promise<PublishResult> {
    if (!command.token) throw new AuthorizationHeaderRequiredError();
    const policy = this.deps.settings.policyFor(command.organization) ?? DEFAULT_POLICY;
    if (policy.bundleImages && command.version !== undefined) {
      throw new BundleImageVersionError(command.organization, command.version);
    }
    if (command.version !== undefined) assertValidVersion(command.version);

    // Koji: the build is looked up (404 first) and the archive fetched before the token is tried.
    const archiveBytes = await this.fetchArchive(command.source);
    const listed = await this.tokenFirst(command, policy);
    const work = await this.engine.prepare({
      bytes: archiveBytes,
      maxUncompressedSize: this.deps.settings.maxUncompressedSize,
      policy,
      ...(command.repository !== undefined ? { repository: command.repository } : {}),
      pack: !command.dryRun && !policy.bundleImages,
    });
    return policy.bundleImages
      ? this.publishBundleImages(command, { ...policy, bundleImages: policy.bundleImages }, work)
      : this.publishAppRegistryRelease(command, policy, work, listed);
  }

  /** App Registry (SPEC §3 steps 6–9): choose the version, then push one release to Quay. */
  private async publishAppRegistryRelease(
    command: PublishCommand,
    policy: OrganizationPolicy,
    work: BundleWork,
    /** The releases tokenFirst already listed (v1 auto-versioning), so they are not listed twice. */
    listed: { releases: string[] | undefined } | undefined,
  ): Promise<PublishResult> {
    const repository = command.repository ?? work.packageName;
    // The release listing comes before the verdict, as in the original service: a
    // repository Quay refuses to list answers that refusal even for an invalid bundle.
    let version =
      command.version ??
      (listed
        ? nextVersion(listed.releases, this.deps.settings.defaultReleaseVersion)
        : await this.autoVersion(command.organization, repository, command.token));
    if (!work.verdict.ok) throw work.verdict.error;
    const { bundle, packed } = work.verdict;
    const answer = this.answer(command, repository, version, work);
    if (command.dryRun) {
      return {
        ...answer,
        dryRun: true,
        validationInfo: bundle.validationInfo,
        filesToPush: bundle.files.map((f) => f.path),
      };
    }
    version = await this.pushRelease(command, repository, version, bundle.files, packed);
    await this.publishIfPublic(command.organization, repository, version, policy);
    return { ...answer, version };
  }

  /** Pushes under `version`; an auto-chosen version that a concurrent push took is chosen again. */
  private async pushRelease(
    command: PublishCommand,
    repository: string,
    version: string,
    bundle: PushRequest['bundle'],
    packed: Uint8Array | undefined,
  ): Promise<string> {
    const { registry, settings, logger } = this.deps;
    const maxRetries = settings.maxVersionRetries ?? 5;
    for (let attempt = 0; ; attempt++) {
      try {
        await registry.push({
          organization: command.organization,
          repository,
          version,
          bundle,
          ...(packed ? { packed } : {}),
          token: command.token,
        });
        return version;
      } catch (error) {
        const lostRace = error instanceof ReleaseAlreadyExistsError && command.version === undefined;
        if (!lostRace || attempt >= maxRetries) throw error;
        logger.info('release taken by a concurrent push; choosing the next version', {
          organization: command.organization,
          repository,
          version,
        });
        version = await this.autoVersion(command.organization, repository, command.token, version);
      }
    }
  }

  /**
   * Bundle images (SPEC §10): the CSVs choose the tags; nothing is listed before
   * the verdict. With a catalog (SPEC §11), the catalog is planned and validated
   * before any image is pushed, and written after them (it points at their digests).
   */
  private async publishBundleImages(
    command: PublishCommand,
    policy: OrganizationPolicy & { bundleImages: BundleImagesPolicy },
    work: BundleWork,
  ): Promise<PublishResult> {
    if (!work.verdict.ok) throw work.verdict.error;
    const built = work.verdict.images;
    const { bundleImages, catalog } = this.deps;
    if (!bundleImages || !built || (policy.catalog && !catalog)) {
      throw new Error('bundle images are configured but cannot be published');
    }
    const plan =
      policy.catalog && catalog
        ? await catalog.plan(
            {
              organization: command.organization,
              bundleImages: policy.bundleImages,
              catalog: policy.catalog,
              packageName: work.packageName,
              token: command.token,
            },
            {
              added: built.images.map((i) => ({
                tag: i.tag,
                digest: i.image.manifest.digest,
                files: [...i.files],
              })),
            },
          )
        : undefined;
    const outcome = await bundleImages.execute({
      organization: command.organization,
      policy: policy.bundleImages,
      packageName: work.packageName,
      built,
      token: command.token,
      dryRun: command.dryRun === true,
    });
    // A dry run says what the catalog is and whether it would change; a publish writes it.
    const catalogResult =
      plan && catalog && (command.dryRun ? catalog.describe(plan) : await catalog.apply(plan));
    // Bundle images of the package that the catalog had to leave out are reported, never fatal.
    const catalogWarnings = plan?.warnings ?? [];
    return {
      ...this.answer(command, command.repository ?? work.packageName, outcome.version, work),
      ...(command.dryRun
        ? {
            dryRun: true,
            validationInfo: {
              errors: outcome.validationInfo.errors,
              warnings: [...outcome.validationInfo.warnings, ...catalogWarnings],
            },
            filesToPush: outcome.files,
          }
        : catalogWarnings.length > 0
          ? { validationInfo: { errors: [], warnings: [...catalogWarnings] } }
          : {}),
      images: outcome.images,
      ...(catalogResult ? { catalog: catalogResult } : {}),
    };
  }

  /** What every publish answers. */
  private answer(command: PublishCommand, repo: string, version: string, work: BundleWork): PublishResult {
    return {
      organization: command.organization,
      repo,
      version,
      ...(command.source.kind === 'koji' ? { nvr: command.source.nvr } : {}),
      extractedFiles: work.extractedFiles,
    };
  }

  /**
   * The caller's token, tried on the registry before the bundle job wherever the flow allows it,
   * so that a made-up token costs no bundle work (README "Security and limits"): bundle-image
   * organizations have the credentials tried (`GET /v2/`, with its token exchange); a v1
   * auto-versioned publish lists the releases it needs anyway, and keeps them. A v2 publish to
   * Quay cannot (its repository comes from the bundle), nor one with an explicit version (it
   * lists nothing).
   */
  private async tokenFirst(
    command: PublishCommand,
    policy: OrganizationPolicy,
  ): Promise<{ releases: string[] | undefined } | undefined> {
    if (policy.bundleImages) {
      await this.deps.bundleImages?.authenticate(policy.bundleImages, command.token);
      return undefined;
    }
    if (command.repository === undefined || command.version !== undefined) return undefined;
    return {
      releases: await this.deps.registry.releases(command.organization, command.repository, command.token),
    };
  }

  private async fetchArchive(source: PublishSource): Promise<Uint8Array> {
    if (source.kind === 'upload') return source.bytes;
    const { buildSystem, policyGate, settings } = this.deps;
    const location = await buildSystem.locateManifests(source.nvr);
    if (policyGate) await policyGate.check(source.nvr);
    return buildSystem.download(location, settings.maxUncompressedSize);
  }

  /** Latest conforming release with its major bumped, or the default; never `taken` again. */
  private async autoVersion(organization: string, repository: string, token: Token, taken?: string) {
    const releases = await this.deps.registry.releases(organization, repository, token);
    const known = taken ? [...(releases ?? []), taken] : releases;
    return nextVersion(known, this.deps.settings.defaultReleaseVersion);
  }

  private async publishIfPublic(
    organization: string,
    repository: string,
    version: string,
    policy: OrganizationPolicy,
  ) {
    if (!policy.public) return;
    const { registry, logger, settings } = this.deps;
    if (!policy.oauthToken) {
      logger.warn('organization is public but has no oauth_token; repository left as it is', {
        organization,
      });
      return;
    }
    const attempts = settings.publishAttempts ?? 3;
    const delayMs = settings.publishRetryDelayMs ?? 100;
    let lastError: unknown;
    for (let attempt = 1; attempt <= attempts; attempt++) {
      // A short backoff, not back to back: Quay may just have been slow to see the new repository.
      if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, delayMs * 2 ** (attempt - 2)));
      try {
        await registry.makePublic(organization, repository, policy.oauthToken);
        return;
      } catch (error) {
        lastError = error;
        logger.warn('making the repository public failed', { organization, repository, attempt });
      }
    }
    const reason = lastError instanceof Error ? lastError.message : String(lastError);
    throw new QuayPackageError(
      `Release ${version} was pushed to ${organization}/${repository}, but the repository could not be made public: ${reason}`,
      { cause: lastError },
    );
  }
}
