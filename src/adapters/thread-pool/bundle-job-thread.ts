/**
 * The entry of one bundle thread: runs one BundleJob at a time with the
 * archive on node:zlib's codecs, node:buffer's UTF-8, Quay's packer over zlib's gzip and
 * fflate's gzip for image layers (the same bytes as inline and on edge runtimes), and
 * posts back the work (its byte buffers transferred) or the failure. The pool sends the next
 * job only after the answer.
 */
import { setPriority } from 'node:os';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort } from 'node:worker_threads';
import { runBundleJob } from '../../application/bundle-job.js';
import type { BundleJob } from '../../application/ports.js';
import { fflateGzip } from '../fflate/fflate-gzip.js';
import { nodeTextCodec } from '../node-native/node-text-codec.js';
import { nodeZipCodecs } from '../node-native/node-zip-codecs.js';
import { zlibGzip } from '../node-native/zlib-gzip.js';
import { QuayBundlePacker } from '../quay/bundle-blob.js';
import { ZipArchive } from '../zip/zip-archive.js';
import { encodeError, encodeWork, type ThreadAnswer } from './wire.js';

const BUNDLE_THREAD_NICENESS = 10;
const COLLECT_ABOVE_BYTES = 64 * 1024 * 1024;

/** V8's full collection, made callable in this thread (the flag only exposes it to new contexts). */
const collectGarbage = ((): (() => void) | undefined => {
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
})();

const port = parentPort;
if (!port) throw new Error('bundle-job-thread must run in a node:worker_threads thread');
const archive = new ZipArchive(nodeZipCodecs);
const tools = { packer: new QuayBundlePacker(zlibGzip), codec: nodeTextCodec, layerGzip: fflateGzip };

// On Linux a thread has its own nice value: bundle threads yield the cores to the
// event loop, so health checks and hand-offs are answered first on a busy machine.
try {
  setPriority(BUNDLE_THREAD_NICENESS);
} catch {
  // Not permitted or not supported here: same priority as the event loop.
}

port.on('message', async (job: BundleJob) => {
  let answer: ThreadAnswer;
  let transfer: ArrayBuffer[] = [];
  try {
    ({ answer, transfer } = encodeWork(await runBundleJob(archive, job, tools)));
  } catch (error) {
    answer = { ok: false, error: encodeError(error) };
  }
  const heapBytes = getHeapStatistics().total_heap_size;
  port.postMessage({ ...answer, heapBytes }, transfer);
  // A heavy job leaves a heap V8 gives back only slowly: collect it now, between jobs.
  if (heapBytes > COLLECT_ABOVE_BYTES) collectGarbage?.();
});
