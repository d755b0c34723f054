/**
 * The bundle-image half of publishing (SPEC §10), for organizations with
 * `bundle_images`: the validated package manifests become one `registry+v1`
 * image per CSV, pushed under the CSV's version. PublishRelease hands over the
 * images already built (buildBundleImages: pure, CPU-bound, run with the rest
 * of the bundle work); this collaborator only talks to the registry.
 *
 * Tags are checked before anything is pushed: a tag holding other content
 * stops the whole publish (nothing overwritten, nothing half-pushed by it); a
 * tag already holding the same image is left as it is.
 */
import type { BuiltBundleImages } from '../domain/bundle-image/bundle-images.js';
import { imageReference, imageRepository } from '../domain/bundle-image/image-name.js';
import { ImageTagTakenError, type ValidationInfo } from '../domain/errors.js';
import type { BundleImagesPolicy } from '../domain/organization-policy.js';
import type { ImageRegistry, Logger, Token } from './ports.js';

export interface BundleImagesCommand {
  organization: string;
  policy: BundleImagesPolicy;
  /** packageName after the organization's suffix. */
  packageName: string;
  built: BuiltBundleImages;
  token: Token;
  dryRun: boolean;
}

export interface PublishedImage {
  /** The tag: the CSV's spec.version. */
  version: string;
  /** `<registry host[:port]>/<repository>:<tag>`. */
  image: string;
  digest: string;
}

export interface BundleImagesOutcome {
  /** The tag of the default channel's head. */
  version: string;
  images: PublishedImage[];
  validationInfo: ValidationInfo;
  /** Every file of every image, as `<tag>/<path in the layer>`. */
  files: string[];
}

export class PublishBundleImages {
  constructor(private readonly deps: { imageRegistry: ImageRegistry; logger: Logger }) {}

  /** Whether the registry takes the caller's credentials, asked before any bundle work (PublishRelease). */
  authenticate(policy: BundleImagesPolicy, token: Token): Promise<void> {
    return this.deps.imageRegistry.authenticate(policy.registry, token);
  }

  async execute(command: BundleImagesCommand): Promise<BundleImagesOutcome> {
    const { organization, policy, built } = command;
    const repository = imageRepository(policy.repository, organization, command.packageName);
    const outcome: BundleImagesOutcome = {
      version: built.headTag,
      images: built.images.map(({ tag, image }) => ({
        version: tag,
        image: imageReference(policy.registry, repository, tag),
        digest: image.manifest.digest,
      })),
      validationInfo: { errors: [], warnings: [...built.warnings] },
      files: [...built.files],
    };
    if (command.dryRun) return outcome;

    const session = this.deps.imageRegistry.session(policy.registry, command.token);
    const missing: (typeof built.images)[number][] = [];
    for (const entry of built.images) {
      const existing = await session.manifestDigest(repository, entry.tag);
      if (existing === undefined) missing.push(entry);
      else if (existing !== entry.image.manifest.digest) {
        throw new ImageTagTakenError(imageReference(policy.registry, repository, entry.tag), existing);
      }
    }
    for (const { tag, image } of missing) await session.pushImage(repository, tag, image);
    this.deps.logger.info('bundle images published', {
      organization,
      repository,
      pushed: missing.map((m) => m.tag),
      unchanged: built.images.length - missing.length,
    });
    return outcome;
  }
}
