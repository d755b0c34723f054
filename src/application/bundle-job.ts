/**
 * The bundle job: everything CPU-bound in a publish, in one pure function so
 * that it can run inline (edge runtimes, tests) or in a bundle thread (Node)
 * with the same result. The release version is not needed: it is chosen
 * after the job, from the package name it returns. For an organization with
 * bundle_images the job also builds the images (SPEC §10), which is CPU work too;
 * for a push it also packs the registry's blob (`job.pack`, with `packer`).
 */
import { buildBundleImages } from '../domain/bundle-image/bundle-images.js';
import { type FileEntry, rootedFiles } from '../domain/files.js';
import type { Gzip } from '../domain/gzip.js';
import { loadBundle, prepareBundle } from '../domain/manifest/index.js';
import { type TextCodec, webTextCodec } from '../domain/text-codec.js';
import type { Archive, BundleEngine, BundleJob, BundlePacker, BundleWork } from './ports.js';

/** What the runtime lends the job: Node passes native ones, edge runtimes run on the defaults. */
export interface JobTools {
  /** Packs the registry's blob when the job asks for it (`job.pack`); without one, nothing is packed. */
  packer?: BundlePacker;
  /** UTF-8 for the manifests; TextDecoder/TextEncoder by default. */
  codec?: TextCodec;
  /**
   * Compresses bundle-image layers (SPEC §10); needed only for organizations with
   * bundle_images. It must give the same bytes on every runtime (a digest is how an
   * identical push is recognised), so every composition passes the same one.
   */
  layerGzip?: Gzip;
}

export async function runBundleJob(
  archive: Archive,
  job: BundleJob,
  { packer, codec = webTextCodec, layerGzip }: JobTools = {},
): Promise<BundleWork> {
  const files = await archive.unpack(job.bytes, { maxUncompressedSize: job.maxUncompressedSize });
  let inflatedBytes = 0;
  for (const file of files) inflatedBytes += file.data.byteLength;
  const loaded = loadBundle(rootedFiles(files), job.policy, codec);
  let verdict: BundleWork['verdict'];
  try {
    const options = job.repository !== undefined ? { repository: job.repository } : {};
    const bundle = prepareBundle(loaded, options);
    const images = job.policy.bundleImages
      ? await buildBundleImages(loaded, bundle, required(layerGzip))
      : undefined;
    const packed =
      job.pack && packer
        ? await packOrLeave(packer, bundle.files, job.repository ?? loaded.packageName)
        : undefined;
    verdict = { ok: true, bundle, ...(images ? { images } : {}), ...(packed ? { packed } : {}) };
  } catch (error) {
    verdict = { ok: false, error };
  }
  return {
    packageName: loaded.packageName,
    extractedFiles: files.map((f) => f.path),
    inflatedBytes,
    verdict,
  };
}

/**
 * A bundle that cannot be packed is left unpacked: the registry packs it
 * again at push time and reports the failure there, as the push's error
 * (never a dry run's, never before the release listing).
 */
async function packOrLeave(
  packer: BundlePacker,
  files: readonly FileEntry[],
  folder: string,
): Promise<Uint8Array | undefined> {
  try {
    return await packer.pack(files, folder);
  } catch {
    return undefined;
  }
}

function required(layerGzip: Gzip | undefined): Gzip {
  if (!layerGzip) throw new Error('bundle images are configured but the bundle job was given no layerGzip');
  return layerGzip;
}

/** The job on the calling thread: what edge runtimes (one thread per isolate) use. */
export class InlineBundleEngine implements BundleEngine {
  constructor(
    private readonly archive: Archive,
    private readonly tools: JobTools = {},
  ) {}

  prepare(job: BundleJob): Promise<BundleWork> {
    return runBundleJob(this.archive, job, this.tools);
  }
}
