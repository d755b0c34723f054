/**
 * Everything CPU-bound about bundle images (SPEC §10), in one pure step: the
 * validated bundle becomes one registry+v1 bundle per CSV, each built into a
 * deterministic OCI image. Pushing is the use case's business.
 */
import type { FileEntry } from '../files.js';
import type { Gzip } from '../gzip.js';
import type { LoadedBundle, PreparedBundle } from '../manifest/index.js';
import { buildOciImage, type OciImage } from './oci-image.js';
import { registryBundles } from './registry-bundles.js';

export interface BuiltBundleImages {
  /** The tag of the default channel's head. */
  readonly headTag: string;
  /** Each image with the files of its layer (what the catalog renders the bundle from, SPEC §11). */
  readonly images: readonly {
    readonly tag: string;
    readonly image: OciImage;
    readonly files: readonly FileEntry[];
  }[];
  /** The bundle's validation warnings, then the conversion's own. */
  readonly warnings: readonly string[];
  /** Every file of every image, as `<tag>/<path in the layer>`. */
  readonly files: readonly string[];
}

/** `prepared` is the verdict of prepareBundle on `loaded`: the bundle is valid. `gzip` compresses each layer. */
export async function buildBundleImages(
  loaded: LoadedBundle,
  prepared: PreparedBundle,
  gzip: Gzip,
): Promise<BuiltBundleImages> {
  const converted = registryBundles(loaded);
  const images: { tag: string; image: OciImage; files: readonly FileEntry[] }[] = [];
  for (const bundle of converted.bundles) {
    images.push({
      tag: bundle.tag,
      image: await buildOciImage(bundle.files, bundle.annotations, gzip),
      files: bundle.files,
    });
  }
  return {
    headTag: converted.headTag,
    images,
    warnings: [...prepared.validationInfo.warnings, ...converted.warnings],
    files: converted.bundles.flatMap((b) => b.files.map((f) => `${b.tag}/${f.path}`)),
  };
}
