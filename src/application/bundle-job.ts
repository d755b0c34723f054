/**
 * The bundle job: everything CPU-bound in a publish, in one pure function so
 * that it can run inline (edge runtimes, tests) or in a worker thread (Node)
 * with the same result. The release version is not needed: it is chosen
 * after the job, from the package name it returns. For an organization with
 * bundle_images the job also builds the images (SPEC §10), which is CPU work too.
 */
import { buildBundleImages } from '../domain/bundle-image/bundle-images.js';
import { rootedFiles } from '../domain/files.js';
import { loadBundle, prepareBundle } from '../domain/manifest/index.js';
import { type TextCodec, webTextCodec } from '../domain/text-codec.js';
import type { Archive, BundleEngine, BundleJob, BundleWork } from './ports.js';

/** `codec`: UTF-8 for the manifests (Node passes a native one). */
export async function runBundleJob(
  archive: Archive,
  job: BundleJob,
  codec: TextCodec = webTextCodec,
): Promise<BundleWork> {
  const files = await archive.unpack(job.bytes, { maxUncompressedSize: job.maxUncompressedSize });
  let inflatedBytes = 0;
  for (const file of files) inflatedBytes += file.data.byteLength;
  const loaded = loadBundle(rootedFiles(files), job.policy, codec);
  let verdict: BundleWork['verdict'];
  try {
    const options = job.repository !== undefined ? { repository: job.repository } : {};
    const bundle = prepareBundle(loaded, options);
    const images = job.policy.bundleImages ? await buildBundleImages(loaded, bundle) : undefined;
    verdict = { ok: true, bundle, ...(images ? { images } : {}) };
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

/** The job on the calling thread: what edge runtimes (one thread per isolate) use. */
export class InlineBundleEngine implements BundleEngine {
  constructor(
    private readonly archive: Archive,
    private readonly codec: TextCodec = webTextCodec,
  ) {}

  prepare(job: BundleJob): Promise<BundleWork> {
    return runBundleJob(this.archive, job, this.codec);
  }
}
