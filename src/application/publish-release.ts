/**
 * PublishRelease (SPEC §3): one flow for zip uploads and Koji builds, for v1
 * (repository from the URL) and v2 (repository = packageName).
 */
import type { BuiltBundleImages } from '../domain/bundle-image/bundle-images.js';
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
import type { Archive, BuildSystem, BundleEngine, Logger, PolicyGate, Registry, Token } from './ports.js';
import type { PublishBundleImages, PublishedImage } from './publish-bundle-images.js';

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
  extracted_files: string[];
  /** Dry runs only: what would have been pushed. */
  dry_run?: true;
  validation_info?: ValidationInfo;
  files_to_push?: string[];
  /** Organizations with bundle_images (SPEC §10): the images published (or that would be). */
  images?: PublishedImage[];
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
  settings: PublishSettings;
  logger: Logger;
}

export class PublishRelease {
  private readonly engine: BundleEngine;

  constructor(private readonly deps: PublishDeps) {
    this.engine = deps.engine ?? new InlineBundleEngine(deps.archive);
  }

  async execute(command: PublishCommand): Promise<PublishResult> {
    const { registry, settings, logger } = this.deps;
    if (!command.token) throw new AuthorizationHeaderRequiredError();
    const policy = settings.policyFor(command.organization) ?? DEFAULT_POLICY;
    if (policy.bundleImages && command.version !== undefined) {
      throw new BundleImageVersionError(command.organization, command.version);
    }
    if (command.version !== undefined) assertValidVersion(command.version);

    const archiveBytes = await this.fetchArchive(command.source);
    const listed = await this.tokenFirst(command, policy);
    const work = await this.engine.prepare({
      bytes: archiveBytes,
      maxUncompressedSize: settings.maxUncompressedSize,
      policy,
      ...(command.repository !== undefined ? { repository: command.repository } : {}),
      pack: !command.dryRun && !policy.bundleImages,
    });
    const extracted = work.extractedFiles;
    const repository = command.repository ?? work.packageName;
    if (policy.bundleImages) {
      if (!work.verdict.ok) throw work.verdict.error;
      return this.publishImages(command, policy.bundleImages, work.packageName, work.verdict.images, {
        repo: repository,
        extracted,
      });
    }

    let version =
      command.version ??
      (listed
        ? nextVersion(listed.releases, settings.defaultReleaseVersion)
        : await this.autoVersion(command.organization, repository, command.token));
    if (!work.verdict.ok) throw work.verdict.error;
    const { bundle: prepared, packed } = work.verdict;
    const answer: PublishResult = {
      organization: command.organization,
      repo: repository,
      version,
      ...(command.source.kind === 'koji' ? { nvr: command.source.nvr } : {}),
      extracted_files: extracted,
    };
    if (command.dryRun) {
      return {
        ...answer,
        dry_run: true,
        validation_info: prepared.validationInfo,
        files_to_push: prepared.files.map((f) => f.path),
      };
    }

    const maxRetries = settings.maxVersionRetries ?? 5;
    for (let attempt = 0; ; attempt++) {
      try {
        await registry.push({
          organization: command.organization,
          repository,
          version,
          bundle: prepared.files,
          ...(packed ? { packed } : {}),
          token: command.token,
        });
        break;
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

    await this.publishIfPublic(command.organization, repository, version, policy);
    return { ...answer, version };
  }

  private async publishImages(
    command: PublishCommand,
    policy: BundleImagesPolicy,
    packageName: string,
    built: BuiltBundleImages | undefined,
    answer: { repo: string; extracted: string[] },
  ): Promise<PublishResult> {
    if (!this.deps.bundleImages || !built) {
      throw new Error('bundle images are configured but cannot be published');
    }
    const outcome = await this.deps.bundleImages.execute({
      organization: command.organization,
      policy,
      packageName,
      built,
      token: command.token,
      dryRun: command.dryRun === true,
    });
    return {
      organization: command.organization,
      repo: answer.repo,
      version: outcome.version,
      ...(command.source.kind === 'koji' ? { nvr: command.source.nvr } : {}),
      extracted_files: answer.extracted,
      ...(command.dryRun
        ? { dry_run: true, validation_info: outcome.validationInfo, files_to_push: outcome.files }
        : {}),
      images: outcome.images,
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
